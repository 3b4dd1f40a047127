// SPDX-License-Identifier: MIT
// Threads: musl's __clone (pthread_create) becomes a kernel thread in the same process. libos
// keeps a table of its threads - tid, kernel capability, TLS pointer (how a thread finds its own
// entry: %fs:0 holds the TLS pointer on x86_64), the word to clear at exit
// (CLONE_CHILD_CLEARTID), a notification for its waits, a wired stack for the fault handler
// and the alternate signal stack sigaltstack sets. A thread that ends clears its tid word, wakes
// its joiner and destroys itself; the last one ends the process.
#include <libos/mem.h>
#include <libos/proc.h>
#include <libos/signal.h>
#include <libos/thread.h>

#define MAX_THREADS    LIBOS_MAX_THREADS
#define THREAD_PRIO    16 // the kernel's default priority, init's own
#define CLONE_REQUIRED (CLONE_VM | CLONE_THREAD | CLONE_SIGHAND)

struct lthread {
	int tid; // 0: free slot
	uint64_t cap;
	uint64_t tls;
	uint64_t ntfn;
	int *clear_tid;
	uint8_t *handler_stack;
	int (*fn)(void *);
	void *arg;
	struct linux_stack altstack; // ss_size 0: none
};

static struct lthread threads[MAX_THREADS] = { [0] = { .tid = 1 } }; // [0]: the main thread
static volatile int thread_lock;
static int next_tid = 2, live = 1;
static int tls_ready; // once set, %fs:0 names the calling thread
// What a thread cannot free itself while it runs (its own stack after __unmapself, its
// fault-handler stack, the capability it destroys itself with): freed by the next clone.
static struct {
	void *base;
	uint64_t size;
} dead_stacks[MAX_THREADS * 2];
static int ndead;
static uint64_t dead_caps[MAX_THREADS];
static int ndead_caps;

static struct lthread *self(void)
{
	uint64_t tp = 0;

	if (tls_ready)
		__asm__ volatile("mov %%fs:0, %0" : "=r"(tp));
	for (int i = 0; i < MAX_THREADS; i++)
		if (threads[i].tid && threads[i].tls == tp)
			return &threads[i];
	return &threads[0];
}

long libos_set_fs(uint64_t base)
{
	long err = exo_set_fs_base(base);

	if (err)
		return -EPERM;
	libos_lock(&thread_lock);
	self()->tls = base; // before the first call every thread is the main one
	tls_ready = 1;
	libos_unlock(&thread_lock);
	return 0;
}

long libos_gettid(void)
{
	return self()->tid;
}

long libos_set_tid_address(int *tidptr)
{
	struct lthread *t = self();

	t->clear_tid = tidptr;
	return t->tid;
}

int libos_thread_slot(void)
{
	return (int)(self() - threads);
}

int libos_thread_slot_of(long tid)
{
	for (int i = 0; i < MAX_THREADS && tid > 0; i++)
		if (threads[i].tid == tid)
			return i;
	return -1;
}

int libos_thread_tid_at(int slot)
{
	return threads[slot].tid;
}

uint64_t libos_thread_ntfn_at(int slot)
{
	return __atomic_load_n(&threads[slot].ntfn, __ATOMIC_ACQUIRE);
}

struct linux_stack libos_thread_altstack(void)
{
	return self()->altstack;
}

long libos_sigaltstack(const struct linux_stack *ss, struct linux_stack *old)
{
	struct lthread *t = self();
	struct linux_stack now = t->altstack, want;
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	uint32_t mode;
	int on = now.ss_size && sp - now.ss_sp < now.ss_size;

	now.ss_flags |= now.ss_size ? (on ? SS_ONSTACK : 0) : SS_DISABLE;
	if (ss && on)
		return -EPERM;
	if (ss) {
		if (libos_copy(&want, ss, sizeof(want)))
			return -EFAULT;
		mode = (uint32_t)want.ss_flags & ~SS_AUTODISARM;
		if (mode != 0 && mode != SS_ONSTACK && mode != SS_DISABLE)
			return -EINVAL;
		if (mode == SS_DISABLE)
			want.ss_sp = want.ss_size = 0;
		else if (want.ss_size < MINSIGSTKSZ)
			return -ENOMEM;
		want.ss_flags &= (int32_t)SS_AUTODISARM; // kept and reported back
		t->altstack = want;
	}
	return old && libos_copy(old, &now, sizeof(now)) ? -EFAULT : 0;
}

uint64_t libos_thread_ntfn(void)
{
	struct lthread *t = self();

	if (!t->ntfn && t == &threads[0] && libos_boot->ntfn) // the one the process manager signals
		t->ntfn = libos_boot->ntfn;
	if (!t->ntfn) {
		long n = exo_notify_create();

		if (n < 0)
			libos_die(127, "thread %d: no notification for its waits (error %ld)", t->tid, n);
		__atomic_store_n(&t->ntfn, (uint64_t)n, __ATOMIC_RELEASE);
	}
	return t->ntfn;
}

static void free_dead(void)
{
	for (; ndead > 0; ndead--)
		libos_munmap((uint64_t)dead_stacks[ndead - 1].base, dead_stacks[ndead - 1].size);
	// A capability goes once its thread is really gone (it may still be on its way out).
	for (int i = 0; i < ndead_caps;) {
		struct exo_cap_info info = {
			0
		}; // written here first: the kernel cannot write a copy-on-write page

		if (exo_cap_info(dead_caps[i], &info) == 0 && info.b != EXO_THREAD_DEAD) {
			i++;
			continue;
		}
		exo_cap_delete(dead_caps[i]);
		dead_caps[i] = dead_caps[--ndead_caps];
	}
}

