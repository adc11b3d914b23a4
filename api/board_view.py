"""The coordinator's board, worked out before it is drawn: what waits on her today, most
urgent first, and her courses as one line each, filtered and sorted from the query string.

A coordinator holds 30-40 courses. Shown whole and in referral order they made a page she
had to read from top to bottom to find the one reply that needed her; here every course is
judged once, the page only lays the result out.
"""

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from enum import IntEnum
from typing import Any

from markupsafe import Markup
from sqlmodel import Session, col, or_, select

from api.case_views import (
    DeliveryTrouble,
    appointments,
    cases_given_up_on,
    delivery_trouble,
    facts_of,
    meetings_of,
    open_todos,
    plan_of,
)
from api.plan_picture import plan_svg
from api.task_views import BOARD_COLUMNS, tasks_of_cases
from models.case import Case
from models.case_view import CaseFacts
from models.citizen import Citizen
from models.continuity import Gap
from models.danish_time import local_date
from models.enums import PLANNING_STAGES, Department, Labelled, Stage, TaskState
from models.meeting import Meeting, Todo
from models.programme import Stall
from models.staff import Staff
from models.task import TaskPublic

# Where on the case page each kind of action is taken; a handover to accept leads the
# receiver's next step.
TODOS, MEETINGS, HANDOVER, PLAN, PROGRESSION = (
    "til-dig",
    "moeder",
    "naeste-skridt",
    "kontinuitetsplan",
    "progression",
)
SEARCH_LENGTH = 100


class Urgency(IntEnum):
    """What waits on the coordinator, most urgent first: a citizen waiting for an answer
    comes before a meeting about to slip, before a department's task, and so on."""

    TODO = 1
    MEETING = 2
    TASK = 3
    HANDOVER = 4
    STALL = 5
    PROGRESSION = 6


@dataclass(frozen=True)
class Need:
    """One thing that waits on the coordinator today, with where she does it."""

    urgency: Urgency
    case_id: uuid.UUID
    citizen: str
    text: str
    action: str
    href: str
    since: datetime | None = None
    at: datetime | None = None  # a meeting's time, shown with the text


@dataclass
class Course:
    """One course on the board, judged once."""

    case: Case
    citizen: Citizen
    state: CaseFacts
    tasks: list[TaskPublic]
    meetings: dict[str, Meeting]
    open_todos: list[Todo]
    next_meeting: Meeting | None
    incoming: bool
    handover_to: str | None
    delivery: DeliveryTrouble | None
    failed_delivery: bool
    unconfirmed_soon: bool
    progression_due: bool
    open_gaps: list[Gap]
    overlaps: int
    # The stalls the line shows; one another badge already says (the gaps, the effort rule)
    # is left out.
    stalls: list[Stall]
    needs_next: bool
    needs: list[Need] = field(default_factory=list)
    picture: Markup | None = None

    @property
    def ended(self) -> bool:
        return self.case.stage not in PLANNING_STAGES

    @property
    def columns(self) -> list[TaskState]:
        """The task board's columns that hold a task: an empty column is only noise."""
        return [c for c in BOARD_COLUMNS if any(t.state == c for t in self.tasks)]

    @property
    def effort_rule_missed(self) -> bool:
        """The effort rule's flag stands: its one badge says the stall and the team flag."""
        return bool(self.case.effort_rule_missed_on and self.case.team_flagged)

    @property
    def overdue(self) -> list[TaskPublic]:
        return [t for t in self.tasks if t.breach and t.state.is_open]

    @property
    def departments(self) -> set[Department]:
        return {t.department for t in self.tasks if t.state != TaskState.CANCELLED}

    @property
    def stalled(self) -> bool:
        return bool(self.state.stalls) and not (
            self.ended and all(s.kind == "gap" for s in self.state.stalls)
        )

    @property
    def urgency(self) -> tuple[int, int]:
        """Sorts a course by its most urgent need, then by how many it has."""
        if not self.needs:
            return (len(Urgency) + 1, 0)
        return (min(n.urgency for n in self.needs), -len(self.needs))


class Flag(Labelled):
    ACTION = "handling", "Kræver handling"
    STALLED = "i-staa", "I stå"
    GAPS = "huller", "Huller i planen"
    HANDOVER = "overdragelse", "Overdragelse"
    OVERDUE = "overskredet", "Overskredne opgaver"


class Order(Labelled):
    URGENCY = "haster", "Mest presserende"
    NAME = "navn", "Borgerens navn"
    REFERRED = "visitation", "Visitationsdato, ældste først"
    STAGE = "fase", "Fase"


# The stages a board may be filtered by: a closed course is not on the board.
BOARD_STAGES = [s for s in Stage if s != Stage.CLOSED]
STAGE_ORDER = {s: i for i, s in enumerate(Stage)}


