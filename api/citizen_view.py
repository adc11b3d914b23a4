"""What the citizen's own page shows, read from the read model: only what is meant for them.

The next appointment and those after it; their coordinator; the combined description of their
circumstances in the plain words written for them, once it is done; the plan as a road, by month,
with the goal, the sub-goals and the activities in the words written for the citizen
(an activity without such words is not shown: a department's task and its considerations are
the municipality's, not the citizen's page); what happened lately; the messages sent to
them; their contact preferences; and their own progression answers.
"""

import re
import uuid
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from models.case import Case
from models.case_view import PAUSE, CaseFacts, CaseMeeting, PlanItemRow
from models.citizen import Citizen
from models.contact import ContactPreferences
from models.continuity import PlanEffort
from models.danish_time import MONTHS, local_date
from models.enums import PLANNING_STAGES, Channel, MeetingStatus, TaskState
from models.goals import Goal, GoalStatus
from models.meeting import Meeting
from models.outbox import OutboxMessage
from models.progression import Indicator, MeasuredBy, Progression, ProgressionRules
from models.staff import Staff
from models.task import Task

# What "lately" is on the page, and how many messages it lists.
LATELY = timedelta(days=90)
MESSAGES_SHOWN = 10
# Messages the citizen is shown again on their page: not the sign-in codes.
_NOT_SHOWN = ("sign_in_code",)
_CHANNELS = {Channel.SMS.value: "SMS", Channel.EMAIL.value: "E-mail", Channel.CALL.value: "Opkald"}
_LINK = re.compile(r"https?://\S+/b/[A-Za-z0-9_-]+")


@dataclass(frozen=True)
class Step:
    """One thing on the road: a sub-goal, an activity or a meeting."""

    kind: str  # goal, activity, meeting
    text: str
    start: date
    end: date | None = None
    status: str = ""
    done: bool = False


@dataclass
class Month:
    first: date
    steps: list[Step] = field(default_factory=list)
    now: bool = False

    @property
    def name(self) -> str:
        return f"{MONTHS[self.first.month - 1]} {self.first.year}".capitalize()


@dataclass(frozen=True)
class Shown:
    """A message to the citizen as their page lists it."""

    at: datetime
    channel: str
    text: str


@dataclass(frozen=True)
class Happening:
    on: date
    text: str


@dataclass
class CitizenView:
    first_name: str
    case_id: uuid.UUID
    active: bool
    coordinator: Staff
    next_meeting: Meeting | None
    later_meetings: list[Meeting]
    goal: Goal | None
    sub_goals: list[Goal]
    # The combined description in the words written for the citizen, and its date.
    description: str
    described_on: date | None
    road: list[Month]
    happenings: list[Happening]
    messages: list[Shown]
    contact: ContactPreferences
    progression: Progression
    questions: list[Indicator]


def build(session: Session, case_id: uuid.UUID, rules: ProgressionRules) -> CitizenView | None:
    case = session.get(Case, case_id)
    if case is None:
        return None
    citizen = session.get(Citizen, case.citizen_id)
    coordinator = session.get(Staff, case.coordinator_id)
    assert citizen is not None and coordinator is not None  # foreign keys
    facts = CaseFacts.model_validate(case.facts)
    now = datetime.now(UTC)
    today = local_date(now)
    meetings = [
        Meeting.model_validate(row.data)
        for row in session.exec(
            select(CaseMeeting)
            .where(CaseMeeting.case_id == case_id)
            .order_by(col(CaseMeeting.starts_at))
        )
    ]
    ahead = [m for m in meetings if m.status.is_upcoming and m.starts_at > now]
    activities = _activities(session, case_id)
    goals = [g for g in facts.goals if g.status != GoalStatus.DROPPED]
    pending = set(facts.progression.pending)
    described = facts.description if facts.description and facts.description.completed_on else None
    return CitizenView(
        first_name=citizen.name.split()[0],
        case_id=case_id,
        active=case.stage in PLANNING_STAGES,
        coordinator=coordinator,
        next_meeting=ahead[0] if ahead else None,
        later_meetings=ahead[1:4],
        goal=next((g for g in goals if g.parent_id is None), None),
        sub_goals=[g for g in goals if g.parent_id is not None],
        description=described.citizen_text if described else "",
        described_on=described.completed_on if described else None,
        road=_road(goals, activities, meetings, today),
        happenings=_happenings(activities, meetings, today),
        messages=_messages(session, case),
        contact=facts.contact,
        progression=facts.progression,
        questions=[i for i in rules.indicators if i.by == MeasuredBy.CITIZEN and i.key in pending],
    )


