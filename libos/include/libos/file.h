// SPDX-License-Identifier: MIT
// The file component (libos-file.a): the process's file descriptor table and the file tree it
// can reach. An open file is a struct libos_file with the operations of its type: the console
// (fds 0, 1, 2 at start: libos-console.a) and read-only boot files (bootfs.c: the files exorun
// puts in the guest, and the boot modules). The VFS issue adds mounts and file services behind
// the same table.
#pragma once

#include <libos/libos.h>
#include <stdbool.h>

struct libos_file;
struct libos_passed_file;

struct libos_file_ops {
	// nowait: return 0 rather than wait when nothing is there yet (readv after the first piece).
	long (*read)(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait);
	long (*write)(struct libos_file *f, const void *buf, uint64_t len, uint64_t off);
	long (*ioctl)(struct libos_file *f, unsigned long req, void *arg);
	void (*stat)(struct libos_file *f, struct linux_stat *st);
	long (*getdents)(struct libos_file *f, void *buf, uint64_t len); // directories
	void (*release)(struct libos_file *f); // the last descriptor to it closed (a copy of it)
	// mmap: where f's bytes are mapped read-only in this process (NULL: it cannot be mapped)
	long (*map_source)(struct libos_file *f, const uint8_t **data, uint64_t *size);
	// exec: describes f for the new image, process child (NULL: the type does not pass)
	long (*pass)(struct libos_file *f, uint64_t child, struct libos_passed_file *out);
	bool seekable; // has a size and an offset
};

struct libos_file {
	const struct libos_file_ops *ops;
	uint64_t off;  // seekable files; a directory's listing cursor
	uint64_t size; // seekable files
	uint64_t arg;  // the type's own: console stream, boot file entry
	const char *path;
	int flags; // O_ACCMODE, O_APPEND, O_NONBLOCK, O_DIRECTORY
	int refs;  // descriptors sharing it (dup)
};

// Puts a new open file in the lowest free descriptor >= min; -EMFILE/-ENOMEM if none.
long libos_fd_install(const struct libos_file *f, long min, bool cloexec);

// The calls (Linux semantics).
long libos_read(long fd, void *buf, uint64_t len);
long libos_write(long fd, const void *buf, uint64_t len);
long libos_readv(long fd, const struct linux_iovec *iov, long n);
long libos_writev(long fd, const struct linux_iovec *iov, long n);
long libos_pread(long fd, void *buf, uint64_t len, long off);
long libos_lseek(long fd, long off, long whence);
long libos_ioctl(long fd, unsigned long req, void *arg);
long libos_close(long fd);
long libos_dup(long fd);
long libos_dup2(long fd, long newfd);
long libos_dup3(long fd, long newfd, long flags);
long libos_fcntl(long fd, long cmd, long arg);
long libos_fstat(long fd, struct linux_stat *st);
long libos_getdents64(long fd, void *buf, uint64_t len);
long libos_openat(long dirfd, const char *path, long flags, long mode);
long libos_fstatat(long dirfd, const char *path, struct linux_stat *st, long flags);
long libos_faccessat(long dirfd, const char *path, long mode);
long libos_getcwd(char *buf, uint64_t size);
long libos_chdir(const char *path);

// path.c: base (a directory's path, or NULL for the current directory) + path, made absolute
// and normalised into out (PATH_MAX bytes).
long libos_path_resolve(const char *base, const char *path, char *out);
// The current directory at start: libos_bootfs_start_dir() if there is one (exorun's own).
void libos_cwd_init(void);

// dev.c: the device files libos serves (/dev/null), looked up before the boot files: 0, or
// -ENOENT for any other path.
long libos_dev_open(const char *path, long flags, struct libos_file *f);
long libos_dev_stat(const char *path, struct linux_stat *st);

// bootfs.c: the read-only boot files.
void libos_bootfs_init(void);
// Opens path (absolute, normalised) into *f; -ENOENT, -EROFS for writing.
long libos_bootfs_open(const char *path, long flags, struct libos_file *f);
long libos_bootfs_stat(const char *path, struct linux_stat *st);
// The bytes of the boot file at path (mapped read-only): 0, or -ENOENT.
long libos_bootfs_contents(const char *path, const uint8_t **data, uint64_t *size);
// The directory exorun started in (the manifest's ". PATH" line), or NULL.
const char *libos_bootfs_start_dir(void);

// Processes: at exit every descriptor is closed (unless the ending code holds the table's lock:
// then its files go as they are); libos_file_each runs fn on every open file (fork: each type's
// share of the child); in a fork's child, libos_file_fork_child frees the locks.
void libos_file_exit(void);
extern bool libos_file_exiting; // set by libos_file_exit: what goes with the process is left alone
void libos_file_each(void (*fn)(struct libos_file *f, void *arg), void *arg);
void libos_file_fork_child(void);
void libos_bootfs_fork_child(void);

// Pipes (pipe.c): a ring of 64 KiB in memory shared by the processes that hold its ends, woken
// through a notification each end's process holds. libos_pipe_fork gives the child process
// copies of the notifications (noting each handle pair with note), libos_pipe_fork_child
// takes the child's handles (xlat: the parent's handle -> the child's).
long libos_pipe2(int *fds, long flags);
long libos_pipe_fork(uint64_t child, void (*note)(uint64_t parent, uint64_t child, void *ctx), void *ctx);
void libos_pipe_fork_child(uint64_t (*xlat)(uint64_t parent, void *ctx), void *ctx);
void libos_pipe_fork_failed(void); // the child never ran: its ends count no more

// exec hands the open descriptors without FD_CLOEXEC to the new image as these records, after
// its arguments (libos_exec_args): each becomes an open file of its own there (dup'ed descriptors
// no longer share an offset). libos_file_pass fills up to max records for process child (the
// files' types share their part with it: a pipe's memory and notification); libos_file_import
// opens them in the new image at their descriptors.
enum { LIBOS_PASS_CONSOLE = 1, LIBOS_PASS_NULL, LIBOS_PASS_BOOTFS, LIBOS_PASS_PIPE };
struct libos_passed_file {
	uint32_t fd, kind;
	int32_t flags, pad;
	uint64_t off, a, b;
	char path[216];
};
_Static_assert(sizeof(struct libos_passed_file) == 256, "passed file records");
long libos_file_pass(uint64_t child, struct libos_passed_file *out, long max);
void libos_file_import(const struct libos_passed_file *p, long n);
// An exec that failed after libos_file_pass: the records' counts go back.
void libos_file_unpass(const struct libos_passed_file *p, long n);
void libos_pipe_unpass(const struct libos_passed_file *p);
// The types' halves of libos_file_import: a passed record back into an open file.
long libos_pipe_import(const struct libos_passed_file *p, struct libos_file *f);
long libos_console_import(const struct libos_passed_file *p, struct libos_file *f);
// The index of the boot module behind the boot file at path (absolute, normalised): exec's
// program. -ENOENT, -EACCES for a directory or a file without any x bit.
long libos_bootfs_module(const char *path);

// mmap of fd (memory component): the bytes a file mapping copies its pages from. -EBADF, -ENODEV
// (not a file that maps), -EACCES (not open for reading, or MAP_SHARED with PROT_WRITE).
long libos_file_map_source(long fd, long prot, long flags, const uint8_t **data, uint64_t *size);
