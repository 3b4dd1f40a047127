// SPDX-License-Identifier: MIT
// Message queues: fixed-size messages through a ring in shared memory (layout, turn-taking by
// per-slot sequence numbers and the memory ordering are described in <exo/mqueue.h>). Sending and
// receiving are the same walk - claim a position whose slot has its turn, copy, hand the slot on
// with a release store - with a different counter (tail, head) and turn (0 free, 1 full). Only
// sleeping and waking make kernel calls, on two notifications.
#include <exo/libexo.h>
#include <exo/mqueue.h>

static uint64_t stride_of(uint64_t slot_size)
{
	return sizeof(struct exo_mq_slot) + ((slot_size + 7) & ~7ull);
}

static uint64_t pages_of(uint64_t slot_size, uint64_t nslots)
{
	return (EXO_MQ_HEADER + nslots * stride_of(slot_size) + EXO_PAGE_SIZE - 1) / EXO_PAGE_SIZE;
}

static int geometry_ok(uint64_t slot_size, uint64_t nslots, uint64_t mode)
{
	return slot_size >= 1 && slot_size <= EXO_MQ_MAX_SLOT && nslots >= 2 && !(nslots & (nslots - 1)) &&
	       nslots <= EXO_MQ_MAX_PAGES * EXO_PAGE_SIZE &&
	       pages_of(slot_size, nslots) <= EXO_MQ_MAX_PAGES && !(mode & ~(uint64_t)EXO_MQ_MPMC);
}

// The private copy of the geometry: from here on the shared header is never trusted again.
static void set_geometry(struct exo_mq *q, struct exo_mq_ring *ring, uint64_t slot_size, uint64_t nslots,
                         uint32_t mode)
{
	q->ring = ring;
	q->slots = (uint8_t *)ring + EXO_MQ_HEADER;
	q->mask = nslots - 1;
	q->stride = stride_of(slot_size);
	q->slot_size = slot_size;
	q->mode = mode;
	q->npages = pages_of(slot_size, nslots);
}

static struct exo_mq_slot *slot_at(const struct exo_mq *q, uint64_t pos)
{
	return (struct exo_mq_slot *)(q->slots + (pos & q->mask) * q->stride);
}

static void unmap_pages(uint64_t process, uint64_t addr, uint64_t n)
{
	uint64_t vas[EXO_MQ_MAX_PAGES];

	for (uint64_t i = 0; i < n; i++)
		vas[i] = addr + i * EXO_PAGE_SIZE;
	if (n)
		exo_vspace_unmap(process, vas, n);
}

// Maps the ring's frames read-write at addr in process: all or nothing.
static long map_pages(uint64_t process, const uint64_t *frames, uint64_t addr, uint64_t n)
{
	for (uint64_t i = 0; i < n; i++) {
		struct exo_map_op op = { frames[i], addr + i * EXO_PAGE_SIZE, EXO_R_READ | EXO_R_WRITE };
		long r = exo_vspace_map(process, &op, 1);

		if (r != 1) {
			unmap_pages(process, addr, i);
			return r < 0 ? r : -EXO_EINVAL;
		}
	}
	return 0;
}

long exo_mq_create(struct exo_mq *q, uint64_t self, uint64_t quota, uint64_t addr, uint32_t slot_size,
                   uint32_t nslots, uint32_t mode)
{
	struct exo_mq_ring *ring = (struct exo_mq_ring *)addr;
	long r;

	memset(q, 0, sizeof(*q));
	if (!geometry_ok(slot_size, nslots, mode) || !addr || (addr & (EXO_PAGE_SIZE - 1)))
		return -EXO_EINVAL;
	set_geometry(q, ring, slot_size, nslots, mode);
	r = exo_frame_alloc(quota, q->npages, q->frames);
	if (r < 0)
		goto fail;
	r = map_pages(self, q->frames, addr, q->npages);
	if (r)
		goto fail_frames;
	r = exo_notify_create();
	if (r < 0)
		goto fail_map;
	q->data_ntfn = (uint64_t)r;
	r = exo_notify_create();
	if (r < 0)
		goto fail_ntfn;
	q->space_ntfn = (uint64_t)r;
	q->self = self;
	ring->slot_size = slot_size;
	ring->nslots = nslots;
	ring->mode = mode;
	ring->npages = (uint32_t)q->npages;
	exo_mq_reset(q, 0);
	__atomic_store_n(&ring->magic, EXO_MQ_MAGIC, __ATOMIC_RELEASE);
	return 0;
fail_ntfn:
	exo_cap_delete(q->data_ntfn);
fail_map:
	unmap_pages(self, addr, q->npages);
fail_frames:
	for (uint64_t i = 0; i < q->npages; i++)
		exo_cap_delete(q->frames[i]);
fail:
	memset(q, 0, sizeof(*q));
	return r;
}

