// SPDX-License-Identifier: MIT
// The console service's protocol (server: modules/console/console.c, built as console.so;
// client: libos's console component, libos/console/). The service is a 16550 serial driver in a
// process of its own: a program's stdin, stdout and stderr travel on COM2 (COM1 stays the
// kernel's log), the output in records that keep the streams apart and in order.
// toolchain/bin/exorun connects COM2 to its own stdin, stdout and stderr. The program that starts
// the service owns its endpoint and is its only client.
//
// Messages. Data bytes are packed little-endian from word 2 (words 2 and 3 travel in registers,
// words 4.. in the IPC buffers: console_pack/console_unpack move words 2 and 3 between a
// struct exo_msg and the buffer, so the bytes lie in one piece at buffer word 2), at most
// CONSOLE_MAX_DATA per message. Requests (label = operation):
//   CONSOLE_SETUP  no words, 2 capabilities: [0] IOPORT of COM2 (CONSOLE_COM2, 8 ports),
//                  [1] IRQ of COM2 (ISA IRQ 3). Sent once, first; the service enables the ports
//                  and binds the IRQ.
//   CONSOLE_WRITE  w0 = stream (1 stdout, 2 stderr), plus CONSOLE_MORE when the next WRITE goes
//                  on with the same write(); w1 = n, the n bytes from word 2. Reply: w0 = n, once
//                  every byte is in the UART, as one output record.
//   CONSOLE_READ   w0 = fd (0), w1 = max, w2 = flags (CONSOLE_NOWAIT). Reply: w0 = n, the n
//                  bytes from word 2 (1..max), or n = 0 at the end of the input (then always).
//                  Without NOWAIT the service waits up to CONSOLE_WAIT_NS for a first byte, so
//                  that writes are never held up long by a reader; the client asks again.
// Reply label: 0 on success, else a positive EXO_E* code:
//   EXO_EAGAIN  (READ) no byte arrived in time; ask again
//   EXO_EINVAL  a bad fd, n or max above CONSOLE_MAX_DATA, fewer words than the bytes need
//   EXO_EBUSY   WRITE or READ before SETUP, or a second SETUP
//   EXO_ENOSYS  unknown operation
//   other       SETUP: the error of exo_ioport_enable or exo_irq_bind
//
// Input framing on COM2 (what the host side sends, see exorun --help): the stream starts with one
// CONSOLE_SYNC byte; then bytes are data, except CONSOLE_ESC, which starts a pair - ESC ESC is a
// data byte ESC, ESC SYNC a data byte SYNC, ESC CONSOLE_ESC_EOF the end of the input; other pairs
// and a SYNC outside a pair are dropped. The leading SYNC may be lost: switching the UART's FIFO
// on drops the byte it holds, and the host may have sent the first one before the service
// started.
//
// Output records on COM2 (what the host side takes apart): a byte with the WRITE's w0 (stream,
// CONSOLE_MORE), n as 16 bits little-endian, the n bytes. exorun writes a write()'s records to
// its stdout or stderr at once, when the last one (without CONSOLE_MORE) has arrived.
#pragma once

#include <exo/ipc.h>
#include <stdint.h>

enum { CONSOLE_SETUP = 1, CONSOLE_WRITE = 2, CONSOLE_READ = 3 };

#define CONSOLE_COM2      0x2f8
#define CONSOLE_COM2_IRQ  3 // ISA IRQ (= GSI on a PC without an override for it)
#define CONSOLE_NOWAIT    1ull
#define CONSOLE_MORE      0x80        // in a WRITE's w0
#define CONSOLE_WAIT_NS   20000000ull // 20 ms
#define CONSOLE_ESC       0xff
#define CONSOLE_SYNC      0xfe
#define CONSOLE_ESC_EOF   0x00
#define CONSOLE_MAX_DATA  ((EXO_MSG_MAX_WORDS - 2) * 8) // 496 bytes
#define CONSOLE_WORDS(n)  (2 + ((n) + 7) / 8)           // message words for n data bytes
#define CONSOLE_DATA(buf) ((uint8_t *)&(buf)->w[2])     // the bytes, once unpacked

// Before sending: words 2 and 3 of the data, written at CONSOLE_DATA(buf), into m's registers.
static inline void console_pack(struct exo_msg *m, const struct exo_ipc_buffer *buf)
{
	m->w[2] = buf->w[2];
	m->w[3] = buf->w[3];
}

// After receiving: words 2 and 3 from m's registers into buf, so CONSOLE_DATA(buf) is whole.
static inline void console_unpack(struct exo_ipc_buffer *buf, const struct exo_msg *m)
{
	buf->w[2] = m->w[2];
	buf->w[3] = m->w[3];
}
