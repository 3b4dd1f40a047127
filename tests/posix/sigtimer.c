// SPDX-License-Identifier: MIT
// sigtimer: SIGALRM from alarm and setitimer - alarm cuts nanosleep short (EINTR, the time left
// in rem), getitimer reports the time left, a periodic itimer fires again and again, and
// SA_RESTART decides whether sem_wait resumes or fails with EINTR when SIGALRM interrupts it.
#include "check.h"
#include <errno.h>
#include <semaphore.h>
#include <signal.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static volatile int alarms;
static sem_t sem;

static void on_alarm(int sig)
{
	(void)sig;
	alarms++;
}

static void on_alarm_post(int sig)
{
	(void)sig;
	if (++alarms == 2)
		sem_post(&sem);
}

static void handle(void (*fn)(int), int flags)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = fn;
	sa.sa_flags = flags;
	sigemptyset(&sa.sa_mask);
	CHECK(sigaction(SIGALRM, &sa, NULL) == 0);
}

static void arm(long usec, long interval)
{
	struct itimerval it = { { 0, interval }, { 0, usec } };

	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
}

static void sleeping(void)
{
	struct timespec req = { 5, 0 }, rem;

	handle(on_alarm, 0);
	CHECK(alarm(1) == 0);
	CHECK(nanosleep(&req, &rem) == -1 && errno == EINTR && alarms == 1);
	CHECK(rem.tv_sec >= 3 && rem.tv_sec <= 4);
	CHECK(alarm(0) == 0);
	printf("alarm interrupts nanosleep ok\n");
}

static void itimer(void)
{
	struct itimerval it = { { 0, 0 }, { 10, 0 } }, now;

	CHECK(setitimer(ITIMER_REAL, &it, NULL) == 0);
	CHECK(getitimer(ITIMER_REAL, &now) == 0);
	CHECK(now.it_value.tv_sec == 9 || now.it_value.tv_sec == 10);
	CHECK(alarm(0) == 10);
	alarms = 0;
	arm(20000, 20000);
	while (alarms < 3)
		pause();
	arm(0, 0);
	CHECK(getitimer(ITIMER_REAL, &now) == 0 && now.it_value.tv_sec == 0 && now.it_value.tv_usec == 0);
	printf("setitimer ok\n");
}

static void restart(void)
{
	CHECK(sem_init(&sem, 0, 0) == 0);
	handle(on_alarm, 0);
	arm(20000, 0);
	CHECK(sem_wait(&sem) == -1 && errno == EINTR);
	alarms = 0;
	handle(on_alarm_post, SA_RESTART);
	arm(20000, 20000); // the first alarm restarts the wait, the second posts
	CHECK(sem_wait(&sem) == 0 && alarms == 2);
	arm(0, 0);
	printf("SA_RESTART ok\n");
}

int main(void)
{
	sleeping();
	itimer();
	restart();
	return 0;
}
