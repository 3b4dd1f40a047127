// SPDX-License-Identifier: MIT
// The file descriptor table: descriptors name open files (struct libos_file, shared by dup),
// and the calls that work on any file go through the file's operations. Open files come from a
// fixed pool; one lock guards the table (a call's own I/O runs outside it).
#include <libos/file.h>
#include <libos/proc.h>

#define MAX_FDS   256
#define MAX_FILES 256
#define PATH_MAX  4096

static struct libos_file files[MAX_FILES]; // refs 0: free
static struct {
	struct libos_file *file;
	bool cloexec;
} fds[MAX_FDS];
static volatile int fd_lock;

// Descriptors a process may have: RLIMIT_NOFILE, within the table.
static long fd_limit(void)
{
	uint64_t n = libos_rlimit(RLIMIT_NOFILE);

	return n < MAX_FDS ? (long)n : MAX_FDS;
}

long libos_fd_install(const struct libos_file *f, long min, bool cloexec)
{
	struct libos_file *nf = NULL;
	long fd = -EMFILE;

	if (min < 0 || min >= MAX_FDS)
		return -EINVAL;
	libos_lock(&fd_lock);
	for (int i = 0; i < MAX_FILES && !nf; i++)
		if (!files[i].refs)
			nf = &files[i];
	for (long i = min; i < fd_limit() && fd < 0 && nf; i++)
		if (!fds[i].file)
			fd = i;
	if (!nf) {
		fd = -ENOMEM;
	} else if (fd >= 0) {
		*nf = *f;
		nf->refs = 1;
		fds[fd].file = nf;
		fds[fd].cloexec = cloexec;
	}
	libos_unlock(&fd_lock);
	return fd;
}

// The open file behind fd, with a reference the caller drops with put(); NULL if fd is not open.
static struct libos_file *get(long fd)
{
	struct libos_file *f = NULL;

	if (fd < 0 || fd >= MAX_FDS)
		return NULL;
	libos_lock(&fd_lock);
	f = fds[fd].file;
	if (f)
		f->refs++;
	libos_unlock(&fd_lock);
	return f;
}

// With the lock held: drops a reference to f; the last one copies f to *gone (the slot is free
// for reuse once the lock goes) for release() to end it after the lock.
static bool unref(struct libos_file *f, struct libos_file *gone)
{
	if (--f->refs)
		return false;
	*gone = *f;
	return true;
}

static void release(bool last, struct libos_file *gone)
{
	if (last && gone->ops->release)
		gone->ops->release(gone);
}

static void put(struct libos_file *f)
{
	struct libos_file gone;
	bool last;

	libos_lock(&fd_lock);
	last = unref(f, &gone);
	libos_unlock(&fd_lock);
	release(last, &gone);
}

static bool readable(const struct libos_file *f)
{
	return (f->flags & O_ACCMODE) != O_WRONLY;
}

static bool writable(const struct libos_file *f)
{
	return (f->flags & O_ACCMODE) != O_RDONLY;
}

// One read or write at the file's offset (advanced by the count) or at off (pread: off >= 0).
static long transfer(struct libos_file *f, void *buf, uint64_t len, long off, bool write, bool nowait)
{
	uint64_t at = off >= 0 ? (uint64_t)off : f->off;
	long r;

	if (write ? !writable(f) || !f->ops->write : !readable(f) || !f->ops->read)
		return f->ops->getdents && !write ? -EISDIR : -EBADF;
	if (write)
		r = f->ops->write(f, buf, len, at);
	else
		r = f->ops->read(f, buf, len, at, nowait);
	if (r > 0 && off < 0 && f->ops->seekable)
		f->off = at + (uint64_t)r;
	return r;
}

static long io(long fd, void *buf, uint64_t len, long off, bool write)
{
	struct libos_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = off >= 0 && !f->ops->seekable ? -ESPIPE : transfer(f, buf, len, off, write, false);
	put(f);
	return r;
}

long libos_read(long fd, void *buf, uint64_t len)
{
	return io(fd, buf, len, -1, false);
}

long libos_write(long fd, const void *buf, uint64_t len)
{
	return io(fd, (void *)buf, len, -1, true);
}

