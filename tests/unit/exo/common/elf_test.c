// SPDX-License-Identifier: MIT
// Unit tests for the ELF64 executable validator (exo/common/elf.c).
//
// Each test starts from a small valid executable built in memory (ELF header, program headers
// text / data / GNU_STACK, a page of "code" and a little data), changes one field and checks the
// result and the reason. Every parse runs on a heap copy of exactly the file's size, so
// AddressSanitizer reports any read past the end of the file.
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

// cmocka.h needs the headers above.

#include <cmocka.h>

#include <common/elf.h>
#include <exo/exo.h>

// The ELF64 layout, written out again here so the tests do not share the code under test.
struct t_ehdr {
	uint8_t ident[16];
	uint16_t type, machine;
	uint32_t version;
	uint64_t entry, phoff, shoff;
	uint32_t flags;
	uint16_t ehsize, phentsize, phnum, shentsize, shnum, shstrndx;
};

struct t_phdr {
	uint32_t type, flags;
	uint64_t offset, vaddr, paddr, filesz, memsz, align;
};

enum { PT_NULL = 0, PT_LOAD = 1, PT_DYNAMIC = 2, PT_INTERP = 3, PT_NOTE = 4, PT_TLS = 7 };
enum { PF_X = 1, PF_W = 2, PF_R = 4 };
#define PT_GNU_STACK 0x6474e551u

#define PHOFF    64
#define TEXT_VA  0x400000ull
#define DATA_VA  0x401000ull
#define ENTRY    0x400100ull
#define VALID_SZ 0x1100ull // text page + 0x100 bytes of data
#define USER_TOP 0x800000000000ull
#define FILE_MAX 0x3000

// The file under construction and its size.
static uint8_t file[FILE_MAX];
static size_t file_size;

static struct t_ehdr get_eh(void)
{
	struct t_ehdr eh;

	memcpy(&eh, file, sizeof(eh));
	return eh;
}

static void put_eh(const struct t_ehdr *eh)
{
	memcpy(file, eh, sizeof(*eh));
}

static void put_ph(unsigned i, const struct t_phdr *ph)
{
	memcpy(file + PHOFF + i * sizeof(*ph), ph, sizeof(*ph));
}

static struct t_phdr load(uint32_t flags, uint64_t offset, uint64_t vaddr, uint64_t filesz, uint64_t memsz)
{
	return (struct t_phdr){ .type = PT_LOAD,
		                .flags = flags,
		                .offset = offset,
		                .vaddr = vaddr,
		                .paddr = vaddr,
		                .filesz = filesz,
		                .memsz = memsz,
		                .align = 0x1000 };
}

// Writes an ELF header with n program headers at PHOFF, fills the rest of a size-byte file with
// a pattern.
static void build(const struct t_phdr *ph, unsigned n, uint64_t entry, size_t size)
{
	struct t_ehdr eh = { .ident = { 0x7f, 'E', 'L', 'F', 2, 1, 1 },
		             .type = 2,
		             .machine = 62,
		             .version = 1,
		             .entry = entry,
		             .phoff = PHOFF,
		             .ehsize = sizeof(struct t_ehdr),
		             .phentsize = sizeof(struct t_phdr),
		             .phnum = n };

	assert_true(size <= FILE_MAX && PHOFF + n * sizeof(*ph) <= size);
	for (size_t i = 0; i < size; i++)
		file[i] = (uint8_t)(i * 7 + 0x90);
	put_eh(&eh);
	for (unsigned i = 0; i < n; i++)
		put_ph(i, &ph[i]);
	file_size = size;
}

// The valid executable: RX text [0x400000, 0x401000) from file offset 0 (headers included, as
// GNU ld does), RW data [0x401000, 0x404000) with 0x100 bytes from the file, and a PT_GNU_STACK.
static void build_valid(void)
{
	struct t_phdr ph[3] = {
		load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000),
		load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000),
		{ .type = PT_GNU_STACK, .flags = PF_R | PF_W, .align = 16 },
	};

	build(ph, 3, ENTRY, VALID_SZ);
}

static int setup_valid(void **state)
{
	(void)state;
	build_valid();
	return 0;
}

// Parses the first size bytes of file from an exact-size heap copy at an offset of skew bytes.
static int parse_at(size_t size, size_t skew, uint64_t top, struct elf_image *img, char *err, size_t errsize)
{
	uint8_t *copy = malloc(size + skew ? size + skew : 1);
	int r;

	assert_non_null(copy);
	memcpy(copy + skew, file, size);
	r = elf_parse(copy + skew, size, top, img, err, errsize);
	free(copy);
	return r;
}

