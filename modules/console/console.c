// SPDX-License-Identifier: MIT
// The console service (console.so): a 16550 driver for COM2 (stdin, and stdout and stderr in
// records) in a process of its own, holding only COM2's port range and IRQ, which its starter
// sends with CONSOLE_SETUP. Protocol: console.idl (the generated dispatch checks every request
// before a handler below sees it); framing: exo/console.h.
//
// COM2 receives through its FIFO (trigger level 14). Switching the FIFO on drops the byte the
// UART holds: only the first one the host sent, a CONSOLE_SYNC, can be there then (a UART without
// FIFO takes one byte and waits until it is read). A read waits on COM2's receive interrupt - for
// a first byte up to CONSOLE_WAIT_NS, then for more until the input pauses for GATHER_NS - and
// never spins on the UART, which would keep the emulator from delivering bytes.
#include <exo/console.h>
#include <exo/io.h>
#include <exo/module.h>
#include <proto/console_server.h>
#include <stdbool.h>

EXO_MODULE_NOTE("console", 1, 0, "console");

enum { RBR = 0, THR = 0, IER = 1, FCR = 2, LCR = 3, MCR = 4, LSR = 5 }; // register offsets
#define LSR_DR    0x01                                                  // a byte was received
#define LSR_THRE  0x20                                                  // room to transmit
#define BIT_IRQ   0                                                     // notification bits
#define BIT_TIMER 1
#define GATHER_NS 1000000ull // a read ends when the input pauses this long
#define FULL_NS   100000ull  // the host is not taking output: look again after this

static union {
	struct exo_ipc_buffer b;
	uint8_t page[4096];
} ipc __attribute__((aligned(4096)));
static uint64_t ntfn, irq;
static bool ready;    // SETUP done
static bool escaped;  // the last byte received was CONSOLE_ESC
static bool finished; // the end of the input was received

// 115200 baud, 8N1, the FIFO and the receive interrupt.
static void uart_init(void)
{
	exo_outb(CONSOLE_COM2 + IER, 0x00);
	exo_outb(CONSOLE_COM2 + LCR, 0x80); // divisor latch: 1
	exo_outb(CONSOLE_COM2 + 0, 0x01);
	exo_outb(CONSOLE_COM2 + 1, 0x00);
	exo_outb(CONSOLE_COM2 + LCR, 0x03);
	exo_outb(CONSOLE_COM2 + FCR, 0xc1);
	exo_outb(CONSOLE_COM2 + MCR, 0x0b); // DTR, RTS, OUT2 (lets the interrupt out)
	exo_outb(CONSOLE_COM2 + IER, 0x01);
}

static void uart_put(const uint8_t *p, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		while (!(exo_inb(CONSOLE_COM2 + LSR) & LSR_THRE))
			exo_thread_sleep((uint64_t)exo_clock_ns() + FULL_NS);
		exo_outb(CONSOLE_COM2 + THR, p[i]);
	}
}

// Decodes one received byte: the data byte it stands for, or -1 if it was framing.
static int decode(uint8_t c)
{
	if (escaped) {
		escaped = false;
		if (c == CONSOLE_ESC_EOF)
			finished = true;
		return c == CONSOLE_ESC || c == CONSOLE_SYNC ? c : -1;
	}
	escaped = c == CONSOLE_ESC;
	return c == CONSOLE_ESC || c == CONSOLE_SYNC ? -1 : c;
}

// Takes what COM2 has received, up to max data bytes.
static uint64_t uart_take(uint8_t *out, uint64_t max)
{
	uint64_t n = 0;

	while (n < max && !finished && (exo_inb(CONSOLE_COM2 + LSR) & LSR_DR)) {
		int c = decode(exo_inb(CONSOLE_COM2 + RBR));

		if (c >= 0)
			out[n++] = (uint8_t)c;
	}
	return n;
}

// Waits for COM2's interrupt until deadline.
static void wait_input(uint64_t deadline)
{
	exo_notify_timer(ntfn, BIT_TIMER, deadline, 0);
	exo_notify_wait(ntfn);
	exo_notify_timer(ntfn, BIT_TIMER, 0, 0);
	exo_irq_ack(irq);
}

// SETUP keeps both capabilities (the ports were moved to us, the IRQ copied).
long console_on_setup(struct console_setup_in_caps *caps)
{
	long r;

	if (ready)
		return -EXO_EBUSY;
	irq = caps->irq.handle;
	r = exo_ioport_enable(caps->com2.handle, CONSOLE_COM2, 8);
	if (!r)
		r = exo_irq_bind(irq, ntfn, BIT_IRQ);
	if (!r)
		r = exo_irq_ack(irq);
	caps->com2.handle = caps->irq.handle = 0;
	if (r)
		return r;
	uart_init();
	ready = true;
	return 0;
}

// One output record: the stream byte, n (16 bits, little-endian), the n bytes. The definition
// allows the bits of stdout, stderr and CONSOLE_MORE; one stream it must be.
long console_on_write(const struct console_write_in *in, struct console_write_out *out)
{
	uint64_t stream = in->stream & ~CONSOLE_MORE;
	uint8_t head[3] = { (uint8_t)in->stream, (uint8_t)in->n, (uint8_t)(in->n >> 8) };

	if (!ready)
		return -EXO_EBUSY;
	if (stream != CONSOLE_STDOUT && stream != CONSOLE_STDERR)
		return -EXO_EINVAL;
	uart_put(head, sizeof(head));
	uart_put(in->data, in->n);
	out->n = in->n;
	return 0;
}

long console_on_read(const struct console_read_in *in, struct console_read_out *out)
{
	uint64_t max = in->max, deadline = (uint64_t)exo_clock_ns() + CONSOLE_WAIT_NS, n;

	if (!ready)
		return -EXO_EBUSY;
	n = uart_take(out->data, max);
	// Without NOWAIT: wait for a first byte until the deadline, then for more until a pause.
	while (!(in->flags & CONSOLE_NOWAIT) && n < max && !finished) {
		uint64_t now = (uint64_t)exo_clock_ns(), got;

		if (!n && now >= deadline)
			break;
		wait_input(n ? now + GATHER_NS : deadline);
		got = uart_take(out->data + n, max - n);
		if (n && !got)
			break;
		n += got;
	}
	if (!n && !finished)
		return -EXO_EAGAIN;
	out->n = n;
	return 0;
}

int exo_module_init(const struct exo_module_env *env)
{
	long r;

	(void)env;
	ipc.page[0] = 0;
	r = exo_ipc_set_buffer(&ipc);
	if (!r)
		r = exo_notify_create();
	if (r < 0) {
		exo_printf("console: cannot start (error %ld)\n", r);
		return 1;
	}
	ntfn = (uint64_t)r;
	return 0;
}

int exo_module_serve(const struct exo_module_env *env)
{
	struct exo_msg m;
	long r = exo_module_recv(env, &m);

	while (r == 0) {
		console_dispatch(&m, &ipc.b);
		r = exo_module_reply_recv(env, &m);
	}
	return r == -EXO_EDEAD ? 0 : (int)-r; // the program ended
}
