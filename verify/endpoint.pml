// SPDX-License-Identifier: MIT
// Promela model of exo's synchronous endpoint (exo/core/endpoint.c): send, call, recv, reply,
// reply_recv with their fast paths, timeouts, and the death of a client, the server or the endpoint.
// verify/run checks it with SPIN; docs/verification.md says what it covers and what it leaves out.
//
// Every kernel entry runs as one atomic step, as under the kernel's single lock: an inline below
// mirrors the C function of the same name. A user thread is a proctype that makes one system call
// at a time and waits until its state says it runs again. Messages are numbered: a message id
// stands for the words, the badge and the tag of one request; a reply carries the id it answers.

#define NCLIENT 2 // client threads (World, the invariants and init name them)
#define NMSG 2 // message ids per client: client 0 makes two calls, client 1 one send or call
#define SRV  NCLIENT       // the server thread
#define SRV2 (NCLIENT + 1) // the server thread started when SRV dies (as the supervisor does)
#define NT   (NCLIENT + 2)
#define NONE 255 // no thread
#define NID  (NCLIENT * NMSG + 1) // message ids 1 .. NCLIENT * NMSG; 0 is no message

// Results (exo/abi error codes; the C returns them negated).
#define EXO_OK        0
#define EXO_ENOENT    4
#define EXO_EBUSY     9
#define EXO_EAGAIN    11
#define EXO_EDEAD     13
#define EXO_ETIMEDOUT 14

// Tag flags the model uses (EXO_IPC_NONBLOCK, EXO_IPC_TIMEOUT in exo/abi/include/exo/ipc.h).
#define EXO_IPC_NONBLOCK 1
#define EXO_IPC_TIMEOUT  2

// enum thread_state (exo/include/kern/thread.h), the states a thread of this model can be in;
// T_INACTIVE is transient (inside sched_wake, before sched_switch_to), never seen between steps.
mtype = { T_INACTIVE, T_RUNNABLE, T_RUNNING, T_IPC_SEND, T_IPC_RECV, T_IPC_REPLY, T_DEAD };

// struct thread's IPC fields, indexed by thread.
mtype st[NT];
bit has_deadline[NT]; // on the sleep list for an IPC timeout
byte ipc_w[NT];       // a queued sender's message (ipc_tag, ipc_badge, ipc_w)
bit ipc_is_call[NT];
bit reply_pending[NT];  // received a call and has not replied yet
byte reply_to[NT];      // the caller waiting for this thread's reply
byte ipc_partner[NT];   // the server this caller waits on
byte ipc_result[NT];    // what the blocked call returns when it resumes
byte regs[NT];          // the message in the thread's saved registers (set_regs / put_regs)

// struct endpoint: FIFO queues of senders (send_head..send_tail) and receivers; dead once its
// owner exited. Queue SENDQ is q[0 .. NT-1], queue RECVQ is q[NT .. 2*NT-1]; qn[] their lengths.
#define SENDQ 0
#define RECVQ 1
byte q[2 * NT];
byte qn[2];
bit ep_dead;
#define send_n   qn[SENDQ]
#define recv_n   qn[RECVQ]
#define HEAD(qq) q[(qq) * NT]

// Bookkeeping for the properties (not in the C): how often each message reached a receiver, and
// how often its sender's system call returned.
byte delivered[NID];
byte answered[NID];

// Kernel scratch registers: only used inside one atomic step and zeroed at its end, so that
// they never tell two states apart.
byte k_i, k_t, k_c, k_rc;
bit k_took;

#define woken(t) (st[t] == T_RUNNABLE || st[t] == T_RUNNING)

// ---- thread queues (ipc_queue_push, queue_unlink; pop is unlink of the head) ----

inline ipc_queue_push(qq, t)
{
	q[(qq) * NT + qn[qq]] = t;
	qn[qq]++
}

inline queue_unlink(qq, t)
{
	k_i = 0;
	do
	:: k_i < qn[qq] && q[(qq) * NT + k_i] != t -> k_i++
	:: else -> break
	od;
	assert(k_i < qn[qq]); // t was queued here
	do
	:: k_i + 1 < qn[qq] -> q[(qq) * NT + k_i] = q[(qq) * NT + k_i + 1]; k_i++
	:: else -> break
	od;
	qn[qq]--;
	q[(qq) * NT + qn[qq]] = NONE;
	k_i = 0;
	if
	:: qq == SENDQ -> ipc_w[t] = 0; ipc_is_call[t] = 0 // stale in the C; cleared to merge states
	:: else
	fi
}

