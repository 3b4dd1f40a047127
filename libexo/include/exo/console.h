// SPDX-License-Identifier: MIT
// The console service's protocol (server: modules/console/console.c, built as console.so;
// client: libos's console component, libos/console/). The service is a 16550 serial driver in a
// process of its own: a program's stdin, stdout and stderr travel on COM2 (COM1 stays the
// kernel's log), the output in records that keep the streams apart and in order.
// toolchain/bin/exorun connects COM2 to its own stdin, stdout and stderr. Its launcher
// (apps/launch) starts the service and owns its endpoint; the program it starts is the only
// client, with a send-only copy.
//
// Messages: modules/console/console.idl defines them (SETUP with the devices, WRITE, READ), from
// which <proto/console.h> and docs/protocols/console.md are generated.
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
#include <proto/console.h>
#include <stdint.h>

#define CONSOLE_COM2     0x2f8
#define CONSOLE_COM2_IRQ 3           // ISA IRQ (= GSI on a PC without an override for it)
#define CONSOLE_WAIT_NS  20000000ull // 20 ms
#define CONSOLE_ESC      0xff
#define CONSOLE_SYNC     0xfe
#define CONSOLE_ESC_EOF  0x00
_Static_assert(CONSOLE_MAX_DATA == sizeof(((struct console_write_in *)0)->data) &&
                   CONSOLE_MAX_DATA == sizeof(((struct console_read_out *)0)->data),
               "console.idl: MAX_DATA is the size of the data fields");