long libos_pread(long fd, void *buf, uint64_t len, long off)
{
	return off < 0 ? -EINVAL : io(fd, buf, len, off, false);
}

// Pieces in order until one comes back short; after the first, reads do not wait (like a pipe).
static long vector(long fd, const struct linux_iovec *iov, long n, bool write)
{
	struct libos_file *f = get(fd);
	long total = 0;

	if (!f)
		return -EBADF;
	if (n < 0 || n > 1024) {
		put(f);
		return -EINVAL;
	}
	for (long i = 0; i < n; i++) {
		struct linux_iovec v;
		long r = libos_copy(&v, &iov[i], sizeof(v));

		if (!r)
			r = transfer(f, v.base, v.len, -1, write, total > 0);
		if (r < 0) {
			total = total ? total : r;
			break;
		}
		total += r;
		if ((uint64_t)r < v.len)
			break;
	}
	put(f);
	return total;
}

long libos_readv(long fd, const struct linux_iovec *iov, long n)
{
	return vector(fd, iov, n, false);
}

long libos_writev(long fd, const struct linux_iovec *iov, long n)
{
	return vector(fd, iov, n, true);
}

long libos_lseek(long fd, long off, long whence)
{
	struct libos_file *f = get(fd);
	long base, r;

	if (!f)
		return -EBADF;
	base = whence == SEEK_SET ? 0 : whence == SEEK_CUR ? (long)f->off : (long)f->size;
	if (!f->ops->seekable)
		r = -ESPIPE;
	else if (whence != SEEK_SET && whence != SEEK_CUR && whence != SEEK_END)
		r = -EINVAL;
	else if (base + off < 0)
		r = -EINVAL;
	else
		r = (long)(f->off = (uint64_t)(base + off));
	put(f);
	return r;
}

long libos_ioctl(long fd, unsigned long req, void *arg)
{
	struct libos_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = f->ops->ioctl ? f->ops->ioctl(f, req, arg) : -ENOTTY;
	put(f);
	return r;
}

long libos_fstat(long fd, struct linux_stat *st)
{
	struct libos_file *f = get(fd);
	struct linux_stat mine = { 0 };

	if (!f)
		return -EBADF;
	f->ops->stat(f, &mine);
	put(f);
	return libos_copy(st, &mine, sizeof(mine));
}

long libos_getdents64(long fd, void *buf, uint64_t len)
{
	struct libos_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	r = f->ops->getdents ? f->ops->getdents(f, buf, len) : -ENOTDIR;
	put(f);
	return r;
}

long libos_close(long fd)
{
	struct libos_file gone;
	bool last = false;
	long r = -EBADF;

	libos_lock(&fd_lock);
	if (fd >= 0 && fd < MAX_FDS && fds[fd].file) {
		last = unref(fds[fd].file, &gone);
		fds[fd].file = NULL;
		r = 0;
	}
	libos_unlock(&fd_lock);
	release(last, &gone);
	return r;
}

bool libos_file_exiting;

void libos_file_exit(void)
{
	libos_file_exiting = true;
	if (__atomic_exchange_n(&fd_lock, 1, __ATOMIC_ACQUIRE))
		return; // taken by the code that is ending: its files go as they are
	__atomic_store_n(&fd_lock, 0, __ATOMIC_RELEASE);
	for (long fd = 0; fd < MAX_FDS; fd++)
		libos_close(fd);
}

void libos_file_each(void (*fn)(struct libos_file *f, void *arg), void *arg)
{
	libos_lock(&fd_lock);
	for (int i = 0; i < MAX_FILES; i++)
		if (files[i].refs)
			fn(&files[i], arg);
	libos_unlock(&fd_lock);
}

void libos_file_fork_child(void)
{
	fd_lock = 0;
	libos_bootfs_fork_child();
}

