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
// page), and finally the entry point. The first failed check is reported with the field and the
// value that failed it; nothing is mapped or written except *img and err.
#include <kern/elf.h>
#include <kern/errno.h>
#include <kern/printf.h>
#include <kern/string.h>

// The ELF64 structures and constants exo needs (System V gABI and the x86-64 psABI).
#define EI_NIDENT     16
#define EI_CLASS      4
#define EI_DATA       5
#define EI_VERSION    6
#define ELFCLASS64    2
#define ELFDATA2LSB   1
#define EV_CURRENT    1
#define ET_EXEC       2
#define ET_DYN        3
#define EM_X86_64     62
#define PT_LOAD       1
#define PT_INTERP     3
#define PF_X          0x1
#define PF_W          0x2
#define PF_R          0x4
#define ELF_MAX_PHNUM 64

struct elf64_ehdr {
	uint8_t e_ident[EI_NIDENT];
	uint16_t e_type;
	uint16_t e_machine;
	uint32_t e_version;
	uint64_t e_entry;
	uint64_t e_phoff;
	uint64_t e_shoff;
	uint32_t e_flags;
	uint16_t e_ehsize;
	uint16_t e_phentsize;
	uint16_t e_phnum;
	uint16_t e_shentsize;
	uint16_t e_shnum;
	uint16_t e_shstrndx;
};

struct elf64_phdr {
	uint32_t p_type;
	uint32_t p_flags;
	uint64_t p_offset;
	uint64_t p_vaddr;
	uint64_t p_paddr;
	uint64_t p_filesz;
	uint64_t p_memsz;
	uint64_t p_align;
};

_Static_assert(sizeof(struct elf64_ehdr) == 64, "ELF64 header is 64 bytes");
_Static_assert(sizeof(struct elf64_phdr) == 56, "ELF64 program header is 56 bytes");

// One parse: the input, the output, and where the reason for a failure goes.
struct parse {
	const uint8_t *data;
	size_t size;
	uint64_t user_top;
	struct elf_image *img;
	unsigned phidx[ELF_MAX_SEGMENTS]; // program header index of img->segs[i], for messages
	char *err;
	size_t errsize;
};

// Records the reason for a failure; returns -EXO_EINVAL so callers can `return fail(...)`.
static int __printf(2, 3) fail(struct parse *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvsnprintf(p->err, p->errsize, fmt, ap);
	va_end(ap);
	return -EXO_EINVAL;
}

static void read_phdr(const struct parse *p, const struct elf64_ehdr *eh, unsigned i, struct elf64_phdr *ph)
{
	memcpy(ph, p->data + eh->e_phoff + (uint64_t)i * sizeof(*ph), sizeof(*ph));
}

static int check_ident(struct parse *p, const uint8_t *id)
{
	static const uint8_t magic[4] = { 0x7f, 'E', 'L', 'F' };

	if (memcmp(id, magic, sizeof(magic)) != 0)
		return fail(p, "not an ELF file (magic %02x %02x %02x %02x, expected 7f 45 4c 46)", id[0],
		            id[1], id[2], id[3]);
	if (id[EI_CLASS] != ELFCLASS64)
		return fail(p, "bad ELF header (EI_CLASS=%u): exo loads 64-bit ELF (ELFCLASS64) only",
		            id[EI_CLASS]);
	if (id[EI_DATA] != ELFDATA2LSB)
		return fail(p, "bad ELF header (EI_DATA=%u): exo loads little-endian ELF (ELFDATA2LSB) only",
		            id[EI_DATA]);
	if (id[EI_VERSION] != EV_CURRENT)
		return fail(p, "bad ELF header (EI_VERSION=%u, expected %u)", id[EI_VERSION], EV_CURRENT);
	return 0;
}

static int check_header(struct parse *p, const struct elf64_ehdr *eh)
{
	int r = check_ident(p, eh->e_ident);

	if (r)
		return r;
	if (eh->e_version != EV_CURRENT)
		return fail(p, "bad ELF header (e_version=%u, expected %u)", eh->e_version, EV_CURRENT);
	if (eh->e_machine != EM_X86_64)
		return fail(p, "bad ELF header (e_machine=%u): exo runs x86-64 (%u) code only", eh->e_machine,
		            EM_X86_64);
	if (eh->e_type == ET_DYN)
		return fail(p, "position-independent executables are not supported yet (e_type=ET_DYN)");
	if (eh->e_type != ET_EXEC)
		return fail(p, "bad ELF header (e_type=%u): not an executable (ET_EXEC=%u)", eh->e_type,
		            ET_EXEC);
	if (eh->e_phentsize != sizeof(struct elf64_phdr))
		return fail(p, "bad ELF header (e_phentsize=%u, expected %zu)", eh->e_phentsize,
		            sizeof(struct elf64_phdr));
	if (eh->e_phnum < 1 || eh->e_phnum > ELF_MAX_PHNUM)
		return fail(p, "bad ELF header (e_phnum=%u, expected 1..%u)", eh->e_phnum, ELF_MAX_PHNUM);
	return 0;
}

