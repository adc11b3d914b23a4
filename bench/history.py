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

import argparse
import asyncio
import gc
import heapq
import json
import sys
import tempfile
import uuid
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from pathlib import Path
from time import perf_counter
from typing import Any
from zoneinfo import ZoneInfo

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from sqlalchemy import Engine
from sqlmodel import select
from temporalio.api.enums.v1 import EventType, IndexedValueType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.client import Client, WorkflowHandle, WorkflowUpdateFailedError
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.exceptions import ApplicationError
from temporalio.service import RPCError
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from deploy.binaries import find_binary
from deploy.worker import build_worker
from models import search_attributes
from models.actions import update_name
from models.case import CaseEvent
from models.command import Actor, Command
from models.contact import SetContactPreferences
from models.continuity import JustifyPause, RecordEffort
from models.db import SessionFactory, make_engine, migrate, session_factory
from models.enums import (
    Channel,
    DeliveryStatus,
    Department,
    MeetingStatus,
    Outcome,
    PlaceKind,
    PlanItemKind,
    Recommendation,
    Role,
    Stage,
)
from models.handover import AcceptHandover, HandoverNote, RequestHandover, ResolveTeamFlag
from models.meeting import (
    BookMeeting,
    CitizenReply,
    CompleteTodo,
    DeliveryReport,
    MoveMeeting,
    RecordMeetingOutcome,
    ReminderRule,
)
from models.programme import (
    Effort,
    EndProgramme,
    ExtendProgramme,
    ProgrammeInput,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
    TimelineEvent,
    programme_workflow_id,
)
from models.staff import Staff
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
)
from tests.factories import actor_of, make_citizen, make_staff
from workflows.programme import ProgrammeWorkflow

# The rules count in Copenhagen time (working days, quiet hours); so does the simulated week.
COPENHAGEN = ZoneInfo("Europe/Copenhagen")
TASK_QUEUE = "bench-history"
PROJECT_ROOT = Path(__file__).resolve().parent.parent
PUBLIC_URL = "http://forloeb.test"
# The service's default reminder schedule (FORLOEB_REMINDERS="24,2:call"), as the API fills it.
REMINDERS = [ReminderRule(hours_before=24), ReminderRule(hours_before=2, channel=Channel.CALL)]
PHONE = "20 12 34 56"
EMAIL = "borger@eksempel.dk"

TASKS = 40
MEETINGS = 60
DECISION_MONTHS = 36
# Days from a held meeting to the next one: spreads about 60 meetings over five years.
MEETING_EVERY_DAYS = 32
# A citizen who did not come is seen again soon.
AFTER_NO_SHOW_DAYS = 10

# How long after a step its consequences (a message, a projection) are looked at.
AFTER_STEP = timedelta(minutes=1)

# Bounds, so the script always stops by itself.
MAX_STEPS = 6_000
MAX_RUNS = 1_000
COURSE_TIMEOUT_SECONDS = 900
CHILD_TIMEOUT_SECONDS = 900
# Courses started before the "before" reading: the first ones load modules and warm caches.
WARMUP_COURSES = 10
# Courses set up at once in the memory measurement; the worker takes them one task at a time.
SETUP_CONCURRENCY = 8
# The control's cache: the warm-up courses and those being set up. Smaller would evict courses
# with a projection (a local activity) in flight, which then waits to be run again.
CONTROL_CACHE = WARMUP_COURSES + SETUP_CONCURRENCY

ProgrammeHandle = WorkflowHandle[ProgrammeWorkflow, ProgrammeState]


@dataclass(frozen=True)
class Goals:
    state_bytes: int = 24 * 1024
    history_bytes: int = 8 * 1024 * 1024
    events_per_run: int = 4_096
    mib_per_1000_cached: float = 128.0


# The server and the service -------------------------------------------------------------------


