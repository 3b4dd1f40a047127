// SPDX-License-Identifier: MIT
// posixtimer: timer_create - SIGEV_SIGNAL timers deliver their signal with SI_TIMER and the
// sigevent's value (taken here with sigwaitinfo), timer_gettime reports the time left, a deleted
// timer is gone; a SIGEV_THREAD timer runs its function in a thread (musl builds it on
// SIGEV_THREAD_ID).
#include "check.h"
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <time.h>

static sem_t ran;
static volatile int runs;

static void on_expiry(union sigval v)
{
	if (v.sival_int == 5 && ++runs == 2)
		sem_post(&ran);
}

static void signal_timer(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_SIGNAL, .sigev_signo = SIGRTMIN };
	struct itimerspec it = { { 0, 10000000 }, { 0, 10000000 } }, now;
	sigset_t set;
	siginfo_t si;
	timer_t t;

	sigemptyset(&set);
	sigaddset(&set, SIGRTMIN);
	CHECK(sigprocmask(SIG_BLOCK, &set, NULL) == 0);
	ev.sigev_value.sival_int = 99;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK(timer_settime(t, 0, &it, NULL) == 0);
	for (int i = 0; i < 2; i++) {
		CHECK(sigwaitinfo(&set, &si) == SIGRTMIN);
		CHECK(si.si_code == SI_TIMER && si.si_value.sival_int == 99);
	}
	CHECK(timer_gettime(t, &now) == 0 && now.it_interval.tv_nsec == 10000000);
	CHECK(now.it_value.tv_sec == 0 && now.it_value.tv_nsec <= 10000000);
	CHECK(timer_getoverrun(t) >= 0);
	CHECK(timer_delete(t) == 0);
	printf("SIGEV_SIGNAL ok\n");
}

static void thread_timer(void)
{
	struct sigevent ev = { .sigev_notify = SIGEV_THREAD, .sigev_notify_function = on_expiry };
	struct itimerspec it = { { 0, 10000000 }, { 0, 10000000 } };
	timer_t t;

	CHECK(sem_init(&ran, 0, 0) == 0);
	ev.sigev_value.sival_int = 5;
	CHECK(timer_create(CLOCK_MONOTONIC, &ev, &t) == 0);
	CHECK(timer_settime(t, 0, &it, NULL) == 0);
	while (sem_wait(&ran) && errno == EINTR)
		;
	CHECK(timer_delete(t) == 0);
	printf("SIGEV_THREAD ok\n");
}

int main(void)
{
	signal_timer();
	thread_timer();
	return 0;
}
