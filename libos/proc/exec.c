// SPDX-License-Identifier: MIT
// execve in libos: the new image is a new process, built while the caller is intact - so that a
// failure (ENOENT, EACCES, ENOEXEC from the ELF checker, E2BIG, ENOMEM) returns to it - and
// equipped like a fork's child (child.c); it gets the arguments and environment, the open
// descriptors without FD_CLOEXEC (file.h: each type passes its part, a pipe its memory and
// notification), the ignored signals, the signal mask, the umask and the current directory in
// one read-only block at LIBOS_EXEC_ARGS. The process manager then gives the caller's pid to the
// new process (EXEC), which starts, and the caller ends. `#!` scripts run their interpreter
// (one optional argument), nested up to SCRIPT_DEPTH times. Programs come from the boot file tree.
#include "internal.h"
#include <exo/libexo.h>
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/proc.h>
#include <libos/signal.h>

#define PATH_MAX     4096
#define SCRIPT_DEPTH 4
#define MAX_PASSED   64
#define LINE_MAX     256 // of a "#!" line
#define BLOCK \
	(sizeof(struct libos_exec_args) + LIBOS_EXEC_MAX + MAX_PASSED * sizeof(struct libos_passed_file))

struct strings {
	char *at;       // where the next one goes
	char *end;      // the room's end
	uint64_t count; // how many
};

static long put(struct strings *s, const char *str, size_t len)
{
	if ((size_t)(s->end - s->at) < len + 1)
		return -E2BIG;
	memcpy(s->at, str, len);
	s->at[len] = 0;
	s->at += len + 1;
	s->count++;
	return 0;
}

// Copies the program's NULL-ended vector uv (from index first) into s.
static long put_vector(struct strings *s, char *const *uv, uint64_t first)
{
	for (uint64_t i = 0; uv; i++) {
		char *p;
		long r = libos_copy(&p, &uv[i], sizeof(p));

		if (r || !p)
			return r;
		if (i < first)
			continue;
		r = libos_copy_str(s->at, p, (size_t)(s->end - s->at));
		if (r)
			return r == -ENAMETOOLONG ? -E2BIG : r;
		s->at += __builtin_strlen(s->at) + 1;
		s->count++;
	}
	return 0;
}

// A "#!" line at the start of data: its interpreter into interp and its argument (or "") into arg.
static bool script(const uint8_t *data, uint64_t size, char *interp, char *arg)
{
	char line[LINE_MAX];
	uint64_t n = 0;
	char *p = line, *q;

	if (size < 2 || data[0] != '#' || data[1] != '!')
		return false;
	while (n + 2 < size && n < LINE_MAX - 1 && data[n + 2] != '\n')
		line[n] = (char)data[n + 2], n++;
	line[n] = 0;
	while (*p == ' ' || *p == '\t')
		p++;
	for (q = p; *q && *q != ' ' && *q != '\t'; q++)
		;
	memcpy(interp, p, (size_t)(q - p));
	interp[q - p] = 0;
	while (*q == ' ' || *q == '\t')
		q++;
	for (n = __builtin_strlen(q); n && (q[n - 1] == ' ' || q[n - 1] == '\t' || q[n - 1] == '\r'); n--)
		;
	memcpy(arg, q, n);
	arg[n] = 0;
	return interp[0] != 0;
}

// The arguments a script chain puts first: the interpreter, its argument, the script's path.
struct prefix {
	const char *arg[SCRIPT_DEPTH * 3];
	int n;
	char pool[SCRIPT_DEPTH * 3 * LINE_MAX];
	size_t used;
};

static const char *keep(struct prefix *x, const char *str)
{
	size_t len = __builtin_strlen(str) + 1;
	char *at = x->pool + x->used;

	memcpy(at, str, len);
	x->used += len;
	return at;
}

// Resolves path (absolute into abs) to the boot module to run, following "#!" lines: the
// arguments become x's then the caller's from *skip on (Linux's order: interpreter, its
// argument, the script, the script's arguments after its argv[0]). The module's index, or -errno.
static long program(const char *path, struct prefix *x, uint64_t *skip, char *abs)
{
	char interp[LINE_MAX], arg[LINE_MAX], at[PATH_MAX];
	long module, r;

	*skip = 0;
	x->n = 0;
	x->used = 0;
	memcpy(at, path, __builtin_strlen(path) + 1);
	for (int depth = 0;; depth++) {
		const char *front[3];
		const uint8_t *data;
		uint64_t size;
		int k = 0;

		if ((r = libos_path_resolve(NULL, at, abs)))
			return r;
		if ((module = libos_bootfs_module(abs)) < 0)
			return module;
		if ((r = libos_bootfs_contents(abs, &data, &size)))
			return r;
		if (!script(data, size, interp, arg))
			return module;
		if (depth == SCRIPT_DEPTH || __builtin_strlen(at) >= LINE_MAX)
			return -ELOOP;
		front[k++] = keep(x, interp);
		if (arg[0])
			front[k++] = keep(x, arg);
		front[k++] = keep(x, at);
		if (x->n) { // [front..., x[1..]]
			memmove(&x->arg[k], &x->arg[1], (size_t)(x->n - 1) * sizeof(x->arg[0]));
			x->n += k - 1;
		} else { // [front..., caller's from *skip + 1]
			x->n = k;
			(*skip)++;
		}
		memcpy(x->arg, front, (size_t)k * sizeof(front[0]));
		memcpy(at, interp, __builtin_strlen(interp) + 1);
	}
}