// ---- scheduler (exo/core/sched.c) ----

inline sched_remove_deadline(t)
{
	has_deadline[t] = 0
}

// sched_wake: only a thread blocked in IPC is ever woken (sched_enqueue's KASSERT, made exact).
inline sched_wake(t, r)
{
	assert(st[t] == T_IPC_SEND || st[t] == T_IPC_RECV || st[t] == T_IPC_REPLY);
	sched_remove_deadline(t);
	ipc_result[t] = r;
	st[t] = T_RUNNABLE
}

// sched_switch_to: KASSERT(next->state != T_RUNNABLE); the current thread has blocked already.
inline sched_switch_to(t)
{
	assert(st[t] != T_RUNNABLE && st[t] != T_DEAD);
	st[t] = T_RUNNING
}

// block(): the caller is queued already; its deadline goes on the sleep list.
inline block(me, s, fl)
{
	st[me] = s;
	ipc_result[me] = EXO_OK;
	if
	:: fl & EXO_IPC_TIMEOUT -> has_deadline[me] = 1
	:: else
	fi
}

// transfer() of a request: the receiver gets it in its registers. A message reaches a
// receiver at most once.
inline deliver(dst, id)
{
	assert(delivered[id] == 0);
	delivered[id]++;
	regs[dst] = id
}

// ---- death and timeouts ----

// unlink_partner: where a waiting caller's wait ends, its server forgets it.
inline unlink_partner(c)
{
	if
	:: ipc_partner[c] != NONE && reply_to[ipc_partner[c]] == c -> reply_to[ipc_partner[c]] = NONE
	:: else
	fi;
	ipc_partner[c] = NONE
}

inline ipc_cancel(t)
{
	sched_remove_deadline(t);
	if
	:: st[t] == T_IPC_SEND -> queue_unlink(SENDQ, t)
	:: st[t] == T_IPC_RECV -> queue_unlink(RECVQ, t)
#ifdef BROKEN_CANCEL_KEEPS_CALLER
	:: st[t] == T_IPC_REPLY -> ipc_partner[t] = NONE // the server is not told: it still owes a reply
#else
	:: st[t] == T_IPC_REPLY -> unlink_partner(t)
#endif
	:: else
	fi
}

// ipc_timeout, from sched_tick once the deadline passed (has_deadline was cleared there).
inline ipc_timeout(t)
{
	ipc_cancel(t);
	ipc_result[t] = EXO_ETIMEDOUT;
	st[t] = T_RUNNABLE
}

// ipc_thread_dies: a dying server wakes the caller it owed a reply with -EXO_EDEAD.
inline ipc_thread_dies(t)
{
	k_c = reply_to[t];
	if
	:: k_c != NONE && st[k_c] == T_IPC_REPLY && ipc_partner[k_c] == t ->
		ipc_partner[k_c] = NONE;
		sched_wake(k_c, EXO_EDEAD)
	:: else
	fi;
	reply_to[t] = NONE;
	k_c = 0
}

// thread_kill (exo/core/thread.c): sched_dequeue (ipc_cancel for an IPC wait), ipc_thread_dies.
inline thread_kill(t)
{
	if
	:: st[t] != T_DEAD ->
		if
		:: st[t] == T_IPC_SEND || st[t] == T_IPC_RECV || st[t] == T_IPC_REPLY -> ipc_cancel(t)
		:: else
		fi;
		ipc_thread_dies(t);
		st[t] = T_DEAD
	:: else
	fi
}

// endpoints_owner_exit: the endpoint dies with its owner; everyone queued on it hears -EXO_EDEAD.
inline endpoints_owner_exit()
{
	ep_dead = 1;
	do
	:: send_n > 0 -> k_t = HEAD(SENDQ); queue_unlink(SENDQ, k_t); sched_wake(k_t, EXO_EDEAD)
	:: else -> break
	od;
	do
	:: recv_n > 0 -> k_t = HEAD(RECVQ); queue_unlink(RECVQ, k_t); sched_wake(k_t, EXO_EDEAD)
	:: else -> break
	od;
	k_t = 0
}

// ---- the calls ----

