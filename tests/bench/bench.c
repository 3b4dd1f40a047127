// SPDX-License-Identifier: MIT
// Micro-benchmarks built from this one source for exo (as init, with libexo) and for Linux (as
// the /init of an initramfs, static with musl, with linux-init.c). Each result line is
// "BENCH <name> <guest instructions per operation>" (measure.h), the cost of an empty loop
// subtracted.
#ifdef __exo__
#include <exo/libexo.h>
#include <exo/modload.h>
#include <exo/mqueue.h>
#define print exo_printf
#else
#define _GNU_SOURCE
#include <signal.h>
#include <stdio.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <ucontext.h>
#include <unistd.h>
#define print printf
#endif

#include "measure.h"

#define ITERATIONS       20000
#define FAULT_ITERATIONS 2000

// The faulting instruction: a store to a read-only page, "mov %eax, (%rdx)" (2 bytes, which the
// handlers skip).
static volatile uint32_t *ro_page;

static void fault_once(void)
{
	__asm__ volatile("mov %%eax, (%0)\n\tnop" : : "d"(ro_page), "a"(0) : "memory");
}

#ifdef __exo__
static const struct exo_bootinfo *bi;

static void null_call(void)
{
	exo_null();
}

static void fault_handler(struct exo_fault *f)
{
	f->regs.rip += 2; // skip the store
	exo_upcall_return(f);
}

static int setup(uint64_t arg)
{
	struct exo_map_op op = { 0, 0x800000000ull, EXO_R_READ };
	struct exo_map_op stack = { 0, 0x900000000ull, EXO_R_READ | EXO_R_WRITE };

	bi = (const void *)arg;
	if (exo_frame_alloc(bi->quota, 1, &op.frame) != 1 || exo_vspace_map(bi->self, &op, 1) != 1)
		return -1;
	if (exo_frame_alloc(bi->quota, 1, &stack.frame) != 1 || exo_vspace_map(bi->self, &stack, 1) != 1)
		return -1;
	ro_page = (volatile uint32_t *)op.vaddr;
	return (int)exo_upcall_set((void *)fault_handler, (void *)(stack.vaddr + 0x1000));
}

// IPC: a server process (this program, spawned with arg 1) answers calls on an endpoint whose
// handle it finds in a shared page; a second thread here plays ping-pong on notifications.
#define SHARED     ((volatile uint64_t *)0xa00000000ull)
#define TSTACK     0xb00000000ull
#define OWN_BUF    0xc00000000ull // IPC buffers: one page each
#define SERVER_BUF 0xd00000000ull
static struct exo_msg msg;
static uint64_t ep, server, server_thread, ntfn[2], pong_thread;

static void ipc_short(void)
{
	msg.tag = EXO_TAG(1, 2, 0);
	exo_call(ep, &msg);
}

static void ipc_long(void) // 8 words: the general path, through the IPC buffers
{
	msg.tag = EXO_TAG(1, 8, 0);
	exo_call(ep, &msg);
}

static struct exo_mq ring;

static void queue_send_recv(void) // one message through a shared ring, no wake-up needed
{
	uint64_t m[8] = { 1 };

	exo_mq_send(&ring, m, EXO_MQ_NONBLOCK);
	exo_mq_recv(&ring, m, EXO_MQ_NONBLOCK);
}

static void notify_pingpong(void)
{
	exo_notify_signal(ntfn[0], 1);
	exo_notify_wait(ntfn[1]);
}

static void pong(uint64_t arg)
{
	(void)arg;
	for (;;) {
		exo_notify_wait(ntfn[0]);
		exo_notify_signal(ntfn[1], 1);
	}
}

static int __attribute__((noreturn)) serve(void)
{
	struct exo_msg m = { 0 };

	exo_ipc_set_buffer((void *)SERVER_BUF);
	exo_recv(SHARED[0], &m);
	for (;;) {
		m.tag = EXO_TAG(0, EXO_TAG_WORDS(m.tag), 0);
		exo_reply_recv(SHARED[0], &m);
	}
}

// Hot-swap: instructions from exo_module_replace to the first request the new version served,
// and the longest call of a client calling all the while (boot modules: libexo.so, counter.so,
// counter2.so after this program).
#define IMAGES  0x200000000ull
#define SCRATCH 0x300000000ull
static struct exo_module_slot slot;
static volatile uint64_t client_max, client_stop, client_ep;

static void swap_client(uint64_t arg)
{
	(void)arg;
	while (!client_stop) {
		struct exo_msg m = { EXO_TAG(1, 1, 0), 0, { 1 } };
		uint64_t t0 = rdtsc(), d;

		exo_call(client_ep, &m);
		d = rdtsc() - t0;
		if (d > client_max)
			client_max = d;
	}
	for (;;)
		exo_thread_yield();
}

static void bench_swap(void)
{
	uint64_t next = IMAGES, worst = 0, total = 0, t;
	struct exo_image lib, v[2];
	char err[128];
	const int swaps = 8;

	if (bi->nmodules < 4)
		return;
	lib = exo_boot_image(bi, 1, &next);
	v[0] = exo_boot_image(bi, 2, &next);
	v[1] = exo_boot_image(bi, 3, &next);
	if (exo_module_slot_init(&slot, bi->self, bi->quota, SCRATCH, &lib, 16) ||
	    exo_module_slot_start(&slot, &v[0], err, sizeof(err)))
		return;
	client_ep = (uint64_t)exo_cap_copy(slot.service, 0, EXO_R_WRITE);
	t = (uint64_t)exo_thread_create(bi->self, 16);
	exo_thread_start(t, (uint64_t)swap_client, TSTACK + 0x1000 - 8, 0);
	for (int i = 0; i < swaps; i++) {
		struct exo_msg m = { EXO_TAG(2, 0, 0), 0, { 0 } };
		uint64_t t0 = rdtsc(), d;

		exo_module_replace(&slot, &v[(i + 1) % 2], err, sizeof(err));
		exo_call(client_ep, &m); // the first request the new version serves
		d = rdtsc() - t0;
		total += d;
		worst = d > worst ? d : worst;
	}
	client_stop = 1;
	exo_thread_destroy(t);
	print("BENCH swap_latency %lu\n", (unsigned long)(total / swaps));
	print("BENCH swap_client_max_wait %lu\n", (unsigned long)client_max);
}

