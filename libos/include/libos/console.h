// SPDX-License-Identifier: MIT
// The console component (libos-console.a): fds 0, 1 and 2.
#pragma once

#include <exo/console.h>
#include <libos/libos.h>
#include <stdbool.h>

long libos_read(long fd, void *buf, uint64_t len);
long libos_write(long fd, const void *buf, uint64_t len);
long libos_readv(long fd, const struct linux_iovec *iov, long n);
long libos_writev(long fd, const struct linux_iovec *iov, long n);
long libos_ioctl(long fd, unsigned long req, void *arg);

// Inside the component. tty.c: which fds are terminals (exorun's "tty=" word).
void libos_tty_init(void);

// service.c: the console service (exo/console.h), started if the boot modules include
// console.so and libexo.so. The calls carry at most CONSOLE_MAX_DATA bytes and return the count
// or -errno (-EIO if the service failed); a read without wait gives -EAGAIN when no byte is there
// yet, and with wait may give -EAGAIN after CONSOLE_WAIT_NS (ask again).
void libos_console_service_start(void);
bool libos_console_service(void); // is it running?
long libos_console_service_write(long fd, const void *buf, uint64_t len);
long libos_console_service_read(long fd, void *buf, uint64_t len, bool wait);
