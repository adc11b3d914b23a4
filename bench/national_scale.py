"""Figures at national scale: 20,000 open courses as running workflows, deadlines firing, and
the pages and an action timed meanwhile.

    .venv/bin/python -m bench.national_scale [--courses 20000] [--due 600] [--window 300]
        [--rate 4] [--course-workers 1] [--database-url URL] [--keep DIR [--reuse]]

1. Seeds a read model of `--courses` open courses (bench/seed.py): each is played through the
   workflow's own rules over its years so far and written with the projection's own field
   functions.
2. Starts `forloeb up` on it as a user runs it (Temporal dev server on a SQLite file, one
   worker, one API; the read model on SQLite in the data folder, or on PostgreSQL with
   `--database-url`), and `--course-workers` less one more workers; then starts every
   course's workflow from its played state, as a run continued as new starts: the read model
   already holds what the state holds. It waits until the workers have taken up every course
   (the task queue's backlog is empty) and prints how long that took.
3. `--due` of the courses (chosen among those the citizen can be written to) are started last,
   each with a message to the citizen due at a moment spread evenly over a window of
   `--window` seconds. The workflow's one timer fires for it; the message is handed to the
   outbox (no provider is set up). A deadline's lateness is when the message was handed over
   less when it was due: the timer's own delay plus the workflow task and the delivery.
4. Throughout the window, requests arrive at `--rate` a second at random (Poisson), as a
   coordinator with a typical caseload and the manager make them: the board, a case page, the
   dashboard, and an action (a task assigned to a department through the JSON API).

Seeding and starting 20,000 courses takes about half an hour on two cores; `--keep DIR` keeps
them, and `--reuse` measures again on them: it takes the current state of `--due` running
courses, queues the message in it and starts each again from it.

It prints how fast the workflows started, the worker's memory once all were started and its
peak, the lateness of the deadlines (p50, p95, max, and any that never fired), and each kind of
request's p50/p95 against the goals. Nothing here is a test: it prints figures for the README.
"""

import argparse
import asyncio
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
from sqlalchemy import Engine
from sqlmodel import Session, col, select
from temporalio.api.enums.v1 import TaskQueueType
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.common import WorkflowIDConflictPolicy
from temporalio.service import RPCError

from bench.dashboard import prepare, typical_coordinator
from bench.processes import child_of, memory_kib
from bench.scale_out import logged_in
from bench.seed import MANAGER, PASSWORD, seed
from deploy.connections import connect_temporal
from models.case import Case
from models.db import make_engine
from models.enums import Channel, Department, Stage
from models.meeting import OutgoingMessage
from models.outbox import OutboxMessage
from models.programme import ProgrammeInput, ProgrammeState, programme_workflow_id
from models.settings import Settings
from tests.api.conftest import free_port
from tests.processes import running
from workflows.programme import ProgrammeWorkflow

DUE_KEY = "bench-due"
# Starts in flight at once: enough to keep the dev server and the worker busy.
STARTS_IN_FLIGHT = 32
# The requests' goals (issue 13): pages 150 ms, an action 250 ms, at p95.
GOALS_MS = {"board": 150.0, "case page": 150.0, "dashboard": 150.0, "action": 250.0}
WEIGHTS = {"board": 0.25, "case page": 0.35, "dashboard": 0.15, "action": 0.25}
# How long after the window's end a due message may still come before it counts as lost.
DRAIN_SECONDS = 120


@dataclass
class Figures:
    courses: int
    seeded_seconds: float = 0
    started_seconds: float = 0
    start_failures: int = 0
    taken_up_seconds: float = 0
    # Of the busiest worker.
    rss_started_kib: int = 0
    rss_peak_kib: int = 0
    lateness: list[float] = field(default_factory=list)
    never_fired: int = 0
    requests: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    refused: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    window_seconds: float = 0


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


# Seeding and starting ---------------------------------------------------------------------------


