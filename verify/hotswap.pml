// SPDX-License-Identifier: MIT
// Promela model of the module hot-swap protocol: quiesce, state transfer, rollback when the new
// version fails to start, a crash at any point, supervisor restart with generation numbers.
// Mirrors libexo/modswap.c (manager side), libexo/module_entry.c (module side) and
// modules/modmgr/modmgr.c (supervision); verify/run checks it, docs/verification.md explains it.
//
// The service endpoint is a FIFO channel (its kernel side is verify/endpoint.pml's subject); a call
// is a message in it plus a wait for the answer the serving instance gives (exo_reply), or
// -EXO_EDEAD if that instance dies first (ipc_thread_dies). The module state is a counter: each
// request served adds one and the answer carries the new value, as modules/counter does, so an
// update lost in a swap shows as the same value answered twice.

#define NCLIENT 2
#define NONE    255
#define MGR     NCLIENT // the manager, as a caller
#define NINST   3       // instances: OLD (version 1), NEW (version 2, the swap), RESTART (after a crash)
#define OLD     0
#define NEW     1
#define RESTART 2
#define MAXVAL  5 // requests in all: client 0 makes two, client 1 one, each retries once at most

// Message kinds on the service endpoint: a client request, or the manager's EXO_MODULE_QUIESCE
// (badged EXO_MODULE_MANAGER_BADGE). EXO_MODULE_RESUME travels on the control endpoint.
mtype = { REQUEST, EXO_MODULE_QUIESCE, EXO_MODULE_RESUME };

// What a call returns: the reply (OK, with a value), a reply labelled EXO_EDEAD by
// requests_only's stale check, -EXO_EDEAD (the server died before replying), -EXO_EBADCAP (the
// badged copy was revoked), or to the manager the quiesce reply (label EXO_MODULE_QUIESCE, with
// the state).
mtype = { ANS_OK, ANS_LABEL_EDEAD, ANS_EDEAD, ANS_EBADCAP, ANS_QUIESCED };

chan service = [4] of { mtype, byte, byte }; // kind, caller, generation in the badge
chan control = [0] of { mtype };           // the slot's control endpoint: exo_send blocks

// struct exo_module_slot / struct module: the running instance and the generation.
byte cur = OLD;
byte generation = 1; // also the generation of the badged copy the name server hands out
bit revoked[3];      // revoke_clients: the copies badged with that generation are gone

// Each instance: alive (its process exists), ready (signalled after init), its counter, the caller
// it owes a reply (reply_to), and whether it waits on control for the verdict (wait_verdict).
bit alive[NINST];
bit ready[NINST];
byte counter[NINST];
byte reply_to[NINST];
bit quiesced[NINST];
byte inst_gen[NINST];

// Callers: waiting for an answer, and the answer.
bit waiting[NCLIENT + 1];
mtype answer_kind[NCLIENT + 1];
byte answer_val[NCLIENT + 1];

// The quiesce call's place: QUEUED in the endpoint, TAKEN by the instance, or withdrawn by its
// timeout while queued (the kernel unlinks it; here the receiver skips it, the same to everyone).
bit q_queued, q_withdrawn;

// Properties' bookkeeping: answers with each value per generation; answers OK per generation.
bit seen[3 * (MAXVAL + 1)];
byte ok_answers[3];
byte clients_done;

// A caller gets its answer: exactly once per call.
inline answer(c, kind, val)
{
	assert(waiting[c]);
	waiting[c] = 0;
	answer_kind[c] = kind;
	answer_val[c] = val
}

// ipc_thread_dies / process_exit: the instance's process ends; a caller it owed a reply hears
// -EXO_EDEAD.
inline instance_dies(i)
{
	alive[i] = 0;
	if
	:: reply_to[i] != NONE -> answer(reply_to[i], ANS_EDEAD, 0); reply_to[i] = NONE
	:: else
	fi
}

// ---- the module side: exo_module_entry, requests_only, module_on_quiesce, wait_verdict ----

