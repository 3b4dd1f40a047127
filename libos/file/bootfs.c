// SPDX-License-Identifier: MIT
// The boot file tree: read-only files backed by the boot modules the kernel handed the process
// (their frames, mapped on first open). Every module appears as /boot/NAME; a module named
// "exorun.files" (written by exorun) lists more paths, one "INDEX MODE ATIME MTIME CTIME PATH"
// line each (INDEX: the module's position, "-" for a directory, "." for the directory to start
// in; MODE: the host's st_mode in hex; times: seconds.nanoseconds), so that a program finds
// itself, the --file files and its current directory at the paths they have on the host, with
// the host's modes and times. The directories above every file exist too (listing, stat, chdir;
// mode 0555, times 0).
#include <libos/file.h>
#include <libos/mem.h>

#define MAX_ENTRIES 64
#define NAME_MAX    256
#define MANIFEST    "exorun.files"
#define BATCH       64 // pages mapped per kernel call

struct entry {
	char path[NAME_MAX]; // absolute, normalised
	int module;          // -1: a directory
	const uint8_t *data; // the module's bytes once mapped
	uint32_t mode;       // the manifest's st_mode, or 0: S_IFDIR/S_IFREG | 0555
	struct linux_timespec atim, mtim, ctim;
};

static struct entry entries[MAX_ENTRIES];
static int nentries;
static const char *start_dir; // the manifest's "." line
static volatile int bootfs_lock;

size_t strlen(const char *s);
int strncmp(const char *a, const char *b, size_t n);

static struct entry *find(const char *path)
{
	for (int i = 0; i < nentries; i++)
		if (!strcmp(entries[i].path, path))
			return &entries[i];
	return NULL;
}

// Adds path (and the directories above it) unless it is there; module -1 for a directory.
static void add(const char *path, int module)
{
	char dir[NAME_MAX];
	size_t n = strlen(path);

	if (n == 0 || n >= NAME_MAX || path[0] != '/' || find(path) || nentries == MAX_ENTRIES)
		return;
	if (n > 1) { // the parent first
		memcpy(dir, path, n + 1);
		while (n > 1 && dir[n - 1] != '/')
			n--;
		dir[n > 1 ? n - 1 : 1] = 0;
		add(dir, -1);
	}
	if (nentries < MAX_ENTRIES) {
		memcpy(entries[nentries].path, path, strlen(path) + 1);
		entries[nentries++].module = module;
	}
}

static const struct exo_boot_module *module_of(const struct entry *e)
{
	return &libos_boot->modules[e->module];
}

// A number in base 10 or 16 at *s; *s moves past it.
static uint64_t number(const char **s, unsigned base)
{
	uint64_t v = 0;

	for (;; (*s)++) {
		unsigned c = (unsigned char)**s, d = c - '0';

		if (base == 16 && (c | 0x20) >= 'a' && (c | 0x20) <= 'f')
			d = (c | 0x20) - 'a' + 10;
		else if (c < '0' || c > '9')
			return v;
		v = v * base + d;
	}
}

// "SECONDS.NANOSECONDS " at *s.
static struct linux_timespec timestamp(const char **s)
{
	struct linux_timespec t = { (long)number(s, 10), 0 };

	if (**s == '.') {
		(*s)++;
		t.tv_nsec = (long)number(s, 10);
	}
	if (**s == ' ')
		(*s)++;
	return t;
}

// One manifest line: "INDEX MODE ATIME MTIME CTIME PATH" (see the top); paths are normalised
// like any other.
static void manifest_line(const char *s)
{
	char path[4096];
	bool start = *s == '.';
	int index = -1; // a directory
	struct entry *e;
	uint32_t mode;
	struct linux_timespec atim, mtim, ctim;

	if (*s == '-' || start)
		s++;
	else
		index = (int)number(&s, 10);
	if (*s++ != ' ')
		return;
	mode = (uint32_t)number(&s, 16);
	if (*s++ != ' ')
		return;
	atim = timestamp(&s);
	mtim = timestamp(&s);
	ctim = timestamp(&s);
	if (index >= (int)libos_boot->nmodules || libos_path_resolve("/", s, path) ||
	    strlen(path) >= NAME_MAX)
		return;
	add(path, index);
	e = find(path);
	if (!e)
		return;
	if (start)
		start_dir = e->path;
	e->mode = mode;
	e->atim = atim;
	e->mtim = mtim;
	e->ctim = ctim;
}

