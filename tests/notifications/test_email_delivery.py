"""E-mail to a real SMTP server (aiosmtpd) on loopback: text, HTML and a calendar invitation."""

import email
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from email.message import Message

import pytest
from aiosmtpd.controller import Controller
from icalendar import Calendar
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.notifications import NotificationActivities
from models.enums import Channel, Recipient
from models.notice import Delivery, Notice
from models.outbox import OutboxMessage
from models.settings import SmtpSettings
from notifications.email import SmtpEmail, message_id
from tests.api.conftest import free_port
from tests.factories import make_case, make_citizen


class Inbox:
    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def delivery(session, purpose: str, version: int, meeting_id: str) -> Delivery:
    citizen = make_citizen(session, name="Camilla Holm")
    case = make_case(session, citizen)
    notice = Notice(
        key=f"meeting:{meeting_id}:v{version}:{purpose}:1:1",
        purpose=purpose,
        to=Recipient.CITIZEN,
        channel=Channel.EMAIL,
        address="camilla@eksempel.dk",
        context={
            "when": "tirsdag 24. november kl. 13.00",
            "place": "Café Solsikken <Torvet>",
            "with": "Mette Jensen",
            "purpose": "Forberedelse",
            "bring": "",
            "duration": "45",
            "meeting_id": meeting_id,
            "version": str(version),
            "starts_at": "2026-11-24T13:00:00+01:00",
            "cancelled": "",
        },
    )
    return Delivery(
        case_id=str(case.id),
        citizen_id=str(citizen.id),
        coordinator_id=str(uuid.uuid4()),
        notices=[notice],
    )


def send(open_session, port: int, job: Delivery) -> None:
    relay = SmtpEmail(
        SmtpSettings(
            host="127.0.0.1", port=port, sender="Kommunen <ikke-svar@kommune.dk>", starttls=False
        )
    )
    activities = NotificationActivities(open_session, "https://forloeb.example.dk", email=relay)
    ActivityEnvironment().run(activities.deliver, job)


def calendar_of(message: Message) -> Calendar:
    part = next(p for p in message.walk() if p.get_content_type() == "text/calendar")
    payload = part.get_payload(decode=True)
    assert isinstance(payload, bytes)
    return Calendar.from_ical(payload)


def test_an_agreement_arrives_with_text_html_and_an_invitation(session, open_session, smtp):
    inbox, port = smtp
    meeting_id = str(uuid.uuid4())
    job = delivery(session, "meeting_agreement", 1, meeting_id)
    send(open_session, port, job)
    send(open_session, port, job)  # a retried activity sends nothing twice
    [message] = inbox.messages
    assert message["To"] == "camilla@eksempel.dk"
    assert message["Subject"] == "Aftale tirsdag 24. november kl. 13.00"
    types = [p.get_content_type() for p in message.walk()]
    assert {"text/plain", "text/html", "text/calendar"} <= set(types)
    html = next(p for p in message.walk() if p.get_content_type() == "text/html")
    assert "Café Solsikken &lt;Torvet&gt;" in html.get_payload(decode=True).decode()
    event = calendar_of(message).walk("VEVENT")[0]
    assert str(event["UID"]) == f"{meeting_id}@forloeb" and event.decoded("SEQUENCE") == 1
    assert event.decoded("DTSTART") == datetime(2026, 11, 24, 12, 0, tzinfo=UTC)
    session.expire_all()
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == job.notices[0].key)).one()
    assert row.status == "sent" and row.provider_id == message["Message-ID"]


def test_a_moved_meeting_updates_the_same_calendar_event(session, open_session, smtp):
    inbox, port = smtp
    meeting_id = str(uuid.uuid4())
    send(open_session, port, delivery(session, "meeting_agreement", 1, meeting_id))
    send(open_session, port, delivery(session, "meeting_moved", 2, meeting_id))
    first, moved = (calendar_of(m).walk("VEVENT")[0] for m in inbox.messages)
    assert first["UID"] == moved["UID"]
    assert moved.decoded("SEQUENCE") == 2


def test_the_message_id_follows_the_key_and_fits_the_outbox():
    key = "digest:2026-11-23:" + "5085ffe3-69ff-4ff1-be32-8370de914e1b" * 2
    assert message_id(key) == message_id(key) != message_id(key + "x")
    assert len(message_id(key)) <= 64