// An instance of the service. NEW imports the state the manager passes (start_version's env) and
// may fail its init; every instance signals ready, then serves.
proctype Module(byte me)
{
	mtype kind, verdict;
	byte from, gen;

	{
		if
		:: me == NEW -> skip // exo_module_init(env): 0
		:: me == NEW -> alive[me] = 0 // init failed: exo_exit(r)
		:: me != NEW
		fi;
		ready[me] = 1; // exo_notify_signal(env->ready)
end:
		do
		:: atomic { service?kind, from, gen ->
			if
			:: kind == EXO_MODULE_QUIESCE && q_withdrawn -> q_withdrawn = 0 // not there any more
			:: kind == EXO_MODULE_QUIESCE && !q_withdrawn -> q_queued = 0; reply_to[me] = MGR
			:: kind == REQUEST -> reply_to[me] = from
			fi
		}
			if
			:: reply_to[me] == NONE // a withdrawn quiesce, skipped
			:: reply_to[me] == MGR -> // module_on_quiesce: reply with the state; wait_verdict
				atomic {
					if
					:: reply_to[me] == MGR -> answer(MGR, ANS_QUIESCED, counter[me])
					:: else // the manager gave up meanwhile: do_reply drops it
					fi;
					reply_to[me] = NONE;
					quiesced[me] = 1
				}
				control?verdict; // exo_recv(env->control): only EXO_MODULE_RESUME is sent
				quiesced[me] = 0
			:: reply_to[me] < MGR && gen != inst_gen[me] -> // stale(): a dead instance's client
				atomic { answer(reply_to[me], ANS_LABEL_EDEAD, 0); reply_to[me] = NONE }
			:: reply_to[me] < MGR && gen == inst_gen[me] -> // served: the counter's next value
				atomic {
					counter[me]++;
					answer(reply_to[me], ANS_OK, counter[me]);
					reply_to[me] = NONE
				}
			fi;
			kind = 0;
			from = 0;
			gen = 0
		od
	} unless { !alive[me] }
}

// ---- the clients ----

// A client calls through the copy badged with the generation it looked up. The broken variant
// -DBROKEN_DROP_DURING_SWAP drops a request sent while the old version waits for the verdict,
// instead of queueing it in the endpoint for the next version. After -EXO_EDEAD,
// -EXO_EBADCAP or the EXO_EDEAD label it looks the name up again (the reconnect loop of
// docs/modules.md) and moves on; it retries at most once in all.
proctype Client(byte me; byte nreq)
{
	byte mygen = 1, k, val;
	bit retried;

	do
	:: k < nreq ->
		atomic {
			if
			:: revoked[mygen] -> waiting[me] = 1; answer(me, ANS_EBADCAP, 0)
#ifdef BROKEN_DROP_DURING_SWAP
			:: !revoked[mygen] && quiesced[OLD] -> waiting[me] = 1 // not queued: lost
			:: !revoked[mygen] && !quiesced[OLD] -> waiting[me] = 1; service!REQUEST, me, mygen
#else
			:: else -> waiting[me] = 1; service!REQUEST, me, mygen
#endif
			fi
		}
		atomic {
			!waiting[me] ->
			if
			:: answer_kind[me] == ANS_OK ->
				// Each value once per generation: no update lost or applied twice.
				assert(!seen[mygen * (MAXVAL + 1) + answer_val[me]]);
				seen[mygen * (MAXVAL + 1) + answer_val[me]] = 1;
				ok_answers[mygen]++;
				k++
			:: answer_kind[me] != ANS_OK && !retried -> retried = 1; mygen = 0
			:: answer_kind[me] != ANS_OK && retried -> mygen = 0; k++
			fi;
			answer_val[me] = 0
		}
		if
		:: mygen == 0 -> mygen = generation // exo_names_lookup
		:: else
		fi
	:: else -> break
	od;
	clients_done++
}

// ---- the manager: exo_module_replace and supervise ----

// quiesce() -> exo_module_call_quiesce: an EXO_MODULE_QUIESCE call behind every queued request,
// with a deadline. The
// deadline can pass while the call is queued (it is withdrawn); -DQUIESCE_TIMEOUT_TAKEN lets it
// pass also after the old version took it (a known bug: docs/verification.md).
inline quiesce(ok)
{
	atomic { waiting[MGR] = 1; q_queued = 1; service!EXO_MODULE_QUIESCE, MGR, 0 }
	if
	:: atomic { !waiting[MGR] -> ok = (answer_kind[MGR] == ANS_QUIESCED) }
	:: atomic { waiting[MGR] && q_queued -> waiting[MGR] = 0; q_queued = 0; q_withdrawn = 1; ok = 0 }
#ifdef QUIESCE_TIMEOUT_TAKEN
	:: atomic {
		waiting[MGR] && !q_queued -> // in T_IPC_REPLY: the reply will be dropped
		waiting[MGR] = 0;
		reply_to[cur] = NONE;
		ok = 0
	}
#endif
	fi
}