static int parse_n(size_t size, uint64_t top, struct elf_image *img, char *err, size_t errsize)
{
	return parse_at(size, 0, top, img, err, errsize);
}

// Checks everything elf.h promises about a successful parse.
static void check_invariants(const struct elf_image *img, size_t size, uint64_t top)
{
	bool entry_ok = false;

	assert_true(img->nsegs >= 1 && img->nsegs <= ELF_MAX_SEGMENTS);
	for (size_t i = 0; i < img->nsegs; i++) {
		const struct elf64_segment *s = &img->segs[i];
		uint64_t last;

		assert_true(s->memsz > 0);
		assert_true(s->filesz <= s->memsz);
		if (s->filesz)
			assert_true(s->offset <= size && s->filesz <= size - s->offset);
		assert_true(s->vaddr >= 0x1000);
		assert_true(s->memsz <= UINT64_MAX - s->vaddr);
		last = s->vaddr + s->memsz - 1;
		assert_true(last < top);
		assert_true((last | 0xfff) < top); // the whole last page too
		assert_int_equal(s->vaddr & 0xfff, s->offset & 0xfff);
		assert_true(s->prot != 0);
		assert_int_equal(s->prot & ~(unsigned)(ELF64_PROT_R | ELF64_PROT_W | ELF64_PROT_X), 0);
		assert_false((s->prot & ELF64_PROT_W) && (s->prot & ELF64_PROT_X));
		for (size_t j = 0; j < i; j++) {
			const struct elf64_segment *o = &img->segs[j];

			assert_true(last >> 12 < o->vaddr >> 12 ||
			            (o->vaddr + o->memsz - 1) >> 12 < s->vaddr >> 12);
		}
		if ((s->prot & ELF64_PROT_X) && img->entry >= s->vaddr && img->entry <= last)
			entry_ok = true;
	}
	assert_true(entry_ok);
}

static void expect_ok_top(uint64_t top, struct elf_image *img)
{
	char err[160] = "";
	int r = parse_n(file_size, top, img, err, sizeof(err));

	if (r != 0)
		fail_msg("expected success, got %d: %s", r, err);
	check_invariants(img, file_size, top);
}

static void expect_ok(struct elf_image *img)
{
	expect_ok_top(USER_TOP, img);
}

static void expect_fail_top(uint64_t top, const char *want)
{
	struct elf_image img;
	char err[160];
	int r;

	memset(err, 'x', sizeof(err));
	r = parse_n(file_size, top, &img, err, sizeof(err));
	assert_int_equal(r, -EXO_EINVAL);
	assert_int_equal(img.nsegs, 0);
	assert_non_null(memchr(err, '\0', sizeof(err)));
	assert_null(strchr(err, '\n'));
	if (!strstr(err, want))
		fail_msg("expected \"%s\" in \"%s\"", want, err);
}

static void expect_fail(const char *want)
{
	expect_fail_top(USER_TOP, want);
}

static void set_ph(unsigned i, struct t_phdr ph)
{
	put_ph(i, &ph);
}

// --- the valid image ---

static void test_valid_parses(void **state)
{
	struct elf_image img;

	(void)state;
	expect_ok(&img);
	assert_int_equal(img.entry, ENTRY);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(img.segs[0].vaddr, TEXT_VA);
	assert_int_equal(img.segs[0].memsz, 0x1000);
	assert_int_equal(img.segs[0].offset, 0);
	assert_int_equal(img.segs[0].filesz, 0x1000);
	assert_int_equal(img.segs[0].prot, ELF64_PROT_R | ELF64_PROT_X);
	assert_int_equal(img.segs[1].vaddr, DATA_VA);
	assert_int_equal(img.segs[1].memsz, 0x3000);
	assert_int_equal(img.segs[1].offset, 0x1000);
	assert_int_equal(img.segs[1].filesz, 0x100);
	assert_int_equal(img.segs[1].prot, ELF64_PROT_R | ELF64_PROT_W);
}

static void test_prot_values_match_vm_prot(void **state)
{
	(void)state;
	// enum vm_prot in <arch/pagetable.h>: VM_READ = 1, VM_WRITE = 2, VM_EXEC = 4.
	assert_int_equal(ELF64_PROT_R, 1);
	assert_int_equal(ELF64_PROT_W, 2);
	assert_int_equal(ELF64_PROT_X, 4);
}

static void test_unaligned_image(void **state)
{
	struct elf_image img;
	char err[128];

	(void)state;
	for (size_t skew = 1; skew < 8; skew++) {
		memset(&img, 0xa5, sizeof(img));
		assert_int_equal(parse_at(file_size, skew, USER_TOP, &img, err, sizeof(err)), 0);
		assert_int_equal(img.entry, ENTRY);
		assert_int_equal(img.nsegs, 2);
		assert_int_equal(img.segs[1].filesz, 0x100);
	}
}

