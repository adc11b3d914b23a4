"""Delivers workflow notices: finds the people, renders the text and writes the outbox.

Each recipient's message has its own key, checked before it is written, so a retried
activity sends nothing twice. Channels to the outside (SMS, e-mail) read from this outbox.
"""

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select
from temporalio import activity

from models.citizen import Citizen
from models.db import SessionFactory, transaction
from models.enums import Recipient, Role
from models.notice import Delivery, Notice
from models.outbox import OutboxMessage
from models.staff import Staff
from notifications.messages import MessageRenderer

OUTBOX_CHANNEL = "outbox"


class NotificationActivities:
    def __init__(self, open_session: SessionFactory, public_url: str) -> None:
        self._open_session = open_session
        self._public_url = public_url.rstrip("/")
        self._renderer = MessageRenderer()

    @activity.defn
    def deliver(self, delivery: Delivery) -> int:
        """Write one outbox message per notice and recipient; returns how many were new."""
        written = 0
        with transaction(self._open_session) as session:
            for notice in delivery.notices:
                for staff_id, citizen in _recipients(session, notice, delivery):
                    # A citizen's message is keyed by the workflow (meeting, purpose, attempt).
                    key = (
                        notice.key
                        if notice.channel
                        else f"{notice.key}:{citizen.id if citizen else staff_id}"
                    )
                    if _already_written(session, key):
                        continue
                    context = {**notice.context, "link": self._link(notice, delivery)}
                    if citizen is not None:
                        context["first_name"] = citizen.name.split()[0]
                    message = self._renderer.render(notice.purpose, context)
                    session.add(
                        OutboxMessage(
                            key=key,
                            case_id=uuid.UUID(delivery.case_id),
                            staff_id=staff_id,
                            citizen_id=citizen.id if citizen else None,
                            channel=notice.channel.value if notice.channel else OUTBOX_CHANNEL,
                            address=notice.address,
                            purpose=notice.purpose,
                            subject=message.subject,
                            body=message.body,
                            created_at=datetime.now(UTC),
                        )
                    )
                    written += 1
        return written

    def _link(self, notice: Notice, delivery: Delivery) -> str:
        if notice.to in (Recipient.DEPARTMENT, Recipient.DEPARTMENT_LEAD):
            return f"{self._public_url}/inbox"
        return f"{self._public_url}/cases/{delivery.case_id}"


def _already_written(session: Session, key: str) -> bool:
    return (
        session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first() is not None
    )


def _recipients(
    session: Session, notice: Notice, delivery: Delivery
) -> list[tuple[uuid.UUID | None, Citizen | None]]:
    if notice.to == Recipient.CITIZEN:
        citizen = session.get(Citizen, uuid.UUID(delivery.citizen_id))
        return [(None, citizen)] if citizen else []
    if notice.to == Recipient.STAFF:
        return [(uuid.UUID(notice.staff_id), None)] if notice.staff_id else []
    role = (
        Role.DEPARTMENT_LEAD if notice.to == Recipient.DEPARTMENT_LEAD else Role.DEPARTMENT_WORKER
    )
    staff = session.exec(
        select(Staff.id)
        .where(Staff.department == notice.department, Staff.role == role, col(Staff.active))
        .order_by(Staff.username)
    ).all()
    return [(staff_id, None) for staff_id in staff]
