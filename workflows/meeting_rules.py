"""Meeting agreements with the citizen, as pure functions on ProgrammeState.

Every message to the citizen is queued with the moment it may go (quiet hours respected) and
the channels to try in the citizen's order; the programme's one timer sends it then. A message
is keyed by meeting, version, purpose and attempt: moving a meeting bumps its version, so a
reminder for the old time can never be sent.
"""

from datetime import datetime, timedelta

from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN, allowed_time
from models.enums import Channel, MeetingStatus, Recipient
from models.meeting import (
    BookMeeting,
    CancelMeeting,
    CitizenReply,
    CompleteTodo,
    DeliveryReport,
    Meeting,
    MoveMeeting,
    MoveReply,
    OutgoingMessage,
    RecordMeetingOutcome,
    ReminderRule,
    SentMessage,
    Todo,
)
from models.notice import Notice
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, require_planning, unchanged
from workflows.rejections import invalid, refuse
from workflows.rule import rule

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]
CONFIRM = {"JA", "OK", "1"}
NEW_TIME = {"NEJ", "FLYT", "AFLYS", "2"}


def when(moment: datetime) -> str:
    """Danish, as a citizen reads it: tirsdag 24. november kl. 10.00."""
    local = moment.astimezone(COPENHAGEN)
    return (
        f"{WEEKDAYS[local.weekday()]} {local.day}. {MONTHS[local.month - 1]} "
        f"kl. {local.hour:02d}.{local.minute:02d}"
    )