@dataclass(frozen=True)
class Filters:
    stage: Stage | None = None
    department: Department | None = None
    flag: Flag | None = None
    text: str = ""
    order: Order = Order.URGENCY

    @classmethod
    def parse(cls, params: Mapping[str, str]) -> tuple["Filters", list[str]]:
        """The filters asked for; what cannot be read is left out, with a reason."""
        problems: list[str] = []
        filters = cls(text=params.get("soeg", "").strip()[:SEARCH_LENGTH])
        readers: list[tuple[str, str, Any, str]] = [
            ("fase", "stage", Stage, "Fasen findes ikke."),
            ("afdeling", "department", Department, "Afdelingen findes ikke."),
            ("markering", "flag", Flag, "Markeringen findes ikke."),
            ("sorter", "order", Order, "Den sortering findes ikke."),
        ]
        for key, name, kind, problem in readers:
            if value := params.get(key, "").strip():
                try:
                    chosen = kind(value)
                except ValueError:
                    problems.append(problem)
                    continue
                if chosen == Stage.CLOSED:
                    problems.append("Lukkede sager vises ikke på tavlen.")
                    continue
                filters = replace(filters, **{name: chosen})
        return filters, problems

    @property
    def narrowed(self) -> bool:
        return bool(self.stage or self.department or self.flag or self.text)

    def keeps(self, course: Course) -> bool:
        if self.stage and course.case.stage != self.stage:
            return False
        if self.department and self.department not in course.departments:
            return False
        if self.text and self.text.casefold() not in course.citizen.name.casefold():
            return False
        return self.flag is None or _flagged(course, self.flag)


def _flagged(course: Course, flag: Flag) -> bool:
    if flag == Flag.ACTION:
        return bool(course.needs)
    if flag == Flag.STALLED:
        return course.stalled
    if flag == Flag.GAPS:
        return bool(course.open_gaps)
    if flag == Flag.HANDOVER:
        return course.case.handover_to_id is not None
    return bool(course.overdue)


def _sorted(courses: list[Course], order: Order) -> list[Course]:
    def key(c: Course) -> tuple[Any, ...]:
        name = c.citizen.name.casefold()
        if order == Order.NAME:
            return (name, c.case.referred_at)
        if order == Order.REFERRED:
            return (c.case.referred_at, name)
        if order == Order.STAGE:
            return (STAGE_ORDER[c.case.stage], c.urgency, name)
        return (c.urgency, c.case.referred_at)

    return sorted(courses, key=key)


@dataclass(frozen=True)
class Board:
    needs: list[Need]
    courses: list[Course]  # shown, not yet ended
    ended: list[Course]  # shown, ended and awaiting their follow-up
    open_count: int
    filters: Filters
    problems: list[str]
    now: datetime


def board_of(
    session: Session, user: Staff, params: Mapping[str, str], now: datetime | None = None
) -> Board:
    """The coordinator's board as of now."""
    now = now or datetime.now(UTC)
    filters, problems = Filters.parse(params)
    courses = _courses(session, user, now)
    needs = sorted(
        (n for c in courses for n in c.needs),
        key=lambda n: (n.urgency, n.at or n.since or now, n.citizen),
    )
    shown = _sorted([c for c in courses if filters.keeps(c)], filters.order)
    return Board(
        needs=needs,
        courses=[c for c in shown if not c.ended],
        ended=[c for c in shown if c.ended],
        open_count=len(courses),
        filters=filters,
        problems=problems,
        now=now,
    )


