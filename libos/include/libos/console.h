// SPDX-License-Identifier: MIT
// The console component (libos-console.a): fds 0, 1 and 2.
#pragma once

#include <libos/libos.h>

long libos_read(long fd, void *buf, uint64_t len);
long libos_write(long fd, const void *buf, uint64_t len);
long libos_readv(long fd, const struct linux_iovec *iov, long n);
long libos_writev(long fd, const struct linux_iovec *iov, long n);
long libos_ioctl(long fd, unsigned long req, void *arg);
