"""The daily digest: each department lead and manager gets the cases that became stalled and
the task deadlines that were found passed in one window, and nothing else.

Windows follow each other without gap or overlap, and a case or breach belongs to the window
its moment falls in, so every item is in exactly one digest. Each recipient's message is keyed
by the window's day: a retried activity or a second run of the same day writes nothing twice.
"""

import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, col, select
from temporalio import activity

from activities.notifications import OUTBOX_CHANNEL, send_email_once
from models.case import Case, CaseEvent
from models.citizen import Citizen
from models.danish_time import COPENHAGEN, local_date
from models.db import SessionFactory, transaction
from models.digest import BreachItem, DigestWindow, StalledItem
from models.enums import OPEN_TASK_STATES, Channel, Department, Role
from models.outbox import OutboxMessage
from models.staff import Staff
from models.task import Task, TaskBreachRow
from notifications.email import SmtpEmail
from notifications.messages import Message, MessageRenderer

PURPOSE = "daily_digest"
# OutboxMessage.body's length; longer lists end in "og N flere".
BODY_LIMIT = 4000
MOST_SHOWN = 20


class DigestActivities:
    def __init__(
        self, open_session: SessionFactory, public_url: str, email: SmtpEmail | None = None
    ) -> None:
        self._open_session = open_session
        self._public_url = public_url.rstrip("/")
        self._renderer = MessageRenderer()
        self._email = email

    @activity.defn
    def send_digests(self, window: DigestWindow) -> int:
        """Write one digest per lead and manager with something new; send those with an
        address when SMTP is set up. Returns how many were written."""
        written, keys = 0, []
        with transaction(self._open_session) as session:
            stalled = _stalled(session, window)
            breaches = _breaches(session, window)
            for staff in _recipients(session):
                cases = [item for item in stalled if _concerns(staff, item.departments)]
                passed = [item for item in breaches if _concerns(staff, [item.department])]
                if not cases and not passed:
                    continue  # no empty mails
                key = f"digest:{local_date(window.end).isoformat()}:{staff.id}"
                keys.append(key)
                if _exists(session, key):
                    continue
                message = self._render(window, cases, passed)
                # Without an address the digest stays in the outbox, as every other notice to
                # staff does: it is still there to read, and nothing is lost silently.
                session.add(
                    OutboxMessage(
                        key=key,
                        staff_id=staff.id,
                        channel=Channel.EMAIL.value if staff.email else OUTBOX_CHANNEL,
                        address=staff.email,
                        purpose=PURPOSE,
                        subject=message.subject,
                        body=message.body,
                        created_at=datetime.now(UTC),
                    )
                )
                written += 1
        if self._email is not None:
            for key in keys:
                # A refused address is marked failed on its row; the others still go.
                send_email_once(self._open_session, self._email, key)
        return written

    def _render(
        self, window: DigestWindow, stalled: list[StalledItem], breaches: list[BreachItem]
    ) -> Message:
        message = Message(subject="", body="")
        for shown in range(MOST_SHOWN, -1, -1):
            context: dict[str, Any] = {
                "since": window.start.astimezone(COPENHAGEN).strftime("%d.%m.%Y kl. %H.%M"),
                "dashboard": f"{self._public_url}/leder",
                "cases_total": len(stalled),
                "cases": [self._case(item) for item in stalled[:shown]],
                "cases_more": max(0, len(stalled) - shown),
                "breaches_total": len(breaches),
                "breaches": [self._breach(item) for item in breaches[:shown]],
                "breaches_more": max(0, len(breaches) - shown),
            }
            message = self._renderer.render(PURPOSE, context)
            if len(message.body) <= BODY_LIMIT:
                break
        return message

    def _case(self, item: StalledItem) -> dict[str, Any]:
        return {
            "citizen": item.citizen,
            "reason": item.reason,
            "since": _day(item.since),
            "stalled_at": _day(item.stalled_at),
            "moving_again": item.moving_again,
            "link": f"{self._public_url}/cases/{item.case_id}",
        }

    def _breach(self, item: BreachItem) -> dict[str, str]:
        return {
            "citizen": item.citizen,
            "department": item.department.label,
            "label": item.kind.label,
            "purpose": item.purpose,
            "link": f"{self._public_url}/cases/{item.case_id}",
        }