long exo_mq_share(const struct exo_mq *q, uint64_t peer, uint64_t addr, struct exo_mq_share *out)
{
	long r, data, space;

	if (!q->frames[0] || !addr || (addr & (EXO_PAGE_SIZE - 1)))
		return -EXO_EINVAL; // only the creator holds the frames
	r = map_pages(peer, q->frames, addr, q->npages);
	if (r)
		return r;
	data = exo_cap_copy(q->data_ntfn, peer, EXO_R_READ | EXO_R_WRITE);
	space = data < 0 ? data : exo_cap_copy(q->space_ntfn, peer, EXO_R_READ | EXO_R_WRITE);
	if (space < 0) {
		unmap_pages(peer, addr, q->npages);
		return space;
	}
	*out = (struct exo_mq_share){ addr, (uint64_t)data, (uint64_t)space };
	return 0;
}

long exo_mq_attach(struct exo_mq *q, const struct exo_mq_share *s)
{
	struct exo_mq_ring *ring = (struct exo_mq_ring *)s->addr;
	uint64_t slot_size, nslots, mode;

	memset(q, 0, sizeof(*q));
	if (!s->addr || (s->addr & (EXO_PAGE_SIZE - 1)) ||
	    __atomic_load_n(&ring->magic, __ATOMIC_ACQUIRE) != EXO_MQ_MAGIC)
		return -EXO_EINVAL;
	slot_size = __atomic_load_n(&ring->slot_size, __ATOMIC_RELAXED);
	nslots = __atomic_load_n(&ring->nslots, __ATOMIC_RELAXED);
	mode = __atomic_load_n(&ring->mode, __ATOMIC_RELAXED);
	if (!geometry_ok(slot_size, nslots, mode) ||
	    __atomic_load_n(&ring->npages, __ATOMIC_RELAXED) != pages_of(slot_size, nslots))
		return -EXO_EINVAL;
	set_geometry(q, ring, slot_size, nslots, (uint32_t)mode);
	q->data_ntfn = s->data_ntfn;
	q->space_ntfn = s->space_ntfn;
	return 0;
}

uint64_t exo_mq_offer(const struct exo_mq *q, struct exo_ipc_buffer *buf)
{
	buf->grant = (struct exo_grant){ (uint64_t)q->ring, q->npages, EXO_R_READ | EXO_R_WRITE };
	buf->caps[0] = (struct exo_cap_xfer){ q->data_ntfn, EXO_R_READ | EXO_R_WRITE, 0 };
	buf->caps[1] = (struct exo_cap_xfer){ q->space_ntfn, EXO_R_READ | EXO_R_WRITE, 0 };
	return EXO_TAG(0, 0, 2) | EXO_IPC_GRANT;
}

long exo_mq_accept(struct exo_mq *q, uint64_t tag, const struct exo_ipc_buffer *buf)
{
	struct exo_mq_share s = { buf->grant.vaddr, buf->caps[0].handle, buf->caps[1].handle };
	long r;

	memset(q, 0, sizeof(*q));
	if (EXO_TAG_CAPS(tag) != 2 || !buf->grant.pages || !(buf->grant.rights & EXO_R_WRITE))
		return -EXO_EINVAL;
	r = exo_mq_attach(q, &s); // reads the header: the first granted page
	if (!r && q->npages > buf->grant.pages) {
		memset(q, 0, sizeof(*q));
		r = -EXO_EINVAL;
	}
	return r;
}

void exo_mq_detach(struct exo_mq *q, uint64_t self)
{
	exo_cap_delete(q->data_ntfn);
	exo_cap_delete(q->space_ntfn);
	if (self)
		unmap_pages(self, (uint64_t)q->ring, q->npages);
	memset(q, 0, sizeof(*q));
}

void exo_mq_destroy(struct exo_mq *q)
{
	unmap_pages(q->self, (uint64_t)q->ring, q->npages);
	for (uint64_t i = 0; i < q->npages; i++)
		exo_cap_delete(q->frames[i]);
	exo_cap_delete(q->data_ntfn);
	exo_cap_delete(q->space_ntfn);
	memset(q, 0, sizeof(*q));
}

void exo_mq_reset(struct exo_mq *q, uint64_t first)
{
	struct exo_mq_ring *ring = q->ring;

	for (uint64_t i = 0; i <= q->mask; i++)
		__atomic_store_n(&slot_at(q, first + i)->seq, first + i, __ATOMIC_RELAXED);
	__atomic_store_n(&ring->tail, first, __ATOMIC_RELAXED);
	__atomic_store_n(&ring->head, first, __ATOMIC_RELAXED);
	__atomic_store_n(&ring->rx_waiting, 0, __ATOMIC_RELAXED);
	__atomic_store_n(&ring->tx_waiting, 0, __ATOMIC_RELAXED);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
}