// send_or_call: to the first waiting receiver, or queued behind the other senders.
inline send_or_call(me, id, fl, is_call)
{
	if
	:: ep_dead -> ipc_result[me] = EXO_EDEAD // endpoint_lookup
	:: !ep_dead && recv_n > 0 ->
		k_t = HEAD(RECVQ);
		deliver(k_t, id);
		queue_unlink(RECVQ, k_t);
		sched_remove_deadline(k_t);
		ipc_result[k_t] = EXO_OK;
		if
		:: !is_call -> sched_wake(k_t, EXO_OK); ipc_result[me] = EXO_OK
		:: else ->
			reply_to[k_t] = me;
			reply_pending[k_t] = 1;
			ipc_partner[me] = k_t;
			st[me] = T_IPC_REPLY;
			ipc_result[me] = EXO_OK;
			if
			:: fl & EXO_IPC_TIMEOUT -> has_deadline[me] = 1
			:: else
			fi;
			sched_switch_to(k_t)
		fi;
		k_t = 0
	:: !ep_dead && recv_n == 0 && (fl & EXO_IPC_NONBLOCK) -> ipc_result[me] = EXO_EAGAIN
	:: !ep_dead && recv_n == 0 && !(fl & EXO_IPC_NONBLOCK) ->
		ipc_w[me] = id;
		ipc_is_call[me] = is_call;
		ipc_queue_push(SENDQ, me);
		block(me, T_IPC_SEND, fl)
	fi
}

inline sys_ipc_send(me, id, fl)
{
	send_or_call(me, id, fl, 0)
}

// sys_ipc_call: the fast path (a live endpoint, a receiver without a deadline waiting, a short
// message without flags) pops the receiver and switches to it; otherwise call_slow.
inline sys_ipc_call(me, id, fl)
{
	if
	:: !ep_dead && fl == 0 && recv_n > 0 && !has_deadline[HEAD(RECVQ)] ->
		k_t = HEAD(RECVQ);
		queue_unlink(RECVQ, k_t);
		deliver(k_t, id); // put_regs
		ipc_result[k_t] = EXO_OK;
		reply_to[k_t] = me;
		reply_pending[k_t] = 1;
		ipc_partner[me] = k_t;
		st[me] = T_IPC_REPLY;
		ipc_result[me] = EXO_OK;
		sched_switch_to(k_t);
		k_t = 0
	:: else -> send_or_call(me, id, fl, 1) // call_slow
	fi
}

// take_sender: the head of the send queue's message, if any (k_took). A caller now waits for
// the reply and keeps its deadline.
inline take_sender(me)
{
	if
	:: send_n > 0 ->
		k_t = HEAD(SENDQ);
		deliver(me, ipc_w[k_t]);
		k_c = ipc_is_call[k_t];
		queue_unlink(SENDQ, k_t);
		if
		:: !k_c -> sched_wake(k_t, EXO_OK)
		:: else ->
			st[k_t] = T_IPC_REPLY;
			ipc_partner[k_t] = me;
			reply_to[me] = k_t;
			reply_pending[me] = 1
		fi;
		k_took = 1;
		k_t = 0;
		k_c = 0
	:: else -> k_took = 0
	fi
}

// recv (sys_ipc_recv): one caller at a time - -EXO_EBUSY while a caller waits for our reply.
inline recv(me, fl)
{
	if
	:: ep_dead -> ipc_result[me] = EXO_EDEAD
	:: !ep_dead && reply_pending[me] && reply_to[me] != NONE -> ipc_result[me] = EXO_EBUSY
	:: else ->
		reply_pending[me] = 0; // no reply owed, or its caller is gone
		take_sender(me);
		if
		:: k_took -> ipc_result[me] = EXO_OK
		:: !k_took && (fl & EXO_IPC_NONBLOCK) -> ipc_result[me] = EXO_EAGAIN
		:: !k_took && !(fl & EXO_IPC_NONBLOCK) ->
			ipc_queue_push(RECVQ, me);
			block(me, T_IPC_RECV, fl)
		fi;
		k_took = 0
	fi
}

// do_reply: the reply goes to the caller (k_c, not yet woken) or is dropped when the caller is
// gone; k_rc is the result.
inline do_reply(me)
{
	k_c = NONE;
	if
	:: !reply_pending[me] -> k_rc = EXO_ENOENT
	:: else ->
		reply_pending[me] = 0;
		k_rc = EXO_OK;
		if
		:: reply_to[me] != NONE ->
			k_c = reply_to[me];
			assert(st[k_c] == T_IPC_REPLY && ipc_partner[k_c] == me);
			regs[k_c] = regs[me]; // the reply names the request it answers
			reply_to[me] = NONE;
			ipc_partner[k_c] = NONE;
			sched_remove_deadline(k_c);
			ipc_result[k_c] = EXO_OK
		:: else
		fi
	fi
}