def seed_courses(url: str, courses: int, workers: int, now: datetime) -> list[ProgrammeState]:
    prepare(url, reset=True)
    engine = make_engine(url)
    states: list[ProgrammeState] = []
    try:
        seed(
            engine,
            courses,
            1,
            now,
            workers,
            open_only=True,
            keep_states=lambda chunk: states.extend(
                ProgrammeState.model_validate_json(s) for s in chunk
            ),
        )
    finally:
        engine.dispose()
    return states


def writable(state: ProgrammeState) -> bool:
    """The citizen has a channel a message can go by (not only the caseworker's call)."""
    return state.contact.channels_in_order()[0] != Channel.CASEWORKER_CALLS


def queue_due(state: ProgrammeState, due_at: datetime, run: str) -> None:
    state.outgoing.append(
        OutgoingMessage(
            key=f"{DUE_KEY}:{run}:{state.case_id}",
            purpose="new_contact_person",
            due_at=due_at,
            channels=state.contact.channels_in_order(),
            context={"contact_name": "Kontaktpersonen"},
        )
    )


async def start_all(
    client: Client, task_queue: str, states: list[ProgrammeState], *, replace: bool = False
) -> int:
    """Start each course's workflow from its state; returns how many starts failed.
    `replace`: a course already running is ended and started again from the state given."""
    limit = asyncio.Semaphore(STARTS_IN_FLIGHT)
    failures = 0

    async def start(state: ProgrammeState) -> None:
        nonlocal failures
        async with limit:
            try:
                await client.start_workflow(
                    ProgrammeWorkflow.run,
                    ProgrammeInput(
                        case_id=state.case_id,
                        citizen_id=state.citizen_id,
                        coordinator_id=state.coordinator_id,
                        course_type=state.course_type,
                        state=state,
                    ),
                    id=programme_workflow_id(state.case_id),
                    task_queue=task_queue,
                    id_conflict_policy=WorkflowIDConflictPolicy.TERMINATE_EXISTING
                    if replace
                    else WorkflowIDConflictPolicy.FAIL,
                )
            except RPCError as error:
                failures += 1
                print(f"  start failed: {error}")

    await asyncio.gather(*(start(s) for s in states))
    return failures


# The service -------------------------------------------------------------------------------------


@contextmanager
def forloeb_up(env: dict[str, str], data_dir: Path, base_url: str) -> Iterator[int]:
    """`forloeb up` (no demo) on the seeded read model; yields its pid."""
    with (data_dir / "up.log").open("ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy", "up"], env=env, stdout=log, stderr=log
        )
        try:
            deadline = time.monotonic() + 120
            while True:
                try:
                    if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    tail = (data_dir / "up.log").read_text(errors="replace")[-3000:]
                    raise SystemExit(f"forloeb up did not start:\n{tail}")
                time.sleep(0.5)
            yield process.pid
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=60)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def more_workers(count: int, env: dict[str, str], data_dir: Path) -> Iterator[list[int]]:
    """`count` workers beside the one `forloeb up` runs, on the same server and read model."""
    with ExitStack() as stack:
        log = data_dir / "workers.log"
        yield [stack.enter_context(running("worker", env, log)).pid for _ in range(count)]


async def backlog_emptied(client: Client, task_queue: str, most_seconds: float) -> float:
    """Seconds until the workers have taken up every workflow task waiting on the queue (or
    `most_seconds`, if they never do)."""
    request = DescribeTaskQueueRequest(
        namespace=client.namespace,
        task_queue=TaskQueue(name=task_queue),
        task_queue_type=TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW,
        report_stats=True,
    )
    began = time.perf_counter()
    while time.perf_counter() - began < most_seconds:
        answer = await client.workflow_service.describe_task_queue(request)
        if answer.stats.approximate_backlog_count == 0:
            break
        await asyncio.sleep(5)
    return time.perf_counter() - began


# Requests while the deadlines fire ---------------------------------------------------------------