def _courses(session: Session, user: Staff, now: datetime) -> list[Course]:
    rows = session.exec(
        select(Case, Citizen)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .where(
            or_(Case.coordinator_id == user.id, Case.handover_to_id == user.id),
            Case.stage != Stage.CLOSED,
        )
        .order_by(col(Case.referred_at))
    ).all()
    case_ids = [case.id for case, _ in rows]
    handed_to = {c.handover_to_id for c, _ in rows if c.handover_to_id}
    names = {
        s.id: s.full_name
        for s in session.exec(select(Staff).where(col(Staff.id).in_(handed_to))).all()
    }
    tasks = tasks_of_cases(session, case_ids)
    meetings = meetings_of(session, case_ids)
    todos = open_todos(session, case_ids)
    given_up = cases_given_up_on(session, case_ids)
    trouble = delivery_trouble(session, case_ids, now)
    today = local_date(now)
    courses = []
    for case, citizen in rows:
        plan = plan_of(case)
        seen = appointments(meetings.get(case.id, []), now)
        ended = case.stage not in PLANNING_STAGES
        state = facts_of(case)
        # An ended course plans nothing more: a gap in it is history, not work.
        stalls = [s for s in state.stalls if not (ended and s.kind == "gap")]
        open_gaps = [g for g in plan.gaps if not g.justified] if plan and not ended else []
        course = Course(
            case=case,
            citizen=citizen,
            state=state,
            tasks=tasks.get(case.id, []),
            meetings={m.id: m for m in meetings.get(case.id, [])},
            open_todos=todos.get(case.id, []),
            next_meeting=seen.next_meeting,
            incoming=case.handover_to_id == user.id,
            handover_to=names.get(case.handover_to_id) if case.handover_to_id else None,
            delivery=trouble.get(case.id),
            failed_delivery=case.id in given_up,
            unconfirmed_soon=seen.unconfirmed_soon,
            progression_due=bool(case.progression_due_at and case.progression_due_at <= now),
            open_gaps=open_gaps,
            overlaps=len(plan.overlaps) if plan and not ended else 0,
            stalls=[s for s in stalls if not (open_gaps and s.kind == "gap")],
            # The stall says it once the missing meeting has lasted long enough; an ended
            # course meets the citizen again only at its follow-up.
            needs_next=seen.needs_next
            and not ended
            and not any(s.kind == "no_next_appointment" for s in stalls),
            picture=plan_svg(plan, today) if plan else None,
        )
        if course.effort_rule_missed:
            course.stalls = [s for s in course.stalls if s.kind != "effort_rule"]
        course.needs = _needs(course, stalls)
        courses.append(course)
    return courses


def _needs(course: Course, stalls: Sequence[Stall]) -> list[Need]:
    case_page = f"/cases/{course.case.id}"

    def need(urgency: Urgency, text: str, action: str, anchor: str, **when: Any) -> Need:
        return Need(
            urgency,
            course.case.id,
            course.citizen.name,
            text,
            action,
            f"{case_page}#{anchor}",
            **when,
        )

    found = [
        need(
            Urgency.TODO,
            f"Svar fra borgeren: »{_short(todo.reply)}«" if todo.reply else todo.text,
            "Se svaret" if todo.reply else "Se opgaven",
            TODOS,
            since=todo.created_at,
        )
        for todo in course.open_todos
    ]
    upcoming = course.next_meeting
    if course.unconfirmed_soon and upcoming:
        found.append(
            need(
                Urgency.MEETING,
                f"Mødet »{upcoming.purpose}« er ikke bekræftet af borgeren:",
                "Se mødet",
                MEETINGS,
                at=upcoming.starts_at,
            )
        )
    if course.failed_delivery:
        found.append(
            need(Urgency.MEETING, "En besked kunne ikke leveres til borgeren", "Ring", MEETINGS)
        )
    for task in course.overdue:
        found.append(
            need(
                Urgency.TASK,
                f"{task.department_label}: »{task.purpose}« – {task.breach_label}",
                "Se opgaven",
                f"task-{task.id}",
                since=task.assigned_at,
            )
        )
    for task in _unanswered_declines(course.tasks):
        found.append(
            need(
                Urgency.TASK,
                f"{task.department_label} har afvist »{task.purpose}«: {task.decline_reason}",
                "Se opgaven",
                f"task-{task.id}",
                since=task.finished_at,
            )
        )
    if course.incoming and course.state.handover:
        found.append(
            need(
                Urgency.HANDOVER,
                f"{course.state.handover.from_name} vil overdrage forløbet til dig",
                "Læs og acceptér",
                HANDOVER,
                since=course.state.handover.requested_at,
            )
        )
    for stall in stalls:
        anchor = {"gap": PLAN, "no_next_appointment": MEETINGS}.get(stall.kind, "")
        found.append(
            need(Urgency.STALL, f"I stå: {stall.reason}", "Se sagen", anchor, since=stall.since)
        )
    if course.progression_due:
        found.append(
            need(
                Urgency.PROGRESSION,
                "Progressionsmåling skal laves",
                "Mål nu",
                PROGRESSION,
                since=course.case.progression_due_at,
            )
        )
    return found


def _unanswered_declines(tasks: Sequence[TaskPublic]) -> list[TaskPublic]:
    """Declined tasks the coordinator has not yet answered with a new task to the department."""
    declined = [t for t in tasks if t.state == TaskState.DECLINED]
    return [
        d
        for d in declined
        if not any(
            t.department == d.department
            and t.id != d.id
            and t.state != TaskState.CANCELLED
            and t.assigned_at >= (d.finished_at or d.assigned_at)
            for t in tasks
        )
    ]


def _short(text: str, length: int = 80) -> str:
    return text if len(text) <= length else text[: length - 1].rstrip() + "…"