inline sys_ipc_reply(me)
{
	do_reply(me);
	if
	:: k_rc == EXO_OK && k_c != NONE -> sched_wake(k_c, EXO_OK)
	:: else
	fi;
	ipc_result[me] = k_rc;
	k_rc = 0;
	k_c = 0
}

// reply_recv_slow: reply, then wait; with nobody queued, switch straight to the caller.
inline reply_recv_slow(me)
{
	k_c = NONE;
	k_rc = EXO_OK;
	if
	:: ep_dead -> ipc_result[me] = EXO_EDEAD
	:: else ->
		if
		:: reply_pending[me] -> do_reply(me)
		:: else
		fi;
		if
		:: k_rc != EXO_OK -> ipc_result[me] = k_rc
		:: k_rc == EXO_OK && k_c != NONE && send_n == 0 ->
			ipc_queue_push(RECVQ, me);
			st[me] = T_IPC_RECV;
			ipc_result[me] = EXO_OK;
			st[k_c] = T_INACTIVE;
			sched_switch_to(k_c)
		:: k_rc == EXO_OK && !(k_c != NONE && send_n == 0) ->
			if
			:: k_c != NONE -> sched_wake(k_c, EXO_OK)
			:: else
			fi;
			recv(me, 0)
		fi
	fi;
	k_rc = 0;
	k_c = 0
}

// sys_ipc_reply_recv: the fast path (a caller without a deadline waits, nobody queued to send)
// replies and waits here while the caller runs.
inline sys_ipc_reply_recv(me)
{
	if
	:: !ep_dead && reply_pending[me] && reply_to[me] != NONE && !has_deadline[reply_to[me]] &&
	   send_n == 0 ->
		k_c = reply_to[me];
		assert(st[k_c] == T_IPC_REPLY && ipc_partner[k_c] == me);
		regs[k_c] = regs[me];
		ipc_result[k_c] = EXO_OK;
		ipc_partner[k_c] = NONE;
		reply_to[me] = NONE;
		reply_pending[me] = 0;
		ipc_queue_push(RECVQ, me);
		st[me] = T_IPC_RECV;
		ipc_result[me] = EXO_OK;
		st[k_c] = T_INACTIVE;
		sched_switch_to(k_c);
		k_c = 0
	:: else -> reply_recv_slow(me)
	fi
}

// ---- threads ----

// A client: nops operations, each a call with or without a timeout, or (client 1) a send, with or
// without a timeout or NONBLOCK. It checks what each returns against what happened to its message.
proctype Client(byte me; byte nops)
{
	byte k, id, fl, r;
	bit call;

	{
		do
		:: k < nops ->
			id = me * NMSG + k + 1;
			if
			:: call = 1; fl = 0
			:: call = 1; fl = EXO_IPC_TIMEOUT
			:: me > 0 -> call = 0; fl = 0
			:: me > 0 -> call = 0; fl = EXO_IPC_TIMEOUT
			:: me > 0 -> call = 0; fl = EXO_IPC_NONBLOCK
			fi;
			atomic {
				if
				:: call -> sys_ipc_call(me, id, fl)
				:: else -> sys_ipc_send(me, id, fl)
				fi
			}
			atomic {
				woken(me) -> st[me] = T_RUNNING;
				r = ipc_result[me];
				answered[id]++;
				assert(answered[id] == 1); // every request is answered exactly once
				if
				:: r == EXO_OK && call -> assert(delivered[id] == 1 && regs[me] == id)
				:: r == EXO_OK && !call -> assert(delivered[id] == 1)
				:: r == EXO_EAGAIN -> assert(!call && delivered[id] == 0)
				:: r == EXO_ETIMEDOUT -> assert(fl & EXO_IPC_TIMEOUT && (call || delivered[id] == 0))
				:: r == EXO_EDEAD -> assert(call || delivered[id] == 0)
				:: else -> assert(false)
				fi;
				k++;
				regs[me] = 0;
				fl = 0;
				call = 0;
				r = 0
			}
		:: else -> break
		od
	} unless { st[me] == T_DEAD }
}