// Claims the position at *counter (tail or head) once its slot has its turn, seq == pos + turn.
// Returns 0 and *pos, -EXO_EAGAIN if the slot is a lap behind (full / empty), or -EXO_EINVAL if it
// is ahead although nobody else moves the counter (single mode: the ring is corrupt).
static long claim(const struct exo_mq *q, uint64_t *counter, uint64_t turn, int multi, uint64_t *pos)
{
	uint64_t p = __atomic_load_n(counter, __ATOMIC_RELAXED);

	for (;;) {
		uint64_t seq = __atomic_load_n(&slot_at(q, p)->seq, __ATOMIC_ACQUIRE);
		int64_t dif = (int64_t)(seq - (p + turn));

		if (dif < 0)
			return -EXO_EAGAIN;
		if (dif > 0 && !multi)
			return -EXO_EINVAL;
		if (dif > 0) { // another party took p meanwhile: start again from the counter
			p = __atomic_load_n(counter, __ATOMIC_RELAXED);
			continue;
		}
		if (!multi) {
			__atomic_store_n(counter, p + 1, __ATOMIC_RELAXED);
			break;
		}
		if (__atomic_compare_exchange_n(counter, &p, p + 1, 0, __ATOMIC_RELAXED, __ATOMIC_RELAXED))
			break; // else p is the counter's new value: try that one
	}
	*pos = p;
	return 0;
}

// Whether an operation on *counter would find its turn now (or the counter moved on): what a
// sleeper checks after announcing itself, and a waker before passing a wake-up on.
static int ready(const struct exo_mq *q, uint64_t *counter, uint64_t turn)
{
	uint64_t p = __atomic_load_n(counter, __ATOMIC_RELAXED);
	uint64_t seq = __atomic_load_n(&slot_at(q, p)->seq, __ATOMIC_ACQUIRE);

	return (int64_t)(seq - (p + turn)) >= 0;
}

// Sleeps on ntfn unless the turn came meanwhile (the sleeper's half of the Dekker pattern).
static long sleep_for_turn(const struct exo_mq *q, uint32_t *waiting, uint64_t ntfn, uint64_t *counter,
                           uint64_t turn)
{
	long r = 0;

	__atomic_add_fetch(waiting, 1, __ATOMIC_SEQ_CST);
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (!ready(q, counter, turn))
		r = exo_notify_wait(ntfn);
	__atomic_sub_fetch(waiting, 1, __ATOMIC_SEQ_CST);
	return r < 0 ? r : 0;
}

// Signals ntfn if anybody announced a sleep on it (the waker's half).
static void wake(uint32_t *waiting, uint64_t ntfn)
{
	__atomic_thread_fence(__ATOMIC_SEQ_CST);
	if (__atomic_load_n(waiting, __ATOMIC_RELAXED))
		exo_notify_signal(ntfn, 1);
}

static long try_send(struct exo_mq *q, const void *msg)
{
	struct exo_mq_slot *s;
	uint64_t pos;
	long r = claim(q, &q->ring->tail, 0, q->mode & EXO_MQ_MULTI_PRODUCER, &pos);

	if (r)
		return r;
	s = slot_at(q, pos);
	memcpy(s->msg, msg, q->slot_size);
	__atomic_store_n(&s->seq, pos + 1, __ATOMIC_RELEASE); // publish to the consumer of pos
	return 0;
}

static long try_recv(struct exo_mq *q, void *msg)
{
	struct exo_mq_slot *s;
	uint64_t pos;
	long r = claim(q, &q->ring->head, 1, q->mode & EXO_MQ_MULTI_CONSUMER, &pos);

	if (r)
		return r;
	s = slot_at(q, pos);
	memcpy(msg, s->msg, q->slot_size);
	__atomic_store_n(&s->seq, pos + q->mask + 1, __ATOMIC_RELEASE); // free for the next lap
	return 0;
}

long exo_mq_send(struct exo_mq *q, const void *msg, unsigned flags)
{
	struct exo_mq_ring *ring = q->ring;
	long r;

	while ((r = try_send(q, msg)) == -EXO_EAGAIN && !(flags & EXO_MQ_NONBLOCK)) {
		r = sleep_for_turn(q, &ring->tx_waiting, q->space_ntfn, &ring->tail, 0);
		if (r)
			return r;
	}
	if (r)
		return r;
	wake(&ring->rx_waiting, q->data_ntfn);
	if ((q->mode & EXO_MQ_MULTI_PRODUCER) && ready(q, &ring->tail, 0))
		wake(&ring->tx_waiting, q->space_ntfn); // pass the wake-up on to another producer
	return 0;
}

long exo_mq_recv(struct exo_mq *q, void *msg, unsigned flags)
{
	struct exo_mq_ring *ring = q->ring;
	long r;

	while ((r = try_recv(q, msg)) == -EXO_EAGAIN && !(flags & EXO_MQ_NONBLOCK)) {
		r = sleep_for_turn(q, &ring->rx_waiting, q->data_ntfn, &ring->head, 1);
		if (r)
			return r;
	}
	if (r)
		return r;
	wake(&ring->tx_waiting, q->space_ntfn);
	if ((q->mode & EXO_MQ_MULTI_CONSUMER) && ready(q, &ring->head, 1))
		wake(&ring->rx_waiting, q->data_ntfn); // pass the wake-up on to another consumer
	return 0;
}