@rule("set_contact")
def set_contact(state: ProgrammeState, cmd: SetContactPreferences, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    state.contact = state.contact.model_copy(
        update={
            "channels": cmd.channels,
            "phone": cmd.phone,
            "email": cmd.email,
            "quiet_from": cmd.quiet_from,
            "quiet_to": cmd.quiet_to,
            # A new number may well take SMS again.
            "sms_unreachable": state.contact.sms_unreachable and cmd.phone == state.contact.phone,
        }
    )
    order = ", ".join(channel.label for channel in cmd.channels)
    return record(
        state,
        "contact_changed",
        now,
        actor,
        f"Kontaktønsker ændret: {order}. Ingen beskeder {cmd.quiet_from:%H.%M}-"
        f"{cmd.quiet_to:%H.%M}.",
    )


def _meeting(state: ProgrammeState, meeting_id: str) -> Meeting:
    meeting = state.meetings.get(meeting_id)
    if meeting is None:
        raise refuse("Mødet findes ikke på sagen.")
    return meeting


def _upcoming(state: ProgrammeState) -> list[Meeting]:
    return sorted(
        (m for m in state.meetings.values() if m.status.is_upcoming),
        key=lambda m: m.starts_at,
    )


def _clashes(state: ProgrammeState, meeting: Meeting) -> list[Meeting]:
    end = meeting.starts_at + timedelta(minutes=meeting.duration_minutes)
    return [
        other
        for other in _upcoming(state)
        if other.id != meeting.id
        and other.starts_at < end
        and meeting.starts_at < other.starts_at + timedelta(minutes=other.duration_minutes)
    ]


def _queue(
    state: ProgrammeState,
    meeting: Meeting,
    purpose: str,
    due: datetime,
    now: datetime,
    channels: list[Channel] | None = None,
) -> bool:
    """Queue a message about the meeting for the first moment outside quiet hours."""
    contact = state.contact
    moment = allowed_time(
        max(due, now),
        contact.quiet_from,
        contact.quiet_to,
        before=meeting.starts_at if purpose == "meeting_reminder" else None,
        now=now,
    )
    if moment is None:
        return False
    state.outgoing.append(
        OutgoingMessage(
            key=f"meeting:{meeting.id}:v{meeting.version}:{purpose}:{int(due.timestamp())}",
            purpose=purpose,
            meeting_id=meeting.id,
            meeting_version=meeting.version,
            due_at=moment,
            channels=channels or contact.channels_in_order(),
        )
    )
    return True


def _queue_reminders(
    state: ProgrammeState, meeting: Meeting, rules: list[ReminderRule], now: datetime
) -> None:
    for reminder in rules:
        due = meeting.starts_at - timedelta(hours=reminder.hours_before)
        if due <= now:
            continue
        if reminder.channel is None:
            _queue(state, meeting, "meeting_reminder", due, now)
        elif reminder.channel in state.contact.channels and state.contact.usable(reminder.channel):
            _queue(state, meeting, "meeting_reminder", due, now, [reminder.channel])


def _drop_queued(state: ProgrammeState, meeting_id: str) -> None:
    state.outgoing = [m for m in state.outgoing if m.meeting_id != meeting_id]


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
    _queue(state, meeting, "meeting_agreement", now, now)
    _queue_reminders(state, meeting, cmd.reminders, now)
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
    meeting = _meeting(state, cmd.meeting_id)
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødet er {meeting.status.label.lower()} og kan ikke flyttes.")
    if cmd.starts_at <= now:
        raise invalid("Mødet kan ikke flyttes til fortiden.")
    old = meeting.starts_at
    # A citizen who never got the agreement gets it now, not news that it moved.
    told = any(sent.meeting_id == meeting.id for sent in state.sent)
    _drop_queued(state, meeting.id)
    meeting.starts_at = cmd.starts_at
    meeting.version += 1
    meeting.status = MeetingStatus.BOOKED
    meeting.confirmed_at = None
    _queue(state, meeting, "meeting_moved" if told else "meeting_agreement", now, now)
    _queue_reminders(state, meeting, cmd.reminders, now)
    _close_todos(state, meeting.id, now)
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
    meeting = _meeting(state, cmd.meeting_id)
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødet er allerede {meeting.status.label.lower()}.")
    _drop_queued(state, meeting.id)
    meeting.status = MeetingStatus.CANCELLED
    meeting.outcome_note = cmd.reason
    _queue(state, meeting, "meeting_cancelled", now, now)
    _close_todos(state, meeting.id, now)
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
    meeting = _meeting(state, cmd.meeting_id)
    if cmd.outcome not in (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED):
        raise invalid("Udfaldet skal være holdt, udeblivelse eller aflyst.")
    if not meeting.status.is_upcoming:
        raise refuse(f"Mødets udfald er allerede registreret: {meeting.status.label.lower()}.")
    if meeting.starts_at > now and cmd.outcome != MeetingStatus.CANCELLED:
        raise refuse("Mødet er ikke begyndt endnu.")
    _drop_queued(state, meeting.id)
    meeting.status = cmd.outcome
    meeting.outcome_note = cmd.note
    _close_todos(state, meeting.id, now)
    follow = " Aftal næste møde nu." if cmd.outcome == MeetingStatus.HELD else ""
    return record(
        state,
        "meeting_outcome",
        now,
        actor,
        f"Mødet {when(meeting.starts_at)}: {cmd.outcome.label.lower()}.{follow}"
        + (f" {cmd.note}" if cmd.note else ""),
    )


def needs_next_appointment(state: ProgrammeState, now: datetime) -> bool:
    """A meeting was held, and nothing is booked after it: every conversation ends with the
    next appointment."""
    held = [m for m in state.meetings.values() if m.status == MeetingStatus.HELD]
    return bool(held) and not any(m.starts_at > now for m in _upcoming(state))


def next_meeting(state: ProgrammeState, now: datetime) -> Meeting | None:
    return next((m for m in _upcoming(state) if m.starts_at > now), None)


def _todo(state: ProgrammeState, text: str, meeting_id: str | None, now: datetime) -> Todo:
    # Counted, not the list's length: done to-dos are let go (workflows/retention.py).
    state.todos_made = max(state.todos_made, len(state.todos)) + 1
    todo = Todo(id=f"todo-{state.todos_made}", text=text, meeting_id=meeting_id, created_at=now)
    state.todos.append(todo)
    return todo


def _close_todos(state: ProgrammeState, meeting_id: str, now: datetime) -> None:
    for todo in state.todos:
        if todo.meeting_id == meeting_id and todo.done_at is None:
            todo.done_at = now


@rule("complete_todo")
def complete_todo(state: ProgrammeState, cmd: CompleteTodo, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    todo = next((t for t in state.todos if t.id == cmd.todo_id), None)
    if todo is None:
        raise refuse("Opgaven findes ikke.")
    if todo.done_at is not None:
        return unchanged(state, now, "Opgaven var allerede klaret.")
    todo.done_at = now
    return record(state, "todo_done", now, actor, f"Klaret: {todo.text}")


@rule("citizen_reply")
def citizen_reply(state: ProgrammeState, cmd: CitizenReply, now: datetime) -> TimelineEvent:
    """JA/OK (or 1) confirms, NEJ/FLYT/AFLYS (or 2) asks for a new time, anything else goes to
    the coordinator as a message. The reply concerns the nearest upcoming meeting."""
    if cmd.reply_id is not None:
        if cmd.reply_id in state.replies_seen:
            return unchanged(state, now, "Svaret er allerede modtaget.")
        state.replies_seen = [*state.replies_seen[-49:], cmd.reply_id]
    meeting = state.meetings.get(cmd.meeting_id) if cmd.meeting_id else None
    if meeting is None:
        meeting = next((m for m in _upcoming(state) if m.starts_at > now), None)
    words = cmd.text.strip().upper().replace(".", " ").replace("!", " ").split()
    answer = words[0] if words else ""
    how = cmd.channel.label
    if meeting is not None and answer in CONFIRM:
        meeting.status = MeetingStatus.CONFIRMED
        meeting.confirmed_at = now
        return record(
            state,
            "meeting_confirmed",
            now,
            None,
            f"Borgeren har bekræftet mødet {when(meeting.starts_at)} ({how}).",
        )
    if meeting is not None and answer in NEW_TIME:
        meeting.status = MeetingStatus.NEW_TIME_REQUESTED
        text = f"Find en ny tid: borgeren kan ikke {when(meeting.starts_at)}"
        _todo(state, text, meeting.id, now)
        return record(
            state,
            "meeting_new_time_requested",
            now,
            None,
            f"Borgeren ønsker en ny tid i stedet for {when(meeting.starts_at)} ({how}).",
        )
    _todo(state, f"Besked fra borgeren ({how}): {cmd.text.strip()}", None, now)
    return record(state, "citizen_message", now, None, f"Besked fra borgeren ({how}): {cmd.text}")


@rule("move_reply")
def move_reply(state: ProgrammeState, cmd: MoveReply, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    source = _meeting(state, cmd.from_meeting_id)
    target = _meeting(state, cmd.to_meeting_id)
    answered = (MeetingStatus.CONFIRMED, MeetingStatus.NEW_TIME_REQUESTED)
    if source.status not in answered:
        raise refuse("Borgeren har ikke svaret på det møde.")
    if target.id == source.id or not target.status.is_upcoming:
        raise refuse("Svaret kan kun flyttes til et andet kommende møde.")
    target.status, target.confirmed_at = source.status, source.confirmed_at
    source.status, source.confirmed_at = MeetingStatus.BOOKED, None
    for todo in state.todos:
        if todo.meeting_id == source.id and todo.done_at is None:
            todo.meeting_id = target.id
            todo.text = f"Find en ny tid: borgeren kan ikke {when(target.starts_at)}"
    return record(
        state,
        "reply_moved",
        now,
        actor,
        f"Borgerens svar er flyttet fra mødet {when(source.starts_at)} "
        f"til mødet {when(target.starts_at)}.",
    )


@rule("delivery_report")
def delivery_report(state: ProgrammeState, cmd: DeliveryReport, now: datetime) -> TimelineEvent:
    """A provider's report on a message. Repeated or late reports change nothing; a failure
    moves on to the citizen's next channel."""
    sent = next((m for m in state.sent if m.key == cmd.key), None)
    if sent is None:
        raise refuse("Beskeden findes ikke.")
    if cmd.status.rank <= sent.status.rank:
        return unchanged(state, now, "Status var allerede kendt.")
    sent.status = cmd.status
    if not cmd.status.failed:
        return record(
            state,
            "message_status",
            now,
            None,
            f"{sent.channel.label} om {_purpose_label(sent.purpose)}: {cmd.status.label}.",
        )
    if sent.channel == Channel.SMS:
        # A number that cannot take SMS is not tried by SMS again.
        state.contact.sms_unreachable = True
    meeting = state.meetings.get(sent.meeting_id or "")
    if meeting is not None and sent.fallback and meeting.status.is_upcoming:
        state.outgoing.append(
            OutgoingMessage(
                key=sent.key.rsplit(":", 1)[0],
                purpose=sent.purpose,
                meeting_id=meeting.id,
                meeting_version=meeting.version,
                due_at=now,
                channels=sent.fallback,
                attempt=sent.attempt + 1,
            )
        )
        then = f" Prøver nu {sent.fallback[0].label.lower()}."
    else:
        then = ""
    return record(
        state,
        "message_failed",
        now,
        None,
        f"{sent.channel.label} om {_purpose_label(sent.purpose)} kunne ikke leveres.{then}",
    )


_PURPOSES = {
    "meeting_agreement": "mødeaftalen",
    "meeting_reminder": "påmindelsen",
    "meeting_moved": "den flyttede aftale",
    "meeting_cancelled": "aflysningen",
}


def _purpose_label(purpose: str) -> str:
    return _PURPOSES.get(purpose, purpose)


def next_send(state: ProgrammeState) -> datetime | None:
    return min((m.due_at for m in state.outgoing), default=None)


def send_due(state: ProgrammeState, now: datetime) -> list[TimelineEvent]:
    """Send every queued message whose moment has come, by its first channel."""
    due = [m for m in state.outgoing if m.due_at <= now]
    state.outgoing = [m for m in state.outgoing if m.due_at > now]
    events = []
    for message in due:
        meeting = state.meetings.get(message.meeting_id or "")
        if meeting is None or meeting.version != message.meeting_version:
            continue  # the meeting moved after this was queued
        if message.purpose == "meeting_reminder" and not meeting.status.is_upcoming:
            continue
        events.append(_send(state, message, meeting, now))
    return events


def _send(
    state: ProgrammeState, message: OutgoingMessage, meeting: Meeting, now: datetime
) -> TimelineEvent:
    channel, *fallback = message.channels
    what = _purpose_label(message.purpose)
    if channel == Channel.CASEWORKER_CALLS:
        _todo(state, f"Ring til borgeren om {what}: {when(meeting.starts_at)}", meeting.id, now)
        return record(
            state,
            "call_citizen",
            now,
            None,
            f"Borgeren skal ringes op om {what} ({when(meeting.starts_at)}); se tavlen.",
        )
    key = f"{message.key}:{message.attempt}"
    state.sent.append(
        SentMessage(
            key=key,
            purpose=message.purpose,
            channel=channel,
            meeting_id=meeting.id,
            sent_at=now,
            fallback=fallback,
            attempt=message.attempt,
        )
    )
    address = state.contact.email if channel == Channel.EMAIL else state.contact.phone
    return record(
        state,
        "message_sent",
        now,
        None,
        f"{channel.label} til borgeren med {what} ({when(meeting.starts_at)}).",
        notices=[
            Notice(
                key=key,
                purpose=message.purpose,
                to=Recipient.CITIZEN,
                channel=channel,
                address=address,
                context={
                    "when": when(meeting.starts_at),
                    "place": meeting.place,
                    "with": meeting.host_name or "din kontaktperson",
                    "purpose": meeting.purpose,
                    "bring": meeting.bring,
                    "duration": str(meeting.duration_minutes),
                    # For the calendar invitation that goes with an e-mail.
                    "meeting_id": meeting.id,
                    "version": str(meeting.version),
                    "starts_at": meeting.starts_at.isoformat(),
                    "cancelled": "1" if message.purpose == "meeting_cancelled" else "",
                },
            )
        ],
    )
