"""E-mail over SMTP (aiosmtplib): a text and an HTML part, and a calendar invitation.

The invitation keeps the meeting's id as its UID and the meeting's version as its SEQUENCE, so
a moved meeting updates the event in the citizen's calendar instead of adding a second one.
"""

import asyncio
import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.message import EmailMessage

import aiosmtplib
from icalendar import Calendar, Event

from models.settings import SmtpSettings
from notifications.failures import PermanentDeliveryFailure
from notifications.messages import Message, MessageRenderer


class PermanentEmailFailure(PermanentDeliveryFailure):
    """The relay refused the address for good."""


@dataclass(frozen=True)
class Invitation:
    meeting_id: str
    version: int
    starts_at: datetime
    minutes: int
    summary: str
    location: str
    description: str
    cancelled: bool = False


def invitation_ics(invite: Invitation, organiser: str) -> bytes:
    calendar = Calendar()
    calendar.add("prodid", "-//forloeb//DA")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if invite.cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{invite.meeting_id}@forloeb")
    event.add("sequence", invite.version)
    # In UTC: a fixed-offset time would be written as floating local time, which calendars
    # read in their own zone.
    starts = invite.starts_at.astimezone(UTC)
    event.add("dtstamp", starts)
    event.add("dtstart", starts)
    event.add("dtend", starts + timedelta(minutes=invite.minutes))
    event.add("summary", invite.summary)
    event.add("location", invite.location)
    event.add("description", invite.description)
    event.add("organizer", f"mailto:{organiser}")
    event.add("status", "CANCELLED" if invite.cancelled else "CONFIRMED")
    calendar.add_component(event)
    return bytes(calendar.to_ical())


class SmtpEmail:
    def __init__(self, settings: SmtpSettings) -> None:
        self._settings = settings
        self._renderer = MessageRenderer()

    def compose(
        self, *, to: str, message: Message, key: str, invite: Invitation | None
    ) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._settings.sender
        email["To"] = to
        email["Subject"] = message.subject
        email["Message-ID"] = message_id(key)
        email.set_content(message.body)
        email.add_alternative(self._renderer.html(message), subtype="html")
        if invite is not None:
            organiser = self._settings.sender.split("<")[-1].rstrip(">")
            email.add_attachment(
                invitation_ics(invite, organiser),
                maintype="text",
                subtype="calendar",
                filename="aftale.ics",
                params={"method": "CANCEL" if invite.cancelled else "REQUEST"},
            )
        return email

    def send(self, email: EmailMessage) -> None:
        """Send by the relay; a refused recipient is permanent, anything else is retried."""
        settings = self._settings
        try:
            asyncio.run(
                aiosmtplib.send(
                    email,
                    hostname=settings.host,
                    port=settings.port,
                    username=settings.username,
                    password=settings.password,
                    start_tls=settings.starttls,
                    timeout=10,
                )
            )
        except aiosmtplib.SMTPRecipientsRefused as error:
            raise PermanentEmailFailure(str(error)) from error


def message_id(key: str) -> str:
    """The same key gives the same Message-ID, so a mail client can spot a repeat; a digest of
    the key keeps it short (the outbox stores it as the provider's id) and free of personal
    data."""
    return f"<{hashlib.sha256(key.encode()).hexdigest()[:40]}@forloeb>"