static void read_manifest(const struct entry *e)
{
	const char *p = (const char *)e->data, *end = p + module_of(e)->size;
	char line[NAME_MAX + 128];

	while (p < end) {
		size_t n = 0;

		while (p < end && *p != '\n' && n < sizeof(line) - 1)
			line[n++] = *p++;
		line[n] = 0;
		while (p < end && *p++ != '\n')
			;
		manifest_line(line);
	}
}

// Maps e's module read-only into fresh addresses (once), through copies of its frame
// capabilities handed to the mappings (EXO_MAP_MOVE): the pages do not depend on capabilities of
// this process, so a fork's child keeps them when this process ends. 0 or -errno.
static long map(struct entry *e)
{
	const struct exo_boot_module *m = module_of(e);
	long va;

	if (e->data || !m->npages)
		return 0;
	va = libos_mmap(0, m->npages * 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (va < 0)
		return va;
	for (uint64_t p = 0; p < m->npages;) { // BATCH pages per kernel call
		struct exo_map_op ops[BATCH];
		uint64_t n = m->npages - p < BATCH ? m->npages - p : BATCH;
		long first = exo_cap_copy_range(m->frames + p, n, 0, EXO_R_READ);

		for (uint64_t i = 0; i < n && first > 0; i++)
			ops[i] = (struct exo_map_op){ (uint64_t)first + i, (uint64_t)va + (p + i) * 4096,
				                      EXO_R_READ | EXO_MAP_MOVE };
		if (first < 0 || exo_vspace_map(libos_boot->self, ops, n) != (long)n) {
			libos_munmap((uint64_t)va, m->npages * 4096);
			return -EIO;
		}
		p += n;
	}
	e->data = (const uint8_t *)va;
	return 0;
}

void libos_bootfs_init(void)
{
	char path[6 + sizeof(libos_boot->modules[0].name)];

	add("/", -1);
	for (uint64_t i = 0; i < libos_boot->nmodules && i < EXO_MAX_BOOT_MODULES; i++) {
		const char *name = libos_boot->modules[i].name, *base = name + strlen(name);

		while (base > name && base[-1] != '/') // the file name, without the directories
			base--;
		if (!*base)
			continue;
		memcpy(path, "/boot/", 6);
		memcpy(path + 6, base, strlen(base) + 1);
		add(path, (int)i);
		if (!strcmp(base, MANIFEST) && find(path) && map(find(path)) == 0)
			read_manifest(find(path));
	}
}

static void stat_entry(const struct entry *e, struct linux_stat *st)
{
	memset(st, 0, sizeof(*st));
	st->st_dev = 1;
	st->st_ino = (uint64_t)(e - entries) + 1;
	st->st_nlink = 1;
	st->st_mode = e->mode ? e->mode : e->module < 0 ? S_IFDIR | 0555 : S_IFREG | 0555;
	st->st_size = e->module < 0 ? 0 : (int64_t)module_of(e)->size;
	st->st_atim = e->atim;
	st->st_mtim = e->mtim;
	st->st_ctim = e->ctim;
	st->st_blksize = 4096;
	st->st_blocks = (st->st_size + 511) / 512;
}

static long file_read(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait)
{
	(void)nowait;
	if (off >= f->size)
		return 0;
	len = len < f->size - off ? len : f->size - off;
	return libos_copy(buf, entries[f->arg].data + off, len) ?: (long)len;
}

static void file_stat(struct libos_file *f, struct linux_stat *st)
{
	stat_entry(&entries[f->arg], st);
}

// Is e directly inside the directory dir?
static bool child_of(const struct entry *e, const char *dir)
{
	size_t n = strlen(dir);
	const char *rest = e->path + (n > 1 ? n : 0);

	if (strncmp(e->path, dir, n) || (n > 1 && *rest != '/') || !rest[0] || !rest[1])
		return false;
	for (rest++; *rest; rest++)
		if (*rest == '/')
			return false;
	return true;
}

// A directory's cursor is its offset: 0 ".", 1 "..", 2 + i entries[i].
static long dir_getdents(struct libos_file *f, void *buf, uint64_t len)
{
	const struct entry *dir = &entries[f->arg];
	uint64_t done = 0, cursor = f->off;

	for (; cursor < 2 + (uint64_t)nentries; cursor++) {
		const char *name = cursor == 0 ? "." : cursor == 1 ? ".." : NULL;
		const struct entry *e = cursor >= 2 ? &entries[cursor - 2] : dir;
		union {
			struct linux_dirent64 d;
			char bytes[sizeof(struct linux_dirent64) + NAME_MAX + 8];
		} rec = { 0 }; // built here, copied to the program's buffer
		struct linux_dirent64 *d = &rec.d;
		uint64_t size;

		if (!name) {
			if (!child_of(e, dir->path))
				continue;
			name = e->path + strlen(e->path);
			while (name[-1] != '/')
				name--;
		}
		size = (sizeof(*d) + strlen(name) + 1 + 7) & ~7ull;
		if (done + size > len)
			break;
		d->d_ino = (uint64_t)(e - entries) + 1;
		d->d_off = (int64_t)cursor + 1;
		d->d_reclen = (uint16_t)size;
		d->d_type = e->module < 0 ? DT_DIR : DT_REG;
		memcpy(d->d_name, name, strlen(name) + 1);
		if (libos_copy((char *)buf + done, &rec, size))
			return -EFAULT;
		done += size;
	}
	if (!done && cursor < 2 + (uint64_t)nentries)
		return -EINVAL; // the buffer cannot hold the next entry
	f->off = cursor;
	return (long)done;
}

static long file_pass(struct libos_file *f, uint64_t child, struct libos_passed_file *out)
{
	(void)child;
	out->kind = LIBOS_PASS_BOOTFS;
	memcpy(out->path, entries[f->arg].path, sizeof(out->path) - 1);
	return strlen(entries[f->arg].path) < sizeof(out->path) ? 0 : -ENAMETOOLONG;
}

static long file_map_source(struct libos_file *f, const uint8_t **data, uint64_t *size)
{
	struct entry *e = &entries[f->arg];

	*data = e->data; // mapped when it was opened
	*size = module_of(e)->size;
	return e->data ? 0 : -ENODEV;
}

static const struct libos_file_ops file_ops = { .read = file_read,
	                                        .stat = file_stat,
	                                        .map_source = file_map_source,
	                                        .pass = file_pass,
	                                        .seekable = true };
static const struct libos_file_ops dir_ops = { .stat = file_stat,
	                                       .getdents = dir_getdents,
	                                       .pass = file_pass };

long libos_bootfs_open(const char *path, long flags, struct libos_file *f)
{
	struct entry *e;
	long err = 0;

	libos_lock(&bootfs_lock);
	e = find(path);
	if (!e)
		err = flags & O_CREAT ? -EROFS : -ENOENT;
	else if ((flags & O_ACCMODE) != O_RDONLY || (flags & O_TRUNC))
		err = e->module < 0 ? -EISDIR : -EROFS;
	else if ((flags & O_DIRECTORY) && e->module >= 0)
		err = -ENOTDIR;
	else if (e->module >= 0)
		err = map(e);
	libos_unlock(&bootfs_lock);
	if (err == -EROFS)
		libos_log_once("open for writing",
		               "open('%s') for writing: EROFS: the boot files are read-only (until the VFS)",
		               path);
	if (err)
		return err;
	*f = (struct libos_file){ .ops = e->module < 0 ? &dir_ops : &file_ops,
		                  .size = e->module < 0 ? 0 : module_of(e)->size,
		                  .arg = (uint64_t)(e - entries),
		                  .path = e->path,
		                  .flags = (int)flags };
	return 0;
}

long libos_bootfs_contents(const char *path, const uint8_t **data, uint64_t *size)
{
	struct entry *e;
	long err;

	libos_lock(&bootfs_lock);
	e = find(path);
	err = !e || e->module < 0 ? -ENOENT : map(e);
	libos_unlock(&bootfs_lock);
	if (err)
		return err;
	*data = e->data;
	*size = module_of(e)->size;
	return 0;
}

const char *libos_bootfs_start_dir(void)
{
	return start_dir;
}

long libos_bootfs_stat(const char *path, struct linux_stat *st)
{
	struct entry *e = find(path);

	if (!e)
		return -ENOENT;
	stat_entry(e, st);
	return 0;
}

void libos_bootfs_fork_child(void)
{
	bootfs_lock = 0;
}

long libos_bootfs_module(const char *path)
{
	struct entry *e;
	long r;

	libos_lock(&bootfs_lock);
	e = find(path);
	r = !e ? -ENOENT : e->module < 0 ? -EACCES : e->mode && !(e->mode & 0111) ? -EACCES : e->module;
	libos_unlock(&bootfs_lock);
	return r;
}
