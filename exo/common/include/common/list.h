// SPDX-License-Identifier: MIT
// One intrusive doubly linked list for kernel and user code (freestanding, header-only).
//
// A list is a circular chain through a sentinel head, which list_init or LIST_INIT sets up (a
// zeroed head faults on first use); an object joins a list through a struct list_node member,
// one per list it can be on at the same time. An unlinked node is all zero, so zeroed objects
// start unlinked, and every operation checks that: linking a node already on a list, or
// unlinking one that is on none, fails LIST_CHECK, which calls list_check_failed (each
// environment defines it; the kernel panics). EXO_NDEBUG compiles the checks out.
#pragma once

#include <stdbool.h>
#include <stddef.h>

struct list_node {
	struct list_node *next, *prev; // both NULL while unlinked
};

struct list {
	struct list_node head; // head.next is the first node, head.prev the last; &head when empty
};

#define LIST_INIT(name)                            \
	{                                          \
		{                                  \
			&(name).head, &(name).head \
		}                                  \
	}

// The object that holds node n as its member.
#define list_entry(n, type, member) ((type *)((char *)(n)-offsetof(type, member)))
// The object of node n, or NULL for a NULL n.
#define list_entry_or_null(n, type, member)                         \
	({                                                          \
		struct list_node *list_n_ = (n);                    \
		list_n_ ? list_entry(list_n_, type, member) : NULL; \
	})
#define list_first_entry(l, type, member) list_entry_or_null(list_first(l), type, member)
#define list_last_entry(l, type, member)  list_entry_or_null(list_last(l), type, member)
#define list_next_entry(l, obj, member) \
	list_entry_or_null(list_next(l, &(obj)->member), __typeof__(*(obj)), member)

// for (obj = first; obj; obj = next): obj may not be unlinked inside the loop.
#define list_for_each(l, obj, member)                                    \
	for (obj = list_first_entry(l, __typeof__(*(obj)), member); obj; \
	     obj = list_next_entry(l, obj, member))

void list_check_failed(const char *what, const char *file, int line) __attribute__((noreturn));

#ifndef EXO_NDEBUG
#define LIST_CHECK(cond)                                              \
	do {                                                          \
		if (__builtin_expect(!(cond), 0))                     \
			list_check_failed(#cond, __FILE__, __LINE__); \
	} while (0)
#else
#define LIST_CHECK(cond) ((void)0)
#endif

static inline void list_init(struct list *l)
{
	l->head.next = l->head.prev = &l->head;
}

static inline bool list_node_linked(const struct list_node *n)
{
	return n->next != NULL;
}

static inline bool list_empty(const struct list *l)
{
	return l->head.next == &l->head;
}

// Links n between the adjacent nodes prev and next.
static inline void list_link_between(struct list_node *prev, struct list_node *n, struct list_node *next)
{
	LIST_CHECK(!list_node_linked(n));
	n->prev = prev;
	n->next = next;
	prev->next = n;
	next->prev = n;
}

static inline void list_push_back(struct list *l, struct list_node *n)
{
	list_link_between(l->head.prev, n, &l->head);
}

static inline void list_push_front(struct list *l, struct list_node *n)
{
	list_link_between(&l->head, n, l->head.next);
}

// Links n just before pos, a node of some list (or that list's head: at its end).
static inline void list_insert_before(struct list_node *pos, struct list_node *n)
{
	LIST_CHECK(list_node_linked(pos));
	list_link_between(pos->prev, n, pos);
}

static inline void list_remove(struct list_node *n)
{
	LIST_CHECK(list_node_linked(n));
	n->prev->next = n->next;
	n->next->prev = n->prev;
	n->next = n->prev = NULL;
}

static inline struct list_node *list_first(const struct list *l)
{
	return list_empty(l) ? NULL : l->head.next;
}

static inline struct list_node *list_last(const struct list *l)
{
	return list_empty(l) ? NULL : l->head.prev;
}

// The node after n on l, or NULL at the end.
static inline struct list_node *list_next(const struct list *l, const struct list_node *n)
{
	LIST_CHECK(list_node_linked(n));
	return n->next == &l->head ? NULL : n->next;
}

// Unlinks and returns the first node, or NULL if l is empty.
static inline struct list_node *list_pop_front(struct list *l)
{
	struct list_node *n = list_first(l);

	if (n)
		list_remove(n);
	return n;
}

// Puts new where old was on its list; old ends unlinked.
static inline void list_replace(struct list_node *old, struct list_node *new)
{
	LIST_CHECK(list_node_linked(old));
	LIST_CHECK(!list_node_linked(new));
	*new = *old;
	new->prev->next = new;
	new->next->prev = new;
	old->next = old->prev = NULL;
}

// Moves every node of from to the end of to; from ends empty.
static inline void list_splice_back(struct list *from, struct list *to)
{
	if (list_empty(from))
		return;
	from->head.next->prev = to->head.prev;
	from->head.prev->next = &to->head;
	to->head.prev->next = from->head.next;
	to->head.prev = from->head.prev;
	list_init(from);
}
