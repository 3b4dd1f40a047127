// SPDX-License-Identifier: MIT
// Pipes between processes without a server: a pipe is a ring of 64 KiB after a header page, in
// MAP_SHARED memory that fork shares (the same frames in every process holding an end), and a
// notification each of those processes holds a capability to. Whoever changes the ring signals
// the notification; a reader or writer that must wait has it forward to its own thread's
// notification (notify_forward) and waits there, so that a signal still reaches it (EINTR or a
// restart, as Linux). The header counts the open ends of each kind in all processes: no writer
// left is the reader's end of file, no reader left the writer's EPIPE and SIGPIPE. Writes of up
// to PIPE_BUF bytes go in at once; longer ones may interleave with others. An end a process never
// closes (killed by SIGKILL or by the kernel) keeps its count: readers then wait for good.
#include <libos/file.h>
#include <libos/mem.h>
#include <libos/signal.h>
#include <libos/thread.h>
#include <libos/time.h>

#define RING      65536u
#define PIPE_BUF  4096u
#define MAX_PIPES 64
#define RETRY_NS  1000000ull // a wait no forward slot was left for looks again after this
#define DEV_PIPE  3          // st_dev of pipes (libos's devices are 2)

struct shared {              // the header page
	uint64_t head, tail; // bytes ever written, read
	uint32_t readers, writers;
	uint32_t lock;
};

struct pipe {
	struct shared *sh; // NULL: a free slot
	uint8_t *ring;
	uint64_t ntfn;
	int ends; // this process's open ends
};

static struct pipe pipes[MAX_PIPES];
static volatile int table_lock;

static void lock(struct shared *sh)
{
	while (__atomic_exchange_n(&sh->lock, 1, __ATOMIC_ACQUIRE))
		exo_thread_yield();
}

static void unlock(struct shared *sh)
{
	__atomic_store_n(&sh->lock, 0, __ATOMIC_RELEASE);
}

static struct pipe *pipe_of(const struct libos_file *f)
{
	return &pipes[f->arg];
}

static bool reading(const struct libos_file *f)
{
	return (f->flags & O_ACCMODE) == O_RDONLY;
}

// Waits until ready(p) or a signal; -ERESTARTSYS for a signal.
static long wait(struct pipe *p, bool (*ready)(struct pipe *p))
{
	uint64_t me = libos_thread_ntfn(), deadline = 0;
	long forwarded;

	if (libos_signal_interrupts())
		return -ERESTARTSYS;
	forwarded = exo_notify_forward(p->ntfn, me, LIBOS_NTFN_PIPE);
	if (forwarded) { // no forward slot free: look again in a while
		libos_clock_ns(CLOCK_MONOTONIC, &deadline);
		deadline += RETRY_NS;
	}
	if (!ready(p))
		libos_thread_wait(deadline);
	if (!forwarded)
		exo_notify_forward(p->ntfn, me, 0);
	return libos_signal_interrupts() ? -ERESTARTSYS : 0;
}

static bool can_read(struct pipe *p)
{
	struct shared *sh = p->sh;

	return __atomic_load_n(&sh->head, __ATOMIC_ACQUIRE) != sh->tail ||
	       !__atomic_load_n(&sh->writers, __ATOMIC_ACQUIRE);
}

static bool can_write(struct pipe *p)
{
	struct shared *sh = p->sh;

	return sh->head - __atomic_load_n(&sh->tail, __ATOMIC_ACQUIRE) < RING ||
	       !__atomic_load_n(&sh->readers, __ATOMIC_ACQUIRE);
}

// Copies n bytes between the ring at position pos and buf (into the ring: in).
static long ring_copy(struct pipe *p, uint64_t pos, void *buf, uint64_t n, bool in)
{
	uint64_t at = pos % RING, first = n < RING - at ? n : RING - at;
	long r;

	r = in ? libos_copy(p->ring + at, buf, first) : libos_copy(buf, p->ring + at, first);
	if (!r && n > first)
		r = in ? libos_copy(p->ring, (uint8_t *)buf + first, n - first)
		       : libos_copy((uint8_t *)buf + first, p->ring, n - first);
	return r;
}

static long pipe_read(struct libos_file *f, void *buf, uint64_t len, uint64_t off, bool nowait)
{
	struct pipe *p = pipe_of(f);
	struct shared *sh = p->sh;

	(void)off;
	if (!len)
		return 0;
	for (;;) {
		uint64_t n;
		long r;

		lock(sh);
		n = sh->head - sh->tail;
		if (n) {
			n = n < len ? n : len;
			r = ring_copy(p, sh->tail, buf, n, false);
			if (!r)
				sh->tail += n;
			unlock(sh);
			exo_notify_signal(p->ntfn, LIBOS_NTFN_PIPE);
			return r ? r : (long)n;
		}
		n = sh->writers;
		unlock(sh);
		if (!n)
			return 0; // no writer left: end of file
		if (nowait || (f->flags & O_NONBLOCK))
			return nowait ? 0 : -EAGAIN;
		if ((r = wait(p, can_read)))
			return r;
	}
}

