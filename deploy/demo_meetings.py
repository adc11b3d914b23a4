"""The demo's past meetings: half a year of meetings held, missed and cancelled, imported into
the read model as a municipality moving its running courses in would bring their history, so
the dashboard's meeting section has quarters to show. The courses' workflows hold none of
them, as they hold no meeting let go of 30 days after it (workflows/retention.py); the case
pages and the dashboard read them from the read model like any other.

No-shows fall with a confirmation and with a delivered reminder, in the proportions Danish
practice reports (SMS reminders cut no-shows by about a third).
"""

import random
from datetime import datetime, timedelta

from sqlmodel import col, select

from models.case import Case
from models.case_view import CaseMeeting
from models.danish_time import local_date, start_of
from models.db import SessionFactory, transaction
from models.enums import MeetingStatus, PlaceKind
from models.meeting import Meeting

MEETINGS = 120
# The channel each agreement went by; None: the coordinator called about it.
CHANNELS: list[tuple[str | None, float]] = [("sms", 55), ("call", 15), ("email", 15), (None, 15)]


def import_past_meetings(open_session: SessionFactory, now: datetime) -> int:
    rng = random.Random(2026)
    imported = 0
    with transaction(open_session) as session:
        cases = session.exec(select(Case.id, Case.referred_at).order_by(col(Case.id))).all()
        for n in range(MEETINGS):
            case_id, referred_at = rng.choice(cases)
            day = local_date(now) - timedelta(days=rng.randint(3, 180))
            starts_at = start_of(day) + timedelta(hours=rng.choice((9, 10, 13, 14)))
            if starts_at <= referred_at:
                continue
            channel = rng.choices([c for c, _ in CHANNELS], [w for _, w in CHANNELS])[0]
            by_phone = channel in ("sms", "call")
            confirmed = by_phone and rng.random() < 0.6
            reminder = (
                ("delivered" if rng.random() < 0.85 else "")
                if by_phone
                else "sent"
                if channel == "email"
                else ""
            )
            missed = 0.06 if confirmed else 0.11 if reminder else 0.2
            roll = rng.random()
            status = (
                MeetingStatus.NO_SHOW
                if roll < missed
                else MeetingStatus.CANCELLED
                if roll < missed + 0.08
                else MeetingStatus.HELD
            )
            meeting = Meeting(
                id=f"demo-past-{n}",
                starts_at=starts_at,
                duration_minutes=60,
                place_kind=PlaceKind.JOBCENTER,
                place="Jobcenteret, Rådhusvej 2",
                purpose="Opfølgningssamtale",
                status=status,
                booked_at=starts_at - timedelta(days=10),
                confirmed_at=starts_at - timedelta(days=9) if confirmed else None,
            )
            session.add(
                CaseMeeting(
                    id=meeting.id,
                    case_id=case_id,
                    starts_at=starts_at,
                    status=status.value,
                    data=meeting.model_dump(mode="json"),
                    confirmed=confirmed,
                    agreement_channel=channel,
                    reminder=reminder,
                )
            )
            imported += 1
    return imported