static void test_err_buffer_sizes(void **state)
{
	struct elf_image img;
	char err[8];

	(void)state;
	file[0] = 0;
	assert_int_equal(parse_n(file_size, USER_TOP, &img, NULL, 0), -EXO_EINVAL);
	assert_int_equal(parse_n(file_size, USER_TOP, &img, err, 0), -EXO_EINVAL);
	memset(err, 'x', sizeof(err));
	assert_int_equal(parse_n(file_size, USER_TOP, &img, err, 1), -EXO_EINVAL);
	assert_int_equal(err[0], '\0');
	assert_int_equal(err[1], 'x');
	assert_int_equal(parse_n(file_size, USER_TOP, &img, err, sizeof(err)), -EXO_EINVAL);
	assert_string_equal(err, "not an ");
	// Success leaves an empty message.
	build_valid();
	assert_int_equal(parse_n(file_size, USER_TOP, &img, err, sizeof(err)), 0);
	assert_string_equal(err, "");
}

// --- the ELF header ---

static void test_too_small(void **state)
{
	(void)state;
	file_size = 63;
	expect_fail("file too small for an ELF header (63 bytes");
	file_size = 0;
	expect_fail("file too small for an ELF header (0 bytes");
}

static void test_bad_magic(void **state)
{
	(void)state;
	for (int i = 0; i < 4; i++) {
		build_valid();
		file[i] ^= 0x20;
		expect_fail("not an ELF file (magic");
	}
	build_valid();
	file[1] = 'e';
	expect_fail("magic 7f 65 4c 46");
}

static void test_bad_class(void **state)
{
	(void)state;
	file[4] = 1; // ELFCLASS32
	expect_fail("bad ELF header (EI_CLASS=1)");
	file[4] = 0;
	expect_fail("EI_CLASS=0");
}

static void test_bad_data(void **state)
{
	(void)state;
	file[5] = 2; // ELFDATA2MSB
	expect_fail("bad ELF header (EI_DATA=2)");
	file[5] = 0;
	expect_fail("EI_DATA=0");
}

static void test_bad_version(void **state)
{
	struct t_ehdr eh;

	(void)state;
	file[6] = 0;
	expect_fail("bad ELF header (EI_VERSION=0");
	file[6] = 2;
	expect_fail("EI_VERSION=2");
	build_valid();
	eh = get_eh();
	eh.version = 0;
	put_eh(&eh);
	expect_fail("bad ELF header (e_version=0");
	eh.version = 0xffffffff;
	put_eh(&eh);
	expect_fail("e_version=4294967295");
}

static void test_bad_machine(void **state)
{
	struct t_ehdr eh = get_eh();

	(void)state;
	eh.machine = 3; // EM_386
	put_eh(&eh);
	expect_fail("bad ELF header (e_machine=3)");
	eh.machine = 183; // EM_AARCH64
	put_eh(&eh);
	expect_fail("e_machine=183");
}

static void test_pie_rejected(void **state)
{
	struct t_ehdr eh = get_eh();

	(void)state;
	eh.type = 3; // ET_DYN
	put_eh(&eh);
	expect_fail("position-independent executables are not supported yet");
}

static void test_bad_type(void **state)
{
	static const uint16_t types[] = { 0, 1, 4, 0xfe00, 0xffff };
	char want[32];

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		struct t_ehdr eh = get_eh();

		eh.type = types[i];
		put_eh(&eh);
		snprintf(want, sizeof(want), "(e_type=%u)", types[i]);
		expect_fail(want);
	}
}

static void test_bad_phentsize(void **state)
{
	static const uint16_t sizes[] = { 0, 32, 55, 57, 64, 0xffff };
	char want[48];

	(void)state;
	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct t_ehdr eh = get_eh();

		eh.phentsize = sizes[i];
		put_eh(&eh);
		snprintf(want, sizeof(want), "bad ELF header (e_phentsize=%u", sizes[i]);
		expect_fail(want);
	}
}

static void test_bad_phnum(void **state)
{
	struct t_ehdr eh = get_eh();

	(void)state;
	eh.phnum = 0;
	put_eh(&eh);
	expect_fail("bad ELF header (e_phnum=0");
	eh.phnum = 65;
	put_eh(&eh);
	expect_fail("e_phnum=65");
	eh.phnum = 0xffff; // PN_XNUM
	put_eh(&eh);
	expect_fail("e_phnum=65535");
}

