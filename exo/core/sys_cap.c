// SPDX-License-Identifier: MIT
// Kernel calls on capabilities themselves: copy, mint, move, delete, revoke, info.
#include <exo/types.h>
#include <kern/ioport.h>
#include <kern/irq.h>
#include <kern/quota.h>
#include <kern/syscall.h>
#include <kern/timeslice.h>

// The table named by dest: 0 is the caller's own; else a PROCESS capability with CONTROL.
static int dest_table(uint64_t dest, struct cspace **out)
{
	struct cap *c;
	int err;

	if (dest == 0) {
		*out = &current_process()->cs;
		return 0;
	}
	err = lookup(dest, EXO_OBJ_PROCESS, EXO_R_CONTROL, &c);
	if (!err)
		*out = &((struct process *)c->obj)->cs;
	return err;
}

long sys_cap_copy(exo_handle_t cap, exo_process_t dest, uint64_t rights)
{
	struct cspace *cs;
	cap_handle_t h;
	int err;

	if (rights & ~(uint64_t)EXO_R_ALL)
		return -EXO_EINVAL;
	err = dest_table(dest, &cs);
	if (!err)
		err = cap_copy(&current_process()->cs, cap, cs, (uint32_t)rights, &h);
	return err ? err : (long)h;
}

long sys_cap_mint(exo_handle_t cap, uint64_t rights, uint64_t badge)
{
	cap_handle_t h;
	int err;

	if (rights & ~(uint64_t)EXO_R_ALL)
		return -EXO_EINVAL;
	err = cap_mint(&current_process()->cs, cap, (uint32_t)rights, badge, &h);
	return err ? err : (long)h;
}

long sys_cap_move(exo_handle_t cap, exo_process_t dest)
{
	struct cspace *cs;
	cap_handle_t h;
	int err = dest_table(dest, &cs);

	if (!err)
		err = cap_move(&current_process()->cs, cap, cs, &h);
	return err ? err : (long)h;
}

long sys_cap_delete(exo_handle_t cap)
{
	return cap_delete(&current_process()->cs, cap);
}

long sys_cap_revoke(exo_handle_t cap)
{
	return cap_revoke(&current_process()->cs, cap);
}

static void describe(const struct kobj *o, struct exo_cap_info *info)
{
	switch (o->type) {
	case EXO_OBJ_QUOTA:
		info->a = ((const struct quota *)o)->limit;
		info->b = quota_used_frames((const struct quota *)o);
		break;
	case EXO_OBJ_PROCESS:
		info->a = ((const struct process *)o)->pid;
		info->b = ((const struct process *)o)->exited;
		break;
	case EXO_OBJ_THREAD:
		info->a = ((const struct thread *)o)->tid;
		info->b = ((const struct thread *)o)->state;
		break;
	case EXO_OBJ_IRQ:
		info->a = ((const struct irq *)o)->gsi;
		break;
	case EXO_OBJ_IOPORT:
		info->a = ((const struct ioport *)o)->first;
		info->b = ((const struct ioport *)o)->count;
		break;
	case EXO_OBJ_TIMESLICE:
		info->a = ((const struct timeslice *)o)->budget;
		info->b = ((const struct timeslice *)o)->throttles;
		break;
	case EXO_OBJ_MMIO:
		info->a = ((const struct mmio *)o)->paddr;
		info->b = ((const struct mmio *)o)->size;
		break;
	}
}

long sys_cap_info(exo_handle_t cap, uint64_t out)
{
	struct exo_cap_info info = { 0 };
	struct cap *c;
	int err = lookup(cap, 0, 0, &c);

	if (err)
		return err;
	info.type = c->obj->type;
	info.rights = c->rights;
	info.badge = c->badge;
	describe(c->obj, &info);
	return copyout(out, &info, sizeof(info));
}

long sys_cap_copy_range(exo_handle_t first, uint64_t count, exo_process_t dest, uint64_t rights)
{
	struct cspace *cs;
	cap_handle_t h;
	int err;

	if (rights & ~(uint64_t)EXO_R_ALL || count == 0 || count > EXO_MAP_BATCH_MAX)
		return -EXO_EINVAL;
	err = dest_table(dest, &cs);
	if (!err)
		err =
		    cap_copy_range(&current_process()->cs, first, (uint32_t)count, cs, (uint32_t)rights, &h);
	return err ? err : (long)h;
}