static long broken(void)
{
	libos_tgkill(-1, libos_gettid(), SIGPIPE); // for the writing thread, as Linux sends it
	return -EPIPE;
}

static long pipe_write(struct libos_file *f, const void *buf, uint64_t len, uint64_t off)
{
	struct pipe *p = pipe_of(f);
	struct shared *sh = p->sh;
	uint64_t done = 0;

	(void)off;
	while (done < len) {
		uint64_t room, n;
		long r;

		lock(sh);
		if (!sh->readers) {
			unlock(sh);
			return done ? (long)done : broken();
		}
		room = RING - (sh->head - sh->tail);
		n = len - done < room ? len - done : room;
		if (len <= PIPE_BUF && room < len)
			n = 0; // atomic: all or wait
		if (n) {
			r = ring_copy(p, sh->head, (uint8_t *)buf + done, n, true);
			if (!r)
				sh->head += n;
			unlock(sh);
			exo_notify_signal(p->ntfn, LIBOS_NTFN_PIPE);
			if (r)
				return done ? (long)done : r;
			done += n;
			continue;
		}
		unlock(sh);
		if (f->flags & O_NONBLOCK)
			return done ? (long)done : -EAGAIN;
		if ((r = wait(p, can_write)))
			return done ? (long)done : r;
	}
	return (long)done;
}

static void pipe_stat(struct libos_file *f, struct linux_stat *st)
{
	st->st_dev = DEV_PIPE;
	st->st_ino = f->arg + 1;
	st->st_mode = S_IFIFO | 0600;
	st->st_blksize = PIPE_BUF;
}

static long pipe_ioctl(struct libos_file *f, unsigned long req, void *arg)
{
	struct shared *sh = pipe_of(f)->sh;
	int n = (int)(sh->head - sh->tail);

	if (req != FIONREAD)
		return -ENOTTY;
	return libos_copy(arg, &n, sizeof(n));
}

// One end fewer: the other side learns it (end of file, EPIPE); the last end here unmaps it.
static void end_closed(struct pipe *p, bool reader)
{
	struct shared *sh = p->sh;
	struct pipe gone = *p;

	__atomic_fetch_sub(reader ? &sh->readers : &sh->writers, 1, __ATOMIC_RELEASE);
	exo_notify_signal(p->ntfn, LIBOS_NTFN_PIPE);
	libos_lock(&table_lock);
	if (--p->ends == 0)
		*p = (struct pipe){ 0 };
	libos_unlock(&table_lock);
	if (gone.ends == 1 && !libos_file_exiting) { // at exit it all goes anyway
		libos_munmap((uint64_t)gone.sh, EXO_PAGE_SIZE + RING);
		exo_cap_delete(gone.ntfn);
	}
}

static void pipe_release(struct libos_file *f)
{
	end_closed(pipe_of(f), reading(f));
}

// exec: the new image gets the same memory and a copy of the notification, and counts as one
// more end (this process's ends go when it exits).
static long pipe_pass(struct libos_file *f, uint64_t child, struct libos_passed_file *out)
{
	struct pipe *p = pipe_of(f);
	long r = exo_vspace_share_range(libos_boot->self, (uint64_t)p->sh,
	                                (EXO_PAGE_SIZE + RING) / EXO_PAGE_SIZE, child, EXO_SHARE_SAME);

	if (r < 0 && r != -EXO_EEXIST) // EEXIST: shared already, for another descriptor
		return -ENOMEM;
	r = exo_cap_copy(p->ntfn, child, EXO_R_ALL);
	if (r < 0)
		return -ENOMEM;
	*out = (struct libos_passed_file){ .fd = out->fd,
		                           .kind = LIBOS_PASS_PIPE,
		                           .flags = f->flags,
		                           .off = EXO_PAGE_SIZE + RING,
		                           .a = (uint64_t)p->sh,
		                           .b = (uint64_t)r };
	__atomic_fetch_add(reading(f) ? &p->sh->readers : &p->sh->writers, 1, __ATOMIC_RELEASE);
	return 0;
}

static const struct libos_file_ops pipe_ops = { .read = pipe_read,
	                                        .write = pipe_write,
	                                        .ioctl = pipe_ioctl,
	                                        .stat = pipe_stat,
	                                        .release = pipe_release,
	                                        .pass = pipe_pass };

void libos_pipe_unpass(const struct libos_passed_file *rec)
{
	struct shared *sh = (struct shared *)rec->a;

	__atomic_fetch_sub((rec->flags & O_ACCMODE) == O_RDONLY ? &sh->readers : &sh->writers, 1,
	                   __ATOMIC_RELEASE);
}

