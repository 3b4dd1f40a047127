// SPDX-License-Identifier: MIT
// Numbers that assembly and C share, in one place: the GDT's segment selectors, the layout of
// struct trap_frame (arch/trap.h) and the fields of struct percpu (arch/percpu.h) entry.S
// reaches. The structs pin their layout to these offsets with _Static_assert.
#pragma once

// Segment selectors (gdt.c builds the table; boot.S's own has the same two kernel entries).
// SYSCALL and SYSRET derive theirs from STAR: kernel code, then kernel data = code + 8; user data
// = STAR's user base + 8 and user code = base + 16, both at RPL 3 (percpu.c).
#define SEL_KCODE 0x08
#define SEL_KDATA 0x10
#define SEL_UDATA (0x18 | 3)
#define SEL_UCODE (0x20 | 3)
#define SEL_TSS   0x28

// struct trap_frame, in bytes: the general registers entry.S pushes (r15 first, at the lowest
// address), then the vector and error code, then what the CPU pushes.
#define TF_RBP    (8 * 8)
#define TF_RAX    (14 * 8)
#define TF_VECTOR (15 * 8)
#define TF_RIP    (17 * 8)
#define TF_CS     (18 * 8)
#define TF_RFLAGS (19 * 8)
#define TF_RSP    (20 * 8)
#define TF_SS     (21 * 8)
#define TF_SIZE   (22 * 8)

// Not a CPU vector: the vector of a trap frame built by syscall_entry.
#define VEC_SYSCALL 256

// struct percpu, in bytes.
#define PERCPU_KSTACK  8  // kstack_top: syscall_entry switches to it
#define PERCPU_URSP    16 // user_rsp: syscall_entry's scratch
#define PERCPU_RESCHED 40 // need_resched, then frame_replaced: one 16-bit test on the way out
#define PERCPU_CPU_ID  44 // cpu_id: the kernel lock's owner

// struct big_lock (kern/bkl.h), in bytes: entry.S takes and drops the lock inline.
#define BKL_NEXT     0
#define BKL_SERVING  4
#define BKL_OWNER    8
#define BKL_NO_OWNER 0xffffffff

// struct trap_frame offsets of the callee-saved registers a switch in frame mode reloads.
#define TF_R15   (0 * 8)
#define TF_R14   (1 * 8)
#define TF_R13   (2 * 8)
#define TF_R12   (3 * 8)
#define TF_RBX   (13 * 8)
// ... and the rest, for usercopy_fault_raw (usercopy.S), which writes a fault record from a frame.
#define TF_R11   (4 * 8)
#define TF_RCX   (12 * 8)
#define TF_ERROR (16 * 8)

// The lowest user address (arch/usercopy.h) and the rflags bits user code may set through an
// upcall return: CF PF AF ZF SF TF DF OF; IF and bit 1 always on.
#define USER_BASE    0x1000
#define RFLAGS_USER  0x0dd5
#define RFLAGS_FIXED 0x0202

// struct trap_frame offsets of the argument registers syscall_entry reloads after a wait and
// restores on its way out (IPC delivers messages in them).
#define TF_R8  (7 * 8)
#define TF_R9  (6 * 8)
#define TF_R10 (5 * 8)
#define TF_RDI (9 * 8)
#define TF_RSI (10 * 8)
#define TF_RDX (11 * 8)