static void test_phnum_64_accepted(void **state)
{
	struct t_phdr ph[64] = { 0 };
	struct elf_image img;

	(void)state;
	ph[0] = load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000);
	for (int i = 1; i < 64; i++)
		ph[i] = (struct t_phdr){ .type = PT_NOTE, .offset = 0xffffffffffffull, .filesz = 99 };
	build(ph, 64, ENTRY, 0x1000);
	expect_ok(&img);
	assert_int_equal(img.nsegs, 1);
}

static void test_phdr_table_outside_file(void **state)
{
	static const uint64_t offs[] = {
		VALID_SZ,        VALID_SZ - 3 * 56 + 1,   VALID_SZ + 1,  UINT64_MAX,
		UINT64_MAX - 10, UINT64_MAX - 3 * 56 + 1, SIZE_MAX - 55, 1ull << 63,
	};

	(void)state;
	for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
		struct t_ehdr eh = get_eh();

		eh.phoff = offs[i];
		put_eh(&eh);
		expect_fail("program header table outside the file");
	}
}

static void test_phdr_table_at_end_of_file(void **state)
{
	struct elf_image img;
	struct t_ehdr eh = get_eh();

	(void)state;
	// Move the table to the last 3 * 56 bytes of the file (unaligned): still valid.
	memmove(file + VALID_SZ - 3 * 56, file + PHOFF, 3 * 56);
	eh.phoff = VALID_SZ - 3 * 56;
	put_eh(&eh);
	expect_ok(&img);
	assert_int_equal(img.nsegs, 2);
}

// --- program headers ---

static void test_interp_rejected(void **state)
{
	(void)state;
	set_ph(2, (struct t_phdr){ .type = PT_INTERP, .flags = PF_R, .offset = 0x200, .filesz = 28 });
	expect_fail("dynamically linked (PT_INTERP): exo loads static executables only");
	// Reported even when a PT_LOAD before it is broken: it is the real problem.
	set_ph(0, load(PF_R | PF_X, 0, 0, 0x1000, 0x1000));
	expect_fail("dynamically linked (PT_INTERP)");
}

static void test_other_types_ignored(void **state)
{
	struct elf_image img;

	(void)state;
	set_ph(2, (struct t_phdr){ .type = PT_TLS,
	                           .offset = UINT64_MAX,
	                           .vaddr = 0,
	                           .filesz = UINT64_MAX,
	                           .memsz = 1,
	                           .flags = PF_W | PF_X,
	                           .align = 3 });
	expect_ok(&img);
	set_ph(2, (struct t_phdr){ .type = PT_NOTE, .offset = VALID_SZ + 100, .filesz = 10 });
	expect_ok(&img);
	set_ph(2, (struct t_phdr){ .type = PT_DYNAMIC, .offset = 0x1000, .filesz = 0x10 });
	expect_ok(&img);
	set_ph(2, (struct t_phdr){ .type = PT_NULL, .vaddr = 0, .memsz = UINT64_MAX });
	expect_ok(&img);
	assert_int_equal(img.nsegs, 2);
}

static void test_unknown_flag_bits_ignored(void **state)
{
	struct elf_image img;

	(void)state;
	set_ph(0, load(PF_R | PF_X | 0xf0000008, 0, TEXT_VA, 0x1000, 0x1000));
	set_ph(1, load(PF_R | PF_W | 0x0ff00000, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_ok(&img);
	assert_int_equal(img.segs[0].prot, ELF64_PROT_R | ELF64_PROT_X);
	assert_int_equal(img.segs[1].prot, ELF64_PROT_R | ELF64_PROT_W);
}

static void test_prot_from_flags(void **state)
{
	struct elf_image img;

	(void)state;
	set_ph(0, load(PF_X, 0, TEXT_VA, 0x1000, 0x1000));
	set_ph(1, load(PF_W, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_ok(&img);
	assert_int_equal(img.segs[0].prot, ELF64_PROT_X);
	assert_int_equal(img.segs[1].prot, ELF64_PROT_W);
	set_ph(1, load(PF_R, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_ok(&img);
	assert_int_equal(img.segs[1].prot, ELF64_PROT_R);
}

static void test_filesz_larger_than_memsz(void **state)
{
	(void)state;
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, 0x101, 0x100));
	expect_fail("segment 1: p_filesz=0x101 is larger than p_memsz=0x100");
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, 1, 0));
	expect_fail("segment 1: p_filesz=0x1 is larger than p_memsz=0");
}

static void test_memsz_zero_skipped(void **state)
{
	struct elf_image img;
	struct t_phdr ph[4] = {
		load(PF_R | PF_W | PF_X, UINT64_MAX, 0, 0, 0), // empty: skipped whatever else it says
		load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000),
		load(PF_R | PF_W, 0x1000, TEXT_VA, 0, 0), // empty, at the text's address: no overlap
		load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000),
	};

	(void)state;
	build(ph, 4, ENTRY, VALID_SZ);
	expect_ok(&img);
	assert_int_equal(img.nsegs, 2);
	assert_int_equal(img.segs[0].vaddr, TEXT_VA);
	assert_int_equal(img.segs[1].vaddr, DATA_VA);
}

