// SPDX-License-Identifier: MIT
// sigdefault: a signal without a handler whose default action is to terminate ends the program
// with 128 + the signal (SIGUSR1: 138) before raise returns.
#include "check.h"
#include <signal.h>

int main(void)
{
	printf("raising\n");
	fflush(stdout);
	raise(SIGUSR1);
	printf("still running\n");
	return 0;
}