class Load:
    """Requests at random moments, `rate` a second, of the four kinds; each timed."""

    def __init__(
        self, coordinator: httpx.AsyncClient, manager: httpx.AsyncClient, cases: list[str]
    ) -> None:
        self.coordinator = coordinator
        self.manager = manager
        self.cases = cases
        self.figures: dict[str, list[float]] = defaultdict(list)
        self.refused: dict[str, list[str]] = defaultdict(list)

    async def one(self, kind: str) -> None:
        case_id = random.choice(self.cases)
        began = time.perf_counter()
        try:
            answer = await self._request(kind, case_id)
        except httpx.HTTPError as error:
            self.refused[kind].append(
                f"{type(error).__name__} after {time.perf_counter() - began:.0f} s"
            )
            return
        seconds = time.perf_counter() - began
        if answer.status_code in (200, 201, 202):
            self.figures[kind].append(seconds)
        else:
            self.refused[kind].append(f"{answer.status_code} {answer.text[:160]}")

    async def _request(self, kind: str, case_id: str) -> httpx.Response:
        if kind == "board":
            return await self.coordinator.get("/board")
        if kind == "case page":
            return await self.coordinator.get(f"/cases/{case_id}")
        if kind == "dashboard":
            return await self.manager.get("/leder")
        task = {"department": random.choice(list(Department)).value, "purpose": "Bostøtte"}
        return await self.coordinator.post(f"/api/cases/{case_id}/assign-task", json=task)

    async def run(self, rate: float, seconds: float) -> None:
        kinds, weights = list(WEIGHTS), list(WEIGHTS.values())
        pending: set[asyncio.Task[None]] = set()
        end = time.monotonic() + seconds
        while time.monotonic() < end:
            task = asyncio.create_task(self.one(random.choices(kinds, weights)[0]))
            pending.add(task)
            task.add_done_callback(pending.discard)
            await asyncio.sleep(random.expovariate(rate))
        await asyncio.gather(*pending)


def coordinator_cases(engine: Engine) -> tuple[str, list[str]]:
    coordinator, _ = typical_coordinator(engine)
    with Session(engine) as session:
        cases = session.exec(
            select(Case.id).where(
                Case.coordinator_id == coordinator.id,
                # Tasks are assigned to a course until it ends.
                col(Case.stage).not_in([Stage.ENDED, Stage.CLOSED]),
            )
        ).all()
    return coordinator.username, [str(c) for c in cases]


def lateness(engine: Engine, run: str, expected: int, wait_until: float) -> tuple[list[float], int]:
    """Seconds from due to handed over of each due message, and how many never came."""
    while True:
        with Session(engine) as session:
            rows = session.exec(
                select(OutboxMessage.due_at, OutboxMessage.handed_at).where(
                    col(OutboxMessage.key).startswith(f"{DUE_KEY}:{run}:")
                )
            ).all()
        handed = [(d, h) for d, h in rows if d is not None and h is not None]
        if len(handed) >= expected or time.monotonic() > wait_until:
            return [(h - d).total_seconds() for d, h in handed], expected - len(handed)
        time.sleep(2)


# The run -----------------------------------------------------------------------------------------


def prepare_run(args: argparse.Namespace, data_dir: Path) -> tuple[str, list[ProgrammeState]]:
    """The environment of the service (and of this process, which starts the workflows), and
    the seeded courses' states. Returns the read model's URL and the states."""
    url = args.database_url or f"sqlite:///{data_dir.resolve() / 'forloeb.db'}"
    os.environ.pop("TEMPORAL_ADDRESS", None)
    os.environ.update(
        {
            "FORLOEB_DATA_DIR": str(data_dir),
            "DATABASE_URL": url,
            **{
                f"FORLOEB_{name}_PORT": str(free_port())
                for name in ("API", "TEMPORAL", "TEMPORAL_UI")
            },
        }
    )
    if args.reuse:
        return url, []
    print(f"Seeding {args.courses:,} open courses ({url.split('://')[0]})...", flush=True)
    return url, seed_courses(url, args.courses, args.workers, datetime.now(UTC))