// The program header table must lie inside the file; e_phnum <= 64 keeps its length small.
static int check_phdr_table(struct parse *p, const struct elf64_ehdr *eh)
{
	uint64_t len = (uint64_t)eh->e_phnum * sizeof(struct elf64_phdr);

	if (eh->e_phoff > p->size || len > p->size - eh->e_phoff)
		return fail(p,
		            "program header table outside the file (e_phoff=%#lx, e_phnum=%u, file size %zu)",
		            eh->e_phoff, eh->e_phnum, p->size);
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

// Sizes and the file range. A segment with p_filesz == 0 reads nothing from the file, so its
// p_offset only matters for the page congruence check.
static int check_load_file(struct parse *p, unsigned i, const struct elf64_phdr *ph)
{
	if (ph->p_filesz > ph->p_memsz)
		return fail(p, "segment %u: p_filesz=%#lx is larger than p_memsz=%#lx", i, ph->p_filesz,
		            ph->p_memsz);
	if (ph->p_filesz && (ph->p_offset > p->size || ph->p_filesz > p->size - ph->p_offset))
		return fail(
		    p, "segment %u: file range (p_offset=%#lx, p_filesz=%#lx) outside the file (size %zu)", i,
		    ph->p_offset, ph->p_filesz, p->size);
	return 0;
}

// The address range [p_vaddr, p_vaddr + p_memsz), p_memsz > 0: no wrap, no page 0, and its last
// page below user_top (comparing page numbers so an unaligned user_top cannot be exceeded).
static int check_load_addr(struct parse *p, unsigned i, const struct elf64_phdr *ph)
{
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
	if (ph->p_align > 1 && (ph->p_align & (ph->p_align - 1)))
		return fail(p, "segment %u: p_align=%#lx is not a power of two", i, ph->p_align);
	if ((ph->p_vaddr ^ ph->p_offset) & PAGE_MASK)
		return fail(p, "segment %u: p_vaddr=%#lx and p_offset=%#lx differ modulo the page size", i,
		            ph->p_vaddr, ph->p_offset);
	return 0;
}

static int check_load_prot(struct parse *p, unsigned i, const struct elf64_phdr *ph, unsigned *prot)
{
	if ((ph->p_flags & PF_W) && (ph->p_flags & PF_X))
		return fail(p, "segment %u is writable and executable (p_flags=%#x)", i, ph->p_flags);
	*prot = (ph->p_flags & PF_R ? ELF_PROT_R : 0) | (ph->p_flags & PF_W ? ELF_PROT_W : 0) |
	        (ph->p_flags & PF_X ? ELF_PROT_X : 0);
	if (*prot == 0)
		return fail(p, "segment %u has no access flags (p_flags=%#x)", i, ph->p_flags);
	return 0;
}

static uint64_t first_page(const struct elf_segment *s)
{
	return s->vaddr >> PAGE_SHIFT;
}

static uint64_t last_page(const struct elf_segment *s)
{
	return (s->vaddr + s->memsz - 1) >> PAGE_SHIFT;
}

// Segments are mapped page by page, so two segments may not touch the same page.
static int check_overlap(struct parse *p, unsigned i, const struct elf_segment *s)
{
	const struct elf_image *img = p->img;

	for (size_t j = 0; j < img->nsegs; j++) {
		const struct elf_segment *o = &img->segs[j];

		if (first_page(s) <= last_page(o) && first_page(o) <= last_page(s))
			return fail(p, "segment %u overlaps segment %u (sharing a page is not allowed)", i,
			            p->phidx[j]);
	}
	return 0;
}

// Validates program header i (a PT_LOAD) and appends it to the image.
static int add_load(struct parse *p, unsigned i, const struct elf64_phdr *ph)
{
	struct elf_segment s;
	int r;

	if ((r = check_load_file(p, i, ph)) != 0)
		return r;
	if (ph->p_memsz == 0)
		return 0; // maps nothing
	if ((r = check_load_addr(p, i, ph)) != 0 || (r = check_load_prot(p, i, ph, &s.prot)) != 0)
		return r;
	s.vaddr = ph->p_vaddr;
	s.memsz = ph->p_memsz;
	s.offset = ph->p_offset;
	s.filesz = ph->p_filesz;
	if ((r = check_overlap(p, i, &s)) != 0)
		return r;
	if (p->img->nsegs == ELF_MAX_SEGMENTS)
		return fail(p, "segment %u: too many PT_LOAD segments (at most %u)", i, ELF_MAX_SEGMENTS);
	p->phidx[p->img->nsegs] = i;
	p->img->segs[p->img->nsegs++] = s;
	return 0;
}

static int check_entry(struct parse *p)
{
	const struct elf_image *img = p->img;

	for (size_t j = 0; j < img->nsegs; j++) {
		const struct elf_segment *s = &img->segs[j];

		if ((s->prot & ELF_PROT_X) && img->entry >= s->vaddr && img->entry - s->vaddr < s->memsz)
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
	if ((r = check_header(p, &eh)) != 0 || (r = check_phdr_table(p, &eh)) != 0 ||
	    (r = check_static(p, &eh)) != 0)
		return r;
	for (unsigned i = 0; i < eh.e_phnum; i++) {
		read_phdr(p, &eh, i, &ph);
		if (ph.p_type == PT_LOAD && (r = add_load(p, i, &ph)) != 0)
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