async def start_time_env() -> WorkflowEnvironment:
    """Temporal's time-skipping test server, exactly as tests/conftest.py's `time_env`."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
    )
    # As on every server the workflow runs on, its search attributes must exist first.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
                for key in search_attributes.ALL
            },
        )
    )
    return env


@dataclass(frozen=True)
class Service:
    env: WorkflowEnvironment
    open_session: SessionFactory

    @property
    def client(self) -> Client:
        return self.env.client


@asynccontextmanager
async def running_service(cache_size: int | None = None) -> AsyncIterator[Service]:
    """The test server, a fresh SQLite read model and a real worker, as the workflow tests
    have them (tests/workflows/programme_helpers.worker_for)."""
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        url = f"sqlite:///{Path(folder) / 'forloeb.db'}"
        migrate(url)
        engine: Engine = make_engine(url)
        env = await start_time_env()
        try:
            with ThreadPoolExecutor(max_workers=8) as executor:
                open_session = session_factory(engine)
                if cache_size is None:
                    worker = real_worker(env.client, TASK_QUEUE, open_session, executor)
                else:
                    worker = with_cache(env.client, open_session, executor, cache_size)
                # The worker stops before the server: the time-skipping server holds its
                # clock while a task is being worked on.
                async with worker:
                    yield Service(env=env, open_session=session_factory(engine))
        finally:
            await env.shutdown()
            engine.dispose()


def real_worker(
    client: Client, task_queue: str, open_session: SessionFactory, executor: ThreadPoolExecutor
) -> Worker:
    return build_worker(
        client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url=PUBLIC_URL,
    )


def with_cache(
    client: Client, open_session: SessionFactory, executor: ThreadPoolExecutor, size: int
) -> Worker:
    """The real worker with a workflow cache of `size` courses.

    build_worker takes no cache size, so its worker is built on a queue of its own, never
    started, and the one that runs is made from its config (Temporal's way to change a
    worker's options). A second worker on the same queue would be refused by the SDK.
    """
    template = real_worker(client, f"{TASK_QUEUE}-template", open_session, executor)
    config = template.config()
    config["task_queue"] = TASK_QUEUE
    config["max_cached_workflows"] = size
    return Worker(**config)


@dataclass(frozen=True)
class Staffing:
    """The people on a course: two coordinators, two workers and a lead in each department."""

    coordinators: tuple[Staff, Staff]
    workers: dict[Department, tuple[Staff, Staff]]
    leads: dict[Department, Staff]


def hire(open_session: SessionFactory) -> Staffing:
    with open_session() as session:
        first, second = make_staff(session), make_staff(session)
        # Named, because names travel in commands and messages (host, handover).
        first.full_name, second.full_name = "Mette Jensen", "Lars Holm"
        session.add_all([first, second])
        session.commit()
        workers = {
            department: (
                make_staff(session, Role.DEPARTMENT_WORKER, department),
                make_staff(session, Role.DEPARTMENT_WORKER, department),
            )
            for department in Department
        }
        leads = {
            department: make_staff(session, Role.DEPARTMENT_LEAD, department)
            for department in Department
        }
    return Staffing(coordinators=(first, second), workers=workers, leads=leads)


async def refer(service: Service, coordinator: Staff) -> ProgrammeHandle:
    """Refer a new citizen: the case's workflow starts, as the API starts it."""
    with service.open_session() as session:
        citizen = make_citizen(session, "Bench Borger")
    case_id = str(uuid.uuid4())
    return await service.client.start_workflow(
        ProgrammeWorkflow.run,
        ProgrammeInput(
            case_id=case_id, citizen_id=str(citizen.id), coordinator_id=str(coordinator.id)
        ),
        id=programme_workflow_id(case_id),
        task_queue=TASK_QUEUE,
    )


@dataclass
class Sender:
    """Sends commands as the updates that carry them; a refusal is kept, not raised, so one
    refused action shows in the report instead of ending the course."""

    handle: ProgrammeHandle
    sent: Counter[str] = field(default_factory=Counter)
    refusals: list[str] = field(default_factory=list)

    async def send(self, command: Command) -> TimelineEvent | None:
        name = update_name(command)
        try:
            event: TimelineEvent = await self.handle.execute_update(
                name, command, result_type=TimelineEvent
            )
        except WorkflowUpdateFailedError as error:
            cause = error.cause
            reason = cause.message if isinstance(cause, ApplicationError) else str(cause)
            self.refusals.append(f"{name}: {reason}")
            return None
        except RPCError as error:
            self.refusals.append(f"{name}: {error.message}")
            return None
        self.sent[name] += 1
        return event

    async def state(self) -> ProgrammeState:
        return await self.handle.query(ProgrammeWorkflow.current)


def state_bytes(state: ProgrammeState) -> int:
    return len(state.model_dump_json().encode())


# Simulated time ------------------------------------------------------------------------------


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


def local_day(moment: datetime) -> date:
    return moment.astimezone(COPENHAGEN).date()


def weekday_from(day: date) -> date:
    """The day itself, or the Monday after when it falls in a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


def first_of_month(day: date, months_later: int) -> date:
    index = day.month - 1 + months_later
    return date(day.year + index // 12, index % 12 + 1, 1)


async def travel_to(env: WorkflowEnvironment, moment: datetime) -> None:
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)


# The heavy course ----------------------------------------------------------------------------


class Fate(StrEnum):
    """What becomes of a department task."""

    DONE = "acknowledged, started and completed in time"
    LATE = "left to escalate, then acknowledged two weeks late and completed"
    DECLINED = "declined by the department"
    CANCELLED = "acknowledged, then cancelled by the coordinator"
    REASSIGNED = "given to a colleague by the lead, then completed"


FATES = {
    **dict.fromkeys((3, 13, 21, 31), Fate.LATE),
    **dict.fromkeys((5, 17, 29), Fate.DECLINED),
    **dict.fromkeys((9, 23, 35), Fate.CANCELLED),
    **dict.fromkeys((15, 27), Fate.REASSIGNED),
}

PURPOSES = {
    Department.HEALTH: [
        "Helbredsvurdering hos kommunallæge",
        "Fysioterapeutisk træningsforløb for ryg og skuldre",
        "Psykologsamtaler om stress og angst",
        "Afklaring på smerteklinikken",
    ],
    Department.JOBCENTER: [
        "Virksomhedspraktik med mentor, 10 timer om ugen",
        "Jobsøgningskursus for ledige med skånehensyn",
        "Afklaring af skånehensyn på arbejdspladsen",
        "Løntilskud: find en virksomhed i lokalområdet",
    ],
    Department.SOCIAL: [
        "Støtte-kontaktperson (SEL § 85)",
        "Afklaring af boligsituationen",
        "Gældsrådgivning og budget",
        "Opfølgning på misbrugsbehandling",
    ],
    Department.FAMILY: [
        "Familiebehandling i hjemmet",
        "Samtaler om forældrerollen",
        "Støtte til barnets skolegang",
        "Aflastning i weekenderne",
    ],
}
DEPARTMENTS = [Department.HEALTH, Department.JOBCENTER, Department.SOCIAL, Department.FAMILY]
PLACES = [
    (PlaceKind.LIBRARY, "Hovedbiblioteket, Læsesalen"),
    (PlaceKind.CAFE, "Café Fønix, Torvet 3"),
    (PlaceKind.JOBCENTER, "Jobcentret, mødelokale 2"),
    (PlaceKind.WALK, "Ved søen, P-pladsen"),
    (PlaceKind.HOME, "Hjemme hos borgeren"),
    (PlaceKind.PHONE, "Telefon: vi ringer dig op"),
]
EFFORTS = [
    (PlanItemKind.EFFORT, "Virksomhedspraktik med mentor", "Jobcentrets virksomhedskonsulent"),
    (PlanItemKind.TREATMENT, "Fysioterapi, to gange om ugen", "Fysioterapeut i Sundhed"),
    (PlanItemKind.EFFORT, "Støtte-kontaktperson", "Socialforvaltningens bostøtte"),
    (PlanItemKind.TREATMENT, "Psykologforløb", "Psykolog i Sundhed"),
    (PlanItemKind.EFFORT, "Løntilskud i en lokal virksomhed", "Jobcentrets virksomhedskonsulent"),
]
EFFORT_DEPARTMENTS = [
    Department.JOBCENTER,
    Department.HEALTH,
    Department.SOCIAL,
    Department.HEALTH,
    Department.JOBCENTER,
]
PAUSES = [
    (40, "Indlagt på hospitalet efter en operation"),
    (92, "Sommerferie med børnene"),
    (144, "Genoptræning efter et fald; ingen indsats kan gennemføres"),
    (196, "Sommerferie"),
    (236, "Sygdom i familien; borgeren passer sin mor"),
]


@dataclass(frozen=True)
class TaskPlan:
    index: int
    task_id: str
    department: Department
    purpose: str
    fate: Fate
    assign_at: datetime
    expected_start: date
    due: date
    carries_recommendation: bool


@dataclass(order=True)
class Entry:
    """One step of the course at its moment; steps of the same moment keep their order."""

    when: datetime
    order: int
    what: str = field(compare=False)
    step: Callable[[], Awaitable[None]] = field(compare=False)


@dataclass
class StateSample:
    taken_at: datetime
    size: int


@dataclass
class CourseFigures:
    workflow_id: str
    first_run_id: str
    started: datetime
    closed: datetime
    final: ProgrammeState
    monthly: list[StateSample]
    largest: ProgrammeState
    largest_size: int
    samples: int
    sent: Counter[str]
    refusals: list[str]
    coordinators: tuple[str, str]
    tasks: Counter[Fate]
    meetings_booked: int
    outcomes: Counter[MeetingStatus]
    steps: int
    timeline: Counter[str] = field(default_factory=Counter)


class HeavyCourse:
    """Plays the course as an agenda of dated steps; steps add later steps as life goes on."""

    def __init__(
        self, env: WorkflowEnvironment, staffing: Staffing, handle: ProgrammeHandle, t0: datetime
    ) -> None:
        self.env = env
        self.staffing = staffing
        self.handle = handle
        self.sender = Sender(handle)
        self.coordinator = staffing.coordinators[0]
        self.t0 = t0
        self.referral_day = local_day(t0)
        self.team_day = self.referral_day + timedelta(days=22)
        self.decision_day = self.referral_day + timedelta(days=35)
        self.agenda: list[Entry] = []
        self.order = 0
        self.reported: set[str] = set()
        self.monthly: list[StateSample] = []
        self.largest: ProgrammeState | None = None
        self.largest_size = 0
        self.samples = 0
        self.last_state: ProgrammeState | None = None
        self.meetings_booked = 0
        self.outcomes: Counter[MeetingStatus] = Counter()
        self.tasks: Counter[Fate] = Counter()
        self.final: ProgrammeState | None = None
        self.steps = 0

    # The agenda

    def plan(self, when: datetime, what: str, step: Callable[[], Awaitable[None]]) -> None:
        self.order += 1
        heapq.heappush(self.agenda, Entry(when, self.order, what, step))

    async def play(self) -> CourseFigures:
        self.plan_course()
        limit = self.t0 + timedelta(days=7 * 365)
        while self.agenda and self.final is None:
            entry = heapq.heappop(self.agenda)
            if entry.when > limit or self.steps >= MAX_STEPS:
                raise RuntimeError(f"the course ran away at step {self.steps}: {entry.what}")
            await travel_to(self.env, entry.when)
            await entry.step()
            self.steps += 1
            if self.final is None:
                # A minute later whatever the step set off (a message, its projection) is
                # done: the provider reports on it then, as Twilio does within seconds.
                await self.env.sleep(AFTER_STEP)
                await self.look()
        if self.final is None:
            raise RuntimeError("the agenda ran out before the course closed")
        assert self.largest is not None
        return CourseFigures(
            workflow_id=self.handle.id,
            first_run_id=self.handle.first_execution_run_id or self.handle.result_run_id or "",
            started=self.t0,
            closed=self.final.closed_at or self.t0,
            final=self.final,
            monthly=self.monthly,
            largest=self.largest,
            largest_size=self.largest_size,
            samples=self.samples,
            sent=self.sender.sent,
            refusals=self.sender.refusals,
            coordinators=(
                str(self.staffing.coordinators[0].id),
                str(self.staffing.coordinators[1].id),
            ),
            tasks=self.tasks,
            meetings_booked=self.meetings_booked,
            outcomes=self.outcomes,
            steps=self.steps,
        )

    async def look(self) -> ProgrammeState:
        """Read the state: its size, and the provider's delivery reports for every SMS sent
        since the last look (Twilio reports `sent`, then `delivered`)."""
        state = await self.sender.state()
        self.note_size(state)
        for message in state.sent:
            if message.channel != Channel.SMS or message.key in self.reported:
                continue
            self.reported.add(message.key)
            for status in (DeliveryStatus.SENT, DeliveryStatus.DELIVERED):
                await self.sender.send(DeliveryReport(key=message.key, status=status))
        self.last_state = state
        return state

    def note_size(self, state: ProgrammeState) -> int:
        size = state_bytes(state)
        self.samples += 1
        if size > self.largest_size:
            self.largest, self.largest_size = state, size
        return size

    @property
    def me(self) -> Actor:
        return actor_of(self.coordinator)

    # The course, as planned on the day of referral

    def plan_course(self) -> None:
        self.plan(self.t0, "referral work", self.referral_work)
        self.plan(at(self.referral_day + timedelta(days=14), 10), "team date", self.team_date)
        self.plan(at(self.team_day, 15), "recommendation", self.recommendation)
        self.plan(at(self.decision_day, 10), "decision", self.decision)
        for index in range(TASKS):
            self.plan_task(self.task_plan(index))
        for index in range(10):
            start = self.decision_day + timedelta(days=7 + 182 * index)
            self.plan(
                at(start - timedelta(days=7), 10, 30),
                f"effort {index}",
                self.effort_step(index, start),
            )
        for weeks, reason in PAUSES:
            monday = self.decision_day + timedelta(weeks=weeks)
            self.plan(at(monday, 10, 15), "pause", self.pause_step(monday, reason))
        handover_day = self.decision_day + timedelta(weeks=121)
        self.plan(at(handover_day, 9, 45), "handover", self.request_handover)
        self.plan(at(handover_day + timedelta(days=1), 9, 30), "accept", self.accept_handover)
        self.plan(at(self.decision_day + timedelta(weeks=130), 10, 20), "extension", self.extension)
        self.plan(at(first_of_month(self.referral_day, 1), 20), "month", self.month_step(1))

    async def referral_work(self) -> None:
        await self.sender.send(
            SetContactPreferences(
                actor=self.me, channels=[Channel.SMS, Channel.EMAIL], phone=PHONE, email=EMAIL
            )
        )
        await self.sender.send(StartPreparation(actor=self.me))
        await self.book(0, at(self.referral_day + timedelta(days=2), 10))

    async def team_date(self) -> None:
        await self.sender.send(ScheduleTeamMeeting(actor=self.me, meeting_on=self.team_day))

    async def recommendation(self) -> None:
        await self.sender.send(
            RecordRecommendation(
                actor=self.me,
                kind=Recommendation.RESSOURCEFORLOEB,
                efforts=[
                    Effort(department=Department.JOBCENTER, description="Virksomhedspraktik"),
                    Effort(department=Department.HEALTH, description="Smertehåndtering"),
                    Effort(department=Department.SOCIAL, description="Støtte-kontaktperson"),
                    Effort(department=Department.FAMILY, description="Familiebehandling"),
                ],
                note="Borgeren er motiveret; skånehensyn: højst 3 timer ad gangen.",
            )
        )

    async def decision(self) -> None:
        await self.sender.send(
            RecordDecision(
                actor=self.me,
                kind=Recommendation.RESSOURCEFORLOEB,
                duration_months=DECISION_MONTHS,
            )
        )

    def month_step(self, months: int) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            state = await self.sender.state()
            self.monthly.append(StateSample(await self.env.get_current_time(), state_bytes(state)))
            if state.stage != Stage.CLOSED:
                moment = at(first_of_month(self.referral_day, months + 1), 20)
                self.plan(moment, "month", self.month_step(months + 1))

        return step

    # Department tasks

    def task_plan(self, index: int) -> TaskPlan:
        department = DEPARTMENTS[index % 4]
        if index < 2:  # asked for while the case is prepared for the team
            assign_at = at(self.referral_day, 10, 5 + index)
            expected_start = self.referral_day + timedelta(days=7)
            due = self.referral_day + timedelta(weeks=4)
        else:
            weeks = 1 + int((index - 2) * 6.6)
            assign_at = at(self.decision_day + timedelta(weeks=weeks), 10)
            expected_start = local_day(assign_at) + timedelta(days=7)
            due = expected_start + timedelta(weeks=5)
        return TaskPlan(
            index=index,
            task_id=str(uuid.uuid4()),
            department=department,
            purpose=PURPOSES[department][(index // 4) % 4],
            fate=FATES.get(index, Fate.DONE),
            assign_at=assign_at,
            expected_start=expected_start,
            due=due,
            carries_recommendation=2 <= index <= 6,
        )

    def plan_task(self, task: TaskPlan) -> None:
        worker, colleague = self.staffing.workers[task.department]
        lead = self.staffing.leads[task.department]
        assigned = task.assign_at
        first_day = local_day(assigned)
        start_at = at(task.expected_start, 10)
        done_at = max(at(task.due - timedelta(days=2), 14), start_at + timedelta(days=1))
        self.plan(assigned, f"assign task {task.index}", self.assign_step(task))
        self.tasks[task.fate] += 1
        if task.fate == Fate.DECLINED:
            reason = "Ingen ledig kapacitet før om et halvt år; henvis til regionen."
            self.plan(
                at(first_day + timedelta(days=1), 10),
                "decline",
                self.as_department(DeclineTask(task_id=task.task_id, reason=reason), worker),
            )
            if task.carries_recommendation:
                self.plan(at(first_day + timedelta(days=7), 10), "team flag", self.resolve_flag)
            return
        if task.fate == Fate.LATE:
            # Nobody acknowledges for two weeks: reminder, escalations every working day.
            late = at(first_day + timedelta(days=14), 11)
            self.plan(late, "late ack", self.as_department(AcknowledgeTask(), worker, task))
            start_at = late + timedelta(hours=2)
        else:
            acknowledger = worker
            if task.fate == Fate.REASSIGNED:
                acknowledger = colleague
                self.plan(
                    assigned + timedelta(hours=2),
                    "reassign",
                    self.as_department(
                        ReassignTask(
                            task_id=task.task_id,
                            assignee_id=str(colleague.id),
                            assignee_name=colleague.full_name,
                            assignee_department=colleague.department,
                            note="Du kender borgeren fra sidste forløb.",
                        ),
                        lead,
                    ),
                )
            self.plan(
                assigned + timedelta(hours=4),
                "ack",
                self.as_department(AcknowledgeTask(), acknowledger, task),
            )
            worker = acknowledger
        if task.fate == Fate.CANCELLED:
            self.plan(at(first_day + timedelta(days=3), 10), "cancel", self.cancel_step(task))
            return
        self.plan(start_at, "start", self.as_department(StartTask(), worker, task))
        result = CompleteTask(
            task_id=task.task_id, result="Gennemført som aftalt; borgeren deltog stabilt."
        )
        self.plan(done_at, "complete", self.as_department(result, worker))

    def assign_step(self, task: TaskPlan) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            await self.sender.send(
                AssignTask(
                    actor=self.me,
                    task_id=task.task_id,
                    department=task.department,
                    purpose=task.purpose,
                    considerations="Højst 3 timer ad gangen; undgå tunge løft.",
                    expected_start=task.expected_start,
                    due=task.due,
                    carries_recommendation=task.carries_recommendation,
                )
            )

        return step

    def as_department(
        self, command: Command, staff: Staff, task: TaskPlan | None = None
    ) -> Callable[[], Awaitable[None]]:
        """A department's action on its task, sent as one of its own staff."""

        async def step() -> None:
            update: dict[str, Any] = {"actor": actor_of(staff)}
            if task is not None:
                update["task_id"] = task.task_id
            await self.sender.send(command.model_copy(update=update))

        return step

    def cancel_step(self, task: TaskPlan) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            reason = "Borgeren er startet i et andet tilbud, som dækker behovet."
            await self.sender.send(CancelTask(actor=self.me, task_id=task.task_id, reason=reason))

        return step

    async def resolve_flag(self) -> None:
        note = "Teamet har drøftet sagen og finder en anden leverandør."
        await self.sender.send(ResolveTeamFlag(actor=self.me, note=note))

    # Meetings with the citizen

    async def book(self, index: int, starts_at: datetime) -> None:
        kind, place = PLACES[index % len(PLACES)]
        meeting_id = str(uuid.uuid4())
        event = await self.sender.send(
            BookMeeting(
                actor=self.me,
                meeting_id=meeting_id,
                starts_at=starts_at,
                place_kind=kind,
                place=place,
                purpose="Opfølgning på forløbet",
                bring="lønsedler" if index % 5 == 0 else "",
                host_name=self.coordinator.full_name,
                reminders=REMINDERS,
            )
        )
        if event is None:
            return
        self.meetings_booked += 1
        self.expect_reminder(starts_at)
        now = await self.env.get_current_time()
        day = local_day(now)
        reply_at = at(day + timedelta(days=1), 12)
        if index % 12 == 5:
            # The citizen cannot come and asks for a new time; the coordinator moves it.
            self.plan(reply_at, "FLYT", self.reply("FLYT"))
            self.plan(
                at(day + timedelta(days=2), 9, 30),
                "move",
                self.move_step(index, meeting_id, starts_at + timedelta(days=2)),
            )
        elif index % 12 == 9:
            # The coordinator must move it herself, after the citizen confirmed.
            self.plan(reply_at, "JA", self.reply("JA"))
            self.plan(
                at(day + timedelta(days=7), 10),
                "move",
                self.move_step(index, meeting_id, starts_at + timedelta(days=1)),
            )
        else:
            self.plan(reply_at, "JA", self.reply("JA"))
            self.plan(starts_at + timedelta(minutes=90), "outcome", self.outcome(index, meeting_id))
        if index % 8 == 3:
            self.plan(
                at(day + timedelta(days=3), 18), "message", self.reply("Må min kæreste komme med?")
            )
            self.plan(at(day + timedelta(days=4), 10), "todo", self.complete_todos)

    def expect_reminder(self, starts_at: datetime) -> None:
        """The provider's reports come just after the reminder goes, a day before."""

        async def step() -> None:
            pass  # the look after every step sends them

        self.plan(starts_at - timedelta(hours=24) + AFTER_STEP, "reminder reports", step)

    def reply(self, text: str) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            # As the SMS webhook sends it, with the provider's message id.
            await self.sender.send(CitizenReply(text=text, reply_id=f"SM{uuid.uuid4().hex}"))

        return step

    def move_step(
        self, index: int, meeting_id: str, starts_at: datetime
    ) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            await self.sender.send(
                MoveMeeting(
                    actor=self.me, meeting_id=meeting_id, starts_at=starts_at, reminders=REMINDERS
                )
            )
            self.expect_reminder(starts_at)
            day = local_day(await self.env.get_current_time())
            self.plan(at(day + timedelta(days=1), 12), "JA", self.reply("JA"))
            self.plan(starts_at + timedelta(minutes=90), "outcome", self.outcome(index, meeting_id))

        return step

    def outcome(self, index: int, meeting_id: str) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            no_show = index % 10 == 7
            outcome = MeetingStatus.NO_SHOW if no_show else MeetingStatus.HELD
            recorded = await self.sender.send(
                RecordMeetingOutcome(
                    actor=self.me,
                    meeting_id=meeting_id,
                    outcome=outcome,
                    note="Borgeren kom ikke; ringet op." if no_show else "Næste skridt aftalt.",
                )
            )
            if recorded is not None:
                self.outcomes[outcome] += 1
            # Every conversation ends with the next appointment, until the course ends.
            now = await self.env.get_current_time()
            gap = AFTER_NO_SHOW_DAYS if no_show else MEETING_EVERY_DAYS
            next_at = at(weekday_from(local_day(now) + timedelta(days=gap)), 10)
            state = self.last_state or await self.sender.state()
            last_day = state.planned_end or self.decision_day + timedelta(days=61 * 30)
            if index + 1 < MEETINGS and local_day(next_at) < last_day - timedelta(days=5):
                await self.book(index + 1, next_at)

        return step

    async def complete_todos(self) -> None:
        state = await self.sender.state()
        for todo in state.todos:
            if todo.done_at is None:
                await self.sender.send(CompleteTodo(actor=self.me, todo_id=todo.id))

    # The continuity plan

    def effort_step(self, index: int, start: date) -> Callable[[], Awaitable[None]]:
        kind, title, owner = EFFORTS[index % len(EFFORTS)]

        async def step() -> None:
            await self.sender.send(
                RecordEffort(
                    actor=self.me,
                    item_id=str(uuid.uuid4()),
                    kind=kind,
                    title=title,
                    owner=owner,
                    department=EFFORT_DEPARTMENTS[index % len(EFFORT_DEPARTMENTS)],
                    start=start,
                    end=start + timedelta(days=181),
                )
            )

        return step

    def pause_step(self, monday: date, reason: str) -> Callable[[], Awaitable[None]]:
        async def step() -> None:
            start = monday + timedelta(days=7)
            await self.sender.send(
                JustifyPause(
                    actor=self.me,
                    item_id=str(uuid.uuid4()),
                    start=start,
                    end=start + timedelta(days=20),
                    reason=reason,
                )
            )

        return step

    # Handover, extension, end and close

    async def request_handover(self) -> None:
        first, second = self.staffing.coordinators
        await self.sender.send(
            RequestHandover(
                actor=actor_of(first),
                to_id=str(second.id),
                to_name=second.full_name,
                to_is_coordinator=True,
                from_name=first.full_name,
                note=HandoverNote(
                    status="Aktivt ressourceforløb; praktik og fysioterapi kører.",
                    open_tasks="Jobcentret og Sundhed har hver en åben opgave.",
                    agreements="Møde hver måned; næste er booket.",
                    citizen_told="Borgeren ved, at Lars overtager.",
                ),
            )
        )

    async def accept_handover(self) -> None:
        second = self.staffing.coordinators[1]
        if await self.sender.send(AcceptHandover(actor=actor_of(second))) is not None:
            self.coordinator = second

    async def extension(self) -> None:
        state = await self.sender.state()
        if state.max_end is not None:
            await self.sender.send(
                ExtendProgramme(
                    actor=self.me,
                    new_end=state.max_end,
                    reason="Borgeren er i god udvikling; teamet anbefaler fem år i alt.",
                )
            )
            state = await self.sender.state()
        assert state.planned_end is not None
        self.plan(at(state.planned_end - timedelta(days=3), 10), "end", self.end)

    async def end(self) -> None:
        await self.sender.send(
            EndProgramme(
                actor=self.me,
                outcome=Outcome.JOB,
                reason="Borgeren er ansat i ordinært job fra den 1. i næste måned.",
            )
        )
        day = local_day(await self.env.get_current_time())
        self.plan(at(day + timedelta(weeks=6), 10), "status", self.status)

    async def status(self) -> None:
        await self.sender.send(RecordStatus(actor=self.me, status=Outcome.JOB))
        state = await self.sender.state()
        assert state.followup_on is not None
        self.plan(at(state.followup_on + timedelta(days=1), 12), "close", self.close)

    async def close(self) -> None:
        # The 13-week follow-up timer has fired: the workflow returns its final state.
        self.final = await asyncio.wait_for(self.handle.result(), timeout=60)
        self.note_size(self.final)


def timeline_kinds(open_session: SessionFactory, case_id: str) -> Counter[str]:
    """The case's timeline as the projection wrote it, by kind: what the workflow recorded,
    including what its own timers did (messages, reminders, escalations, stalls). A stall
    is counted by its reason, as the workflow words it."""
    with open_session() as session:
        rows = session.exec(
            select(CaseEvent.kind, CaseEvent.summary).where(CaseEvent.case_id == uuid.UUID(case_id))
        ).all()
    return Counter(
        f"stalled: {summary.split(': ', 1)[-1]}" if kind == "stalled" else kind
        for kind, summary in rows
    )


async def play_course(service: Service, staffing: Staffing) -> CourseFigures:
    # A Monday morning at least a day ahead, so every moment of the plan is still to come.
    now = await service.env.get_current_time()
    monday = local_day(now) + timedelta(days=1)
    monday += timedelta(days=(7 - monday.weekday()) % 7)
    t0 = at(monday, 10)
    await travel_to(service.env, t0)
    handle = await refer(service, staffing.coordinators[0])
    course = HeavyCourse(service.env, staffing, handle, t0)
    return await course.play()


# History -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RunFigures:
    run_id: str
    events: int
    history_bytes: int
    largest_payload: int
    largest_in: str
    kinds: Counter[str]
    # The first event at which the server suggested continue-as-new, if it did.
    suggested_at: int | None


def largest_payload(message: Message) -> int:
    """The largest temporal.api.common.v1.Payload anywhere inside the message."""
    best = 0
    for descriptor, value in message.ListFields():
        if descriptor.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        entry = descriptor.message_type
        if entry is not None and entry.GetOptions().map_entry:
            if entry.fields_by_name["value"].type != FieldDescriptor.TYPE_MESSAGE:
                continue
            children: Sequence[Message] = list(value.values())
        elif descriptor.is_repeated:
            children = list(value)
        else:
            children = [value]
        for child in children:
            if child.DESCRIPTOR.full_name == "temporal.api.common.v1.Payload":
                best = max(best, child.ByteSize())
            else:
                best = max(best, largest_payload(child))
    return best


def run_figures(run_id: str, events: Sequence[HistoryEvent]) -> RunFigures:
    largest, largest_in = 0, ""
    kinds: Counter[str] = Counter()
    suggested_at = None
    for event in events:
        started = event.workflow_task_started_event_attributes
        if suggested_at is None and started.suggest_continue_as_new:
            suggested_at = event.event_id
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
        kinds[kind] += 1
        size = largest_payload(event)
        if size > largest:
            largest, largest_in = size, kind
    return RunFigures(
        run_id=run_id,
        events=len(events),
        history_bytes=sum(len(event.SerializeToString()) for event in events),
        largest_payload=largest,
        largest_in=largest_in,
        kinds=kinds,
        suggested_at=suggested_at,
    )


async def walk_runs(client: Client, workflow_id: str, first_run_id: str) -> list[RunFigures]:
    """Every run of the workflow, from the first, following continue-as-new."""
    runs = []
    run_id = first_run_id
    for _ in range(MAX_RUNS):
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.append(run_figures(run_id, history.events))
        last = history.events[-1]
        if not last.HasField("workflow_execution_continued_as_new_event_attributes"):
            return runs
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    raise RuntimeError(f"more than {MAX_RUNS} runs")


# Worker memory per cached course (runs in a subprocess) ---------------------------------------


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


async def settled_rss_kib() -> int:
    """RSS once the worker has finished what the last commands started."""
    await asyncio.sleep(2)
    gc.collect()
    return rss_kib()


async def open_idle_course(
    service: Service, staffing: Staffing, now: datetime
) -> tuple[ProgrammeHandle, list[str]]:
    """An active course like the heavy one early in its life: contact set, two efforts,
    five open tasks and three upcoming meetings. Then it waits, as most courses do."""
    coordinator = staffing.coordinators[0]
    me = actor_of(coordinator)
    handle = await refer(service, coordinator)
    sender = Sender(handle)
    today = local_day(now)
    commands: list[Command] = [
        SetContactPreferences(
            actor=me, channels=[Channel.SMS, Channel.EMAIL], phone=PHONE, email=EMAIL
        ),
        StartPreparation(actor=me),
        ScheduleTeamMeeting(actor=me, meeting_on=today),
        RecordRecommendation(
            actor=me,
            kind=Recommendation.RESSOURCEFORLOEB,
            efforts=[Effort(department=Department.JOBCENTER, description="Virksomhedspraktik")],
        ),
        RecordDecision(
            actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=DECISION_MONTHS
        ),
    ]
    for index in range(2):
        effort_kind, title, owner = EFFORTS[index]
        start = today + timedelta(days=182 * index)
        commands.append(
            RecordEffort(
                actor=me,
                item_id=str(uuid.uuid4()),
                kind=effort_kind,
                title=title,
                owner=owner,
                start=start,
                end=start + timedelta(days=181),
            )
        )
    for index in range(5):
        department = DEPARTMENTS[index % 4]
        commands.append(
            AssignTask(
                actor=me,
                task_id=str(uuid.uuid4()),
                department=department,
                purpose=PURPOSES[department][index % 4],
                considerations="Højst 3 timer ad gangen; undgå tunge løft.",
                expected_start=today + timedelta(days=7),
                due=today + timedelta(weeks=6),
            )
        )
    for index in range(3):
        kind, place = PLACES[index]
        commands.append(
            BookMeeting(
                actor=me,
                meeting_id=str(uuid.uuid4()),
                starts_at=at(today + timedelta(days=3 + 7 * index), 10),
                place_kind=kind,
                place=place,
                purpose="Opfølgning på forløbet",
                host_name=coordinator.full_name,
                reminders=REMINDERS,
            )
        )
    for command in commands:
        await sender.send(command)
    return handle, sender.refusals


async def measure_cache(courses: int, cache_size: int) -> dict[str, Any]:
    """In this (child) process: RSS before and after `courses` more idle courses, on a worker
    whose workflow cache holds `cache_size` courses."""
    began = perf_counter()
    async with running_service(cache_size) as service:
        staffing = hire(service.open_session)
        now = await service.env.get_current_time()
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        refusals: list[str] = []

        async def one() -> ProgrammeHandle:
            async with gate:
                handle, refused = await open_idle_course(service, staffing, now)
                refusals.extend(refused)
                return handle

        async def touch(handles: Sequence[ProgrammeHandle]) -> list[int]:
            # A query is answered from the worker's cache; each course is in it afterwards.
            sizes = []
            for handle in handles:
                sizes.append(state_bytes(await handle.query(ProgrammeWorkflow.current)))
            return sizes

        warm = await asyncio.gather(*(one() for _ in range(WARMUP_COURSES)))
        await touch(warm)
        before = await settled_rss_kib()
        handles = await asyncio.gather(*(one() for _ in range(courses)))
        sizes = await touch(handles)
        after = await settled_rss_kib()
        # Touch them all again: had any been evicted, the replays would show here.
        await touch([*warm, *handles])
        again = await settled_rss_kib()
    return {
        "courses": courses,
        "cache_size": cache_size,
        "warmup": WARMUP_COURSES,
        "rss_before_kib": before,
        "rss_after_kib": after,
        "rss_after_second_touch_kib": again,
        "mean_state_bytes": sum(sizes) / len(sizes) if sizes else 0,
        "refusals": refusals,
        "seconds": perf_counter() - began,
    }


async def measure_cache_in_child(courses: int, cache_size: int) -> dict[str, Any]:
    """Run the measurement in a fresh Python process, so its RSS holds only that."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.history",
        "--memory-child",
        str(courses),
        "--child-cache",
        str(cache_size),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), CHILD_TIMEOUT_SECONDS)
    except TimeoutError:
        child.kill()
        await child.wait()
        raise RuntimeError("the memory measurement did not finish in time") from None
    lines = [line for line in out.decode().splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        tail = err.decode()[-3000:]
        raise RuntimeError(f"the memory measurement failed ({child.returncode}):\n{tail}")
    result: dict[str, Any] = json.loads(lines[-1])
    return result


# Report --------------------------------------------------------------------------------------


def kib(size: float) -> str:
    return f"{size / 1024:,.1f} KiB"


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:,.2f} MiB"


def state_breakdown(state: ProgrammeState) -> list[tuple[str, int]]:
    """Bytes of each top-level field of the state, largest first."""
    data = state.model_dump(mode="json")
    sizes = [
        (name, len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()))
        for name, value in data.items()
    ]
    return sorted(sizes, key=lambda item: -item[1])


def print_course(course: CourseFigures, seconds: float) -> None:
    state = course.final
    print("\nThe course")
    print(
        f"  simulated {local_day(course.started)} to {local_day(course.closed)}"
        f" ({(course.closed - course.started).days} days) in {seconds:.0f} s of wall time,"
        f" {course.steps} steps"
    )
    print(
        f"  decision {state.decision.decided_on if state.decision else '-'}, planned end "
        f"{state.planned_end}, ended {state.ended_on}, follow-up {state.followup_on}: "
        f"{state.followup_status}; final stage {state.stage}, timeline seq {state.seq}"
    )
    # What happened is counted from the timeline: the state may have let go of what finished.
    timeline = course.timeline
    print(
        f"  tasks: {sum(course.tasks.values())} assigned, {timeline['task_escalated']}"
        f" escalations, {timeline['task_reminded']} reminders"
    )
    for fate, count in course.tasks.items():
        print(f"    {count:>2} {fate.value}")
    outcomes = ", ".join(f"{n} {s.value}" for s, n in course.outcomes.items())
    print(
        f"  meetings: {course.meetings_booked} booked, {timeline['meeting_moved']} moved,"
        f" {timeline['meeting_confirmed']} confirmed by the citizen; {outcomes}"
    )
    print(
        f"  messages sent to the citizen: {timeline['message_sent']};"
        f" coordinator at the close: "
        f"{'the second' if state.coordinator_id == course.coordinators[1] else 'the first'}"
    )
    print(
        f"  the final state holds {len(state.tasks)} tasks, {len(state.meetings)} meetings,"
        f" {len(state.sent)} sent messages, {len(state.todos)} to-dos,"
        f" {len(state.efforts)} efforts, {len(state.pauses)} pauses"
    )
    print(f"  updates accepted: {sum(course.sent.values())}")
    for name, count in sorted(course.sent.items(), key=lambda item: -item[1]):
        print(f"    {count:>4} {name}")
    print(f"  timeline events in the read model: {course.timeline.total()}")
    for kind, count in course.timeline.most_common():
        print(f"    {count:>4} {kind}")
    print(f"  updates refused: {len(course.refusals)}")
    for reason, count in Counter(course.refusals).most_common():
        print(f"    {count:>4} {reason}")


def print_history(runs: list[RunFigures]) -> None:
    print("\nHistory, per run (continue-as-new followed)")
    print(f"  {'run':>4} {'run id':<38} {'events':>7} {'bytes':>11} {'largest payload':>16}  in")
    for number, run in enumerate(runs, start=1):
        print(
            f"  {number:>4} {run.run_id:<38} {run.events:>7,} {run.history_bytes:>11,}"
            f" {run.largest_payload:>16,}  {run.largest_in}"
        )
    total_events = sum(run.events for run in runs)
    total_bytes = sum(run.history_bytes for run in runs)
    largest = max(runs, key=lambda run: run.largest_payload)
    print(
        f"  {'all':>4} {len(runs):>3} run(s){'':<30} {total_events:>7,} {total_bytes:>11,}"
        f" {largest.largest_payload:>16,}  {largest.largest_in}"
    )
    print(f"  = {mib(total_bytes)} of history over all runs")
    for number, run in enumerate(runs, start=1):
        if run.suggested_at is not None:
            print(
                f"  run {number}: the server suggested continue-as-new at event"
                f" {run.suggested_at:,}; the run ended at event {run.events:,}"
            )
    kinds: Counter[str] = Counter()
    for run in runs:
        kinds.update(run.kinds)
    print("  events by type, all runs:")
    for kind, count in kinds.most_common():
        print(f"    {count:>6,} {kind}")


def print_state(course: CourseFigures) -> None:
    monthly = [sample.size for sample in course.monthly]
    final = state_bytes(course.final)
    print("\nState (UTF-8 bytes of the `current` query's model_dump_json())")
    print(
        f"  {len(monthly)} monthly samples: max {max(monthly):,} B ({kib(max(monthly))}),"
        f" first {monthly[0]:,} B, last {monthly[-1]:,} B"
    )
    print(
        "  by year (max of the monthly samples): "
        + ", ".join(
            f"year {year + 1}: {max(monthly[year * 12 : year * 12 + 12]):,} B"
            for year in range((len(monthly) + 11) // 12)
        )
    )
    print(f"  max over all {course.samples} samples (every step): {course.largest_size:,} B")
    print(f"  final (the workflow's result): {final:,} B ({kib(final)})")
    print("  largest state by field:")
    for name, size in state_breakdown(course.largest)[:10]:
        print(f"    {size:>7,} B {name}")


def rss_growth(result: dict[str, Any]) -> int:
    return (int(result["rss_after_kib"]) - int(result["rss_before_kib"])) * 1024


def print_memory_run(title: str, result: dict[str, Any]) -> None:
    courses = int(result["courses"])
    grown = rss_growth(result)
    per_1000 = grown / courses * 1000
    print(
        f"  {title}: cache of {result['cache_size']}, {courses} idle courses"
        f" (+{result['warmup']} warm-up), set up in {result['seconds']:.0f} s,"
        f" mean state {result['mean_state_bytes']:,.0f} B"
    )
    print(
        f"    VmRSS before {int(result['rss_before_kib']) / 1024:,.1f} MiB, after"
        f" {int(result['rss_after_kib']) / 1024:,.1f} MiB, after touching all again"
        f" {int(result['rss_after_second_touch_kib']) / 1024:,.1f} MiB"
    )
    print(
        f"    growth {mib(grown)} = {kib(grown / courses)} per course"
        f" = {mib(per_1000)} per 1,000 courses"
    )
    if result["refusals"]:
        print(f"    refusals while setting up: {Counter(result['refusals']).most_common(5)}")


def print_memory(cached: dict[str, Any], control: dict[str, Any]) -> float:
    """Prints both measurements; returns MiB per 1,000 cached courses (the plain growth)."""
    courses = int(cached["courses"])
    print("\nWorker memory per cached course (each in a subprocess of its own)")
    print_memory_run("cached", cached)
    print_memory_run("control, the same courses on a small cache", control)
    # The control ends with SETUP_CONCURRENCY more cached courses than it began with.
    kept = (rss_growth(cached) - rss_growth(control)) / max(1, courses - SETUP_CONCURRENCY)
    print(
        f"  held by the cache itself (cached minus control): {kib(kept)} per course"
        f" = {mib(kept * 1000)} per 1,000"
    )
    return rss_growth(cached) / courses * 1000 / 1024 / 1024


def verdict(met: bool) -> str:
    return "met    " if met else "NOT met"


def print_summary(
    goals: Goals, course: CourseFigures, runs: list[RunFigures], per_1000: float | None
) -> None:
    largest_state = max([course.largest_size, *(sample.size for sample in course.monthly)])
    total = sum(run.history_bytes for run in runs)
    most_events = max(run.events for run in runs)
    print("\nSummary against the goals")
    print(
        f"  {verdict(largest_state <= goals.state_bytes)}  state never above"
        f" {goals.state_bytes:,} B (24 KB): max {largest_state:,} B"
    )
    print(
        f"  {verdict(total <= goals.history_bytes)}  all runs together at most 8 MiB of history:"
        f" {mib(total)} in {len(runs)} run(s)"
    )
    print(
        f"  {verdict(most_events <= goals.events_per_run)}  at most"
        f" {goals.events_per_run:,} events per run: largest run {most_events:,} events"
    )
    if per_1000 is None:
        print("  (skipped)  worker memory at most 128 MiB per 1,000 cached courses")
    else:
        print(
            f"  {verdict(per_1000 <= goals.mib_per_1000_cached)}  worker memory at most"
            f" {goals.mib_per_1000_cached:.0f} MiB per 1,000 cached courses:"
            f" {per_1000:,.1f} MiB"
        )


async def main(cached: int) -> None:
    began = perf_counter()
    print("bench.history: one heavy 5-year course on the time-skipping test server")
    async with running_service() as service:
        staffing = hire(service.open_session)
        course = await asyncio.wait_for(
            play_course(service, staffing), timeout=COURSE_TIMEOUT_SECONDS
        )
        played = perf_counter() - began
        course.timeline = timeline_kinds(service.open_session, course.final.case_id)
        runs = await walk_runs(service.client, course.workflow_id, course.first_run_id)
    print_course(course, played)
    print_history(runs)
    print_state(course)
    per_1000 = None
    if cached > 0:
        print(f"\nMeasuring worker memory with {cached} courses, in two subprocesses...")
        with_cache = await measure_cache_in_child(cached, cached + WARMUP_COURSES + 10)
        control = await measure_cache_in_child(cached, CONTROL_CACHE)
        per_1000 = print_memory(with_cache, control)
    print_summary(Goals(), course, runs, per_1000)
    print(f"\nTook {perf_counter() - began:.0f} s")


def arguments() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument(
        "--cached",
        type=int,
        default=200,
        help="idle courses to cache for the memory measurement (0 skips it)",
    )
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-cache", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    if args.memory_child is not None:
        print(json.dumps(asyncio.run(measure_cache(args.memory_child, args.child_cache))))
    else:
        asyncio.run(main(args.cached))
