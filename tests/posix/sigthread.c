// SPDX-License-Identifier: MIT
// sigthread: signals between threads - pthread_kill reaches a thread blocked in a condition
// variable wait, whose handler runs in that thread; each thread has its own mask, and a signal
// sent to the process goes to a thread that does not block it.
#include "check.h"
#include <pthread.h>
#include <signal.h>
#include <string.h>
#include <unistd.h>

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cond = PTHREAD_COND_INITIALIZER;
static volatile int waiting, done, hits;
static volatile pthread_t ran_in;

static void on_usr(int sig)
{
	(void)sig;
	hits++;
	ran_in = pthread_self();
}

static void *waiter(void *arg)
{
	(void)arg;
	pthread_mutex_lock(&lock);
	waiting = 1;
	while (!done)
		pthread_cond_wait(&cond, &lock);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static void send_to_thread(pthread_t t)
{
	CHECK(pthread_kill(t, SIGUSR1) == 0);
}

static void send_to_process(pthread_t t)
{
	sigset_t set;

	(void)t;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	CHECK(pthread_sigmask(SIG_BLOCK, &set, NULL) == 0);
	CHECK(kill(getpid(), SIGUSR2) == 0); // only the waiter does not block it
}

// Starts a waiter, lets send signal it once it waits, and checks the handler ran in it.
static void signal_waiter(void (*send)(pthread_t))
{
	pthread_t t;

	waiting = done = hits = 0;
	CHECK(pthread_create(&t, NULL, waiter, NULL) == 0);
	while (!waiting)
		usleep(1000);
	usleep(20000); // in pthread_cond_wait by now
	send(t);
	while (!hits)
		usleep(1000);
	CHECK(pthread_equal(ran_in, t));
	pthread_mutex_lock(&lock);
	done = 1;
	pthread_cond_broadcast(&cond);
	pthread_mutex_unlock(&lock);
	CHECK(pthread_join(t, NULL) == 0);
}

int main(void)
{
	signal(SIGUSR1, on_usr);
	signal(SIGUSR2, on_usr);
	signal_waiter(send_to_thread);
	printf("pthread_kill ok\n");
	signal_waiter(send_to_process);
	printf("process signal to the thread that takes it ok\n");
	return 0;
}
