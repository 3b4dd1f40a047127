// SPDX-License-Identifier: MIT
// ELF64 executable validator: turns an untrusted image into a list of segments safe to map.
//
// The image comes from a boot module and is not trusted: a bad file must end in a clear boot
// error, never in a wild read or a bad mapping. Every header is copied with memcpy into a local
// struct before use (the image may be unaligned), and every bound is checked in a form that
// cannot overflow: `off > size || len > size - off` rather than `off + len > size`.
//
// The checks run in file order: the ELF header, then the program header table as a whole
// (its place in the file, PT_INTERP anywhere in it), then each PT_LOAD on its own (sizes, file
// range, address range, alignment, W^X) and against the segments accepted before it (no shared
// page), and finally the entry point. The checks every exo ELF loader makes are shared with the
// module loader (exo/common/elf64.c); this file adds the executable's own (type, static only,
// address range, entry point). The first failed check is reported with the field and the value
// that failed it; nothing is mapped or written except *img and err.
#include <common/elf.h>
#include <common/elf64.h>
#include <common/printf.h>
#include <common/string.h>
#include <exo/exo.h>

// One parse: the input, the output, and where the reason for a failure goes.
struct parse {
	const uint8_t *data;
	size_t size;
	struct elf64_check check; // the shared checks (common/elf64.h), failing through vfail
	uint64_t user_top;
	struct elf_image *img;
	unsigned phidx[ELF_MAX_SEGMENTS]; // program header index of img->segs[i], for messages
	char *err;
	size_t errsize;
};

static int vfail(void *ctx, const char *fmt, va_list ap)
{
	struct parse *p = ctx;

	kvsnprintf(p->err, p->errsize, fmt, ap);
	return -EXO_EINVAL;
}

// Records the reason for a failure; returns -EXO_EINVAL so callers can `return fail(...)`.
static int __printf(2, 3) fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfail(p, fmt, ap);
	va_end(ap);
	return -EXO_EINVAL;
}

static void read_phdr(const struct parse *p, const struct elf64_ehdr *eh, unsigned i, struct elf64_phdr *ph)
{
	memcpy(ph, p->data + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

// The shared header checks, then the type: exo loads static executables.
static int check_header(struct parse *p, const struct elf64_ehdr *eh)
{
	int r = elf64_check_header(&p->check, eh, "executables");

	if (r)
		return r;
	if (eh->e_type == ET_DYN)
		return fail(p, "position-independent executables are not supported yet (e_type=ET_DYN)");
	if (eh->e_type != ET_EXEC)
		return fail(p, "bad ELF header (e_type=%u): not an executable (ET_EXEC=%u)", eh->e_type,
		            ET_EXEC);
	return 0;
}

static int check_static(struct parse *p, const struct elf64_ehdr *eh)
{
	struct elf64_phdr ph;

	for (unsigned i = 0; i < eh->e_phnum; i++) {
		read_phdr(p, eh, i, &ph);
		if (ph.p_type == PT_INTERP)
			return fail(p, "dynamically linked (PT_INTERP): exo loads static executables only");
	}
	return 0;
}

// The address range [p_vaddr, p_vaddr + p_memsz), p_memsz > 0: no wrap, no page 0, and its last
// page below user_top (comparing page numbers so an unaligned user_top cannot be exceeded).
static int check_load_addr(void *ctx, unsigned i, const struct elf64_phdr *ph)
{
	struct parse *p = ctx;
	uint64_t last;

	if (ph->p_memsz > UINT64_MAX - ph->p_vaddr)
		return fail(p, "segment %u: address range wraps around (p_vaddr=%#lx, p_memsz=%#lx)", i,
		            ph->p_vaddr, ph->p_memsz);
	if (ph->p_vaddr < PAGE_SIZE)
		return fail(p, "segment %u: p_vaddr=%#lx is in page 0, which is never mapped", i,
		            ph->p_vaddr);
	last = ph->p_vaddr + ph->p_memsz - 1;
	if ((last >> PAGE_SHIFT) >= (p->user_top >> PAGE_SHIFT))
		return fail(p, "segment %u: ends at %#lx, beyond the user address space (top %#lx)", i,
		            last + 1, p->user_top);
	return 0;
}

static int check_entry(struct parse *p)
{
	const struct elf_image *img = p->img;

	for (size_t j = 0; j < img->nsegs; j++) {
		const struct elf64_segment *s = &img->segs[j];

		if ((s->prot & ELF64_PROT_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
			return 0;
	}
	return fail(p, "entry point e_entry=%#lx is not inside an executable segment", img->entry);
}

static int parse(struct parse *p)
{
	struct elf64_ehdr eh;
	struct elf64_phdr ph;
	int r;

	if (p->size < sizeof(eh))
		return fail(p, "file too small for an ELF header (%zu bytes, need %zu)", p->size, sizeof(eh));
	memcpy(&eh, p->data, sizeof(eh));
	if ((r = check_header(p, &eh)) != 0 || (r = check_static(p, &eh)) != 0)
		return r;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		read_phdr(p, &eh, i, &ph);
		if (ph.p_type == PT_LOAD &&
		    (r = elf64_add_load(&p->check, i, &ph, check_load_addr, p->img->segs, p->phidx,
		                        &p->img->nsegs, ELF_MAX_SEGMENTS)) != 0)
			return r;
	}
	if (p->img->nsegs == 0)
		return fail(p, "no loadable segment (no PT_LOAD with p_memsz > 0)");
	p->img->entry = eh.e_entry;
	return check_entry(p);
}

int elf_parse(const void *data, size_t size, uint64_t user_top, struct elf_image *img, char *err,
              size_t errsize)
{
	struct parse p = {
		.data = data,
		.size = size,
		.check = { .size = size, .vfail = vfail, .ctx = &p },
		.user_top = user_top,
		.img = img,
		.err = err,
		.errsize = err ? errsize : 0,
	};
	int r;

	memset(img, 0, sizeof(*img));
	if (errsize && err)
		err[0] = '\0';
	r = parse(&p);
	if (r)
		img->nsegs = 0;
	return r;
}
