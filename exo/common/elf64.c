// SPDX-License-Identifier: MIT
// The checks exo's two ELF loaders share (see common/elf64.h): compiled into the kernel (init's
// loader, exo/common/elf.c) and into libexo (the module loader, libexo/modelf.c). Every bound is
// checked in a form that cannot overflow: `off > size || len > size - off`.
#include <common/elf64.h>
#include <common/string.h>
#include <exo/exo.h>

static int __printf(2, 3) fail(const struct elf64_check *c, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = c->vfail(c->ctx, fmt, ap);
	va_end(ap);
	return r;
}

static bool in_file(const struct elf64_check *c, uint64_t off, uint64_t len)
{
	return off <= c->size && len <= c->size - off;
}

static int check_ident(const struct elf64_check *c, const uint8_t *id, const char *kind)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (memcmp(id, magic, sizeof(magic)) != 0)
		return fail(c, "not an ELF file (magic %02x %02x %02x %02x, expected 7f 45 4c 46)", id[0],
		            id[1], id[2], id[3]);
	if (id[EI_CLASS] != ELFCLASS64)
		return fail(c, "bad ELF header (EI_CLASS=%u): %s are 64-bit ELF (ELFCLASS64)", id[EI_CLASS],
		            kind);
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(c, "bad ELF header (EI_DATA=%u): %s are little-endian ELF (ELFDATA2LSB)",
		            id[EI_DATA], kind);
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(c, "bad ELF header (EI_VERSION=%u, expected %u)", id[EI_VERSION], EV_CURRENT);
	return 0;
}

int elf64_check_header(const struct elf64_check *c, const struct elf64_ehdr *eh, const char *kind)
{
	int r = check_ident(c, eh->e_ident, kind);

	if (r)
		return r;
	if (eh->e_version != EV_CURRENT)
		return fail(c, "bad ELF header (e_version=%u, expected %u)", eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return fail(c, "bad ELF header (e_machine=%u): %s are x86-64 (%u) code", eh->e_machine, kind,
		            EM_X86_64);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(c, "bad ELF header (e_phentsize=%u, expected %zu)", eh->e_phentsize,
		            sizeof(struct elf64_phdr));
	if (eh->e_phnum < 1 || eh->e_phnum > ELF64_MAX_PHNUM)
		return fail(c, "bad ELF header (e_phnum=%u, expected 1..%u)", eh->e_phnum, ELF64_MAX_PHNUM);
	if (!in_file(c, eh->e_phoff, (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr)))
		return fail(c,
		            "program header table outside the file (e_phoff=%#lx, e_phnum=%u, file size %zu)",
		            eh->e_phoff, eh->e_phnum, c->size);
	return 0;
}

// A segment with p_filesz == 0 reads nothing from the file, so its p_offset only matters for the
// page congruence check.
static int check_load_file(const struct elf64_check *c, unsigned i, const struct elf64_phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(c, "segment %u: p_filesz=%#lx is larger than p_memsz=%#lx", i, ph->p_filesz,
		            ph->p_memsz);
	if (ph->p_filesz && !in_file(c, ph->p_offset, ph->p_filesz))
		return fail(
		    c, "segment %u: file range (p_offset=%#lx, p_filesz=%#lx) outside the file (size %zu)", i,
		    ph->p_offset, ph->p_filesz, c->size);
	return 0;
}

static int check_load(const struct elf64_check *c, unsigned i, const struct elf64_phdr *ph,
                      struct elf64_segment *s)
{
	if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)))
		return fail(c, "segment %u: p_align=%#lx is not a power of two", i, ph->p_align);
	if ((ph->p_vaddr ^ ph->p_offset) & PAGE_MASK)
		return fail(c, "segment %u: p_vaddr=%#lx and p_offset=%#lx differ modulo the page size", i,
		            ph->p_vaddr, ph->p_offset);
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(c, "segment %u is writable and executable (p_flags=%#x)", i, ph->p_flags);
	s->prot = (ph->p_flags & PF_R ? ELF64_PROT_R : 0) | (ph->p_flags & PF_W ? ELF64_PROT_W : 0) |
	          (ph->p_flags & PF_X ? ELF64_PROT_X : 0);
	if (s->prot == 0)
		return fail(c, "segment %u has no access flags (p_flags=%#x)", i, ph->p_flags);
	s->vaddr = ph->p_vaddr;
	s->memsz = ph->p_memsz;
	s->offset = ph->p_offset;
	s->filesz = ph->p_filesz;
	return 0;
}

static uint64_t first_page(const struct elf64_segment *s)
{
	return s->vaddr >> PAGE_SHIFT;
}

static uint64_t last_page(const struct elf64_segment *s)
{
	return (s->vaddr + s->memsz - 1) >> PAGE_SHIFT;
}

static int check_overlap(const struct elf64_check *c, unsigned i, const struct elf64_segment *s,
                         const struct elf64_segment *segs, const unsigned *phidx, size_t n)
{
	for (size_t j = 0; j < n; j++)
		if (first_page(s) <= last_page(&segs[j]) && first_page(&segs[j]) <= last_page(s))
			return fail(c, "segment %u overlaps segment %u (sharing a page is not allowed)", i,
			            phidx[j]);
	return 0;
}

int elf64_add_load(const struct elf64_check *c, unsigned i, const struct elf64_phdr *ph,
                   int (*addr)(void *ctx, unsigned i, const struct elf64_phdr *ph),
                   struct elf64_segment *segs, unsigned *phidx, size_t *n, size_t max)
{
	struct elf64_segment s;
	int r;

	if ((r = check_load_file(c, i, ph)) != 0)
		return r;
	if (ph->p_memsz == 0)
		return 0; // maps nothing
	if ((r = addr(c->ctx, i, ph)) != 0 || (r = check_load(c, i, ph, &s)) != 0 ||
	    (r = check_overlap(c, i, &s, segs, phidx, *n)) != 0)
		return r;
	if (*n == max)
		return fail(c, "segment %u: too many PT_LOAD segments (at most %zu)", i, max);
	phidx[*n] = i;
	segs[(*n)++] = s;
	return 0;
}