def _activities(session: Session, case_id: uuid.UUID) -> list[Step]:
    """The plan's efforts and the tasks that have words for the citizen."""
    steps = []
    for row in session.exec(
        select(PlanItemRow).where(PlanItemRow.case_id == case_id, PlanItemRow.kind != PAUSE)
    ):
        effort = PlanEffort.model_validate(row.data)
        if effort.citizen_text:
            steps.append(Step("activity", effort.citizen_text, effort.start, effort.end))
    for task in session.exec(select(Task).where(Task.case_id == case_id, Task.citizen_text != "")):
        if task.state in (TaskState.DECLINED, TaskState.CANCELLED):
            continue
        start = task.expected_start or local_date(task.started_at or task.assigned_at)
        end = local_date(task.finished_at) if task.finished_at else task.due
        steps.append(
            Step("activity", task.citizen_text, start, end, done=task.state == TaskState.DONE)
        )
    return steps


def _first_of(day: date) -> date:
    return day.replace(day=1)


def _road(
    goals: list[Goal], activities: list[Step], meetings: list[Meeting], today: date
) -> list[Month]:
    """The months with something in them, and this one, in order."""
    steps = list(activities)
    for goal in goals:
        if goal.parent_id is not None and goal.target_on is not None:
            done = goal.status == GoalStatus.REACHED
            steps.append(
                Step("goal", goal.text, goal.target_on, status=goal.status.label, done=done)
            )
    # The meetings ahead; those behind are in what happened lately, not on the road.
    for meeting in meetings:
        if meeting.status.is_upcoming and local_date(meeting.starts_at) >= today:
            steps.append(Step("meeting", meeting.purpose, local_date(meeting.starts_at)))
    months: dict[date, Month] = {_first_of(today): Month(_first_of(today), now=True)}
    for step in steps:
        first = _first_of(step.start)
        months.setdefault(first, Month(first)).steps.append(step)
    for month in months.values():
        month.steps.sort(key=lambda s: s.start)
    return [months[key] for key in sorted(months)]


def _happenings(activities: list[Step], meetings: list[Meeting], today: date) -> list[Happening]:
    since = today - LATELY
    found = [
        Happening(local_date(m.starts_at), f"Møde holdt: {m.purpose}")
        for m in meetings
        if m.status == MeetingStatus.HELD and local_date(m.starts_at) >= since
    ]
    for step in activities:
        if since <= step.start <= today:
            found.append(Happening(step.start, f"Startede: {step.text}"))
        if step.end is not None and since <= step.end < today:
            found.append(Happening(step.end, f"Sluttede: {step.text}"))
    return sorted(found, key=lambda h: h.on, reverse=True)


def _messages(session: Session, case: Case) -> list[Shown]:
    """The messages as the citizen got them, with each personal link replaced by words: the
    page does not show the keys to itself."""
    rows = list(
        session.exec(
            select(OutboxMessage)
            .where(
                OutboxMessage.case_id == case.id,
                OutboxMessage.citizen_id == case.citizen_id,
                col(OutboxMessage.channel).in_(list(_CHANNELS)),
                col(OutboxMessage.purpose).not_in(_NOT_SHOWN),
            )
            .order_by(col(OutboxMessage.created_at).desc())
            .limit(MESSAGES_SHOWN)
        )
    )
    return [
        Shown(row.created_at, _CHANNELS[row.channel], _LINK.sub("(linket til din side)", row.body))
        for row in rows
    ]
