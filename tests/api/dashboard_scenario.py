"""A municipality in miniature with known stalls, waits, breaches and outcomes, written to the
read model by the real projection activity, for the dashboard's exact figures.

The chosen quarter is the last whole one (P) and the one before it (PP), so every date in
them has passed whatever day the suite runs. "Now" figures are relative to now.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import Session
from temporalio.testing import ActivityEnvironment

from activities.projection import ProjectionActivities
from api.dashboard.period import Quarter
from models.continuity import PlanEffort
from models.danish_time import COPENHAGEN
from models.db import SessionFactory
from models.enums import (
    Breach,
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
    TaskState,
)
from models.meeting import Meeting, SentMessage
from models.outbox import OutboxMessage
from models.programme import (
    DecisionRecord,
    ProgrammeInput,
    ProgrammeState,
    ProjectionInput,
    Stall,
    TimelineEvent,
)
from models.rules import CourseRules
from models.staff import Staff
from models.task import BreachMark, TaskRecord, TaskSla
from tests.factories import copenhagen_today, make_citizen, make_staff


def at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), COPENHAGEN).astimezone(UTC)


@dataclass
class Scenario:
    coordinator: Staff
    now: datetime
    quarter: Quarter  # P: the last whole quarter
    cases: dict[str, uuid.UUID]  # by citizen name


def task(
    department: Department,
    state: TaskState,
    assigned: datetime,
    acknowledged: datetime | None = None,
    started: datetime | None = None,
    expected_start: date | None = None,
    breaches: list[BreachMark] | None = None,
) -> TaskRecord:
    marks = breaches or []
    return TaskRecord(
        id=str(uuid.uuid4()),
        department=department,
        purpose=f"Opgave i {department.label}",
        state=state,
        assigned_at=assigned,
        assigned_by="k",
        sla=TaskSla(),
        reminder_at=assigned,
        acknowledge_by=assigned + timedelta(days=3),
        acknowledged_at=acknowledged,
        started_at=started,
        expected_start=expected_start,
        breach=marks[-1].kind if marks and state.is_open else None,
        breaches=marks,
    )


def mark(kind: Breach, since: datetime) -> BreachMark:
    return BreachMark(kind=kind, since=since, found_at=since)


def build(session: Session, open_session: SessionFactory) -> Scenario:
    now = datetime.now(UTC)
    today = copenhagen_today()
    p = Quarter.of(today).previous()
    pp = p.previous()
    coordinator = make_staff(session, Role.COORDINATOR)
    states: dict[str, ProgrammeState] = {}

    def course(name: str, referred: datetime, stage: Stage) -> ProgrammeState:
        citizen = make_citizen(session, name)
        state = ProgrammeInput(
            case_id=str(uuid.uuid4()),
            citizen_id=str(citizen.id),
            coordinator_id=str(coordinator.id),
        ).initial_state(referred)
        state.stage = stage
        states[name] = state
        return state

    def decide(state: ProgrammeState, on: date, days: int) -> None:
        state.decision = DecisionRecord(
            kind=Recommendation.RESSOURCEFORLOEB, decided_on=on, follows_recommendation=True
        )
        state.planned_end = on + timedelta(days=days)

    # Anna: active and stalled; her social task waits 5 days for acknowledgement; all her
    # activity lies in the first fifth of the course (front-loaded).
    anna = course("Anna Stå", at(p.start), Stage.ACTIVE)
    decide(anna, p.start + timedelta(days=20), 500)
    anna.stalls = [Stall(kind="gap", reason="Hul i planen", since=now - timedelta(days=10))]
    waiting = task(
        Department.SOCIAL,
        TaskState.ASSIGNED,
        now - timedelta(days=9),
        expected_start=p.start + timedelta(days=30),
        breaches=[mark(Breach.ACKNOWLEDGE, now - timedelta(days=5))],
    )
    anna.tasks[waiting.id] = waiting
    for offset in (40, 50):
        anna.efforts.append(
            PlanEffort(
                id=str(uuid.uuid4()),
                kind=PlanItemKind.EFFORT,
                title="Indsats",
                owner="Sundhed",
                start=p.start + timedelta(days=offset),
                end=p.start + timedelta(days=offset + 5),
            )
        )

    # Bent: in preparation; a health task 40 days past its due date, and a jobcenter task
    # acknowledged after 3 days and started 8 days later, in P, with one breach in P.
    bent = course("Bent Venter", at(pp.start), Stage.PREPARATION)
    overdue = task(
        Department.HEALTH,
        TaskState.IN_PROGRESS,
        now - timedelta(days=60),
        breaches=[mark(Breach.DUE, now - timedelta(days=40))],
    )
    jobcenter = task(
        Department.JOBCENTER,
        TaskState.DONE,
        at(p.start + timedelta(days=9)),
        acknowledged=at(p.start + timedelta(days=12)),
        started=at(p.start + timedelta(days=20)),
        breaches=[mark(Breach.ACKNOWLEDGE, at(p.start + timedelta(days=11)))],
    )
    bent.tasks = {overdue.id: overdue, jobcenter.id: jobcenter}

    # Dorte: the whole course in P: team after 14 days, decision after 10, first effort after
    # 15; ended, and in fleksjob 13 weeks later.
    dorte = course("Dorte Fleks", at(p.start + timedelta(days=1)), Stage.CLOSED)
    dorte.team_meeting_on = p.start + timedelta(days=15)
    decide(dorte, p.start + timedelta(days=25), 60)
    effort = task(
        Department.JOBCENTER,
        TaskState.DONE,
        at(p.start + timedelta(days=30)),
        acknowledged=at(p.start + timedelta(days=31)),
        started=at(p.start + timedelta(days=40)),
        expected_start=p.start + timedelta(days=40),
    )
    dorte.tasks[effort.id] = effort
    dorte.ended_on = p.start + timedelta(days=60)
    dorte.outcome = dorte.followup_status = Outcome.FLEKSJOB

    # Erik ended in P and Carl in PP, both in ordinary jobs 13 weeks later.
    erik = course("Erik Job", at(pp.start), Stage.CLOSED)
    erik.ended_on = p.start + timedelta(days=50)
    erik.followup_status = Outcome.JOB
    carl = course("Carl Tidligere", at(pp.start), Stage.CLOSED)
    carl.ended_on = pp.start + timedelta(days=10)
    carl.followup_status = Outcome.JOB

    # Frida's meetings, on a closed case of her own so that no other figure moves. In P: the
    # first held after an SMS agreement she confirmed and a delivered reminder; the second
    # missed, its SMS agreement failed and went by call instead; the third held after an
    # e-mail agreement and an e-mail reminder; the fourth cancelled (the coordinator called
    # about it); the fifth like the first. In PP one held; one ahead, not yet counted.
    frida = course("Frida Møder", at(pp.start), Stage.CLOSED)

    Sent = list[tuple[str, Channel, DeliveryStatus]]

    def meeting(
        state: ProgrammeState,
        day: date,
        status: MeetingStatus,
        confirmed: bool = False,
        messages: Sent | None = None,
    ) -> None:
        held = Meeting(
            id=str(uuid.uuid4()),
            starts_at=at(day),
            duration_minutes=60,
            place_kind=PlaceKind.JOBCENTER,
            place="Jobcenteret",
            purpose="Samtale",
            status=status,
            booked_at=at(day - timedelta(days=7)),
            confirmed_at=at(day - timedelta(days=6)) if confirmed else None,
        )
        state.meetings[held.id] = held
        for n, (purpose, channel, delivery) in enumerate(messages or []):
            state.sent.append(
                SentMessage(
                    key=f"meeting:{held.id}:{n}",
                    purpose=purpose,
                    channel=channel,
                    meeting_id=held.id,
                    sent_at=at(day - timedelta(days=7 - n)),
                    status=delivery,
                )
            )

    agreement, reminder = "meeting_agreement", "meeting_reminder"
    delivered, failed, queued = (
        DeliveryStatus.DELIVERED,
        DeliveryStatus.FAILED,
        DeliveryStatus.QUEUED,
    )
    by_sms: Sent = [(agreement, Channel.SMS, delivered), (reminder, Channel.SMS, delivered)]
    meeting(
        frida, p.start + timedelta(days=10), MeetingStatus.HELD, confirmed=True, messages=by_sms
    )
    meeting(
        frida,
        p.start + timedelta(days=20),
        MeetingStatus.NO_SHOW,
        messages=[(agreement, Channel.SMS, failed), (agreement, Channel.CALL, delivered)],
    )
    by_email: Sent = [(agreement, Channel.EMAIL, queued), (reminder, Channel.EMAIL, queued)]
    meeting(frida, p.start + timedelta(days=12), MeetingStatus.HELD, messages=by_email)
    meeting(frida, p.start + timedelta(days=30), MeetingStatus.CANCELLED)
    meeting(frida, p.start + timedelta(days=5), MeetingStatus.HELD, confirmed=True, messages=by_sms)
    meeting(frida, pp.start + timedelta(days=5), MeetingStatus.HELD, messages=by_sms)
    meeting(frida, today + timedelta(days=3), MeetingStatus.BOOKED, messages=by_sms)

    projection = ProjectionActivities(open_session, CourseRules())
    for state in states.values():
        state.seq = 1
        referred = TimelineEvent(seq=1, kind="referred", at=state.referred_at, summary="Visiteret")
        ActivityEnvironment().run(
            projection.project_programme, ProjectionInput(state=state, events=[referred])
        )
    # Frida's messages in P: one handed over at once and delivered, one handed over late and
    # delivered, one SMS never heard of again, and an e-mail the relay took (final).
    with open_session() as db:
        for n, (status, channel, handed_after) in enumerate(
            [
                ("delivered", "sms", 2),
                ("delivered", "sms", 40),
                ("sent", "sms", 1),
                ("sent", "email", 1),
            ]
        ):
            due = at(p.start + timedelta(days=10 + n))
            db.add(
                OutboxMessage(
                    key=f"scenario:{frida.case_id}:{n}",
                    case_id=uuid.UUID(frida.case_id),
                    citizen_id=uuid.UUID(frida.citizen_id),
                    channel=channel,
                    status=status,
                    purpose="meeting_reminder",
                    subject="Påmindelse",
                    body="Hej",
                    created_at=due,
                    due_at=due,
                    handed_at=due + timedelta(seconds=handed_after),
                    handed_late=handed_after > 10,
                )
            )
        db.commit()
    return Scenario(
        coordinator=coordinator,
        now=now,
        quarter=p,
        cases={name: uuid.UUID(state.case_id) for name, state in states.items()},
    )
