"""Meeting agreements with the citizen: booking, moving, cancelling and their outcome.

Every conversation ends with the next appointment: a held meeting with nothing booked after
it is flagged, and stalls the course after a while (workflows/stall.py).
"""

from datetime import datetime, timedelta

from models.danish_time import when
from models.enums import MeetingStatus
from models.meeting import (
    BookMeeting,
    CancelMeeting,
    Meeting,
    MoveMeeting,
    RecordMeetingOutcome,
)
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, require_planning
from workflows.outgoing import drop_queued, queue, queue_reminders
from workflows.rejections import invalid, refuse
from workflows.rule import rule
from workflows.todos import close_todos


def meeting_of(state: ProgrammeState, meeting_id: str) -> Meeting:
    meeting = state.meetings.get(meeting_id)
    if meeting is None:
        raise refuse("Mødet findes ikke på sagen.")
    return meeting


def upcoming(state: ProgrammeState) -> list[Meeting]:
    return sorted(
        (m for m in state.meetings.values() if m.status.is_upcoming),
        key=lambda m: m.starts_at,
    )


def _clashes(state: ProgrammeState, meeting: Meeting) -> list[Meeting]:
    end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    return [
        other
        for other in upcoming(state)
        if other.id != meeting.id
        and other.starts_at < end
        and meeting.starts_at < other.starts_at + timedelta(minutes=other.duration_minutes)
    ]


@rule("book_meeting")
def book(state: ProgrammeState, cmd: BookMeeting, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "Et møde")
    if not cmd.meeting_id:
        raise invalid("Mødet mangler et id.")
    if cmd.starts_at <= now:
        raise invalid("Mødet kan ikke ligge i fortiden.")
    meeting = Meeting(
        id=cmd.meeting_id,
        starts_at=cmd.starts_at,
        duration_minutes=cmd.duration_minutes,
        place_kind=cmd.place_kind,
        place=cmd.place,
        purpose=cmd.purpose,
        bring=cmd.bring,
        participants=cmd.participants,
        host_name=cmd.host_name,
        booked_at=now,
    )
    clashes = _clashes(state, meeting)
    state.meetings[meeting.id] = meeting
    queue(state, meeting, "meeting_agreement", now, now)
    queue_reminders(state, meeting, cmd.reminders, now)
    warning = (
        f" Obs: mødet overlapper med en anden aftale ({when(clashes[0].starts_at)})."
        if clashes
        else ""
    )
    return record(
        state,
        "meeting_booked",
        now,
        actor,
        f"Møde aftalt {when(meeting.starts_at)}, {meeting.place}: {meeting.purpose}.{warning}",
    )


@rule("move_meeting")
def move(state: ProgrammeState, cmd: MoveMeeting, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    meeting = meeting_of(state, cmd.meeting_id)
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødet er {meeting.status.label.lower()} og kan ikke flyttes.")
    if cmd.starts_at <= now:
        raise invalid("Mødet kan ikke flyttes til fortiden.")
    old = meeting.starts_at
    # A citizen who never got the agreement gets it now, not news that it moved.
    told = any(sent.meeting_id == meeting.id for sent in state.sent)
    drop_queued(state, meeting.id)
    meeting.starts_at = cmd.starts_at
    meeting.version += 1
    meeting.status = MeetingStatus.BOOKED
    meeting.confirmed_at = None
    queue(state, meeting, "meeting_moved" if told else "meeting_agreement", now, now)
    queue_reminders(state, meeting, cmd.reminders, now)
    close_todos(state, meeting.id, now)
    return record(
        state,
        "meeting_moved",
        now,
        actor,
        f"Mødet er flyttet fra {when(old)} til {when(meeting.starts_at)}. "
        "Borgeren får en ny aftale; de gamle påmindelser er annulleret.",
    )


@rule("cancel_meeting")
def cancel(state: ProgrammeState, cmd: CancelMeeting, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    meeting = meeting_of(state, cmd.meeting_id)
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødet er allerede {meeting.status.label.lower()}.")
    drop_queued(state, meeting.id)
    meeting.status = MeetingStatus.CANCELLED
    meeting.outcome_note = cmd.reason
    queue(state, meeting, "meeting_cancelled", now, now)
    close_todos(state, meeting.id, now)
    return record(
        state,
        "meeting_cancelled",
        now,
        actor,
        f"Mødet {when(meeting.starts_at)} er aflyst: {cmd.reason}",
    )


@rule("record_meeting_outcome")
def record_outcome(
    state: ProgrammeState, cmd: RecordMeetingOutcome, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    meeting = meeting_of(state, cmd.meeting_id)
    if cmd.outcome not in (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED):
        raise invalid("Udfaldet skal være holdt, udeblivelse eller aflyst.")
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødets udfald er allerede registreret: {meeting.status.label.lower()}.")
    if meeting.starts_at > now and cmd.outcome != MeetingStatus.CANCELLED:
        raise refuse("Mødet er ikke begyndt endnu.")
    drop_queued(state, meeting.id)
    meeting.status = cmd.outcome
    meeting.outcome_note = cmd.note
    close_todos(state, meeting.id, now)
    follow = " Aftal næste møde nu." if cmd.outcome == MeetingStatus.HELD else ""
    return record(
        state,
        "meeting_outcome",
        now,
        actor,
        f"Mødet {when(meeting.starts_at)}: {cmd.outcome.label.lower()}.{follow}"
        + (f" {cmd.note}" if cmd.note else ""),
    )