async def running_states(
    client: Client, engine: Engine, wanted: int
) -> tuple[int, list[ProgrammeState]]:
    """Of the courses started by an earlier run: how many are open, and the current state of
    `wanted` of them, chosen at random among those the citizen can be written to."""
    with Session(engine) as session:
        open_cases = [
            str(c) for c in session.exec(select(Case.id).where(col(Case.stage) != Stage.CLOSED))
        ]
    random.shuffle(open_cases)
    found: list[ProgrammeState] = []
    limit = asyncio.Semaphore(8)

    async def current(case_id: str) -> None:
        async with limit:
            if len(found) >= wanted:
                return
            handle = client.get_workflow_handle(programme_workflow_id(case_id))
            try:
                state = await handle.query(ProgrammeWorkflow.current)
            except RPCError:
                return  # the worker is catching up after its restart: another course will do
            if writable(state) and len(found) < wanted:
                found.append(state)

    # Three times as many as wanted: about one citizen in ten takes only the caseworker's call.
    await asyncio.gather(*(current(c) for c in open_cases[: wanted * 3]))
    return len(open_cases), found


async def run(
    args: argparse.Namespace, data_dir: Path, url: str, states: list[ProgrammeState]
) -> Figures:
    figures = Figures(courses=len(states))
    due = [s for s in states if writable(s)][: args.due]
    due_ids = {s.case_id for s in due}
    rest = [s for s in states if s.case_id not in due_ids]
    run_tag = datetime.now(UTC).strftime("%H%M%S")
    settings = Settings()
    base_url = f"http://127.0.0.1:{settings.api_port}"
    engine = make_engine(url)
    env = {**os.environ, "TEMPORAL_ADDRESS": settings.effective_temporal_address}
    with (
        forloeb_up({**os.environ}, data_dir, base_url) as up_pid,
        more_workers(args.course_workers - 1, env, data_dir) as others,
    ):
        worker = child_of(up_pid, " worker")
        assert worker is not None, "the worker process was not found"
        workers = [worker, *others]
        client = await connect_temporal(settings)
        started = time.perf_counter()
        if args.reuse:
            figures.courses, due = await running_states(client, engine, args.due)
            # Replacing a running course costs about what starting one does.
            rate = 20.0
        else:
            print(f"Starting {len(rest):,} workflows...", flush=True)
            figures.start_failures = await start_all(client, settings.task_queue, rest)
            rate = len(rest) / (time.perf_counter() - started)
            print(f"  {rate:.0f} a second", flush=True)
            # Deadlines that fall due while the workers still take up courses measure the
            # backlog, not the timers.
            figures.taken_up_seconds = await backlog_emptied(client, settings.task_queue, 3600)
            print(f"  taken up by the workers {figures.taken_up_seconds:.0f} s later", flush=True)
        # The window opens once the due courses have started at the same rate, with a margin.
        opens = datetime.now(UTC) + timedelta(seconds=len(due) / rate * 1.5 + 15)
        step = args.window / max(1, len(due))
        for n, state in enumerate(due):
            queue_due(state, opens + timedelta(seconds=n * step), run_tag)
        await start_all(client, settings.task_queue, due, replace=args.reuse)
        # The starts themselves, not the wait for the workers between them.
        figures.started_seconds = time.perf_counter() - started - figures.taken_up_seconds
        figures.rss_started_kib = max(memory_kib(pid)["VmRSS"] for pid in workers)
        print(
            f"  all {len(states):,} started in {figures.started_seconds:.0f} s; "
            f"worker {figures.rss_started_kib / 1024:.0f} MiB",
            flush=True,
        )
        username, cases = coordinator_cases(engine)
        # Requests arrive whether or not the earlier ones are answered: room for all of them.
        coordinator = await logged_in(base_url, username, password=PASSWORD, connections=1000)
        manager = await logged_in(base_url, MANAGER, password=PASSWORD, connections=1000)
        await asyncio.sleep(max(0.0, (opens - datetime.now(UTC)).total_seconds()))
        print(f"Window of {args.window} s: deadlines firing, requests at {args.rate}/s", flush=True)
        load = Load(coordinator, manager, cases)
        window_began = time.perf_counter()
        await load.run(args.rate, args.window)
        figures.window_seconds = time.perf_counter() - window_began
        figures.requests, figures.refused = load.figures, load.refused
        figures.lateness, figures.never_fired = await asyncio.to_thread(
            lateness, engine, run_tag, len(due), time.monotonic() + DRAIN_SECONDS
        )
        figures.rss_peak_kib = max(memory_kib(pid)["VmHWM"] for pid in workers)
        await coordinator.aclose()
        await manager.aclose()
    engine.dispose()
    return figures