// The new thread starts here, on its own stack, with its entry as the argument.
static _Noreturn void thread_main(struct lthread *t)
{
	exo_set_fs_base(t->tls);
	libos_mem_thread_init(t->handler_stack + LIBOS_HANDLER_STACK);
	libos_thread_exit(t->fn(t->arg));
}

int __libos_clone(int (*fn)(void *), void *stack, int flags, void *arg, int *ptid, void *tls, int *ctid)
{
	struct lthread *t = NULL;
	long cap, err;
	uint64_t sp;

	if (!(flags & CLONE_THREAD) && (flags & CLONE_VM))
		return (int)libos_fork_call(fn, arg); // posix_spawn's: a copy-on-write child runs fn
	if ((flags & CLONE_REQUIRED) != CLONE_REQUIRED)
		return -ENOSYS; // a new process without CLONE_VM: fork's way (SYS_fork) only
	libos_lock(&thread_lock);
	free_dead();
	for (int i = 1; i < MAX_THREADS && !t; i++)
		if (!threads[i].tid)
			t = &threads[i];
	if (!t) {
		libos_unlock(&thread_lock);
		return -EAGAIN;
	}
	*t = (struct lthread){ .tid = next_tid, .fn = fn, .arg = arg, .clear_tid = ctid };
	t->tls = flags & CLONE_SETTLS ? (uint64_t)tls : self()->tls;
	libos_unlock(&thread_lock);
	libos_signal_thread_init((int)(t - threads), libos_thread_slot());

	// The fault handler's stack is touched now so that it is never demand-paged itself.
	err = libos_mem_map_wired(LIBOS_HANDLER_STACK);
	if (err < 0)
		goto fail;
	t->handler_stack = (uint8_t *)err;
	memset(t->handler_stack, 0, LIBOS_HANDLER_STACK);
	cap = exo_thread_create(libos_boot->self, THREAD_PRIO);
	err = cap < 0 ? -EAGAIN : 0;
	if (err)
		goto fail_stack;
	t->cap = (uint64_t)cap;
	libos_lock(&thread_lock);
	next_tid++, live++;
	libos_unlock(&thread_lock);
	if (flags & CLONE_PARENT_SETTID)
		*ptid = t->tid;
	if (flags & CLONE_CHILD_SETTID)
		*ctid = t->tid;
	if (!(flags & CLONE_CHILD_CLEARTID))
		t->clear_tid = NULL;
	sp = ((uint64_t)stack & ~15ull) - 8; // as if thread_main had been called
	if (exo_thread_start(t->cap, (uint64_t)thread_main, sp, (uint64_t)t) != 0)
		libos_die(127, "clone: the kernel refused to start thread %d", t->tid);
	return t->tid;
fail_stack:
	libos_munmap((uint64_t)t->handler_stack, LIBOS_HANDLER_STACK);
fail:
	t->tid = 0;
	return (int)err;
}

// Called with thread_lock held.
static void free_later(void *base, uint64_t size)
{
	if (ndead < MAX_THREADS * 2)
		dead_stacks[ndead].base = base, dead_stacks[ndead++].size = size;
}

_Noreturn void __libos_unmapself(void *base, uint64_t size)
{
	libos_lock(&thread_lock);
	free_later(base, size);
	libos_unlock(&thread_lock);
	libos_thread_exit(0);
}

_Noreturn void libos_thread_exit(long status)
{
	struct lthread *t;
	uint64_t cap;

	libos_lock(&thread_lock);
	t = self();
	if (live == 1) {
		libos_unlock(&thread_lock);
		libos_exit_group(status);
	}
	live--;
	libos_signal_thread_exit((int)(t - threads));
	if (t->clear_tid) {
		__atomic_store_n(t->clear_tid, 0, __ATOMIC_RELEASE);
		libos_futex_wake(t->clear_tid, 1);
	}
	if (t->handler_stack) // still this thread's fault stack until it is gone
		free_later(t->handler_stack, LIBOS_HANDLER_STACK);
	if (t->ntfn)
		exo_cap_delete(t->ntfn);
	t->ntfn = 0;
	cap = t == &threads[0] ? libos_boot->thread : t->cap;
	if (ndead_caps < MAX_THREADS)
		dead_caps[ndead_caps++] = cap; // stale once the thread is gone
	t->tid = 0;
	t->tls = 0;
	libos_unlock(&thread_lock);
	for (;;)
		exo_thread_destroy(cap);
}

uint8_t *libos_thread_handler_top(void)
{
	struct lthread *t = self();

	return t->handler_stack ? t->handler_stack + LIBOS_HANDLER_STACK : libos_mem_main_handler_top();
}

bool libos_thread_handler_wired(void)
{
	return self()->handler_stack != NULL;
}

uint64_t libos_thread_tls(void)
{
	return self()->tls;
}

void libos_thread_fork_child(void)
{
	struct lthread *me = self();

	for (int i = 0; i < MAX_THREADS; i++)
		if (&threads[i] != me)
			threads[i] = (struct lthread){ 0 };
	me->tid = (int)libos_getpid();
	me->cap = libos_boot->thread;
	me->ntfn = libos_boot->ntfn;
	live = 1;
	ndead = ndead_caps = 0; // the parent's to free
	thread_lock = 0;
	libos_futex_fork_child();
}
