// SPDX-License-Identifier: MIT
// Which of the streams 0, 1 and 2 are terminals, and the two terminal ioctls programs ask (isatty,
// tcgetattr, the window size). exorun says which of its own stdin, stdout and stderr are
// terminals with a word "tty=FDS" on the kernel command line before "--" (e.g. "tty=12"); the
// host's terminal does the line editing, so the guest reports a terminal in cooked mode.
#include <libos/console.h>

struct linux_termios { // the kernel's struct termios (TCGETS), a prefix of musl's
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

struct linux_winsize {
	uint16_t ws_row, ws_col, ws_xpixel, ws_ypixel;
};

// Linux's defaults for a new terminal (tty_std_termios): ICRNL IXON; OPOST ONLCR;
// B38400 CS8 CREAD HUPCL; ISIG ICANON ECHO ECHOE ECHOK ECHOCTL ECHOKE IEXTEN; ^C ^\ DEL ^U ^D ...
static const struct linux_termios cooked = {
	.c_iflag = 0400 | 02000,
	.c_oflag = 01 | 04,
	.c_cflag = 017 | 060 | 0200 | 02000,
	.c_lflag = 01 | 02 | 010 | 020 | 040 | 01000 | 04000 | 0100000,
	.c_cc = { 003, 034, 0177, 025, 004, 0, 1, 0, 021, 023, 032, 0, 022, 017, 027, 026, 0 },
};

static bool terminal[3];

void libos_tty_init(void)
{
	char fds[8];

	if (libos_cmdline_option("tty", fds, sizeof(fds)))
		for (const char *s = fds; *s >= '0' && *s <= '2'; s++)
			terminal[*s - '0'] = true;
}

long libos_tty_ioctl(struct libos_file *f, unsigned long req, void *arg)
{
	static const struct linux_winsize size = { 24, 80, 0, 0 };

	if (!terminal[f->arg])
		return -ENOTTY;
	if (req == TCGETS)
		return libos_copy(arg, &cooked, sizeof(cooked));
	if (req == TIOCGWINSZ)
		return libos_copy(arg, &size, sizeof(size));
	return -ENOTTY;
}