static void test_file_range(void **state)
{
	struct elf_image img;

	(void)state;
	// Exactly to the end of the file is fine.
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, VALID_SZ - 0x1000, 0x3000));
	expect_ok(&img);
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, VALID_SZ - 0x1000 + 1, 0x3000));
	expect_fail("segment 1: file range (p_offset=0x1000, p_filesz=0x101) outside the file (size 4352)");
	set_ph(1, load(PF_R | PF_W, 0x2000, DATA_VA, 1, 0x3000));
	expect_fail("segment 1: file range");
	// offset + filesz wraps to a small number.
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, UINT64_MAX - 0xfff, UINT64_MAX - 0xfff));
	expect_fail("segment 1: file range");
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, UINT64_MAX, UINT64_MAX));
	expect_fail("segment 1: file range");
	set_ph(1, load(PF_R | PF_W, UINT64_MAX - 0xfff, DATA_VA, 0x1001, 0x3000));
	expect_fail("segment 1: file range");
	set_ph(1, load(PF_R | PF_W, UINT64_MAX, DATA_VA + 0xfff, 1, 1));
	expect_fail("segment 1: file range");
	set_ph(0, load(PF_R | PF_X, SIZE_MAX - 0xfff, TEXT_VA, 0x1000, 0x1000));
	expect_fail("segment 0: file range");
}

static void test_bss_only_offset_not_read(void **state)
{
	struct elf_image img;

	(void)state;
	// p_filesz == 0: the offset is never read, so it may point past the end of the file.
	set_ph(1, load(PF_R | PF_W, 0x5000, DATA_VA, 0, 0x3000));
	expect_ok(&img);
	assert_int_equal(img.segs[1].filesz, 0);
	assert_int_equal(img.segs[1].offset, 0x5000);
}

static void test_address_wraps(void **state)
{
	(void)state;
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, UINT64_MAX - DATA_VA + 1));
	expect_fail_top(UINT64_MAX, "segment 1: address range wraps around (p_vaddr=0x401000");
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, UINT64_MAX));
	expect_fail_top(UINT64_MAX, "segment 1: address range wraps around");
	set_ph(1, load(PF_R | PF_W, 0x1000, UINT64_MAX - 0xfff, 0x100, 0x1000));
	expect_fail_top(UINT64_MAX, "segment 1: address range wraps around");
	// Ending exactly at 2^64 - 1 does not wrap, but is beyond any user_top.
	set_ph(1, load(PF_R | PF_W, 0x1000, UINT64_MAX - 0xfff, 0x100, 0xfff));
	expect_fail_top(UINT64_MAX, "segment 1: ends at 0xffffffffffffffff, beyond the user address space");
}

static void test_page_zero(void **state)
{
	(void)state;
	set_ph(0, load(PF_R | PF_X, 0, 0, 0x1000, 0x1000));
	expect_fail("segment 0: p_vaddr=0 is in page 0");
	set_ph(0, load(PF_R | PF_X, 0xfff, 0xfff, 0x1, 0x1));
	expect_fail("segment 0: p_vaddr=0xfff is in page 0");
}

static void test_lowest_page_accepted(void **state)
{
	struct elf_image img;

	(void)state;
	build((struct t_phdr[]){ load(PF_R | PF_X, 0, 0x1000, 0x1000, 0x1000) }, 1, 0x1000, VALID_SZ);
	expect_ok(&img);
	assert_int_equal(img.segs[0].vaddr, 0x1000);
}

static void test_user_top(void **state)
{
	struct elf_image img;
	const uint64_t top = 0x404000; // the data segment ends exactly here

	(void)state;
	expect_ok_top(top, &img);
	expect_fail_top(top - 1, "segment 1: ends at 0x404000, beyond the user address space (top 0x403fff)");
	expect_fail_top(top - 0x1000, "segment 1: ends at 0x404000");
	// An unaligned top: the segment's last page must still be entirely below it.
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x2800));
	expect_ok_top(top, &img);
	expect_fail_top(top - 0x100, "segment 1: ends at 0x403800");
	expect_fail_top(0, "segment 0: ends at 0x401000, beyond the user address space (top 0)");
	expect_fail_top(0x1000, "segment 0: ends at");
}

