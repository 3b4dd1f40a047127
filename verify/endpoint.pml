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
// enum block_kind: what a blocked thread waits on (BLOCK_NOTIFICATION is not modelled).
mtype = { BLOCK_NONE, BLOCK_ENDPOINT, BLOCK_REPLY };
// enum ep_state (exo/include/kern/ipc.h): who waits in the endpoint's queue.
mtype = { EP_IDLE, EP_SEND, EP_RECV };

// struct thread's IPC fields, indexed by thread.
mtype st[NT];
mtype blocked[NT];       // blocked.kind
byte blocked_server[NT]; // blocked.server, for BLOCK_REPLY
bit has_deadline[NT];    // deadline_link is linked: on the deadline list for an IPC timeout
byte ipc_w[NT];          // a queued sender's message (ipc_tag, ipc_badge, ipc_w)
bit ipc_is_call[NT];
bit reply_pending[NT]; // received a call and has not replied yet
byte reply_to[NT];     // the caller waiting for this thread's reply
byte ipc_result[NT];   // what the blocked call returns when it resumes
byte regs[NT];         // the message in the thread's saved registers (set_regs / put_regs)

// struct endpoint: its state and one FIFO queue (wait_link); dead once its owner exited.
mtype ep_state = EP_IDLE;
byte q[NT];
byte qn;
bit ep_dead;

// Bookkeeping for the properties (not in the C): how often each message reached a receiver, and
// how often its sender's system call returned.
byte delivered[NID];
byte answered[NID];

// Kernel scratch registers: only used inside one atomic step and zeroed at its end, so that
// they never tell two states apart.
byte k_i, k_t, k_c, k_s, k_rc;
bit k_took;

#define woken(t) (st[t] == T_RUNNABLE || st[t] == T_RUNNING)

// ---- the endpoint's state and queue ----

inline ep_check()
{
	assert((ep_state == EP_IDLE) == (qn == 0))
}

// ep_enqueue: IDLE -> st, or st -> st behind the others (st is EP_SEND or EP_RECV).
inline ep_enqueue(est, t)
{
	assert(est != EP_IDLE && (ep_state == EP_IDLE || ep_state == est));
	assert(blocked[t] == BLOCK_NONE);
	q[qn] = t;
	qn++;
	blocked[t] = BLOCK_ENDPOINT;
	ep_state = est
}

// ep_dequeue: st -> st, or st -> IDLE with the last thread. The C asserts the thread's state is
// the endpoint's (EP_SEND's value is T_IPC_SEND's); the mtypes here differ, hence the mapping.
inline ep_dequeue(t)
{
	assert(blocked[t] == BLOCK_ENDPOINT);
	assert((ep_state == EP_SEND && st[t] == T_IPC_SEND) || (ep_state == EP_RECV && st[t] == T_IPC_RECV));
	k_i = 0;
	do
	:: k_i < qn && q[k_i] != t -> k_i++
	:: else -> break
	od;
	assert(k_i < qn); // list_remove of a linked node
	do
	:: k_i + 1 < qn -> q[k_i] = q[k_i + 1]; k_i++
	:: else -> break
	od;
	qn--;
	q[qn] = NONE;
	k_i = 0;
	blocked[t] = BLOCK_NONE;
	if
	:: qn == 0 -> ep_state = EP_IDLE
	:: else
	fi;
	ipc_w[t] = 0; // stale in the C; cleared here so that it does not split states
	ipc_is_call[t] = 0
}

// ep_first: the head of the queue.
inline ep_first(t)
{
	ep_check();
	t = q[0]
}

// ---- scheduler (exo/core/sched.c) ----

inline sched_remove_deadline(t)
{
	has_deadline[t] = 0
}

