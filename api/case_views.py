"""Read-model views of cases for the API and the pages: everything here is read from the
tables the projection writes (models/case.py, models/case_view.py), never from workflow code."""

import uuid
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select

from models.case import Case, CaseDetail, CaseEvent, CaseEventPublic, CasePublic, PersonRef
from models.case_view import PAUSE, CaseFacts, CaseMeeting, CaseMessage, CaseTodo, PlanItemRow
from models.citizen import Citizen
from models.continuity import ContinuityPlan, Pause, PlanEffort
from models.cpr import mask_cpr
from models.delivery import late, troubled, unresolved
from models.enums import MeetingStatus
from models.meeting import Meeting, Todo
from models.outbox import OutboxMessage
from models.staff import Staff


def case_public(case: Case, citizen: Citizen, coordinator: Staff) -> CasePublic:
    return CasePublic(
        **case.model_dump(exclude={"citizen_id", "coordinator_id", "facts", "plan"}),
        citizen=PersonRef(id=citizen.id, name=citizen.name),
        citizen_cpr_masked=mask_cpr(citizen.cpr),
        coordinator=PersonRef(id=coordinator.id, name=coordinator.full_name),
        stage_label=case.stage.label,
    )


def facts_of(case: Case) -> CaseFacts:
    return CaseFacts.model_validate(case.facts or {})


def plan_of(case: Case) -> ContinuityPlan | None:
    """The continuity plan as the projection last judged it; None until it has."""
    return ContinuityPlan.model_validate(case.plan) if case.plan else None


def case_detail(session: Session, case: Case) -> CaseDetail:
    citizen = session.get(Citizen, case.citizen_id)
    coordinator = session.get(Staff, case.coordinator_id)
    assert citizen is not None and coordinator is not None  # foreign keys
    facts = facts_of(case)
    return CaseDetail(
        **case_public(case, citizen, coordinator).model_dump(),
        efforts=[e.model_dump(mode="json") for e in facts.recommendation.efforts]
        if facts.recommendation
        else [],
        contact=facts.contact,
        meetings=meetings_of(session, [case.id]).get(case.id, []),
        todos=open_todos(session, [case.id]).get(case.id, []),
        timeline=timeline(session, case.id),
    )


def meetings_of(session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Meeting]]:
    """Every meeting of these cases, earliest first."""
    rows = session.exec(
        select(CaseMeeting.case_id, CaseMeeting.data)
        .where(col(CaseMeeting.case_id).in_(case_ids))
        .order_by(col(CaseMeeting.starts_at))
    ).all()
    found: dict[uuid.UUID, list[Meeting]] = defaultdict(list)
    for case_id, data in rows:
        found[case_id].append(Meeting.model_validate(data))
    return found


def open_todos(session: Session, case_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, list[Todo]]:
    rows = session.exec(
        select(CaseTodo)
        .where(col(CaseTodo.case_id).in_(case_ids), col(CaseTodo.done_at).is_(None))
        .order_by(col(CaseTodo.created_at))
    ).all()
    found: dict[uuid.UUID, list[Todo]] = defaultdict(list)
    for row in rows:
        found[row.case_id].append(Todo.model_validate(row.model_dump()))
    return found


def plan_items(session: Session, case_id: uuid.UUID) -> tuple[list[PlanEffort], list[Pause]]:
    """What the coordinator recorded in the continuity plan: efforts, and justified pauses."""
    rows = session.exec(
        select(PlanItemRow).where(PlanItemRow.case_id == case_id).order_by(col(PlanItemRow.start))
    ).all()
    efforts = [PlanEffort.model_validate(r.data) for r in rows if r.kind != PAUSE]
    pauses = [Pause.model_validate(r.data) for r in rows if r.kind == PAUSE]
    return efforts, pauses


def messages_of(
    session: Session, case_id: uuid.UUID
) -> tuple[list[CaseMessage], list[CaseMessage]]:
    """The messages to the citizen waiting for their moment, soonest first, and those sent,
    newest first."""
    rows = session.exec(select(CaseMessage).where(CaseMessage.case_id == case_id)).all()
    waiting = [m for m in rows if m.sent_at is None]
    sent = [m for m in rows if m.sent_at is not None]
    waiting.sort(key=lambda m: m.due_at or datetime.max.replace(tzinfo=UTC))
    sent.sort(key=lambda m: m.sent_at or datetime.min.replace(tzinfo=UTC), reverse=True)
    return waiting, sent


def cases_given_up_on(session: Session, case_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Cases with a message that failed with no channel left to try."""
    return set(
        session.exec(
            select(CaseMessage.case_id).where(
                col(CaseMessage.case_id).in_(case_ids), col(CaseMessage.gave_up)
            )
        ).all()
    )


# How far back the board flags a message that went out late or never got a final status;
# older ones are history, counted on the dashboard.
FLAGGED_FOR = timedelta(days=14)


@dataclass(frozen=True)
class DeliveryTrouble:
    late: int = 0
    unresolved: int = 0


def delivery_trouble(
    session: Session, case_ids: Sequence[uuid.UUID], now: datetime
) -> dict[uuid.UUID, DeliveryTrouble]:
    """Per case, its citizen's recent messages handed to the provider late, and those with no
    final status 72 hours after they fell due (models/delivery.py)."""
    rows = session.exec(
        select(OutboxMessage.case_id, late(now), unresolved(now)).where(
            col(OutboxMessage.case_id).in_(case_ids),
            col(OutboxMessage.due_at) >= now - FLAGGED_FOR,
            troubled(now),
        )
    ).all()
    found: dict[uuid.UUID, DeliveryTrouble] = {}
    for case_id, is_late, is_unresolved in rows:
        if case_id is None:
            continue
        known = found.get(case_id, DeliveryTrouble())
        found[case_id] = DeliveryTrouble(
            known.late + bool(is_late), known.unresolved + bool(is_unresolved)
        )
    return found


@dataclass(frozen=True)
class Appointments:
    """Where a course stands with its meetings, now."""

    next_meeting: Meeting | None
    # A meeting was held and nothing is booked after it: every conversation ends with the
    # next appointment.
    needs_next: bool
    unconfirmed_soon: bool


def appointments(meetings: Sequence[Meeting], now: datetime) -> Appointments:
    upcoming = [m for m in meetings if m.status.is_upcoming and m.starts_at > now]
    upcoming.sort(key=lambda m: m.starts_at)
    held = any(m.status == MeetingStatus.HELD for m in meetings)
    following = upcoming[0] if upcoming else None
    return Appointments(
        next_meeting=following,
        needs_next=held and following is None,
        unconfirmed_soon=following is not None
        and following.status == MeetingStatus.BOOKED
        and following.starts_at - now < timedelta(hours=24),
    )


def timeline(session: Session, case_id: uuid.UUID) -> list[CaseEventPublic]:
    rows = session.exec(
        select(CaseEvent, Staff.full_name)
        .outerjoin(Staff, col(Staff.id) == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case_id)
        # When things happened, newest first: a line registered after the fact (a decision
        # dated last month) stands where it happened.
        .order_by(col(CaseEvent.at).desc(), col(CaseEvent.seq).desc())
    ).all()
    return [
        CaseEventPublic(
            seq=e.seq,
            kind=e.kind,
            at=e.at,
            actor=name,
            summary=e.summary,
            department=e.department,
        )
        for e, name in rows
    ]