// The new image's block: header, strings, passed files. Its size, or -errno.
static long fill_block(struct libos_exec_args *h, const struct prefix *x, char *const *argv, uint64_t skip,
                       char *const *envp, uint64_t child)
{
	struct strings s = { (char *)(h + 1), (char *)(h + 1) + LIBOS_EXEC_MAX, 0 };
	struct libos_passed_file *files;
	uint64_t mask, ign;
	long r = 0, n;

	for (int i = 0; i < x->n && !r; i++)
		r = put(&s, x->arg[i], __builtin_strlen(x->arg[i]));
	if (!r)
		r = put_vector(&s, argv, skip);
	h->argc = s.count;
	if (!r)
		r = put_vector(&s, envp, 0);
	if (r)
		return r;
	h->envc = s.count - h->argc;
	h->strings = (uint64_t)(s.at - (char *)(h + 1));
	files = (struct libos_passed_file *)(((uint64_t)s.at + 7) & ~7ull);
	n = libos_file_pass(child, files, MAX_PASSED);
	if (n < 0)
		return n;
	h->nfiles = (uint64_t)n;
	libos_signal_exec_state(&ign, &mask);
	h->sigign = ign;
	h->sigmask = mask;
	libos_rlimits_get(h->rlimits);
	h->umask = (uint64_t)libos_umask(0);
	libos_umask((long)h->umask);
	if (libos_getcwd(h->cwd, sizeof(h->cwd)) < 0)
		h->cwd[0] = 0;
	return (long)((char *)(files + n) - (char *)h);
}

// Maps the block's bytes read-only at LIBOS_EXEC_ARGS in child.
static long give_block(uint64_t child, const struct libos_exec_args *h, uint64_t size)
{
	for (uint64_t off = 0; off < size; off += EXO_PAGE_SIZE) {
		long r = exo_child_page(libos_boot->self, libos_boot->quota, child, LIBOS_EXEC_ARGS + off,
		                        EXO_R_READ, (const char *)h + off,
		                        size - off < EXO_PAGE_SIZE ? size - off : EXO_PAGE_SIZE);

		if (r)
			return r;
	}
	return 0;
}

// A kernel call's result as exec's errno.
static long errno_of(long r)
{
	return r >= 0                                 ? 0
	       : r == -EXO_EINVAL                     ? -ENOEXEC
	       : r == -EXO_ENOMEM || r == -EXO_ENOSPC ? -ENOMEM
	                                              : -EIO;
}

long libos_execve(const char *upath, char *const *argv, char *const *envp)
{
	char path[PATH_MAX], abs[PATH_MAX], name[LIBOS_CHILD_NAME + 1] = { 0 }, why[128] = "";
	struct libos_exec_args *h;
	struct exo_bootinfo bi;
	struct prefix *x;
	uint64_t skip, proc = 0, thread = 0, entry;
	long module, r, size = 0, ntfn = 0;

	if ((r = libos_copy_str(path, upath, sizeof(path))))
		return r;
	if (!path[0])
		return -ENOENT;
	if (!libos_pm_present())
		return -ENOSYS; // a lone program has nobody to give its pid to (docs/libos.md)
	r = libos_mmap(0, BLOCK + sizeof(*x), PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (r < 0)
		return r;
	h = (struct libos_exec_args *)r;
	x = (struct prefix *)((char *)h + BLOCK);
	r = module = program(path, x, &skip, abs);
	if (r >= 0) {
		libos_child_name(abs, name);
		r = exo_spawn_inactive(libos_boot->self, libos_boot->quota, &libos_boot->modules[module],
		                       name, libos_child_slots(), LIBOS_CHILD_PRIO, &proc, &thread, &entry,
		                       why, sizeof(why));
		if (r == -EXO_EINVAL)
			libos_log("execve('%s'): ENOEXEC: %s", abs, why[0] ? why : "not a program for exo");
		r = errno_of(r);
	}
	if (!r)
		r = errno_of(ntfn = exo_notify_create());
	if (!r)
		r = errno_of(libos_child_equip(proc, thread, (uint64_t)ntfn, &bi));
	if (!r)
		r = size = fill_block(h, x, argv, skip, envp, proc);
	if (r >= 0)
		r = errno_of(give_block(proc, h, (uint64_t)size));
	if (!r)
		r = libos_pm_exec(proc, (uint64_t)ntfn, &bi.procmgr);
	if (r < 0) { // the caller goes on as it was
		if (size > 0)
			libos_file_unpass((struct libos_passed_file *)((char *)h + size) - h->nfiles,
			                  (long)h->nfiles);
		if (proc)
			exo_process_kill(proc, -1), exo_cap_delete(proc), exo_cap_delete(thread);
		if (ntfn > 0)
			exo_cap_delete((uint64_t)ntfn);
		libos_munmap((uint64_t)h, BLOCK + sizeof(*x));
		return r;
	}
	bi.pid = (uint64_t)libos_getpid();
	bi.args = LIBOS_EXEC_ARGS;
	bi.args_size = (uint64_t)size;
	r = exo_child_page(libos_boot->self, libos_boot->quota, proc, EXO_BOOTINFO_ADDR, EXO_R_READ, &bi,
	                   sizeof(bi));
	if (!r)
		r = exo_thread_start(thread, entry, EXO_INIT_STACK_TOP, EXO_BOOTINFO_ADDR);
	if (r) // the pid is the new image's now: it ends, killed, and so does the caller
		exo_process_kill(proc, EXO_STATUS_SIGNAL(9));
	libos_exit_group(0); // not reported: the process manager watches the new image
}
