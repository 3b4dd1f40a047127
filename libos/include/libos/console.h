// SPDX-License-Identifier: MIT
// The console component (libos-console.a): the program's stdin, stdout and stderr as files
// (libos/include/libos/file.h), installed as fds 0, 1 and 2 by libos_console_init.
#pragma once

#include <exo/console.h>
#include <libos/file.h>
#include <stdbool.h>

// Inside the component. tty.c: which streams are terminals (exorun's "tty=" word) and the
// terminal ioctls on them.
void libos_tty_init(void);
long libos_tty_ioctl(struct libos_file *f, unsigned long req, void *arg);

// client.c: the console service's client (exo/console.h), on the endpoint of the boot
// information. The calls carry at most CONSOLE_MAX_DATA bytes and return the count or -errno
// (-EIO if the service failed); a read without wait gives -EAGAIN when no byte is there yet, and
// with wait may give -EAGAIN after CONSOLE_WAIT_NS (ask again).
bool libos_console_service(void);                                             // is there one?
long libos_console_service_write(long stream, const void *buf, uint64_t len); // stream: 1, 2 | MORE
long libos_console_service_read(long fd, void *buf, uint64_t len, bool wait);
// In a fork's child: the client's lock is free (a thread of the parent may have held it).
void libos_console_fork_child(void);