// newfd < 0: the lowest free descriptor >= min (dup, F_DUPFD); else exactly newfd (dup2/3).
static long duplicate(long fd, long newfd, long min, bool cloexec)
{
	long r = -EBADF;

	if (newfd >= fd_limit() || min < 0 || min >= MAX_FDS)
		return newfd >= fd_limit() ? -EBADF : -EINVAL;
	struct libos_file gone;
	bool last = false;

	libos_lock(&fd_lock);
	if (fd >= 0 && fd < MAX_FDS && fds[fd].file) {
		if (newfd < 0)
			for (newfd = min; newfd < fd_limit() && fds[newfd].file;)
				newfd++;
		if (newfd >= fd_limit()) {
			r = -EMFILE;
		} else {
			fds[fd].file->refs++;
			if (fds[newfd].file) // dup2 closes what was there
				last = unref(fds[newfd].file, &gone);
			fds[newfd].file = fds[fd].file;
			fds[newfd].cloexec = cloexec;
			r = newfd;
		}
	}
	libos_unlock(&fd_lock);
	release(last, &gone);
	return r;
}

long libos_dup(long fd)
{
	return duplicate(fd, -1, 0, false);
}

long libos_dup2(long fd, long newfd)
{
	struct libos_file *f;

	if (fd != newfd)
		return newfd < 0 ? -EBADF : duplicate(fd, newfd, 0, false);
	f = get(fd); // onto itself: nothing to do if it is open
	if (!f)
		return -EBADF;
	put(f);
	return fd;
}

long libos_dup3(long fd, long newfd, long flags)
{
	if ((flags & ~(long)O_CLOEXEC) || fd == newfd)
		return -EINVAL;
	return newfd < 0 ? -EBADF : duplicate(fd, newfd, 0, flags & O_CLOEXEC);
}

// Record locks: one process, so no lock can conflict - F_GETLK says F_UNLCK, a set always
// succeeds - once the request is valid (a write lock needs a file open for writing).
static long lock(struct libos_file *f, long cmd, struct linux_flock *user)
{
	struct linux_flock l;

	if (libos_copy(&l, user, sizeof(l)))
		return -EFAULT;
	if ((l.l_type != F_RDLCK && l.l_type != F_WRLCK && l.l_type != F_UNLCK) ||
	    (l.l_whence != SEEK_SET && l.l_whence != SEEK_CUR && l.l_whence != SEEK_END))
		return -EINVAL;
	if (cmd == F_GETLK || cmd == F_OFD_GETLK) {
		l.l_type = F_UNLCK;
		return libos_copy(user, &l, sizeof(l));
	}
	if ((l.l_type == F_RDLCK && !readable(f)) || (l.l_type == F_WRLCK && !writable(f)))
		return -EBADF;
	return 0;
}

long libos_fcntl(long fd, long cmd, long arg)
{
	struct libos_file *f;
	long r = 0;

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return duplicate(fd, -1, arg, cmd == F_DUPFD_CLOEXEC);
	f = get(fd);
	if (!f)
		return -EBADF;
	switch (cmd) {
	case F_GETFD:
		r = fds[fd].cloexec ? FD_CLOEXEC : 0;
		break;
	case F_SETFD:
		fds[fd].cloexec = arg & FD_CLOEXEC;
		break;
	case F_GETFL:
		r = f->flags & ~(long)O_CLOEXEC;
		break;
	case F_SETFL: // only these flags may change
		f->flags = (int)((f->flags & ~(O_APPEND | O_NONBLOCK)) | (arg & (O_APPEND | O_NONBLOCK)));
		break;
	case F_GETLK:
	case F_SETLK:
	case F_SETLKW:
	case F_OFD_GETLK:
	case F_OFD_SETLK:
	case F_OFD_SETLKW:
		r = lock(f, cmd, (struct linux_flock *)arg);
		break;
	default:
		libos_log_once("fcntl", "fcntl(%ld, %ld): EINVAL: command not supported", fd, cmd);
		r = -EINVAL;
	}
	put(f);
	return r;
}

// path (the program's) made absolute: relative to the directory open as dirfd, or to the
// current directory for AT_FDCWD.
static long resolve_at(long dirfd, const char *path, char *abs)
{
	struct libos_file *dir = NULL;
	char first = 0;
	long err;

	if (libos_copy(&first, path, 1))
		return -EFAULT;
	if (dirfd != AT_FDCWD && first != '/' && !(dir = get(dirfd)))
		return -EBADF;
	err = libos_path_resolve(dir ? dir->path : NULL, path, abs);
	if (dir)
		put(dir);
	return err;
}