def report(figures: Figures, args: argparse.Namespace) -> None:
    store = "PostgreSQL" if args.database_url else "SQLite"
    print(f"\n{figures.courses:,} open courses, read model on {store}")
    if not args.reuse:
        print(
            f"  seeded in {figures.seeded_seconds:.0f} s; workflows started in "
            f"{figures.started_seconds:.0f} s "
            f"({figures.courses / figures.started_seconds:.0f}/s), {figures.start_failures} failed"
        )
        print(f"  taken up by the workers {figures.taken_up_seconds:.0f} s after the starts")
    print(
        f"  worker memory (the busiest of {args.course_workers}): "
        f"{figures.rss_started_kib / 1024:.0f} MiB with all started, "
        f"peak {figures.rss_peak_kib / 1024:.0f} MiB"
    )
    late = figures.lateness
    if late:
        p95 = percentile(late, 0.95)
        mark = "" if p95 <= 5 else "  over the 5 s goal"
        print(
            f"  deadlines: {len(late)} fired over {args.window} s, lateness p50 "
            f"{percentile(late, 0.5):.2f} s, p95 {p95:.2f} s, max {max(late):.2f} s{mark}"
        )
    print(f"  deadlines never fired within {DRAIN_SECONDS} s of the window: {figures.never_fired}")
    total = sum(len(v) for v in figures.requests.values())
    print(f"  requests: {total} in {figures.window_seconds:.0f} s")
    print(f"    {'kind':<10} {'n':>5} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for kind, goal in GOALS_MS.items():
        times = [t * 1000 for t in figures.requests.get(kind, [])]
        refused = figures.refused.get(kind, [])
        if not times:
            print(f"    {kind:<10} none answered; refused: {refused[:2]}")
            continue
        p95 = percentile(times, 0.95)
        mark = "" if p95 <= goal else f"  over the {goal:.0f} ms goal"
        print(
            f"    {kind:<10} {len(times):5d} {percentile(times, 0.5):8.0f} {p95:8.0f} "
            f"{max(times):8.0f}{mark}"
        )
        for line in refused[:3]:
            print(f"      refused: {line}")


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").split("\n\n")[0])
    parser.add_argument("--courses", type=int, default=20_000)
    parser.add_argument("--due", type=int, default=600, help="deadlines due in the window")
    parser.add_argument("--window", type=int, default=300, help="seconds")
    parser.add_argument("--rate", type=float, default=4.0, help="requests a second")
    parser.add_argument("--workers", type=int, default=2, help="processes that seed")
    parser.add_argument(
        "--course-workers", type=int, default=1, help="worker processes running the courses"
    )
    parser.add_argument("--database-url", help="a PostgreSQL read model, emptied first")
    parser.add_argument("--keep", type=Path, help="keep the data folder and logs here")
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="run again on the courses an earlier run left in --keep (no seeding, no starts)",
    )
    args = parser.parse_args()
    if args.reuse and not (args.keep and (args.keep / "temporal.db").exists()):
        parser.error("--reuse needs --keep with the folder of an earlier run")
    with tempfile.TemporaryDirectory() as scratch:
        data_dir = args.keep or Path(scratch)
        data_dir.mkdir(parents=True, exist_ok=True)
        began = time.perf_counter()
        url, states = prepare_run(args, data_dir)
        seeded = time.perf_counter() - began
        print(f"  seeded in {seeded:.0f} s", flush=True)
        figures = asyncio.run(run(args, data_dir, url, states))
        figures.seeded_seconds = seeded
    report(figures, args)


if __name__ == "__main__":
    main()