// sched_wake -> sched_enqueue: KASSERT(state != T_DEAD, != T_RUNNABLE, blocked.kind == BLOCK_NONE);
// here also: only a thread in an IPC wait is ever woken.
inline sched_wake(t, r)
{
	assert(st[t] == T_IPC_SEND || st[t] == T_IPC_RECV || st[t] == T_IPC_REPLY);
	assert(blocked[t] == BLOCK_NONE);
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

// block(): the caller is queued already; its deadline goes on the deadline list.
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
inline transfer(id, dst)
{
	assert(delivered[id] == 0);
	delivered[id]++;
	regs[dst] = id
}

// ---- replies, death and timeouts ----

// await_reply: a call reached server; the caller waits for the reply (keeping its deadline).
inline await_reply(caller, server)
{
	assert(blocked[caller] == BLOCK_NONE && reply_to[server] == NONE);
	blocked[caller] = BLOCK_REPLY;
	blocked_server[caller] = server;
	st[caller] = T_IPC_REPLY;
	ipc_result[caller] = EXO_OK;
	reply_to[server] = caller;
	reply_pending[server] = 1
}

// end_reply_wait: the wait of caller for server's reply ends (reply, timeout, death).
inline end_reply_wait(caller, server)
{
	assert(blocked[caller] == BLOCK_REPLY && blocked_server[caller] == server);
	assert(reply_to[server] == caller);
	blocked[caller] = BLOCK_NONE;
	blocked_server[caller] = 0;
	reply_to[server] = NONE
}

inline ipc_cancel(t)
{
	sched_remove_deadline(t);
	if
	:: blocked[t] == BLOCK_ENDPOINT -> ep_dequeue(t)
#ifdef BROKEN_CANCEL_KEEPS_CALLER
	:: blocked[t] == BLOCK_REPLY -> blocked[t] = BLOCK_NONE // the server still names it in reply_to
#else
	:: blocked[t] == BLOCK_REPLY -> k_s = blocked_server[t]; end_reply_wait(t, k_s); k_s = 0
#endif
	:: blocked[t] == BLOCK_NONE
	fi
}

// ipc_timeout, from sched_tick once the deadline passed (it took the thread off the list).
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
	:: k_c != NONE -> end_reply_wait(k_c, t); sched_wake(k_c, EXO_EDEAD)
	:: else
	fi;
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

// endpoint_end (from endpoints_owner_exit, or the destruction of its quota) -> wake_all: the
// endpoint dies; everyone queued on it hears -EXO_EDEAD (any state -> IDLE).
inline endpoint_end()
{
	ep_dead = 1;
	do
	:: qn > 0 -> ep_first(k_t); ep_dequeue(k_t); sched_wake(k_t, EXO_EDEAD)
	:: else -> break
	od;
	k_t = 0
}

// ---- the calls ----

// deliver_to_receiver: r, just taken off the queue, got a message; a send wakes it, a call
// switches to it.
inline deliver_to_receiver(me, r, fl, is_call)
{
	sched_remove_deadline(r);
	ipc_result[r] = EXO_OK;
	if
	:: !is_call -> sched_wake(r, EXO_OK); ipc_result[me] = EXO_OK
	:: else ->
		await_reply(me, r);
		if
		:: fl & EXO_IPC_TIMEOUT -> has_deadline[me] = 1
		:: else
		fi;
		sched_switch_to(r)
	fi
}

// send_or_call: EP_RECV - the first receiver takes the message; EP_IDLE or EP_SEND - wait behind
// the other senders.
inline send_or_call(me, id, fl, is_call)
{
	if
	:: ep_dead -> ipc_result[me] = EXO_EDEAD // endpoint_lookup
	:: !ep_dead && ep_state == EP_RECV ->
		ep_first(k_t);
		transfer(id, k_t);
		ep_dequeue(k_t);
		deliver_to_receiver(me, k_t, fl, is_call);
		k_t = 0
	:: !ep_dead && ep_state != EP_RECV && (fl & EXO_IPC_NONBLOCK) -> ipc_result[me] = EXO_EAGAIN
	:: !ep_dead && ep_state != EP_RECV && !(fl & EXO_IPC_NONBLOCK) ->
		ipc_w[me] = id;
		ipc_is_call[me] = is_call;
		ep_enqueue(EP_SEND, me);
		block(me, T_IPC_SEND, fl)
	fi
}

inline sys_ipc_send(me, id, fl)
{
	send_or_call(me, id, fl, 0)
}

// sys_ipc_call: the fast path (a live endpoint in EP_RECV whose first receiver has no deadline,
// a short message without flags) dequeues the receiver and switches to it; otherwise call_slow.
inline sys_ipc_call(me, id, fl)
{
	if
	:: !ep_dead && fl == 0 && ep_state == EP_RECV && !has_deadline[q[0]] ->
		ep_first(k_t);
		ep_dequeue(k_t);
		transfer(id, k_t); // put_regs
		ipc_result[k_t] = EXO_OK;
		await_reply(me, k_t);
		sched_switch_to(k_t);
		k_t = 0
	:: else -> send_or_call(me, id, fl, 1) // call_slow
	fi
}

// take_sender: the first waiting sender's message (k_took); a caller now waits for the reply and
// keeps its deadline.
inline take_sender(me)
{
	ep_first(k_t);
	transfer(ipc_w[k_t], me);
	k_c = ipc_is_call[k_t];
	ep_dequeue(k_t);
	if
	:: !k_c -> sched_wake(k_t, EXO_OK)
	:: else -> await_reply(k_t, me)
	fi;
	k_took = 1;
	k_t = 0;
	k_c = 0
}

// recv (sys_ipc_recv): one caller at a time - -EXO_EBUSY while a caller waits for our reply.
inline recv(me, fl)
{
	if
	:: ep_dead -> ipc_result[me] = EXO_EDEAD
	:: !ep_dead && reply_pending[me] && reply_to[me] != NONE -> ipc_result[me] = EXO_EBUSY
	:: else ->
		reply_pending[me] = 0; // no reply owed, or its caller is gone
		if
		:: ep_state == EP_SEND -> take_sender(me)
		:: else
		fi;
		if
		:: k_took -> ipc_result[me] = EXO_OK
		:: !k_took && (fl & EXO_IPC_NONBLOCK) -> ipc_result[me] = EXO_EAGAIN
		:: !k_took && !(fl & EXO_IPC_NONBLOCK) ->
			ep_enqueue(EP_RECV, me);
			block(me, T_IPC_RECV, fl)
		fi;
		k_took = 0
	fi
}

// reply_done: the reply to caller c was delivered; it ends its wait with result 0 (not yet woken).
inline reply_done(me, c)
{
	end_reply_wait(c, me);
	reply_pending[me] = 0;
	ipc_result[c] = EXO_OK
}

// do_reply: the reply goes to the caller (k_c, not yet woken) or is dropped when the caller is
// gone; k_rc is the result.
inline do_reply(me)
{
	k_c = NONE;
	if
	:: !reply_pending[me] -> k_rc = EXO_ENOENT
	:: reply_pending[me] && reply_to[me] == NONE -> reply_pending[me] = 0; k_rc = EXO_OK
	:: reply_pending[me] && reply_to[me] != NONE ->
		k_c = reply_to[me];
		regs[k_c] = regs[me]; // transfer: the reply names the request it answers
		sched_remove_deadline(k_c);
		reply_done(me, k_c);
		k_rc = EXO_OK
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

// recv_and_switch: wait on the endpoint as a receiver (IDLE or RECV -> RECV) while the answered
// caller c runs at once.
inline recv_and_switch(me, c)
{
	ep_enqueue(EP_RECV, me);
	st[me] = T_IPC_RECV;
	ipc_result[me] = EXO_OK;
	st[c] = T_INACTIVE;
	sched_switch_to(c)
}

// reply_recv_slow: the reply first, then endpoint_lookup (a dead endpoint fails only the
// receive: the caller still gets its reply), then wait (switching to the caller unless a sender
// waits).
inline reply_recv_slow(me)
{
	k_c = NONE;
	k_rc = EXO_OK;
	if
	:: reply_pending[me] -> do_reply(me)
	:: else
	fi;
	if
	:: k_rc != EXO_OK -> ipc_result[me] = k_rc
	:: k_rc == EXO_OK && ep_dead && k_c == NONE -> ipc_result[me] = EXO_EDEAD
	:: k_rc == EXO_OK && ep_dead && k_c != NONE -> sched_wake(k_c, EXO_OK); ipc_result[me] = EXO_EDEAD
	:: k_rc == EXO_OK && !ep_dead && k_c == NONE -> recv(me, 0)
	:: k_rc == EXO_OK && !ep_dead && k_c != NONE && ep_state != EP_SEND -> recv_and_switch(me, k_c)
	:: k_rc == EXO_OK && !ep_dead && k_c != NONE && ep_state == EP_SEND -> sched_wake(k_c, EXO_OK); recv(me, 0)
	fi;
	k_rc = 0;
	k_c = 0
}

// sys_ipc_reply_recv: the fast path (a caller waiting without a deadline, nobody queued to send)
// replies and waits here while the caller runs.
inline sys_ipc_reply_recv(me)
{
	if
	:: !ep_dead && reply_to[me] != NONE && !has_deadline[reply_to[me]] && ep_state != EP_SEND ->
		k_c = reply_to[me];
		regs[k_c] = regs[me]; // put_regs
		reply_done(me, k_c);
		recv_and_switch(me, k_c);
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
	:: atomic { !owner_died -> owner_died = 1; endpoint_end() }
#endif
	od
}

// Invariants between steps: the endpoint's state says who is queued (EP_IDLE: nobody; EP_SEND:
// senders only; EP_RECV: receivers only); a thread is in T_IPC_SEND/T_IPC_RECV exactly while
// queued (BLOCK_ENDPOINT), and in T_IPC_REPLY exactly while its server's reply_to names it
// (BLOCK_REPLY); a deadline is armed only during an IPC wait.
#define QUEUED(t) ((qn > 0 && q[0] == t) || (qn > 1 && q[1] == t) || (qn > 2 && q[2] == t) || \
                   (qn > 3 && q[3] == t))
#define INV_T(t) ((st[t] == T_IPC_SEND) == (QUEUED(t) && ep_state == EP_SEND) && \
                  (st[t] == T_IPC_RECV) == (QUEUED(t) && ep_state == EP_RECV) && \
                  (blocked[t] == BLOCK_ENDPOINT) == QUEUED(t) && \
                  (st[t] == T_IPC_REPLY) == (blocked[t] == BLOCK_REPLY) && \
                  (blocked[t] != BLOCK_REPLY || reply_to[blocked_server[t]] == t) && \
                  (reply_to[t] == NONE || (blocked[reply_to[t]] == BLOCK_REPLY && \
                                           blocked_server[reply_to[t]] == t)) && \
                  (!has_deadline[t] || st[t] == T_IPC_SEND || st[t] == T_IPC_RECV || st[t] == T_IPC_REPLY))
#define INV ((ep_state == EP_IDLE) == (qn == 0) && INV_T(0) && INV_T(1) && INV_T(SRV) && INV_T(SRV2))

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
			blocked[t] = BLOCK_NONE;
			reply_to[t] = NONE;
			q[t] = NONE
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
