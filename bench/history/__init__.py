"""How large one heavy five-year course grows in Temporal, and what a cached course costs a worker.

    .venv/bin/python -m bench.history [--cached 200]

Plays ONE ressourceforløb from referral to the 13-week follow-up through the real
ProgrammeWorkflow on Temporal's time-skipping test server (the binary installed beside this
Python; nothing is downloaded), with a real worker (deploy.worker.build_worker) projecting into
a SQLite read model in a temporary folder. Every action is the real command, sent as the update
the API would send, by the actor the API would send it as: the coordinator for the case, a
worker of the task's department for its task, the citizen (no actor) for replies and the
provider for delivery reports. The clock moves with `env.sleep`, so the workflow's own timers
(messages, reminders, escalations, stalls, the planned end, the follow-up) fire as in life.

The course is a heavy one: preparation, team meeting, recommendation, a 36-month decision
extended to the 5-year maximum, contact preferences (SMS, then e-mail), about 40 department
tasks (most acknowledged, started and completed; some declined, cancelled, reassigned or left
to escalate), about 60 meetings with the citizen (booked, some moved, confirmed with "JA",
delivery reports, held or no-show), ten planned efforts, five justified pauses, a handover to
a second coordinator, the end, the status during follow-up, and the close.

It prints:

- for every run of the workflow (following continue-as-new): events, history bytes (the sum of
  each serialised event) and the largest payload; and the totals over all runs;
- the state's size: UTF-8 bytes of the `current` query's `model_dump_json()`, sampled on the
  first of every simulated month (and after every step), its maximum and its final size;
- worker memory per cached course, measured in a subprocess of its own so that nothing of the
  long course is counted: it starts --cached idle courses of the same kind (active, 5 open
  tasks, 3 upcoming meetings) on a worker whose cache holds them all, touches each, and
  compares the process's VmRSS before and after. A control does the same on a small cache,
  which tells what the cache itself holds from what the process grows anyway;
- a summary against the goals.

It is a benchmark, not a test: it only prints figures. Everything runs on loopback. It takes
about three minutes on the 2-core development machine (--cached 0: under half a minute).
"""
