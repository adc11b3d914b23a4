"""Writes what the pages show of a course beyond its case row (models/case_view.py), and
reads the whole course back from the read model for the plan and the dashboard's figures.

Every row carries the sequence number it was written at and is only overwritten by a newer
one, so projections that finish out of order leave the newest version of every item.
"""

import uuid
from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import delete, update
from sqlmodel import Session, SQLModel, col, select

from models.case import Case
from models.case_view import PAUSE, CaseFacts, CaseMeeting, CaseMessage, CaseTodo, PlanItemRow
from models.continuity import Pause, PlanEffort
from models.course import CourseRecord
from models.enums import DeliveryStatus
from models.meeting import Meeting, OutgoingMessage, SentMessage, Todo
from models.rules import CourseRules
from models.task import Task


def _upsert(
    session: Session,
    row: SQLModel,
    key: dict[str, Any],
    seq: int,
    keep: frozenset[str] = frozenset(),
) -> None:
    """Insert the row, or update it where the stored one is not newer; `keep` names the
    fields an update leaves as they are."""
    table = type(row)
    fields = row.model_dump(exclude=set(key) | keep)
    conditions = [getattr(table, name) == value for name, value in key.items()]
    found = session.exec(select(*[getattr(table, name) for name in key]).where(*conditions))
    if found.first() is None:
        session.add(row)
        session.flush()
        return
    statement = update(table).where(*conditions, col(table.seq) <= seq)  # type: ignore[attr-defined]
    session.exec(statement.values(**fields).execution_options(synchronize_session=False))


def write_meetings(
    session: Session, case_id: uuid.UUID, meetings: Iterable[Meeting], seq: int
) -> None:
    for meeting in meetings:
        row = CaseMeeting(
            id=meeting.id,
            case_id=case_id,
            starts_at=meeting.starts_at,
            status=meeting.status.value,
            data=meeting.model_dump(mode="json"),
            seq=seq,
            confirmed=meeting.confirmed_at is not None,
        )
        _upsert(session, row, {"id": meeting.id}, seq, keep=_KEPT_BY_MESSAGES)


# What the messages about a meeting set on its row (write_messages), not the meeting itself.
_KEPT_BY_MESSAGES = frozenset({"agreement_channel", "reminder"})


TODO_TEXT = 500  # models/case_view.py: CaseTodo.text


def write_todos(session: Session, case_id: uuid.UUID, todos: Iterable[Todo], seq: int) -> None:
    for todo in todos:
        row = CaseTodo(case_id=case_id, seq=seq, **todo.model_dump())
        # A run begun before TRUSTED_MESSAGES puts a whole reply in the text; the column holds
        # a line.
        row.text = row.text if len(row.text) <= TODO_TEXT else row.text[: TODO_TEXT - 1] + "…"
        _upsert(session, row, {"case_id": case_id, "id": todo.id}, seq)


def write_plan_items(
    session: Session,
    case_id: uuid.UUID,
    efforts: Iterable[PlanEffort],
    pauses: Iterable[Pause],
    seq: int,
) -> None:
    items: list[tuple[str, PlanEffort | Pause]] = [(e.kind.value, e) for e in efforts]
    items += [(PAUSE, p) for p in pauses]
    for kind, item in items:
        row = PlanItemRow(
            id=item.id,
            case_id=case_id,
            kind=kind,
            start=item.start,
            end=item.end,
            data=item.model_dump(mode="json"),
            seq=seq,
        )
        _upsert(session, row, {"id": item.id}, seq)


