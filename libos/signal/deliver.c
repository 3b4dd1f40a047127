// SPDX-License-Identifier: MIT
// Running handlers. A thread takes its deliverable signals when it leaves libos (the system call
// entry calls libos_signal_deliver: the handler is called from there, on the thread's stack or
// its alternate one) and when it faults (the fault handler rewrites the registers it resumes
// with, Linux's way: a frame with the return address, the ucontext and the siginfo goes on the
// stack and the thread resumes in the handler; the handler's return reaches musl's __restore_rt
// and then __libos_rt_sigreturn, which restores the mask and every register from the frame).
#include "internal.h"

#define RED_ZONE       128
#define SA_RESTORER    0x04000000
#define RFLAGS_DF_TF   0x500ull
#define FXSAVE_SIZE    512
#define FXSAVE_ALIGNED (FXSAVE_SIZE + 16)

typedef void (*handler_fn)(int, struct linux_siginfo *, struct linux_ucontext *);

// Linux's rt_sigframe: the handler's return address at its rsp, then the ucontext.
struct frame {
	uint64_t restorer;
	struct linux_ucontext uc;
	struct linux_siginfo info;
	uint8_t fxsave[FXSAVE_ALIGNED];
};

// Calls fn(sig, info, uc) on the stack whose top is sp (sigreturn.S).
void libos_signal_call_on(uint64_t sp, handler_fn fn, long sig, struct linux_siginfo *info,
                          struct linux_ucontext *uc);

static int on_stack(const struct linux_stack *ss, uint64_t sp)
{
	return ss->ss_size && sp - ss->ss_sp < ss->ss_size;
}

// Under the lock: blocks what the handler's action asks while it runs, applies SA_RESETHAND,
// and returns the mask to restore afterwards.
static uint64_t enter_handler(int slot, int sig, const struct linux_sigaction *act)
{
	struct libos_sig_restore *r = &libos_sig_restore[slot];
	uint64_t old = r->active ? r->mask : libos_sig_blocked[slot];

	r->active = 0;
	libos_sig_blocked[slot] |= act->mask | (act->flags & SA_NODEFER ? 0 : BIT(sig));
	libos_sig_blocked[slot] &= ~UNBLOCKABLE;
	if (act->flags & SA_RESETHAND) {
		libos_sig_actions[sig - 1].handler = SIG_DFL;
		libos_sig_actions[sig - 1].flags &= ~(uint64_t)SA_SIGINFO;
	}
	return old;
}

static void set_mask(int slot, uint64_t mask)
{
	libos_lock(&libos_sig_lock);
	libos_sig_blocked[slot] = mask & ~UNBLOCKABLE;
	libos_unlock(&libos_sig_lock);
}

// The handler runs from here, on the alternate stack if its action asks and the thread is not
// already on it. uc describes the signal's mask and stack; its registers stay zero. Returns the
// mask to go back to: uc's, which the handler may have changed (musl's cancellation handler does).
static uint64_t run(const struct linux_sigaction *act, int sig, struct linux_siginfo *info, uint64_t old)
{
	struct linux_stack alt = libos_thread_altstack();
	uint64_t sp = (uint64_t)__builtin_frame_address(0);
	struct linux_ucontext uc = { .uc_stack = alt };

	uc.uc_sigmask[0] = old;
	if ((act->flags & SA_ONSTACK) && alt.ss_size && !on_stack(&alt, sp))
		libos_signal_call_on((alt.ss_sp + alt.ss_size) & ~15ull, (handler_fn)act->handler, sig, info,
		                     &uc);
	else
		((handler_fn)act->handler)(sig, info, &uc);
	return uc.uc_sigmask[0];
}

int libos_signal_deliver(void)
{
	int slot = libos_thread_slot(), restart = 1, sig;
	struct libos_sig_restore *r = &libos_sig_restore[slot];
	struct linux_sigaction act;
	struct linux_siginfo info;
	uint64_t old;

	for (;;) {
		libos_lock(&libos_sig_lock);
		sig = libos_sig_next(slot, ~libos_sig_blocked[slot]);
		if (!sig)
			break;
		libos_sig_take(slot, sig, &info);
		act = libos_sig_actions[sig - 1];
		if (act.handler == SIG_DFL && libos_sig_default(sig) == SIG_DEFAULT_TERM) {
			libos_unlock(&libos_sig_lock);
			libos_sig_terminate(sig);
		}
		if (act.handler == SIG_DFL && libos_sig_default(sig) == SIG_DEFAULT_STOP) {
			libos_unlock(&libos_sig_lock);
			libos_sig_stop(sig);
			continue;
		}
		if (act.handler == SIG_DFL || act.handler == SIG_IGN) {
			libos_unlock(&libos_sig_lock);
			continue;
		}
		old = enter_handler(slot, sig, &act);
		libos_unlock(&libos_sig_lock);
		restart &= !!(act.flags & SA_RESTART);
		set_mask(slot, run(&act, sig, &info, old));
	}
	if (r->active) { // an interrupted sigsuspend whose signal ran no handler
		libos_sig_blocked[slot] = r->mask;
		r->active = 0;
	}
	libos_unlock(&libos_sig_lock);
	return restart;
}

