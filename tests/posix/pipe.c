// SPDX-License-Identifier: MIT
// Pipes between processes: data both ways through fork, end of file when the last writer closes
// (or exits), EPIPE and SIGPIPE when no reader is left, O_NONBLOCK's EAGAIN, 64 KiB of buffer
// that a writer fills before it waits, PIPE_BUF atomicity with two writers, and a 3-stage
// pipeline built with fork, dup2 and close.
#include "check.h"
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static volatile sig_atomic_t got_pipe;

static void on_pipe(int sig)
{
	got_pipe = sig;
}

static int reap(pid_t pid)
{
	int status;

	CHECK(waitpid(pid, &status, 0) == pid);
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

int main(void)
{
	int p[2], q[2], status;
	char buf[256];
	pid_t child;

	// Parent to child and back.
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	child = fork();
	if (child == 0) {
		ssize_t n;

		close(p[1]), close(q[0]);
		n = read(p[0], buf, sizeof(buf));
		CHECK(n == 5 && !memcmp(buf, "hello", 5));
		CHECK(write(q[1], "HELLO", 5) == 5);
		CHECK(read(p[0], buf, sizeof(buf)) == 0); // the parent closed its end
		_exit(0);
	}
	close(p[0]), close(q[1]);
	CHECK(write(p[1], "hello", 5) == 5);
	CHECK(read(q[0], buf, sizeof(buf)) == 5 && !memcmp(buf, "HELLO", 5));
	close(p[1]);
	CHECK(reap(child) == 0);
	CHECK(read(q[0], buf, sizeof(buf)) == 0); // the child exited: no writer left
	close(q[0]);
	puts("ok parent and child talk, end of file");

	// No reader: EPIPE and SIGPIPE.
	signal(SIGPIPE, on_pipe);
	CHECK(pipe(p) == 0);
	close(p[0]);
	CHECK(write(p[1], "x", 1) == -1 && errno == EPIPE && got_pipe == SIGPIPE);
	close(p[1]);
	puts("ok EPIPE and SIGPIPE");

	// Non-blocking, and the buffer's size.
	CHECK(pipe2(p, O_NONBLOCK) == 0);
	CHECK(read(p[0], buf, 1) == -1 && errno == EAGAIN);
	size_t total = 0;
	for (;;) {
		ssize_t n = write(p[1], buf, sizeof(buf));

		if (n < 0) {
			CHECK(errno == EAGAIN);
			break;
		}
		total += (size_t)n;
	}
	CHECK(total == 65536);
	close(p[0]), close(p[1]);
	puts("ok O_NONBLOCK and 64 KiB");

	// A writer that fills the pipe waits for the reader.
	CHECK(pipe(p) == 0);
	child = fork();
	if (child == 0) {
		static char big[200000];

		close(p[0]);
		memset(big, 'z', sizeof(big));
		CHECK(write(p[1], big, sizeof(big)) == (ssize_t)sizeof(big));
		_exit(0);
	}
	close(p[1]);
	total = 0;
	for (ssize_t n; (n = read(p[0], buf, sizeof(buf))) > 0; total += (size_t)n)
		for (ssize_t i = 0; i < n; i++)
			CHECK(buf[i] == 'z');
	CHECK(total == 200000 && reap(child) == 0);
	close(p[0]);
	puts("ok 200000 bytes through a blocked writer");

	// Two writers of PIPE_BUF-sized records: none is torn.
	CHECK(pipe(p) == 0);
	pid_t w[2];
	for (int k = 0; k < 2; k++) {
		w[k] = fork();
		if (w[k] == 0) {
			static char rec[4096];

			close(p[0]);
			memset(rec, 'a' + k, sizeof(rec));
			for (int i = 0; i < 40; i++)
				CHECK(write(p[1], rec, sizeof(rec)) == sizeof(rec));
			_exit(0);
		}
	}
	close(p[1]);
	static char rec[4096];
	int records = 0;
	for (;;) {
		size_t got = 0;
		ssize_t n = 0;

		while (got < sizeof(rec) && (n = read(p[0], rec + got, sizeof(rec) - got)) > 0)
			got += (size_t)n;
		if (got == 0)
			break;
		CHECK(got == sizeof(rec));
		for (size_t i = 1; i < sizeof(rec); i++)
			CHECK(rec[i] == rec[0]);
		records++;
	}
	CHECK(records == 80 && reap(w[0]) == 0 && reap(w[1]) == 0);
	close(p[0]);
	puts("ok PIPE_BUF writes are atomic");

	// A pipeline: producer | doubler | consumer (the parent).
	fflush(stdout); // the children's stdio must not write the parent's lines again
	CHECK(pipe(p) == 0 && pipe(q) == 0);
	pid_t a = fork();
	if (a == 0) {
		dup2(p[1], 1);
		close(p[0]), close(p[1]), close(q[0]), close(q[1]);
		for (int i = 0; i < 100; i++)
			printf("%d\n", i);
		return 0;
	}
	pid_t b = fork();
	if (b == 0) {
		int x;

		dup2(p[0], 0), dup2(q[1], 1);
		close(p[0]), close(p[1]), close(q[0]), close(q[1]);
		while (scanf("%d", &x) == 1)
			printf("%d\n", 2 * x);
		return 0;
	}
	close(p[0]), close(p[1]), close(q[1]);
	FILE *in = fdopen(q[0], "r");
	long sum = 0;
	int x, n = 0;
	while (fscanf(in, "%d", &x) == 1)
		sum += x, n++;
	CHECK(n == 100 && sum == 9900);
	CHECK(reap(a) == 0 && reap(b) == 0);
	CHECK(wait(&status) == -1 && errno == ECHILD);
	puts("ok a 3-stage pipeline");
	return 0;
}