long libos_openat(long dirfd, const char *path, long flags, long mode)
{
	char abs[PATH_MAX];
	struct libos_file f = { 0 };
	long err = resolve_at(dirfd, path, abs);

	(void)mode; // no file is created yet
	if (!err)
		err = libos_dev_open(abs, flags, &f);
	if (err == -ENOENT)
		err = libos_bootfs_open(abs, flags, &f);
	return err ? err : libos_fd_install(&f, 0, flags & O_CLOEXEC);
}

long libos_fstatat(long dirfd, const char *path, struct linux_stat *st, long flags)
{
	char abs[PATH_MAX], first = 0;
	struct linux_stat mine;
	long err;

	if (libos_copy(&first, path, 1))
		return -EFAULT;
	if (!first && (flags & AT_EMPTY_PATH))
		return libos_fstat(dirfd, st);
	err = resolve_at(dirfd, path, abs);
	if (!err)
		err = libos_dev_stat(abs, &mine);
	if (err == -ENOENT)
		err = libos_bootfs_stat(abs, &mine);
	return err ? err : libos_copy(st, &mine, sizeof(mine));
}

long libos_faccessat(long dirfd, const char *path, long mode)
{
	struct linux_stat st; // libos's own: the copy out cannot fail
	long err = libos_fstatat(dirfd, path, &st, 0);

	if (!err && (mode & 2) && (st.st_mode & S_IFMT) != S_IFCHR) // W_OK: only devices are writable
		err = -EROFS;
	return err;
}

long libos_file_pass(uint64_t child, struct libos_passed_file *out, long max)
{
	long n = 0, r = 0;

	libos_lock(&fd_lock);
	for (int fd = 0; fd < MAX_FDS && n < max && r >= 0; fd++) {
		struct libos_file *f = fds[fd].file;

		if (!f || fds[fd].cloexec || !f->ops->pass)
			continue;
		out[n] = (struct libos_passed_file){ .fd = (uint32_t)fd, .flags = f->flags, .off = f->off };
		r = f->ops->pass(f, child, &out[n]);
		n += r >= 0;
	}
	libos_unlock(&fd_lock);
	if (r < 0)
		libos_file_unpass(out, n);
	return r < 0 ? r : n;
}

void libos_file_unpass(const struct libos_passed_file *p, long n)
{
	for (long i = 0; i < n; i++)
		if (p[i].kind == LIBOS_PASS_PIPE)
			libos_pipe_unpass(&p[i]);
}

void libos_file_import(const struct libos_passed_file *p, long n)
{
	for (long i = 0; i < n; i++, p++) {
		struct libos_file f;
		long r;

		switch (p->kind) {
		case LIBOS_PASS_CONSOLE:
			r = libos_console_import(p, &f);
			break;
		case LIBOS_PASS_NULL:
			r = libos_dev_open("/dev/null", p->flags, &f);
			break;
		case LIBOS_PASS_BOOTFS:
			r = libos_bootfs_open(p->path, p->flags & ~(O_CREAT | O_TRUNC | O_EXCL), &f);
			f.off = p->off;
			break;
		case LIBOS_PASS_PIPE:
			r = libos_pipe_import(p, &f);
			break;
		default:
			r = -EINVAL;
		}
		if (!r)
			r = libos_fd_install(&f, p->fd, false);
		if (r != (long)p->fd)
			libos_log("exec: descriptor %u did not come along (error %ld)", p->fd, r);
	}
}

long libos_file_map_source(long fd, long prot, long flags, const uint8_t **data, uint64_t *size)
{
	struct libos_file *f = get(fd);
	long r;

	if (!f)
		return -EBADF;
	if (!f->ops->map_source)
		r = -ENODEV;
	else if (!readable(f) || ((flags & MAP_SHARED) && (prot & PROT_WRITE)))
		r = -EACCES; // the files are read-only
	else
		r = f->ops->map_source(f, data, size);
	put(f);
	return r;
}
