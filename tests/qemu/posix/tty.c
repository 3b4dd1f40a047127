// SPDX-License-Identifier: MIT
// For tests/qemu/exorun: prints whether fds 0, 1 and 2 are terminals and, for a terminal
// stdout, its window size and whether it is in canonical (cooked) mode.
#include <stdio.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <unistd.h>

int main(void)
{
	struct winsize ws;
	struct termios t;

	printf("isatty: %d %d %d\n", isatty(0), isatty(1), isatty(2));
	if (isatty(1) && !ioctl(1, TIOCGWINSZ, &ws) && !tcgetattr(1, &t))
		printf("window: %dx%d, icanon %d, echo %d\n", ws.ws_col, ws.ws_row, !!(t.c_lflag & ICANON),
		       !!(t.c_lflag & ECHO));
	return 0;
}
