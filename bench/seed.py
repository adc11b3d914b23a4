"""Seeds a read model of N courses over the last five years, as the projection would have
written it: every course is played through the workflow's rules (bench/course.py) and turned
into rows by the projection's and the notification activity's own helpers, then bulk-inserted.

The random streams are fixed per course, so two runs seed the same municipality relative to
their clock (the pages judge everything against now); only the few actions that fall just
before or after the moment of the run differ.
"""

import random
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import Connection, Engine, Table, func, insert, select
from sqlmodel import SQLModel, col

from activities.case_view import meeting_facts
from activities.notifications import OUTBOX_CHANNEL
from activities.projection import _case_fields, _task_fields, course_fields
from bench.course import ACKNOWLEDGE_DAYS, TASK_SHARE, Outline, Person, Staffing, draw_outline, play
from models.case import Case, CaseEvent
from models.case_view import CaseMeeting
from models.citizen import Citizen
from models.course import course_of
from models.danish_time import local_date
from models.department import DepartmentRow
from models.enums import Department, Recipient, Role, Stage
from models.meeting import Meeting, MeetingInvite
from models.notice import Notice
from models.outbox import OutboxMessage
from models.passwords import hash_password
from models.programme import ProgrammeState, TimelineEvent, programme_workflow_id
from models.staff import Staff
from models.task import Task, TaskBreachRow
from notifications.messages import MessageRenderer

PASSWORD = "demo"
MANAGER = "leder"
PUBLIC_URL = "http://127.0.0.1:8000"
# The brief's caseload: about 35 coordinators per 1,200 open courses.
OPEN_PER_COORDINATOR = 1200 / 35
# Share of courses whose coordinator lets them drift (no next meeting, no next effort): the
# workflow finds most of these stalled, about one open course in twenty.
DRIFTING = 0.07
HANDOVERS = 0.015
CHUNK = 250

FIRST_NAMES = [
    "Anna", "Bo", "Camilla", "Daniel", "Eva", "Frederik", "Gitte", "Henrik", "Inge", "Jakob",
    "Karen", "Lars", "Mette", "Niels", "Oda", "Peter", "Rikke", "Søren", "Tina", "Ulla",
    "Vibeke", "William", "Yasmin", "Ahmed", "Fatima", "Mads", "Line", "Jonas", "Sofie", "Emil",
    "Ida", "Mathias", "Freja", "Lukas", "Nanna", "Kasper", "Hanne", "Jens", "Birgit", "Ole",
]  # fmt: skip
LAST_NAMES = [
    "Jensen", "Nielsen", "Hansen", "Pedersen", "Andersen", "Christensen", "Larsen", "Sørensen",
    "Rasmussen", "Jørgensen", "Petersen", "Madsen", "Kristensen", "Olsen", "Thomsen",
    "Christiansen", "Poulsen", "Johansen", "Møller", "Mortensen", "Holm", "Friis", "Bech",
    "Lund", "Krogh", "Berg", "Ali", "Hussein", "Yilmaz", "Kowalski",
]  # fmt: skip
TABLES: list[type[SQLModel]] = [
    DepartmentRow,
    Staff,
    Citizen,
    Case,
    Task,
    TaskBreachRow,
    CaseMeeting,
    MeetingInvite,
    CaseEvent,
    OutboxMessage,
]


@dataclass
class Municipality:
    """The staff, and each course's outline, coordinator and citizen, before any is played."""

    staff: list[dict[str, Any]]
    staffing: Staffing
    outlines: list[Outline]
    coordinators: list[Person]  # per course
    handovers: dict[int, Person]  # course index: the coordinator it is being handed to
    citizens: list[dict[str, Any]]


@dataclass
class Rows:
    """Rows for every table, as the projection and the outbox would have written them."""

    by_table: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    # The open courses' states as JSON, when the job keeps them (to start their workflows).
    states: list[str] = field(default_factory=list)

    def add(self, table: type[SQLModel], row: dict[str, Any]) -> None:
        self.by_table.setdefault(_table(table).name, []).append(row)


