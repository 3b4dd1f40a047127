// SPDX-License-Identifier: MIT
// Synchronisation between processes on MAP_SHARED memory: a process-shared mutex guarding a
// counter that four processes increment, a process-shared semaphore a child waits on until its
// parent posts, and a process-shared condition variable with a flag.
#include "check.h"
#include <pthread.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <unistd.h>

#define KIDS  4
#define TIMES 2000

struct shared {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	sem_t sem;
	long counter;
	int flag;
};

int main(void)
{
	struct shared *s = mmap(NULL, sizeof(*s), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	pthread_mutexattr_t ma;
	pthread_condattr_t ca;
	pid_t kids[KIDS], pid;
	int status;

	CHECK(s != MAP_FAILED);
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	CHECK(pthread_mutex_init(&s->lock, &ma) == 0);
	pthread_condattr_init(&ca);
	pthread_condattr_setpshared(&ca, PTHREAD_PROCESS_SHARED);
	CHECK(pthread_cond_init(&s->cond, &ca) == 0);
	CHECK(sem_init(&s->sem, 1, 0) == 0);
	fflush(stdout);
	for (int k = 0; k < KIDS; k++) {
		kids[k] = fork();
		CHECK(kids[k] >= 0);
		if (kids[k] == 0) {
			for (int i = 0; i < TIMES; i++) {
				pthread_mutex_lock(&s->lock);
				long v = s->counter;

				if (i % 64 == 0)
					sched_yield(); // hold the lock a while: the others wait on it
				s->counter = v + 1;
				pthread_mutex_unlock(&s->lock);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++)
		CHECK(waitpid(kids[k], &status, 0) == kids[k] && status == 0);
	CHECK(s->counter == KIDS * TIMES);
	puts("ok a process-shared mutex");

	pid = fork();
	if (pid == 0) {
		CHECK(sem_wait(&s->sem) == 0); // waits for the parent's post
		pthread_mutex_lock(&s->lock);
		while (!s->flag)
			pthread_cond_wait(&s->cond, &s->lock);
		pthread_mutex_unlock(&s->lock);
		_exit(s->flag == 7 ? 0 : 1);
	}
	usleep(20000);
	CHECK(sem_post(&s->sem) == 0);
	usleep(20000);
	pthread_mutex_lock(&s->lock);
	s->flag = 7;
	pthread_cond_signal(&s->cond);
	pthread_mutex_unlock(&s->lock);
	CHECK(waitpid(pid, &status, 0) == pid && status == 0);
	puts("ok a process-shared semaphore and condition variable");
	return 0;
}
