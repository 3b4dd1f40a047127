// SPDX-License-Identifier: MIT
// I/O port and device-memory capabilities (see kern/ioport.h) and their kernel calls. A process's
// enabled ports live in its own 8 KiB permission bitmap, loaded into the TSS when it runs.
#include <arch/acpi.h>
#include <arch/paging.h>
#include <arch/percpu.h>
#include <arch/trap.h>
#include <common/string.h>
#include <exo/types.h>
#include <kern/bootinfo.h>
#include <kern/heap.h>
#include <kern/ioport.h>
#include <kern/syscall.h>
#include <kern/vspace.h>

#define PORTS 65536u

static void free_obj(struct kobj *o)
{
	kfree(o);
}

struct ioport *ioport_create(uint32_t first, uint32_t count)
{
	struct ioport *p = kzalloc(sizeof(*p));

	if (p) {
		kobj_init(&p->obj, EXO_OBJ_IOPORT, free_obj);
		p->first = first;
		p->count = count;
	}
	return p;
}

struct mmio *mmio_create(paddr_t paddr, uint64_t size)
{
	struct mmio *m = kzalloc(sizeof(*m));

	if (m) {
		kobj_init(&m->obj, EXO_OBJ_MMIO, free_obj);
		m->paddr = paddr;
		m->size = size;
	}
	return m;
}

// This CPU's bitmap in force is percpu()->iomap_live (NULL: every port denied).
void ioport_switch(struct process *p)
{
	const uint8_t *map = p ? p->iobitmap : NULL;

	if (map != percpu()->iomap_live)
		tss_load_iomap(map);
}

void ioport_release(struct process *p)
{
	if (p->iobitmap) {
		tss_forget_iomap(p->iobitmap);
		kfree(p->iobitmap);
		p->iobitmap = NULL;
	}
}

static bool range_inside(uint64_t first, uint64_t count, uint64_t rfirst, uint64_t rcount)
{
	return count > 0 && first >= rfirst && count <= rcount && first - rfirst <= rcount - count;
}

// Hands out part of c's object as a child capability of c (revoking c takes it back), with no
// more rights than c has.
static long insert_part(uint64_t handle, struct cap *c, struct kobj *part)
{
	cap_handle_t h;
	int err;

	if (!part)
		return -EXO_ENOMEM;
	err = cap_derive_sub(&current_process()->cs, handle, part, c->rights, &h);
	kobj_put(part);
	return err ? err : (long)h;
}

long sys_ioport_restrict(exo_ioport_t ioport, uint64_t first, uint64_t count)
{
	struct cap *c;
	struct ioport *r;
	int err = lookup(ioport, EXO_OBJ_IOPORT, EXO_R_GRANT, &c);

	if (err)
		return err;
	r = (struct ioport *)c->obj;
	if (!range_inside(first, count, r->first, r->count))
		return -EXO_EINVAL;
	r = ioport_create((uint32_t)first, (uint32_t)count);
	return insert_part(ioport, c, r ? &r->obj : NULL);
}

// Ports the kernel drives itself: the COM1 console and the two legacy PICs.
static bool kernel_ports(uint64_t first, uint64_t count)
{
	static const struct {
		uint16_t first, count;
	} owned[] = { { 0x3f8, 8 }, { 0x20, 2 }, { 0xa0, 2 } };

	for (size_t i = 0; i < ARRAY_SIZE(owned); i++)
		if (first < owned[i].first + owned[i].count && owned[i].first < first + count)
			return true;
	return false;
}

long sys_ioport_enable(exo_ioport_t ioport, uint64_t first, uint64_t count)
{
	struct process *p = current_process();
	struct cap *c;
	struct ioport *r;
	int err = lookup(ioport, EXO_OBJ_IOPORT, EXO_R_WRITE, &c);

	if (err)
		return err;
	r = (struct ioport *)c->obj;
	if (!range_inside(first, count, r->first, r->count))
		return -EXO_EINVAL;
	if (kernel_ports(first, count))
		return -EXO_EPERM;
	if (!p->iobitmap) {
		p->iobitmap = kmalloc(PORTS / 8);
		if (!p->iobitmap)
			return -EXO_ENOMEM;
		memset(p->iobitmap, 0xff, PORTS / 8);
	}
	for (uint64_t port = first; port < first + count; port++)
		p->iobitmap[port / 8] &= (uint8_t) ~(1u << (port % 8));
	tss_update_iomap(p->iobitmap);
	ioport_switch(p);
	return 0;
}

// Device memory for users must not overlap RAM the memory map reports as usable (kernel and
// user frames), nor the interrupt controllers the kernel drives.
static bool forbidden(paddr_t pa, uint64_t size)
{
	if (pa < acpi.lapic_addr + PAGE_SIZE && acpi.lapic_addr < pa + size)
		return true;
	for (size_t i = 0; i < acpi.nioapics; i++)
		if (pa < acpi.ioapics[i].addr + PAGE_SIZE && acpi.ioapics[i].addr < pa + size)
			return true;
	for (size_t i = 0; i < boot_info.nmmap; i++) {
		const struct boot_mmap_entry *e = &boot_info.mmap[i];

		if (e->type == MMAP_USABLE && pa < e->base + e->len && e->base < pa + size)
			return true;
	}
	return false;
}

long sys_mmio_restrict(exo_mmio_t mmio, uint64_t paddr, uint64_t size)
{
	struct cap *c;
	struct mmio *m;
	int err = lookup(mmio, EXO_OBJ_MMIO, EXO_R_GRANT, &c);

	if (err)
		return err;
	m = (struct mmio *)c->obj;
	if ((paddr | size) & PAGE_MASK || !range_inside(paddr, size, m->paddr, m->size))
		return -EXO_EINVAL;
	m = mmio_create(paddr, size);
	return insert_part(mmio, c, m ? &m->obj : NULL);
}

long sys_mmio_map(exo_mmio_t mmio, exo_process_t process, uint64_t vaddr, uint64_t paddr, uint64_t pages)
{
	struct cap *c, *pc;
	struct mmio *m;
	struct vspace *vs;
	int err = lookup(mmio, EXO_OBJ_MMIO, EXO_R_READ | EXO_R_WRITE, &c);

	if (!err)
		err = lookup(process, EXO_OBJ_PROCESS, EXO_R_CONTROL, &pc);
	if (err)
		return err;
	m = (struct mmio *)c->obj;
	vs = &((struct process *)pc->obj)->vs;
	if ((paddr | vaddr) & PAGE_MASK || pages == 0 || pages > EXO_MAP_BATCH_MAX ||
	    !range_inside(paddr, pages * PAGE_SIZE, m->paddr, m->size) || forbidden(paddr, pages * PAGE_SIZE))
		return -EXO_EINVAL;
	for (uint64_t i = 0; i < pages; i++) {
		err = vspace_map_device(vs, vaddr + i * PAGE_SIZE, paddr + i * PAGE_SIZE, VM_READ | VM_WRITE);
		if (err) {
			while (i--)
				vspace_unmap(vs, vaddr + i * PAGE_SIZE);
			return err;
		}
	}
	return 0;
}