static void test_align(void **state)
{
	static const uint64_t good[] = { 0, 1, 2, 16, 0x1000, 0x200000, 1ull << 63 };
	static const uint64_t bad[] = { 3, 0x1001, 0x3000, 0x180000, UINT64_MAX };
	struct elf_image img;
	struct t_phdr ph;
	char want[64];

	(void)state;
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		ph = load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000);
		ph.align = good[i];
		put_ph(1, &ph);
		expect_ok(&img);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		ph = load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000);
		ph.align = bad[i];
		put_ph(1, &ph);
		snprintf(want, sizeof(want), "segment 1: p_align=%#llx is not a power of two",
		         (unsigned long long)bad[i]);
		expect_fail(want);
	}
}

static void test_page_congruence(void **state)
{
	struct elf_image img;

	(void)state;
	set_ph(1, load(PF_R | PF_W, 0x1010, DATA_VA, 0x10, 0x3000));
	expect_fail("segment 1: p_vaddr=0x401000 and p_offset=0x1010 differ modulo the page size");
	set_ph(1, load(PF_R | PF_W, 0x1000, DATA_VA + 1, 0x10, 0x3000));
	expect_fail("segment 1: p_vaddr=0x401001 and p_offset=0x1000 differ modulo the page size");
	// Unaligned but congruent is fine.
	set_ph(1, load(PF_R | PF_W, 0x1010, DATA_VA + 0x10, 0xf0, 0x3000));
	expect_ok(&img);
	assert_int_equal(img.segs[1].vaddr, DATA_VA + 0x10);
}

static void test_writable_and_executable(void **state)
{
	(void)state;
	set_ph(0, load(PF_R | PF_W | PF_X, 0, TEXT_VA, 0x1000, 0x1000));
	expect_fail("segment 0 is writable and executable");
	set_ph(0, load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000));
	set_ph(1, load(PF_W | PF_X, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_fail("segment 1 is writable and executable");
}

static void test_no_access_flags(void **state)
{
	(void)state;
	set_ph(1, load(0, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_fail("segment 1 has no access flags (p_flags=0)");
	set_ph(1, load(0xfff00000, 0x1000, DATA_VA, 0x100, 0x3000));
	expect_fail("segment 1 has no access flags (p_flags=0xfff00000)");
}

static void test_overlap(void **state)
{
	struct elf_image img;

	(void)state;
	// Text ends one byte into the data segment's first page.
	set_ph(0, load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1001));
	expect_fail("segment 1 overlaps segment 0");
	// Same page, both unaligned, not overlapping bytes: still shares a page.
	set_ph(0, load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000));
	set_ph(1, load(PF_R | PF_W, 0x1000 - 0x10, DATA_VA - 0x10, 0x10, 0x10));
	expect_fail("segment 1 overlaps segment 0");
	// Identical ranges, and one range inside another.
	set_ph(1, load(PF_R, 0, TEXT_VA, 0x1000, 0x1000));
	expect_fail("segment 1 overlaps segment 0");
	set_ph(1, load(PF_R, 0x100, TEXT_VA + 0x100, 0x10, 0x10));
	expect_fail("segment 1 overlaps segment 0");
	// A later segment that contains an earlier one.
	set_ph(1, load(PF_R | PF_W, 0x1000, TEXT_VA - 0x1000, 0x100, 0x10000));
	expect_fail("segment 1 overlaps segment 0");
	// Adjacent pages are fine (the valid image), also in reverse program header order.
	build_valid();
	set_ph(0, load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000));
	set_ph(1, load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000));
	expect_ok(&img);
	set_ph(1, load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1001));
	expect_fail("segment 1 overlaps segment 0");
}

static void test_overlap_names_program_header_indices(void **state)
{
	struct t_phdr ph[5] = {
		{ .type = PT_NOTE },
		load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000),
		{ .type = PT_GNU_STACK },
		load(PF_R | PF_W, 0x1000, DATA_VA, 0x100, 0x3000),
		load(PF_R, 0, DATA_VA + 0x2000, 0x10, 0x10),
	};

	(void)state;
	build(ph, 5, ENTRY, VALID_SZ);
	expect_fail("segment 4 overlaps segment 3");
}

// n PT_LOADs: text, then n - 1 one-page bss segments one page apart.
static void build_many(unsigned n)
{
	struct t_phdr ph[32];

	assert_true(n <= 32);
	ph[0] = load(PF_R | PF_X, 0, TEXT_VA, 0x1000, 0x1000);
	for (unsigned i = 1; i < n; i++)
		ph[i] = load(PF_R | PF_W, 0, TEXT_VA + 0x2000 * i, 0, 0x1000);
	build(ph, n, ENTRY, VALID_SZ);
}