static int map_page(uint64_t process, uint64_t frame, uint64_t va)
{
	struct exo_map_op op = { frame, va, EXO_R_READ | EXO_R_WRITE };

	return exo_vspace_map(process, &op, 1) == 1 ? 0 : -1;
}

static int setup_ipc(void)
{
	uint64_t frames[4];

	ep = (uint64_t)exo_endpoint_create();
	if (exo_frame_alloc(bi->quota, 4, frames) != 4 || map_page(bi->self, frames[0], (uint64_t)SHARED) ||
	    map_page(bi->self, frames[1], TSTACK) || map_page(bi->self, frames[2], OWN_BUF))
		return -1;
	exo_ipc_set_buffer((void *)OWN_BUF);
	if (exo_spawn(bi->self, bi->quota, &bi->modules[0], "server", 1, 1, &server, &server_thread) ||
	    map_page(server, frames[0], (uint64_t)SHARED) || map_page(server, frames[3], SERVER_BUF))
		return -1;
	SHARED[0] = (uint64_t)exo_cap_copy(ep, server, EXO_R_READ);
	exo_thread_set_prio(server_thread, 20); // waits in recv from now on
	ntfn[0] = (uint64_t)exo_notify_create();
	ntfn[1] = (uint64_t)exo_notify_create();
	pong_thread = (uint64_t)exo_thread_create(bi->self, 20);
	return (int)exo_thread_start(pong_thread, (uint64_t)pong, TSTACK + 0x1000 - 8, 0);
}
#else
// The nearest Linux counterpart of a call and its reply: a byte over a pipe to a child process
// and a byte back (lmbench's lat_pipe).
static int to_child[2], to_parent[2];

static void pipe_pingpong(void)
{
	char c = 0;

	if (write(to_child[1], &c, 1) != 1 || read(to_parent[0], &c, 1) != 1)
		_exit(1);
}

static void start_pipe_server(void)
{
	char c;

	if (pipe(to_child) || pipe(to_parent))
		_exit(1);
	if (fork() == 0)
		while (read(to_child[0], &c, 1) == 1 && write(to_parent[1], &c, 1) == 1)
			;
}

static void null_call(void)
{
	syscall(SYS_getppid);
}

static void fault_handler(int sig, siginfo_t *si, void *ctx)
{
	(void)sig;
	(void)si;
	((ucontext_t *)ctx)->uc_mcontext.gregs[REG_RIP] += 2; // skip the store
}

static int setup(uint64_t arg)
{
	struct sigaction sa = { 0 };

	(void)arg;
	ro_page = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE | MAP_ANONYMOUS | MAP_POPULATE, -1, 0);
	sa.sa_sigaction = fault_handler;
	sa.sa_flags = SA_SIGINFO | SA_NODEFER;
	start_pipe_server();
	return ro_page == MAP_FAILED ? -1 : sigaction(SIGSEGV, &sa, NULL);
}
#endif

static int run(uint64_t arg)
{
	uint64_t loop;

#ifdef __exo__
	if (arg == 1)
		return serve();
#endif
	if (setup(arg)) {
		print("BENCH setup failed\n");
		return 1;
	}
	measure(null_call, 100); // warm up
	loop = measure(empty, ITERATIONS);
	print("BENCH null_call %lu\n", (unsigned long)(measure(null_call, ITERATIONS) - loop));
	measure(fault_once, 10);
	print("BENCH fault_roundtrip %lu\n", (unsigned long)(measure(fault_once, FAULT_ITERATIONS) - loop));
#ifdef __exo__
	if (setup_ipc()) {
		print("BENCH ipc setup failed\n");
		return 1;
	}
	measure(ipc_short, 10);
	print("BENCH ipc_call_fast %lu\n", (unsigned long)(measure(ipc_short, ITERATIONS) - loop));
	print("BENCH ipc_call_long %lu\n", (unsigned long)(measure(ipc_long, ITERATIONS) - loop));
	measure(notify_pingpong, 10);
	print("BENCH notify_pingpong %lu\n", (unsigned long)(measure(notify_pingpong, ITERATIONS) - loop));
	if (exo_mq_create(&ring, bi->self, bi->quota, 0xe00000000ull, 64, 64, EXO_MQ_SPSC) == 0)
		print("BENCH queue_send_recv %lu\n",
		      (unsigned long)(measure(queue_send_recv, ITERATIONS) - loop));
	exo_process_kill(server, 0);
	exo_thread_destroy(pong_thread);
	bench_swap();
#else
	print("BENCH ipc_call_fast %lu\n", (unsigned long)(measure(pipe_pingpong, ITERATIONS) - loop));
#endif
	print("BENCH done\n");
	return 0;
}

#ifdef __exo__
int main(uint64_t arg)
{
	return run(arg);
}
#else
int main(void)
{
	return run(0);
}
#endif