// start_version(): loads NEW with the state and waits until it signalled ready, ended, or was too
// slow (then it is killed). The decision is one step: NEW runs its init at the lowest priority,
// so it does not run between the manager's wake-up and its look (-DSMP_START_RACE lets it).
inline start_version(ok)
{
	atomic {
		counter[NEW] = answer_val[MGR]; // env.state
		answer_val[MGR] = 0;
		inst_gen[NEW] = generation;
		alive[NEW] = 1;
		run Module(NEW)
	}
#ifdef SMP_START_RACE
	do
	:: atomic { ready[NEW] -> ok = 1 }
		break
	:: !ready[NEW] -> // the periodic timer bit woke it; NEW may run meanwhile (another CPU)
		if
		:: atomic { !alive[NEW] -> ok = 0 } // ended during init
			break
		:: atomic { alive[NEW] -> instance_dies(NEW); ok = 0 } // too slow: exo_process_kill
			break
		:: skip // neither: wait again
		fi
	od
#else
	atomic {
		if
		:: ready[NEW] -> ok = 1
		:: !alive[NEW] && !ready[NEW] -> ok = 0 // ended during init
		:: alive[NEW] && !ready[NEW] -> instance_dies(NEW); ok = 0 // too slow
		fi
	}
#endif
}

// exo_module_replace: quiesce, start NEW with the state; NEW takes over and OLD ends
// (end_version), or OLD is told to resume (rollback): resume_old sends without blocking, again
// while OLD lives (it may have died after quiescing: then nobody receives).
inline exo_module_replace(ok)
{
	quiesce(ok);
	if
	:: ok ->
		start_version(ok);
		if
		:: ok -> atomic { instance_dies(OLD); cur = NEW } // end_version(&s->cur); s->cur = next
		:: !ok ->
			do // resume_old
			:: control!EXO_MODULE_RESUME -> break
			:: !alive[OLD] -> break
			od
		fi
	:: !ok // it did not quiesce: it goes on serving (or is gone, and supervise restarts it)
	fi;
	ok = 0
}

// supervise() -> reap(), restart(): the dead instance's badged copies are revoked; the next one
// gets generation + 1 and is published. One step: the backoff delay is not modelled (requests
// wait in the endpoint meanwhile, and lookups fail until the publish). One restart: one crash.
inline reap_and_restart()
{
	atomic {
		revoked[generation] = 1; // revoke_clients
		generation++;            // restart(), which also publishes the new generation
		inst_gen[RESTART] = generation;
		alive[RESTART] = 1;
		cur = RESTART;
		run Module(RESTART)
	}
}

proctype Manager()
{
	bit swapped, ok;

	do
	:: !swapped && alive[cur] && cur == OLD -> swapped = 1; exo_module_replace(ok)
	:: atomic { !alive[cur] && cur != RESTART -> reap_and_restart() }
	:: atomic {
		clients_done == NCLIENT ->
		// What the clients were told agrees with the state of the instance serving now.
		assert(!alive[cur] || counter[cur] == ok_answers[inst_gen[cur]]);
		break
	}
	od
}

// A crash: any instance's process may end at any moment, once (its thread faults or is killed),
// the old version waiting for the verdict included.
#define CAN_CRASH(i) 1
proctype World()
{
	if
	:: skip
	:: atomic { alive[OLD] && CAN_CRASH(OLD) -> instance_dies(OLD) }
	:: atomic { alive[NEW] && CAN_CRASH(NEW) -> instance_dies(NEW) }
	:: atomic { alive[RESTART] -> instance_dies(RESTART) }
	fi
}

init
{
	atomic {
		reply_to[OLD] = NONE;
		reply_to[NEW] = NONE;
		reply_to[RESTART] = NONE;
		inst_gen[OLD] = 1;
		alive[OLD] = 1;
		run Module(OLD);
		run Manager();
		run World();
		run Client(0, 2);
		run Client(1, 1)
	}
}