static void test_max_segments(void **state)
{
	struct elf_image img;

	(void)state;
	build_many(ELF_MAX_SEGMENTS);
	expect_ok(&img);
	assert_int_equal(img.nsegs, ELF_MAX_SEGMENTS);
	assert_int_equal(img.segs[ELF_MAX_SEGMENTS - 1].vaddr, TEXT_VA + 0x2000 * (ELF_MAX_SEGMENTS - 1));
	build_many(ELF_MAX_SEGMENTS + 1);
	expect_fail("segment 16: too many PT_LOAD segments (at most 16)");
	build_many(32);
	expect_fail("too many PT_LOAD segments");
}

static void test_no_load_segment(void **state)
{
	(void)state;
	set_ph(0, (struct t_phdr){ .type = PT_NOTE });
	set_ph(1, (struct t_phdr){ .type = PT_NULL });
	expect_fail("no loadable segment");
	set_ph(0, load(PF_R | PF_X, 0, TEXT_VA, 0, 0));
	expect_fail("no loadable segment");
}

static void test_entry(void **state)
{
	struct t_ehdr eh = get_eh();
	struct elf_image img;
	static const uint64_t bad[] = { 0, TEXT_VA - 1, TEXT_VA + 0x1000, DATA_VA + 0x10, UINT64_MAX };
	static const uint64_t good[] = { TEXT_VA, TEXT_VA + 0xfff };
	char want[80];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		eh.entry = bad[i];
		put_eh(&eh);
		snprintf(want, sizeof(want), "entry point e_entry=%#llx is not inside an executable segment",
		         (unsigned long long)bad[i]);
		expect_fail(want);
	}
	for (size_t i = 0; i < sizeof(good) / sizeof(good[0]); i++) {
		eh.entry = good[i];
		put_eh(&eh);
		expect_ok(&img);
		assert_int_equal(img.entry, good[i]);
	}
}

static void test_entry_in_executable_bss(void **state)
{
	struct t_ehdr eh = get_eh();
	struct elf_image img;

	(void)state;
	// The executable segment's memory past p_filesz still belongs to it.
	set_ph(0, load(PF_R | PF_X, 0, TEXT_VA, 0x800, 0x1000));
	eh.entry = TEXT_VA + 0xf00;
	put_eh(&eh);
	expect_ok(&img);
	// An executable segment other than the first.
	build_valid();
	set_ph(1, load(PF_X, 0x1000, DATA_VA, 0x100, 0x3000));
	eh.entry = DATA_VA + 0x2fff;
	put_eh(&eh);
	expect_ok(&img);
}

// --- robustness ---

// Every prefix of a valid file fails cleanly, without reading past its end (ASan).
static void test_truncated(void **state)
{
	struct elf_image img;
	char err[160];

	(void)state;
	for (size_t n = 0; n < VALID_SZ; n++) {
		err[0] = 'x';
		assert_int_equal(parse_n(n, USER_TOP, &img, err, sizeof(err)), -EXO_EINVAL);
		assert_true(err[0] != '\0' && err[0] != 'x');
		assert_int_equal(img.nsegs, 0);
	}
	assert_int_equal(parse_n(VALID_SZ, USER_TOP, &img, err, sizeof(err)), 0);
}

// A deterministic PRNG (xorshift64*).
static uint64_t rng_state;

static uint64_t rng(void)
{
	rng_state ^= rng_state >> 12;
	rng_state ^= rng_state << 25;
	rng_state ^= rng_state >> 27;
	return rng_state * 0x2545f4914f6cdd1dull;
}

static uint64_t interesting(void)
{
	static const uint64_t v[] = {
		0,
		1,
		2,
		3,
		4,
		5,
		6,
		7,
		16,
		56,
		62,
		64,
		0xfff,
		0x1000,
		0x1001,
		0x10f0,
		VALID_SZ,
		0x3000,
		TEXT_VA,
		ENTRY,
		DATA_VA,
		0xffff,
		0xffffffff,
		0x7fffffffffffull,
		USER_TOP,
		1ull << 63,
		UINT64_MAX - 0xfff,
		UINT64_MAX - 1,
		UINT64_MAX,
	};
	uint64_t x = v[rng() % (sizeof(v) / sizeof(v[0]))];

	return (rng() & 3) == 0 ? x + (rng() % 5) - 2 : x;
}

// One random change to the headers: a byte, a bit, or a 2/4/8-byte field set to a boundary value.
static void mutate(void)
{
	size_t hdrs = PHOFF + 3 * sizeof(struct t_phdr);
	size_t off = rng() % hdrs;
	uint64_t v;
	size_t w;

	switch (rng() % 4) {
	case 0:
		file[off] = (uint8_t)rng();
		break;
	case 1:
		file[off] ^= (uint8_t)(1u << (rng() % 8));
		break;
	default:
		w = (size_t)1 << (1 + rng() % 3);
		off = off / w * w; // fields are naturally aligned
		if (off + w > hdrs)
			off = hdrs - w;
		v = interesting();
		memcpy(file + off, &v, w);
		break;
	}
}