def write_messages(
    session: Session,
    case_id: uuid.UUID,
    waiting: Iterable[OutgoingMessage],
    sent: Sequence[SentMessage],
    seq: int,
) -> None:
    for message in waiting:
        row = CaseMessage(
            case_id=case_id,
            key=message.key,
            purpose=message.purpose,
            channel=message.channels[0].value,
            meeting_id=message.meeting_id,
            due_at=message.due_at,
            seq=seq,
        )
        _upsert(session, row, {"case_id": case_id, "key": message.key}, seq)
    for done in sent:
        row = CaseMessage(
            case_id=case_id,
            key=done.key,
            purpose=done.purpose,
            channel=done.channel.value,
            meeting_id=done.meeting_id,
            sent_at=done.sent_at,
            status=done.status.value,
            gave_up=done.status.failed and not done.fallback,
            seq=seq,
        )
        _upsert(session, row, {"case_id": case_id, "key": done.key}, seq)
    _mark_meetings(session, {done.meeting_id for done in sent if done.meeting_id})


def meeting_facts(sent: Iterable[tuple[str, str, str]]) -> dict[str, str | None]:
    """What the messages about a meeting, as (purpose, channel, status) oldest first, tell of
    it: the channel of the latest agreement that did not fail (none: the coordinator called),
    and whether a reminder was delivered, or sent with no word of delivery."""
    working = [(p, c, s) for p, c, s in sent if not DeliveryStatus(s).failed]
    agreements = [c for p, c, _ in working if p == "meeting_agreement"]
    reminders = [s for p, _, s in working if p == "meeting_reminder"]
    reached = DeliveryStatus.DELIVERED.value in reminders
    return {
        "agreement_channel": agreements[-1] if agreements else None,
        "reminder": "delivered" if reached else "sent" if reminders else "",
    }


def _mark_meetings(session: Session, meeting_ids: set[str]) -> None:
    """Each meeting's facts worked out again from all its messages as the read model now holds
    them, so the order projections arrive in does not matter."""
    for meeting_id in meeting_ids:
        messages = session.exec(
            select(CaseMessage.purpose, CaseMessage.channel, CaseMessage.status)
            .where(CaseMessage.meeting_id == meeting_id, col(CaseMessage.sent_at).is_not(None))
            .order_by(col(CaseMessage.sent_at))
        ).all()
        session.exec(
            update(CaseMeeting)
            .where(col(CaseMeeting.id) == meeting_id)
            .values(**meeting_facts(messages))
        )


def remove(session: Session, case_id: uuid.UUID, gone: Sequence[str], seq: int) -> None:
    """Drop items a rule removed: plan items taken out of the plan, messages no longer due."""
    for key in gone:
        kind, _, item_id = key.partition(":")
        if kind in ("effort", PAUSE):
            session.exec(
                delete(PlanItemRow).where(
                    col(PlanItemRow.id) == item_id, col(PlanItemRow.seq) <= seq
                )
            )
        elif kind == "waiting":
            session.exec(
                delete(CaseMessage).where(
                    col(CaseMessage.case_id) == case_id,
                    col(CaseMessage.key) == item_id,
                    col(CaseMessage.sent_at).is_(None),
                    col(CaseMessage.seq) <= seq,
                )
            )


def course_from_rows(session: Session, case: Case, rules: CourseRules) -> CourseRecord:
    """The whole course as the read model holds it, for the plan and the timing profile."""
    facts = CaseFacts.model_validate(case.facts or {})
    tasks = session.exec(select(Task).where(Task.case_id == case.id)).all()
    meetings = session.exec(select(CaseMeeting.data).where(CaseMeeting.case_id == case.id)).all()
    items = session.exec(select(PlanItemRow).where(PlanItemRow.case_id == case.id)).all()
    return CourseRecord(
        referred_at=case.referred_at,
        stage=case.stage,
        rules=rules,
        team_meeting_on=case.team_meeting_on,
        decision=facts.decision,
        planned_end=case.planned_end,
        ended_on=case.ended_on,
        tasks=list(tasks),
        meetings=[Meeting.model_validate(data) for data in meetings],
        efforts=[PlanEffort.model_validate(i.data) for i in items if i.kind != PAUSE],
        pauses=sorted(
            (Pause.model_validate(i.data) for i in items if i.kind == PAUSE),
            key=lambda p: p.start,
        ),
    )