def _table(model: type[SQLModel]) -> Table:
    table: Table = model.__table__  # type: ignore[attr-defined]
    return table


def _name(rng: random.Random) -> str:
    return f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"


def _uuid(rng: random.Random) -> uuid.UUID:
    return uuid.UUID(int=rng.getrandbits(128), version=4)


def plan_municipality(
    courses: int, seed: int, now: datetime, *, open_only: bool = False
) -> Municipality:
    """Outlines first: the number of coordinators follows from the courses open today.
    `open_only`: `courses` open courses and none of those closed before today."""
    rng = random.Random(f"{seed}:municipality")
    today = local_date(now)
    outlines = list(_outlines(courses, seed, today, open_only))
    open_courses = [i for i, o in enumerate(outlines) if o.closes_on() > today]
    password_hash = hash_password(PASSWORD)
    staff: list[dict[str, Any]] = []

    def hire(
        username: str, role: Role, department: Department | None, active: bool = True
    ) -> Person:
        person = Person(str(_uuid(rng)), _name(rng), role, department)
        staff.append(
            {
                "id": uuid.UUID(person.id),
                "username": username,
                "full_name": person.name,
                "role": role,
                "department": department,
                "password_hash": password_hash,
                "active": active,
                "email": f"{username}@kommune.dk",
                "created_at": now - timedelta(days=5 * 365 + rng.randint(0, 400)),
            }
        )
        return person

    hire(MANAGER, Role.MANAGER, None)
    hire("admin", Role.ADMIN, None)
    count = max(2, round(len(open_courses) / OPEN_PER_COORDINATOR))
    coordinators = [
        hire(
            "koordinator" if n == 0 else f"koordinator{n + 1}",
            Role.COORDINATOR,
            Department.JOBCENTER,
        )
        for n in range(count)
    ]
    # Those who left over five years: their closed courses stay with them.
    former = [
        hire(f"tidligere{n + 1}", Role.COORDINATOR, Department.JOBCENTER, active=False)
        for n in range(max(1, count // 4))
    ]
    leads: dict[Department, list[Person]] = {}
    workers: dict[Department, list[Person]] = {}
    for department in Department:
        share = TASK_SHARE[department]
        leads[department] = [
            hire(f"leder-{department.value}{n + 1}", Role.DEPARTMENT_LEAD, department)
            for n in range(1 + len(open_courses) // 5000)
        ]
        workers[department] = [
            hire(f"{department.value}{n + 1}", Role.DEPARTMENT_WORKER, department)
            for n in range(max(2, round(len(open_courses) * share / 100)))
        ]
    staffing = Staffing(leads=leads, workers=workers, coordinators=coordinators)

    weights = [_caseload_weight(rng) for _ in coordinators]
    chosen: list[Person] = []
    still_open = set(open_courses)
    for i in range(courses):
        if i in still_open:
            chosen.append(rng.choices(coordinators, weights=weights)[0])
        else:
            chosen.append(rng.choice(former) if rng.random() < 0.2 else rng.choice(coordinators))
    handovers = {}
    for i in open_courses:
        if rng.random() < HANDOVERS:
            handovers[i] = rng.choice([c for c in coordinators if c != chosen[i]] or coordinators)
    citizens = _citizens(rng, outlines)
    return Municipality(staff, staffing, outlines, chosen, handovers, citizens)


def _outlines(courses: int, seed: int, today: date, open_only: bool) -> Iterator[Outline]:
    drawn = 0
    n = 0
    while drawn < courses:
        outline = draw_outline(random.Random(f"{seed}:outline:{n}"), today, DRIFTING)
        n += 1
        if not open_only or outline.closes_on() > today:
            drawn += 1
            yield outline


def _caseload_weight(rng: random.Random) -> float:
    """Caseloads of 30 to 40, with some coordinators well over and a few part-time."""
    roll = rng.random()
    if roll < 0.12:
        return rng.uniform(1.2, 1.45)
    if roll < 0.18:
        return rng.uniform(0.5, 0.7)
    return rng.gauss(1, 0.08)


def _citizens(rng: random.Random, outlines: list[Outline]) -> list[dict[str, Any]]:
    seen: set[str] = set()
    citizens = []
    for outline in outlines:
        while True:
            born = date(1962, 1, 1) + timedelta(days=rng.randrange(0, 40 * 365))
            cpr = (
                born.strftime("%d%m%y")
                + ("0" if born.year < 2000 else "4")
                + f"{rng.randrange(1000):03d}"
            )
            if cpr not in seen:
                seen.add(cpr)
                break
        citizens.append(
            {
                "cpr": cpr,
                "name": _name(rng),
                "created_at": datetime.combine(outline.referred, datetime.min.time(), UTC),
            }
        )
    return citizens


# Playing courses into rows (in worker processes) ---------------------------------------------


@dataclass(frozen=True)
class Job:
    seed: int
    now: datetime
    staffing: Staffing
    recipients: dict[tuple[Department, Role], list[str]]
    courses: list[tuple[int, Outline, Person, Person | None, dict[str, Any]]]
    keep_states: bool = False


def course_rows(job: Job) -> Rows:
    """Play a chunk of courses and turn each into its rows."""
    renderer = MessageRenderer()
    rows = Rows()
    for index, outline, coordinator, handover_to, citizen in job.courses:
        rng = random.Random(f"{job.seed}:course:{index}")
        state, events = play(
            rng, outline, coordinator, job.staffing, citizen["name"], job.now, handover_to
        )
        _project(rows, state, events, citizen)
        if job.keep_states and state.stage != Stage.CLOSED:
            rows.states.append(state.model_dump_json())
        _outbox(rows, renderer, state, events, citizen, job.recipients, rng)
    return rows


def _project(
    rows: Rows, state: ProgrammeState, events: list[TimelineEvent], citizen: dict[str, Any]
) -> None:
    """What ProjectionActivities.project_programme writes for the state and its events."""
    case_id = uuid.UUID(state.case_id)
    changed = events[-1].at if events else state.referred_at
    rows.add(
        Citizen,
        {
            **citizen,
            "id": uuid.UUID(state.citizen_id),
            "phone": state.contact.phone,
            "email": state.contact.email,
        },
    )
    rows.add(
        Case,
        {
            "id": case_id,
            "citizen_id": uuid.UUID(state.citizen_id),
            "workflow_id": programme_workflow_id(state.case_id),
            **_case_fields(state),
            **course_fields(course_of(state), local_date(changed)),
            "updated_at": changed,
        },
    )
    for record in state.tasks.values():
        times = [record.assigned_at, record.acknowledged_at, record.started_at, record.finished_at]
        times += [mark.found_at for mark in record.breaches]
        rows.add(
            Task,
            {
                "id": uuid.UUID(record.id),
                "case_id": case_id,
                **_task_fields(record),
                "updated_at": max(t for t in times if t is not None),
            },
        )
        for mark in record.breaches:
            rows.add(
                TaskBreachRow,
                {
                    "task_id": uuid.UUID(record.id),
                    "case_id": case_id,
                    "department": record.department,
                    "kind": mark.kind,
                    "since": mark.since,
                    "found_at": mark.found_at,
                },
            )
    for meeting in state.meetings.values():
        rows.add(CaseMeeting, _meeting_row(case_id, meeting, state))
        for participant in meeting.participants:
            rows.add(
                MeetingInvite,
                {
                    "meeting_id": meeting.id,
                    "staff_id": uuid.UUID(participant.staff_id),
                    "case_id": case_id,
                    "starts_at": meeting.starts_at,
                    "duration_minutes": meeting.duration_minutes,
                    "place": meeting.place,
                    "purpose": meeting.purpose,
                    "status": meeting.status,
                },
            )
    for event in events:
        rows.add(
            CaseEvent,
            {
                "case_id": case_id,
                "seq": event.seq,
                "kind": event.kind,
                "at": event.at,
                "actor_id": uuid.UUID(event.actor_id) if event.actor_id else None,
                "summary": event.summary,
            },
        )


def _meeting_row(case_id: uuid.UUID, meeting: Meeting, state: ProgrammeState) -> dict[str, Any]:
    """The meeting as the projection leaves it once every message about it is projected."""
    about = sorted((m for m in state.sent if m.meeting_id == meeting.id), key=lambda m: m.sent_at)
    return {
        "id": meeting.id,
        "case_id": case_id,
        "starts_at": meeting.starts_at,
        "status": meeting.status.value,
        "data": meeting.model_dump(mode="json"),
        "seq": state.seq,
        "confirmed": meeting.confirmed_at is not None,
        **meeting_facts((m.purpose, m.channel.value, m.status.value) for m in about),
    }


def _outbox(
    rows: Rows,
    renderer: MessageRenderer,
    state: ProgrammeState,
    events: list[TimelineEvent],
    citizen: dict[str, Any],
    recipients: dict[tuple[Department, Role], list[str]],
    rng: random.Random,
) -> None:
    """What NotificationActivities.deliver writes for the events' notices, with no provider
    set up: one row per notice and recipient, left in the outbox."""
    seen: set[str] = set()
    for event in events:
        for notice in event.notices:
            for staff_id, to_citizen in _recipients(notice, state, recipients):
                key = notice.key if notice.channel else f"{notice.key}:{staff_id}"
                if key in seen:
                    continue
                seen.add(key)
                context = {**notice.context, "link": _link(notice, state)}
                if to_citizen:
                    context["first_name"] = citizen["name"].split()[0]
                    # No personal links in the bench: no one opens them here.
                    context["page_link"] = ""
                channel = notice.channel.value if notice.channel else ""
                message = renderer.render(notice.purpose, context, channel)
                rows.add(
                    OutboxMessage,
                    {
                        "id": _uuid(rng),
                        "key": key,
                        "case_id": uuid.UUID(state.case_id),
                        "staff_id": uuid.UUID(staff_id) if staff_id else None,
                        "citizen_id": uuid.UUID(state.citizen_id) if to_citizen else None,
                        "channel": notice.channel.value if notice.channel else OUTBOX_CHANNEL,
                        "address": notice.address,
                        "status": "outbox",
                        "provider_id": None,
                        "purpose": notice.purpose,
                        "subject": message.subject,
                        "body": message.body,
                        "created_at": event.at,
                        # Written at once, as the outbox hands a message over.
                        "due_at": notice.due_at,
                        "handed_at": event.at if notice.due_at else None,
                        "handed_late": False,
                    },
                )


def _recipients(
    notice: Notice, state: ProgrammeState, recipients: dict[tuple[Department, Role], list[str]]
) -> list[tuple[str | None, bool]]:
    if notice.to == Recipient.CITIZEN:
        return [(None, True)]
    if notice.to == Recipient.STAFF:
        return [(notice.staff_id, False)] if notice.staff_id else []
    role = (
        Role.DEPARTMENT_LEAD if notice.to == Recipient.DEPARTMENT_LEAD else Role.DEPARTMENT_WORKER
    )
    assert notice.department is not None
    return [(staff_id, False) for staff_id in recipients[(notice.department, role)]]


def _link(notice: Notice, state: ProgrammeState) -> str:
    if notice.to in (Recipient.DEPARTMENT, Recipient.DEPARTMENT_LEAD):
        return f"{PUBLIC_URL}/inbox"
    return f"{PUBLIC_URL}/cases/{state.case_id}"


# Writing --------------------------------------------------------------------------------------


def _jobs(town: Municipality, seed: int, now: datetime, keep_states: bool) -> Iterator[Job]:
    by_username = sorted(town.staff, key=lambda s: s["username"])
    recipients = {
        (department, role): [
            str(s["id"])
            for s in by_username
            if s["department"] == department and s["role"] == role and s["active"]
        ]
        for department in Department
        for role in (Role.DEPARTMENT_LEAD, Role.DEPARTMENT_WORKER)
    }
    total = len(town.outlines)
    for first in range(0, total, CHUNK):
        yield Job(
            seed=seed,
            now=now,
            staffing=town.staffing,
            recipients=recipients,
            courses=[
                (
                    i,
                    town.outlines[i],
                    town.coordinators[i],
                    town.handovers.get(i),
                    town.citizens[i],
                )
                for i in range(first, min(total, first + CHUNK))
            ],
            keep_states=keep_states,
        )


def _insert(connection: Connection, model: type[SQLModel], rows: Sequence[dict[str, Any]]) -> None:
    for first in range(0, len(rows), 2000):
        connection.execute(insert(_table(model)), list(rows[first : first + 2000]))


def seed(
    engine: Engine,
    courses: int,
    seed: int,
    now: datetime,
    workers: int,
    *,
    open_only: bool = False,
    keep_states: Callable[[list[str]], None] | None = None,
) -> Municipality:
    """Fill a migrated, empty database; courses are played in `workers` processes.
    `keep_states` is given the open courses' states (as JSON), a chunk at a time."""
    town = plan_municipality(courses, seed, now, open_only=open_only)
    with engine.begin() as connection:
        _insert(
            connection,
            DepartmentRow,
            [
                {
                    "code": d.value,
                    "name": d.label,
                    "acknowledge_days": ACKNOWLEDGE_DAYS[d],
                    "escalation_interval_days": 1.0,
                }
                for d in Department
            ],
        )
        _insert(connection, Staff, town.staff)
    order = [m for m in TABLES if m not in (DepartmentRow, Staff)]
    jobs = list(_jobs(town, seed, now, keep_states is not None))
    with ProcessPoolExecutor(max_workers=workers) as pool:
        for rows in pool.map(course_rows, jobs):
            with engine.begin() as connection:
                for model in order:
                    _insert(connection, model, rows.by_table.get(_table(model).name, []))
            if keep_states is not None:
                keep_states(rows.states)
    return town


def count_rows(engine: Engine) -> dict[str, int]:
    with engine.connect() as connection:
        return {
            _table(m).name: connection.execute(
                select(func.count()).select_from(_table(m))
            ).scalar_one()
            for m in TABLES
        }


def describe(engine: Engine) -> dict[str, str]:
    """A few shares that show the distributions came out as meant."""
    with engine.connect() as connection:
        stages: Counter[str] = Counter()
        for stage, n in connection.execute(
            select(col(Case.stage), func.count()).group_by(col(Case.stage))
        ):
            stages[stage] = n
        outcomes: Counter[str] = Counter()
        for outcome, n in connection.execute(
            select(col(Case.outcome), func.count())
            .where(col(Case.outcome).is_not(None))
            .group_by(col(Case.outcome))
        ):
            outcomes[str(outcome)] = n
        open_cases = sum(n for s, n in stages.items() if s != Stage.CLOSED)
        is_open = col(Case.stage) != Stage.CLOSED
        stalled = connection.execute(
            select(func.count()).where(is_open, col(Case.stalled_since).is_not(None))
        ).scalar_one()
        waiting = connection.execute(
            select(func.count()).where(is_open, col(Case.waiting_on) != "")
        ).scalar_one()
        loads = sorted(
            n
            for (n,) in connection.execute(
                select(func.count())
                .select_from(Case)
                .join(Staff, col(Staff.id) == Case.coordinator_id)
                .where(is_open, col(Staff.active))
                .group_by(col(Case.coordinator_id))
            )
        )
    ended = sum(outcomes.values()) or 1
    return {
        "stages": ", ".join(f"{s} {n}" for s, n in sorted(stages.items())),
        "outcomes": ", ".join(f"{o} {n / ended:.0%}" for o, n in outcomes.most_common()),
        "open": f"{open_cases} open, {stalled / max(open_cases, 1):.1%} stalled, "
        f"{waiting / max(open_cases, 1):.1%} waiting on a department",
        "caseloads": f"{len(loads)} coordinators, median {loads[len(loads) // 2]}, "
        f"min {loads[0]}, max {loads[-1]}"
        if loads
        else "none",
    }