static void test_fuzz_mutations(void **state)
{
	static uint8_t pristine[FILE_MAX];
	unsigned ok = 0, failed = 0;
	struct elf_image img;
	char err[160];

	(void)state;
	memcpy(pristine, file, file_size);
	rng_state = 0x9e3779b97f4a7c15ull;
	for (int iter = 0; iter < 20000; iter++) {
		size_t size = VALID_SZ;
		uint64_t top = USER_TOP;
		int r;

		memcpy(file, pristine, VALID_SZ);
		for (unsigned n = 1 + rng() % 4; n; n--)
			mutate();
		if (rng() % 8 == 0)
			size = rng() % (VALID_SZ + 1);
		if (rng() % 8 == 0)
			top = interesting();
		memset(err, 'x', sizeof(err));
		r = parse_n(size, top, &img, err, sizeof(err));
		if (r == 0) {
			check_invariants(&img, size, top);
			assert_int_equal(err[0], '\0');
			ok++;
		} else {
			assert_int_equal(r, -EXO_EINVAL);
			assert_int_equal(img.nsegs, 0);
			assert_non_null(memchr(err, '\0', sizeof(err)));
			assert_true(err[0] != '\0' && err[0] != 'x');
			failed++;
		}
	}
	// Both outcomes must be common, or the mutations are not exercising the parser.
	assert_true(ok > 1000);
	assert_true(failed > 1000);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_valid_parses, setup_valid),
		cmocka_unit_test_setup(test_prot_values_match_vm_prot, setup_valid),
		cmocka_unit_test_setup(test_unaligned_image, setup_valid),
		cmocka_unit_test_setup(test_err_buffer_sizes, setup_valid),
		cmocka_unit_test_setup(test_too_small, setup_valid),
		cmocka_unit_test_setup(test_bad_magic, setup_valid),
		cmocka_unit_test_setup(test_bad_class, setup_valid),
		cmocka_unit_test_setup(test_bad_data, setup_valid),
		cmocka_unit_test_setup(test_bad_version, setup_valid),
		cmocka_unit_test_setup(test_bad_machine, setup_valid),
		cmocka_unit_test_setup(test_pie_rejected, setup_valid),
		cmocka_unit_test_setup(test_bad_type, setup_valid),
		cmocka_unit_test_setup(test_bad_phentsize, setup_valid),
		cmocka_unit_test_setup(test_bad_phnum, setup_valid),
		cmocka_unit_test_setup(test_phnum_64_accepted, setup_valid),
		cmocka_unit_test_setup(test_phdr_table_outside_file, setup_valid),
		cmocka_unit_test_setup(test_phdr_table_at_end_of_file, setup_valid),
		cmocka_unit_test_setup(test_interp_rejected, setup_valid),
		cmocka_unit_test_setup(test_other_types_ignored, setup_valid),
		cmocka_unit_test_setup(test_unknown_flag_bits_ignored, setup_valid),
		cmocka_unit_test_setup(test_prot_from_flags, setup_valid),
		cmocka_unit_test_setup(test_filesz_larger_than_memsz, setup_valid),
		cmocka_unit_test_setup(test_memsz_zero_skipped, setup_valid),
		cmocka_unit_test_setup(test_file_range, setup_valid),
		cmocka_unit_test_setup(test_bss_only_offset_not_read, setup_valid),
		cmocka_unit_test_setup(test_address_wraps, setup_valid),
		cmocka_unit_test_setup(test_page_zero, setup_valid),
		cmocka_unit_test_setup(test_lowest_page_accepted, setup_valid),
		cmocka_unit_test_setup(test_user_top, setup_valid),
		cmocka_unit_test_setup(test_align, setup_valid),
		cmocka_unit_test_setup(test_page_congruence, setup_valid),
		cmocka_unit_test_setup(test_writable_and_executable, setup_valid),
		cmocka_unit_test_setup(test_no_access_flags, setup_valid),
		cmocka_unit_test_setup(test_overlap, setup_valid),
		cmocka_unit_test_setup(test_overlap_names_program_header_indices, setup_valid),
		cmocka_unit_test_setup(test_max_segments, setup_valid),
		cmocka_unit_test_setup(test_no_load_segment, setup_valid),
		cmocka_unit_test_setup(test_entry, setup_valid),
		cmocka_unit_test_setup(test_entry_in_executable_bss, setup_valid),
		cmocka_unit_test_setup(test_truncated, setup_valid),
		cmocka_unit_test_setup(test_fuzz_mutations, setup_valid),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
