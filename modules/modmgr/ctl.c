// SPDX-License-Identifier: MIT
// exoctl's channel into the module manager: a 16550 UART at COM2 (QEMU's second serial port,
// which `make run` and the tests connect to a socket on the host). The host sends a command line,
//   load NAME SIZE\n            or   replace ID NAME SIZE\n
// followed by SIZE bytes of the module file; the manager keeps the file in pages of its own
// (restarts need it), loads or swaps it, and answers one line: "ok ID" or "error CODE MESSAGE",
// MESSAGE ending with the reason the manager refused the module for, e.g.
// "error 1 not loaded: bad.so: bad ELF header (e_machine=3): modules are x86-64 (62) code".
// An empty line is answered "ready": exoctl knocks until then, because bytes sent before the
// manager set the UART up are lost. The UART is polled between requests, without waiting while
// a file is arriving.
#include <common/printf.h>
#include <exo/io.h>
#include <stdarg.h>

#include "modmgr.h"

#define COM2      0x2f8
#define RECV      0x500000000ull // received files, one MAX_FILE region each
#define MAX_FILE  (1ull << 20)
#define MAX_FILES 8

static bool enabled, receiving;
static char line[128];
static unsigned linelen;
static struct {
	int replace;
	uint64_t id, size, got;
	char name[32];
} cmd;
static unsigned nfiles;

void ctl_init(void)
{
	if (!cfg.control || exo_ioport_enable(cfg.control, COM2, 8))
		return;
	exo_outb(COM2 + 1, 0x00); // no interrupts: polled
	exo_outb(COM2 + 3, 0x80); // divisor 1: 115200 baud
	exo_outb(COM2 + 0, 0x01);
	exo_outb(COM2 + 1, 0x00);
	exo_outb(COM2 + 3, 0x03); // 8N1
	exo_outb(COM2 + 2, 0xc7); // FIFO
	exo_outb(COM2 + 4, 0x03);
	enabled = true;
}

bool ctl_busy(void)
{
	return receiving;
}

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void say(const char *fmt, ...)
{
	char buf[EXO_PROTO_REASON_SIZE + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = kvsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	for (int i = 0; i < n && i < (int)sizeof(buf) - 1; i++) {
		while (!(exo_inb(COM2 + 5) & 0x20))
			;
		exo_outb(COM2, (uint8_t)buf[i]);
	}
}

static uint64_t region(void)
{
	return RECV + nfiles * MAX_FILE;
}

// Unmaps a file region (its frames go back: the mappings held them).
static void drop_region(uint64_t base, uint64_t size)
{
	for (uint64_t va = base; va < base + size; va += EXO_PAGE_SIZE)
		exo_vspace_unmap(cfg.self, &va, 1);
}

static int parse(void)
{
	char *p = line, *words[4];
	int n = 0;

	line[linelen] = 0;
	while (*p && n < 4) {
		words[n++] = p;
		while (*p && *p != ' ')
			p++;
		if (*p)
			*p++ = 0;
	}
	cmd.replace = n == 4 && !strcmp(words[0], "replace");
	if (!(n == 3 && !strcmp(words[0], "load")) && !cmd.replace)
		return -1;
	cmd.id = 0;
	for (const char *d = words[1]; cmd.replace && *d; d++)
		cmd.id = cmd.id * 10 + (uint64_t)(*d - '0');
	cmd.size = 0;
	for (const char *d = words[n - 1]; *d; d++)
		cmd.size = cmd.size * 10 + (uint64_t)(*d - '0');
	if (strlen(words[n - 2]) >= sizeof(cmd.name) || cmd.size == 0 || cmd.size > MAX_FILE)
		return -1;
	memcpy(cmd.name, words[n - 2], strlen(words[n - 2]) + 1);
	cmd.got = 0;
	return 0;
}

static void run(void)
{
	const struct exo_image *img = modmgr_keep_image((const void *)region(), cmd.size, cmd.name);
	char why[EXO_PROTO_REASON_SIZE] = "";
	uint64_t id = cmd.id;
	long r = img ? 0 : -EXO_ENOSPC;

	if (!r)
		r = cmd.replace ? modmgr_replace_image(id, img, why) : modmgr_load_image(img, &id, why);
	if (r) {
		say("error %ld %s%s%s\n", -r, cmd.replace ? "not replaced" : "not loaded", why[0] ? ": " : "",
		    why);
		drop_region(region(), cmd.size); // the region is used again
		return;
	}
	nfiles++;
	say("ok %lu\n", (unsigned long)id);
}

// One byte of the file: into the region, mapping a fresh page when it starts one.
static int store(uint8_t c)
{
	uint64_t va = region() + cmd.got;

	if (!(va & (EXO_PAGE_SIZE - 1))) {
		struct exo_map_op op = { 0, va,
			                 EXO_R_READ | EXO_R_WRITE | EXO_MAP_MOVE }; // the mapping takes it

		if (exo_frame_alloc(cfg.quota, 1, &op.frame) != 1)
			return -1;
		if (exo_vspace_map(cfg.self, &op, 1) != 1) {
			exo_cap_delete(op.frame);
			return -1;
		}
	}
	*(uint8_t *)va = c;
	return 0;
}

void ctl_poll(void)
{
	while (enabled && (exo_inb(COM2 + 5) & 1)) {
		uint8_t c = exo_inb(COM2);

		if (receiving) {
			if (store(c)) {
				say("error %d out of memory\n", EXO_ENOMEM);
				drop_region(region(), cmd.got);
				receiving = false; // the rest of the file is read as (bad) commands
				continue;
			}
			if (++cmd.got == cmd.size) {
				receiving = false;
				run();
			}
		} else if (c == '\n' && linelen == 0) { // exoctl's knock: are you there?
			say("ready\n");
		} else if (c == '\n') {
			if (nfiles == MAX_FILES || parse())
				say("error %d usage: load NAME SIZE | replace ID NAME SIZE\n", EXO_EINVAL);
			else
				receiving = true;
			linelen = 0;
		} else if (linelen < sizeof(line) - 1) {
			line[linelen++] = (char)c;
		}
	}
}
