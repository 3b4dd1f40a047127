// SPDX-License-Identifier: MIT
// threads: 8 pthreads add to a counter under a mutex (the exact total), a producer hands values
// to a consumer through a condition variable, a __thread variable holds a different value in
// every thread, pthread_join returns each thread's value, and pthread_once runs its function once.
#include "check.h"
#include <pthread.h>
#include <sched.h>
#include <stdint.h>

#define THREADS    8
#define INCREMENTS 20000
#define ITEMS      2000

static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static long counter;

static __thread long tls_value = 7;
static __thread long tls_zero;

static pthread_once_t once = PTHREAD_ONCE_INIT;
static int once_runs;

static void once_function(void)
{
	once_runs++;
}

static void *worker(void *arg)
{
	long id = (long)(intptr_t)arg;

	if (tls_value != 7 || tls_zero != 0) // a new thread starts with the initial TLS image
		return (void *)-1;
	tls_value = 1000 + id;
	pthread_once(&once, once_function);
	for (int i = 0; i < INCREMENTS; i++) {
		pthread_mutex_lock(&lock);
		counter++;
		pthread_mutex_unlock(&lock);
		if (i % 1000 == 0)
			sched_yield();
		if (tls_value != 1000 + id)
			return (void *)-2;
	}
	return (void *)(intptr_t)(id * 10 + 1);
}

static void counting(void)
{
	pthread_t t[THREADS];

	for (long i = 0; i < THREADS; i++)
		CHECK(pthread_create(&t[i], NULL, worker, (void *)(intptr_t)i) == 0);
	for (long i = 0; i < THREADS; i++) {
		void *ret;
		CHECK(pthread_join(t[i], &ret) == 0);
		CHECK(ret == (void *)(intptr_t)(i * 10 + 1));
	}
	CHECK(counter == (long)THREADS * INCREMENTS);
	printf("mutex counter ok: %ld\n", counter);
	printf("join values ok\n");
	CHECK(tls_value == 7);
	printf("__thread ok\n");
	CHECK(once_runs == 1);
	pthread_once(&once, once_function);
	CHECK(once_runs == 1);
	printf("pthread_once ok\n");
}

// One-slot mailbox: the producer waits for it to be empty, the consumer for it to be full.
static pthread_mutex_t box_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t box_changed = PTHREAD_COND_INITIALIZER;
static int box_full;
static long box_value;

static void *producer(void *arg)
{
	(void)arg;
	for (long v = 1; v <= ITEMS; v++) {
		pthread_mutex_lock(&box_lock);
		while (box_full)
			pthread_cond_wait(&box_changed, &box_lock);
		box_value = v;
		box_full = 1;
		pthread_cond_signal(&box_changed);
		pthread_mutex_unlock(&box_lock);
	}
	return NULL;
}

static void handoff(void)
{
	pthread_t t;
	long sum = 0, expect = 1;

	CHECK(pthread_create(&t, NULL, producer, NULL) == 0);
	for (int i = 0; i < ITEMS; i++) {
		pthread_mutex_lock(&box_lock);
		while (!box_full)
			pthread_cond_wait(&box_changed, &box_lock);
		CHECK(box_value == expect);
		sum += box_value;
		expect++;
		box_full = 0;
		pthread_cond_signal(&box_changed);
		pthread_mutex_unlock(&box_lock);
	}
	CHECK(pthread_join(t, NULL) == 0);
	CHECK(sum == (long)ITEMS * (ITEMS + 1) / 2);
	printf("condvar handoff ok: %ld\n", sum);
}

int main(void)
{
	counting();
	handoff();
	return 0;
}