// The server: receives (first with or without a timeout), then answers every call with reply and
// recv, or with reply_recv, until the endpoint dies; then its thread ends, like a module's serve
// loop in exo_module_entry. With -DSERVER_STAYS it goes on living instead (see
// docs/verification.md: a call answered by reply_recv on a dead endpoint).
proctype Server(byte me)
{
	byte r;

	{
		if
		:: (1) -> atomic { recv(me, 0) }
		:: (1) -> atomic { recv(me, EXO_IPC_TIMEOUT) }
		fi;
end:
		do
		:: atomic { woken(me) -> st[me] = T_RUNNING; r = ipc_result[me] }
			if
#ifdef SERVER_STAYS
			:: r == EXO_EDEAD -> break // the thread goes on with other work
#else
			:: r == EXO_EDEAD -> atomic { thread_kill(me) } // exo_exit, as a module's serve loop
#endif
			:: r == EXO_OK && reply_pending[me] ->
				if
				:: (1) -> atomic { sys_ipc_reply_recv(me) }
				:: (1) -> atomic { sys_ipc_reply(me) }
					atomic { woken(me) -> assert(ipc_result[me] == EXO_OK); recv(me, 0) }
				fi
			:: else -> atomic { recv(me, 0) } // a send taken, or the timeout passed
			fi;
			r = 0
		od
	} unless { st[me] == T_DEAD }
}

// What can happen at any moment: with -DTIMEOUTS a deadline passes (sched_tick -> ipc_timeout);
// with -DDEATHS the server thread dies (and the supervisor starts another), a client dies, the
// endpoint's owner exits. Without TIMEOUTS, deadlines never pass (they still keep calls off the
// fast paths). verify/run checks the two separately, which keeps each state space small.
#define TICK(t) :: atomic { has_deadline[t] -> has_deadline[t] = 0; ipc_timeout(t) }

proctype World()
{
	bit server_died, client_died, owner_died;

end:
	do
#ifdef TIMEOUTS
	TICK(0)
	TICK(1)
	TICK(SRV)
	TICK(SRV2)
#endif
#ifdef DEATHS
	:: atomic {
		!server_died -> server_died = 1;
		thread_kill(SRV);
		st[SRV2] = T_RUNNING;
		run Server(SRV2)
	}
	:: atomic { !client_died -> client_died = 1; thread_kill(0) }
	:: atomic { !client_died -> client_died = 1; thread_kill(1) }
	:: atomic { !owner_died -> owner_died = 1; endpoints_owner_exit() }
#endif
	od
}

// Invariants between steps: at most one queue is non-empty (endpoint.c's top comment); a thread
// waits in T_IPC_SEND/T_IPC_RECV exactly while queued; a caller in T_IPC_REPLY has a server that
// owes it the reply, and a server's reply_to names a caller waiting for it.
#define QUEUED(qq, t) ((qn[qq] > 0 && q[(qq) * NT] == t) || (qn[qq] > 1 && q[(qq) * NT + 1] == t) || \
                       (qn[qq] > 2 && q[(qq) * NT + 2] == t) || (qn[qq] > 3 && q[(qq) * NT + 3] == t))
#define INV_T(t) ((st[t] == T_IPC_SEND) == QUEUED(SENDQ, t) && \
                  (st[t] == T_IPC_RECV) == QUEUED(RECVQ, t) && \
                  (st[t] != T_IPC_REPLY || (ipc_partner[t] != NONE && reply_to[ipc_partner[t]] == t)) && \
                  (reply_to[t] == NONE || (st[reply_to[t]] == T_IPC_REPLY && ipc_partner[reply_to[t]] == t)) && \
                  (!has_deadline[t] || st[t] == T_IPC_SEND || st[t] == T_IPC_RECV || st[t] == T_IPC_REPLY))
#define INV (!(send_n > 0 && recv_n > 0) && INV_T(0) && INV_T(1) && INV_T(SRV) && INV_T(SRV2))

proctype Invariants()
{
end:
	atomic { !INV -> assert(false) }
}

init
{
	byte t;

	atomic {
		for (t : 0 .. NT - 1) {
			st[t] = T_RUNNING;
			reply_to[t] = NONE;
			ipc_partner[t] = NONE;
			q[SENDQ * NT + t] = NONE;
			q[RECVQ * NT + t] = NONE
		}
		st[SRV2] = T_DEAD; // not started yet
		t = 0;
		run Invariants();
		run World();
		run Server(SRV);
		run Client(0, 2);
		run Client(1, 1)
	}
}
