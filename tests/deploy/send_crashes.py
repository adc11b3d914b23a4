"""Workers killed with SIGKILL while Twilio holds their SMS, then replaced: the trials of
tests/deploy/test_crash.py and bench/kill_during_send.py.

Each round starts a few courses, waits until Twilio has every course's SMS and is still
holding its answer, kills the worker and starts a new one, which begins the next round at
once. The killed sends are retried when their activity's start-to-close timeout has passed
(20 s), by whichever worker runs then; so the rounds overlap and the timeout is waited once.
A course is a trial. Afterwards every course must have exactly one SMS at Twilio, its outbox
row the SID Twilio gave it, and a timeline with each event once and none missing.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from sqlmodel import Session, col, select
from temporalio.client import Client, WorkflowExecutionStatus

from models.case import CaseEvent
from models.danish_time import COPENHAGEN
from models.meeting import BookMeeting
from models.outbox import OutboxMessage
from tests.factories import actor_of
from tests.fakes.twilio import FakeTwilio
from tests.workflows.programme_helpers import Running, send, start_on_sms

# Long enough that every SMS of a round is still unanswered when the worker is killed.
HOLD_SECONDS = 10


@dataclass
class Figures:
    trials: int
    # Courses whose workflow is gone, or whose SMS never reached Twilio or was never recorded.
    lost: int
    # SMS at Twilio beyond one a course.
    duplicates: int
    # Courses whose timeline has an event twice, a gap in its numbers, or not one message_sent.
    timeline_faults: int
    kills: int
    seconds: float


def worker(env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    output = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "deploy", "worker"],
        env={**os.environ, **env},
        stdout=output,
        stderr=output,
    )


def phone(trial: int) -> tuple[str, str]:
    """A Danish mobile number of its own for each trial, as typed and as Twilio sees it."""
    digits = f"{20_100_000 + trial}"
    return digits, f"+45{digits}"


async def _start_course(client: Client, task_queue: str, session: Session, number: str) -> Running:
    running = await start_on_sms(client, task_queue, session, number)
    me = actor_of(running.coordinator)
    # The agreement goes at once, by SMS.
    await send(
        running.handle,
        BookMeeting(
            actor=me,
            meeting_id=str(uuid.uuid4()),
            host_name="Mette Jensen",
            starts_at=datetime.now(COPENHAGEN) + timedelta(days=3),
            place="Biblioteket",
            purpose="Praktikken",
        ),
    )
    return running


async def kill_during_sends(
    *,
    client: Client,
    env: dict[str, str],
    session: Session,
    twilio: FakeTwilio,
    log: Path,
    rounds: int,
    per_round: int,
    settle_seconds: float = 120,
) -> Figures:
    """`env` configures the worker processes (Temporal, database, Twilio, task queue); `client`
    speaks to the workflows with the worker's payload keys."""
    started = time.monotonic()
    task_queue = env["FORLOEB_TASK_QUEUE"]
    courses: list[tuple[Running, str]] = []
    current = worker(env, log)
    try:
        for round_ in range(rounds):
            numbers = [phone(len(courses) + i) for i in range(per_round)]
            for typed, e164 in numbers:
                # Bounded: a worker that cannot start would leave the updates waiting for good.
                running = await asyncio.wait_for(
                    _start_course(client, task_queue, session, typed), timeout=60
                )
                courses.append((running, e164))
            waiting = {e164 for _, e164 in numbers}
            deadline = time.monotonic() + 60
            while not waiting <= {m.get("To") for m in twilio.messages}:
                alive = current.poll() is None
                assert time.monotonic() < deadline and alive, f"see {log}"
                await asyncio.sleep(0.05)
            # Twilio holds every SMS of this round unanswered: kill mid-send.
            current.send_signal(signal.SIGKILL)
            current.wait()
            current = worker(env, log)
            del round_
        lost = await _settle(client, session, courses, settle_seconds)
        at_twilio = Counter(m.get("To") for m in twilio.messages)
        duplicates = sum(max(0, at_twilio[e164] - 1) for _, e164 in courses)
        faults = sum(1 for running, _ in courses if _timeline_fault(session, running.case_id))
        return Figures(
            trials=len(courses),
            lost=lost,
            duplicates=duplicates,
            timeline_faults=faults,
            kills=rounds,
            seconds=time.monotonic() - started,
        )
    finally:
        current.send_signal(signal.SIGINT)
        try:
            current.wait(timeout=30)
        except subprocess.TimeoutExpired:
            current.kill()
        for running, _ in courses:
            await running.handle.terminate("trial done")


async def _settle(
    client: Client, session: Session, courses: list[tuple[Running, str]], seconds: float
) -> int:
    """Wait until every course's SMS is recorded as handed to Twilio; how many never were."""
    case_ids = {uuid.UUID(running.case_id) for running, _ in courses}
    deadline = time.monotonic() + seconds
    while True:
        session.expire_all()
        rows = session.exec(
            select(OutboxMessage).where(col(OutboxMessage.case_id).in_(case_ids))
        ).all()
        done = {row.case_id for row in rows if row.provider_id is not None}
        if done == case_ids or time.monotonic() > deadline:
            break
        await asyncio.sleep(0.5)
    lost = len(case_ids - done)
    for running, _ in courses:
        description = await running.handle.describe()
        if description.status != WorkflowExecutionStatus.RUNNING:
            lost += 1
    return lost


def _timeline_fault(session: Session, case_id: str) -> bool:
    events = session.exec(
        select(CaseEvent)
        .where(CaseEvent.case_id == uuid.UUID(case_id))
        .order_by(col(CaseEvent.seq))
    ).all()
    seqs = [event.seq for event in events]
    sent = [event for event in events if event.kind == "message_sent"]
    return seqs != list(range(1, len(seqs) + 1)) or len(sent) != 1