static int fill(libos_fill_fn fill_page, uint64_t from, uint64_t to)
{
	for (uint64_t p = from & ~(EXO_PAGE_SIZE - 1); p < to; p += EXO_PAGE_SIZE)
		if (fill_page(p, 2)) // as a write would
			return -EFAULT;
	return 0;
}

static void frame_regs(struct linux_ucontext *uc, const struct exo_fault *f)
{
	const struct exo_regs *r = &f->regs;
	uint64_t *g = uc->gregs;

	g[REG_R8] = r->r8, g[REG_R9] = r->r9, g[REG_R10] = r->r10, g[REG_R11] = r->r11;
	g[REG_R12] = r->r12, g[REG_R13] = r->r13, g[REG_R14] = r->r14, g[REG_R15] = r->r15;
	g[REG_RDI] = r->rdi, g[REG_RSI] = r->rsi, g[REG_RBP] = r->rbp, g[REG_RBX] = r->rbx;
	g[REG_RDX] = r->rdx, g[REG_RAX] = r->rax, g[REG_RCX] = r->rcx, g[REG_RSP] = r->rsp;
	g[REG_RIP] = r->rip, g[REG_EFL] = r->rflags, g[REG_ERR] = f->error;
	g[REG_TRAPNO] = f->vector, g[REG_CR2] = f->addr;
}

void libos_signal_fault(struct exo_fault *f, int sig, int code, libos_fill_fn fill_page)
{
	int slot = libos_thread_slot();
	struct linux_stack alt = libos_thread_altstack();
	struct linux_sigaction act;
	struct frame *fr;
	uint64_t top, old;

	libos_lock(&libos_sig_lock);
	act = libos_sig_actions[sig - 1];
	if (act.handler == SIG_DFL || act.handler == SIG_IGN || (libos_sig_blocked[slot] & BIT(sig))) {
		libos_unlock(&libos_sig_lock); // Linux, too, kills for a blocked or ignored fault
		return;
	}
	top = (act.flags & SA_ONSTACK) && alt.ss_size && !on_stack(&alt, f->regs.rsp)
	          ? alt.ss_sp + alt.ss_size
	          : f->regs.rsp - RED_ZONE;
	fr = (struct frame *)(((top - sizeof(*fr)) & ~15ull) - 8); // rsp as just after a call
	if (fill_page && fill(fill_page, (uint64_t)fr, top)) {
		libos_unlock(&libos_sig_lock);
		return;
	}
	old = enter_handler(slot, sig, &act);
	libos_unlock(&libos_sig_lock);
	*fr = (struct frame){ .uc.uc_stack = alt };
	fr->uc.uc_sigmask[0] = old;
	fr->uc.fpregs = (void *)(((uint64_t)fr->fxsave + 15) & ~15ull);
	__asm__ volatile("fxsave64 (%0)" : : "r"(fr->uc.fpregs) : "memory");
	frame_regs(&fr->uc, f);
	fr->info = (struct linux_siginfo){ .si_signo = sig, .si_code = code, .addr = f->addr };
	fr->restorer = act.flags & SA_RESTORER ? (uint64_t)act.restorer : (uint64_t)__libos_rt_sigreturn;
	f->regs.rsp = (uint64_t)fr;
	f->regs.rip = (uint64_t)act.handler;
	f->regs.rdi = (uint64_t)sig;
	f->regs.rsi = (uint64_t)&fr->info;
	f->regs.rdx = (uint64_t)&fr->uc;
	f->regs.rax = 0;
	f->regs.rflags &= ~RFLAGS_DF_TF;
	exo_upcall_return(f);
}

// The mask comes back from the frame, and
// signals it unblocks run now; the registers are restored next.
struct linux_ucontext *libos_signal_return(struct linux_ucontext *uc)
{
	set_mask(libos_thread_slot(), uc->uc_sigmask[0]);
	if (libos_signals_pending)
		libos_signal_deliver();
	return uc;
}