long libos_pipe_import(const struct libos_passed_file *rec, struct libos_file *f)
{
	struct pipe *p = NULL;
	bool known = false;

	libos_lock(&table_lock);
	for (int i = 0; i < MAX_PIPES && !p; i++)
		if (pipes[i].sh == (struct shared *)rec->a)
			p = &pipes[i], known = true;
	for (int i = 0; i < MAX_PIPES && !p; i++)
		if (!pipes[i].sh)
			p = &pipes[i];
	if (p && known)
		p->ends++;
	else if (p)
		*p = (struct pipe){ (struct shared *)rec->a, (uint8_t *)rec->a + EXO_PAGE_SIZE, rec->b, 1 };
	libos_unlock(&table_lock);
	if (known)
		exo_cap_delete(rec->b); // this process has one already
	if (!p)
		return -ENFILE;
	*f = (struct libos_file){
		.ops = &pipe_ops, .arg = (uint64_t)(p - pipes), .path = "pipe:", .flags = rec->flags
	};
	return 0;
}

long libos_pipe2(int *ufds, long flags)
{
	struct pipe *p = NULL;
	long mem, ntfn, r, fd[2];

	if (flags & ~(long)(O_CLOEXEC | O_NONBLOCK | O_DIRECT))
		return -EINVAL;
	mem = libos_mmap(0, EXO_PAGE_SIZE + RING, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (mem < 0)
		return mem;
	ntfn = exo_notify_create();
	libos_lock(&table_lock);
	for (int i = 0; i < MAX_PIPES && !p && ntfn > 0; i++)
		if (!pipes[i].sh)
			p = &pipes[i];
	if (p)
		*p = (struct pipe){ (struct shared *)mem, (uint8_t *)mem + EXO_PAGE_SIZE, (uint64_t)ntfn, 2 };
	libos_unlock(&table_lock);
	if (!p) {
		libos_munmap((uint64_t)mem, EXO_PAGE_SIZE + RING);
		if (ntfn > 0)
			exo_cap_delete((uint64_t)ntfn);
		return ntfn > 0 ? -ENFILE : -ENOMEM;
	}
	p->sh->readers = p->sh->writers = 1;
	struct libos_file end = { .ops = &pipe_ops, .arg = (uint64_t)(p - pipes), .path = "pipe:" };

	end.flags = O_RDONLY | (int)(flags & O_NONBLOCK);
	fd[0] = libos_fd_install(&end, 0, flags & O_CLOEXEC);
	end.flags = O_WRONLY | (int)(flags & O_NONBLOCK);
	fd[1] = fd[0] < 0 ? fd[0] : libos_fd_install(&end, 0, flags & O_CLOEXEC);
	r = fd[1] < 0 ? fd[1] : 0;
	if (!r) {
		int out[2] = { (int)fd[0], (int)fd[1] };

		r = libos_copy(ufds, out, sizeof(out));
	}
	if (r) {
		if (fd[0] >= 0)
			libos_close(fd[0]);
		else
			end_closed(p, true);
		if (fd[1] >= 0)
			libos_close(fd[1]);
		else
			end_closed(p, false);
	}
	return r;
}

struct fork_pass {
	uint64_t child;
	void (*note)(uint64_t parent, uint64_t child, void *ctx);
	void *ctx;
	long err;
};

// Each open end the child will hold counts once more.
static void count_end(struct libos_file *f, void *arg)
{
	(void)arg;
	if (f->ops == &pipe_ops)
		__atomic_fetch_add(reading(f) ? &pipe_of(f)->sh->readers : &pipe_of(f)->sh->writers, 1,
		                   __ATOMIC_RELEASE);
}

long libos_pipe_fork(uint64_t child, void (*note)(uint64_t parent, uint64_t child, void *ctx), void *ctx)
{
	long r = 0;

	libos_lock(&table_lock);
	for (int i = 0; i < MAX_PIPES && r >= 0; i++) {
		if (!pipes[i].sh)
			continue;
		r = exo_cap_copy(pipes[i].ntfn, child, EXO_R_ALL);
		if (r > 0)
			note(pipes[i].ntfn, (uint64_t)r, ctx);
	}
	libos_unlock(&table_lock);
	if (r >= 0)
		libos_file_each(count_end, NULL);
	return r < 0 ? r : 0;
}

// A fork that failed after libos_pipe_fork: its child's ends count no more.
static void uncount_end(struct libos_file *f, void *arg)
{
	(void)arg;
	if (f->ops == &pipe_ops)
		__atomic_fetch_sub(reading(f) ? &pipe_of(f)->sh->readers : &pipe_of(f)->sh->writers, 1,
		                   __ATOMIC_RELEASE);
}

void libos_pipe_fork_failed(void)
{
	libos_file_each(uncount_end, NULL);
}

void libos_pipe_fork_child(uint64_t (*xlat)(uint64_t parent, void *ctx), void *ctx)
{
	table_lock = 0;
	for (int i = 0; i < MAX_PIPES; i++)
		if (pipes[i].sh)
			pipes[i].ntfn = xlat(pipes[i].ntfn, ctx);
}