def _stalled(session: Session, window: DigestWindow) -> list[StalledItem]:
    """Cases that went from moving to stalled in the window, once each. A stall that only
    changed its reasons records another "stalled" event, but the case was already reported."""
    in_window = (
        select(CaseEvent.case_id)
        .where(CaseEvent.kind == "stalled")
        .where(CaseEvent.at >= window.start, CaseEvent.at < window.end)
    )
    events = session.exec(
        select(CaseEvent)
        .where(col(CaseEvent.case_id).in_(in_window))
        .where(col(CaseEvent.kind).in_(["stalled", "unstalled"]), CaseEvent.at < window.end)
        .order_by(col(CaseEvent.case_id), col(CaseEvent.seq))
    ).all()
    became: dict[uuid.UUID, datetime] = {}
    previous: dict[uuid.UUID, str] = {}
    for event in events:
        began = event.kind == "stalled" and previous.get(event.case_id) != "stalled"
        if began and event.at >= window.start:
            became.setdefault(event.case_id, event.at)
        previous[event.case_id] = event.kind
    if not became:
        return []
    departments: dict[uuid.UUID, set[Department]] = {case_id: set() for case_id in became}
    for case_id, department in session.exec(
        select(Task.case_id, Task.department)
        .where(col(Task.case_id).in_(list(became)))
        .where(col(Task.state).in_(OPEN_TASK_STATES))
    ):
        departments[case_id].add(Department(department))
    rows = session.exec(
        select(Case, Citizen.name)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .where(col(Case.id).in_(list(became)))
    ).all()
    items = []
    for case, citizen in rows:
        waiting_on = {Department(code) for code in case.waiting_on.split(",") if code}
        items.append(
            StalledItem(
                case_id=str(case.id),
                citizen=citizen,
                reason=case.stall_reason,
                stalled_at=became[case.id],
                since=case.stalled_since or became[case.id],
                moving_again=case.stalled_since is None,
                departments=sorted(waiting_on | departments[case.id]),
            )
        )
    return sorted(items, key=lambda item: (item.stalled_at, item.case_id))


def _breaches(session: Session, window: DigestWindow) -> list[BreachItem]:
    """Deadlines the workflows found passed in the window; each is recorded once."""
    rows = session.exec(
        select(TaskBreachRow, Task.purpose, Citizen.name)
        .join(Task, col(Task.id) == TaskBreachRow.task_id)
        .join(Case, col(Case.id) == TaskBreachRow.case_id)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .where(TaskBreachRow.found_at >= window.start, TaskBreachRow.found_at < window.end)
        .order_by(col(TaskBreachRow.found_at), col(TaskBreachRow.id))
    ).all()
    return [
        BreachItem(
            case_id=str(row.case_id),
            citizen=citizen,
            department=row.department,
            kind=row.kind,
            purpose=purpose,
            found_at=row.found_at,
        )
        for row, purpose, citizen in rows
    ]


def _recipients(session: Session) -> Sequence[Staff]:
    return session.exec(
        select(Staff)
        .where(col(Staff.role).in_([Role.DEPARTMENT_LEAD, Role.MANAGER]), col(Staff.active))
        .order_by(col(Staff.username))
    ).all()


def _concerns(staff: Staff, departments: list[Department]) -> bool:
    """A manager sees everything; a lead what concerns her department."""
    return staff.role == Role.MANAGER or staff.department in departments


def _exists(session: Session, key: str) -> bool:
    found = session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first()
    return found is not None


def _day(moment: datetime) -> str:
    return moment.astimezone(COPENHAGEN).strftime("%d.%m.%Y")
