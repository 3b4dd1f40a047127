// SPDX-License-Identifier: MIT
// Threads and processes. A process is an address space (page-table root whose upper half is the
// kernel's), a capability table and its threads. A thread has a kernel stack (with a guard page),
// its user registers in the trap frame at the top of that stack, FPU state, FS base, a priority
// and time slice, and an optional upcall handler for its faults.
#pragma once

#include <arch/percpu.h>
#include <common/list.h>
#include <kern/cap.h>
#include <kern/kobj.h>
#include <kern/quota.h>
#include <kern/vspace.h>

struct quota;
struct endpoint;
struct notification;
struct timeslice;
struct uframe;
struct exo_ipc_buffer;
struct trap_frame;

// T_BLOCKED: on the sleep list; T_WAIT_IRQ: the waiter of one IRQ object; T_THROTTLED: waiting
// for the next period of its process's timeslice; T_IPC_SEND / T_IPC_RECV: queued on an endpoint;
// T_IPC_REPLY: waiting for the reply to a call; T_NTFN_WAIT: queued on a notification.
enum thread_state { // the values are the ABI's EXO_THREAD_* (reported by cap_info)
	T_INACTIVE = EXO_THREAD_INACTIVE,
	T_RUNNABLE = EXO_THREAD_RUNNABLE,
	T_RUNNING = EXO_THREAD_RUNNING,
	T_BLOCKED = EXO_THREAD_SLEEPING,
	T_WAIT_IRQ = EXO_THREAD_WAIT_IRQ,
	T_THROTTLED = EXO_THREAD_THROTTLED,
	T_IPC_SEND = EXO_THREAD_IPC_SEND,
	T_IPC_RECV = EXO_THREAD_IPC_RECV,
	T_IPC_REPLY = EXO_THREAD_IPC_REPLY,
	T_NTFN_WAIT = EXO_THREAD_NTFN_WAIT,
	T_SUSPENDED = EXO_THREAD_SUSPENDED,
	T_DEAD = EXO_THREAD_DEAD,
};

// What a thread blocked in IPC waits on; the kind says which member of the union is valid.
enum block_kind {
	BLOCK_NONE,
	BLOCK_ENDPOINT,     // queued on ep (T_IPC_SEND or T_IPC_RECV, by the endpoint's state)
	BLOCK_NOTIFICATION, // queued on ntfn (T_NTFN_WAIT)
	BLOCK_REPLY,        // a caller waiting for server's reply (T_IPC_REPLY)
};

struct block_on {
	enum block_kind kind;
	union {
		struct endpoint *ep;
		struct notification *ntfn;
		struct thread *server;
	};
};

#define PRIO_MAX      31
#define PRIO_DEFAULT  16
#define SLICE_DEFAULT 10 // ticks

struct process;

struct thread {
	struct kobj obj;
	struct process *proc; // NULL for the idle thread
	enum thread_state state;
	uint8_t prio;
	uint32_t tid;
	uint32_t slice, slice_left; // ticks
	uint32_t cpu;               // the CPU it runs on, is queued on, or wakes on
	uint64_t affinity;          // bit i: it may run on CPU i
	bool preempted;             // queued because its slice ran out (the balancer moves it at once)
	uint64_t queued_tick;       // the first tick of CPU 0 that saw it queued (0: none yet)
	uint64_t ksp;               // saved kernel rsp while switched out
	bool frame_resume;          // blocked in frame mode: ksp resumes in syscall_resume (sched.h)
	uint64_t kstack_top;
	void *fpu;
	uint64_t fs_base;
	uint64_t upcall_rip, upcall_sp;
	bool in_upcall;
	bool holds_proc;                // started: keeps a reference on proc
	uint64_t wake_at_ns;            // on the deadline list: when it wakes or times out
	struct list_node rq_link;       // the run queue of its priority (T_RUNNABLE)
	struct list_node deadline_link; // the deadline list: T_BLOCKED, or an IPC wait with a timeout
	struct list_node throttle_link; // its timeslice's throttled list (T_THROTTLED)
	struct thread *proc_next;       // the process's thread list
	struct thread *reap_next;
	struct charge charge; // its stack, FPU area and descriptor, on its process's quota

	// IPC (see core/endpoint.c)
	struct exo_ipc_buffer *ipc_buf;        // the registered buffer, through the direct map
	struct uframe *ipc_buf_frame;          // its frame, kept alive while registered
	struct block_on blocked;               // what it waits on (BLOCK_NONE unless blocked in IPC)
	struct list_node wait_link;            // the queue of blocked.ep or blocked.ntfn
	uint64_t ipc_tag, ipc_badge, ipc_w[4]; // a queued sender's message
	bool ipc_is_call;
	bool reply_pending;      // received a call and has not replied yet
	struct thread *reply_to; // the caller waiting for this thread's reply
	long ipc_result;         // returned by the blocked call when it resumes
};

struct process {
	struct kobj obj;
	struct vspace vs;
	struct cspace cs;
	struct charge charge; // its descriptor and capability table, on quota
	struct quota *quota;  // budget of the process's own allocations
	struct timeslice *ts; // CPU budget, or NULL: not limited
	struct thread *threads;
	uint32_t pid;
	char name[16];
	uint8_t max_prio;
	bool exited;
	bool doomed; // its quota was destroyed during its own kernel call: it ends when the call does
	long exit_status;
	uint8_t *iobitmap;          // I/O permission bitmap (1 = denied), or NULL: no ports
	struct endpoint *endpoints; // owned: they die with the process
	struct notification *watch; // signalled with watch_bits when the process ends (process_watch)
	uint64_t watch_bits;
};

#define PROC_SLOTS 1024 // capability slots of a process (init: more, one per boot module page)

// Set from the command line (exorun): when init ends, the machine ends, reporting its status.
extern bool init_exit_ends_machine;
extern bool init_exit_powers_off;

static inline struct thread *current_thread(void)
{
	struct thread *t;

	// percpu()->current in one load through GS (entry and every kernel call's first line use it).
	__asm__ volatile("mov %%gs:%c1, %0" : "=r"(t) : "i"(offsetof(struct percpu, current)));
	return t;
}

// New process with an empty address space and a capability table of nslots; one reference for
// the caller.
int process_create(const char *name, struct quota *q, uint8_t max_prio, uint32_t nslots,
                   struct process **out);
// Ends the process: all its threads die, its mappings, page tables and capabilities go.
// why is logged unless NULL. Safe to call on the current process (then it does not return).
void process_exit(struct process *p, long status, const char *why);

int thread_create(struct process *p, uint8_t prio, struct thread **out);
// Makes an inactive thread runnable at rip with rsp and rdi = arg.
int thread_start(struct thread *t, uint64_t rip, uint64_t rsp, uint64_t arg);
void thread_kill(struct thread *t);
// Frees a dead thread once no CPU runs on its stack (the scheduler's reaper).
void thread_reap(struct thread *t);
void thread_set_prio(struct thread *t, uint8_t prio);
int thread_suspend(struct thread *t);
int thread_resume(struct thread *t);
