// SPDX-License-Identifier: MIT
// Linked into the Linux builds of the benchmarks, which run as the /init of an initramfs: before
// main it mounts devtmpfs, sends stdout and stderr to the serial port and seeds the random pool
// the way a booted system does (systemd-random-seed credits its saved seed with RNDADDENTROPY),
// so that no figure pays for an unready pool; when main returns it ends QEMU through
// isa-debug-exit (QEMU exits with status 33), as exo does. Only in pid 1: a copy the benchmark
// execs is left alone.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/io.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/random.h>
#include <sys/reboot.h>
#include <sys/stat.h>
#include <unistd.h>

#define RNDADDENTROPY _IOW('R', 0x03, int[2]) // <linux/random.h>, which musl-gcc cannot see

static void power_off(void)
{
	if (ioperm(0xf4, 1, 1) == 0)
		outb(0x10, 0xf4);
	reboot(RB_POWER_OFF); // if the port is missing
}

// A saved seed's content does not matter to a benchmark; crediting 512 bits makes the pool ready.
static void seed_random(void)
{
	struct {
		int entropy_count, buf_size;
		uint32_t buf[16];
	} seed = { 512, sizeof(seed.buf), { 0 } };
	char byte;
	int ready = getrandom(&byte, 1, GRND_NONBLOCK) == 1;
	int fd = open("/dev/urandom", O_WRONLY);

	for (unsigned i = 0; i < 16; i++)
		seed.buf[i] = i * 0x9e3779b9u;
	if (fd < 0 || ioctl(fd, RNDADDENTROPY, &seed) != 0)
		printf("linux-init: cannot seed the random pool\n");
	else
		printf("linux-init: seeded the random pool (ready before: %s)\n", ready ? "yes" : "no");
	if (fd >= 0)
		close(fd);
}

__attribute__((constructor)) static void linux_init(void)
{
	int fd;

	if (getpid() != 1)
		return; // the benchmark exec'ing itself: the machine is set up already
	mkdir("/dev", 0755);
	mount("devtmpfs", "/dev", "devtmpfs", 0, NULL);
	fd = open("/dev/ttyS0", O_WRONLY);
	if (fd >= 0) {
		dup2(fd, 1);
		dup2(fd, 2);
		if (fd > 2)
			close(fd);
	}
	setvbuf(stdout, NULL, _IONBF, 0); // nothing may wait in a buffer when QEMU ends
	seed_random();
	atexit(power_off);
}
