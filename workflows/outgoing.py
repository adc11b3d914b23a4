"""Messages to the citizen, waiting for their moment and sent by the preferred channel.

Every message is queued with the moment it may go (quiet hours respected) and the channels to
try in the citizen's order; the programme's one timer sends it then. A message is keyed by
meeting, version, purpose and attempt: moving a meeting bumps its version, so a reminder for
the old time can never be sent. A failed delivery moves on to the next channel; with none
left, the coordinator is asked to call.
"""

from datetime import datetime, timedelta

from models.danish_time import allowed_time, when
from models.enums import Channel, Recipient
from models.meeting import (
    DeliveryReport,
    Meeting,
    OutgoingMessage,
    ReminderRule,
    SentMessage,
)
from models.notice import Notice
from models.programme import ProgrammeState, TimelineEvent
from models.provider_errors import reason, stops_sms
from workflows.guards import record, simulated, unchanged
from workflows.rejections import refuse
from workflows.rule import rule
from workflows.rule_patches import TRUSTED_MESSAGES, in_effect
from workflows.todos import add_todo


def queue(
    state: ProgrammeState,
    meeting: Meeting,
    purpose: str,
    due: datetime,
    now: datetime,
    channels: list[Channel] | None = None,
) -> bool:
    """Queue a message about the meeting for the first moment outside quiet hours."""
    contact = state.contact
    trusted = in_effect(state, TRUSTED_MESSAGES)
    # Since TRUSTED_MESSAGES every message about a meeting must arrive before it, not only a
    # reminder; where quiet hours leave no time, the coordinator is asked to call.
    must_arrive = trusted or purpose == "meeting_reminder"
    moment = allowed_time(
        max(due, now),
        contact.quiet_from,
        contact.quiet_to,
        before=meeting.starts_at if must_arrive else None,
        now=now,
    )
    if moment is None:
        if trusted and purpose != "meeting_reminder":
            _ask_to_call(state, purpose, meeting, now)
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


def queue_reminders(
    state: ProgrammeState, meeting: Meeting, rules: list[ReminderRule], now: datetime
) -> None:
    for reminder in rules:
        due = meeting.starts_at - timedelta(hours=reminder.hours_before)
        if due <= now:
            continue
        if reminder.channel is None:
            queue(state, meeting, "meeting_reminder", due, now)
        elif reminder.channel in state.contact.channels and state.contact.usable(reminder.channel):
            queue(state, meeting, "meeting_reminder", due, now, [reminder.channel])


def drop_queued(state: ProgrammeState, meeting_id: str) -> None:
    state.outgoing = [m for m in state.outgoing if m.meeting_id != meeting_id]


@rule("delivery_report")
def delivery_report(state: ProgrammeState, cmd: DeliveryReport, now: datetime) -> TimelineEvent:
    """A provider's report on a message. Repeated or late reports change nothing; a failure
    moves on to the citizen's next channel, at the first moment outside quiet hours."""
    sent = next((m for m in state.sent if m.key == cmd.key), None)
    if sent is None:
        raise refuse("Beskeden findes ikke.")
    if cmd.status.rank <= sent.status.rank:
        return unchanged(state, now, "Status var allerede kendt.")
    sent.status = cmd.status
    what = f"{sent.channel.label} om {_purpose_label(sent.purpose)}"
    if not cmd.status.failed:
        return record(
            state, "message_status", now, cmd.actor, simulated(cmd) + f"{what}: {cmd.status.label}."
        )
    trusted = in_effect(state, TRUSTED_MESSAGES)
    why = reason(cmd.error_code)
    said = simulated(cmd) + f"{what} kunne ikke leveres" + (f": {why}." if why else ".")
    # Only a number that can never take SMS is not tried by SMS again; before
    # TRUSTED_MESSAGES, any failed SMS stopped it.
    if sent.channel == Channel.SMS and (stops_sms(cmd.error_code) or not trusted):
        state.contact.sms_unreachable = True
        state.contact.sms_stopped_because = why
        if trusted:
            said += " SMS bruges ikke til nummeret igen."
    meeting = state.meetings.get(sent.meeting_id or "")
    if not trusted:
        still_matters = meeting is not None and meeting.status.is_upcoming
    elif meeting is None:
        still_matters = sent.meeting_id is None  # a note, like the new contact person
    else:
        # A cancellation matters as much as an agreement: the citizen must not come in vain.
        still_matters = meeting.starts_at > now and (
            meeting.status.is_upcoming or sent.purpose == "meeting_cancelled"
        )
    if not sent.fallback or not still_matters:
        return record(state, "message_failed", now, cmd.actor, said)
    moment: datetime | None = now
    if trusted:
        contact = state.contact
        # Every message about a meeting must arrive before it.
        before = meeting.starts_at if meeting else None
        moment = allowed_time(now, contact.quiet_from, contact.quiet_to, before=before, now=now)
    if moment is None:
        assert meeting is not None  # only a meeting sets a time it must arrive before
        _ask_to_call(state, sent.purpose, meeting, now)
        said += " Der er ikke tid til en anden kanal uden for borgerens stille timer; ring selv."
        return record(state, "message_failed", now, cmd.actor, said)
    state.outgoing.append(
        OutgoingMessage(
            key=sent.key.rsplit(":", 1)[0],
            purpose=sent.purpose,
            meeting_id=meeting.id if meeting else None,
            meeting_version=meeting.version if meeting else 0,
            due_at=moment,
            channels=sent.fallback,
            attempt=sent.attempt + 1,
            context=sent.context,
        )
    )
    then = sent.fallback[0].label.lower()
    said += f" Prøver nu {then}." if moment == now else f" Prøver {then} {when(moment)}."
    return record(state, "message_failed", now, cmd.actor, said)


_PURPOSES = {
    "meeting_agreement": "mødeaftalen",
    "meeting_reminder": "påmindelsen",
    "meeting_moved": "den flyttede aftale",
    "meeting_cancelled": "aflysningen",
    "new_contact_person": "den nye kontaktperson",
    "progression_question": "spørgsmål om, hvordan det går",
    "sign_in_code": "en kode til borgerens side",
}


def _purpose_label(purpose: str) -> str:
    return _PURPOSES.get(purpose, purpose)


def next_send(state: ProgrammeState) -> datetime | None:
    return min((m.due_at for m in state.outgoing), default=None)


def queue_note(
    state: ProgrammeState,
    purpose: str,
    context: dict[str, str],
    now: datetime,
    channels: list[Channel] | None = None,
) -> None:
    """Queue a message that concerns no meeting (the new contact person): by the citizen's
    channels in order (or those of them given), at the first moment outside quiet hours,
    like every other."""
    contact = state.contact
    moment = allowed_time(now, contact.quiet_from, contact.quiet_to, now=now) or now
    state.outgoing.append(
        OutgoingMessage(
            key=f"note:{state.case_id}:{state.seq + 1}:{purpose}",
            purpose=purpose,
            due_at=moment,
            channels=channels or contact.channels_in_order(),
            context=context,
        )
    )


def send_due(state: ProgrammeState, now: datetime) -> list[TimelineEvent]:
    """Send every queued message whose moment has come, by its first channel."""
    due = [m for m in state.outgoing if m.due_at <= now]
    state.outgoing = [m for m in state.outgoing if m.due_at > now]
    events = []
    if in_effect(state, TRUSTED_MESSAGES):
        # A channel found unusable since the message was queued (SMS to a landline) is skipped.
        due = [_usable_only(state, m) for m in due]
    for message in due:
        if message.meeting_id is None:
            events.append(_send(state, message, None, now))
            continue
        meeting = state.meetings.get(message.meeting_id)
        if meeting is None or meeting.version != message.meeting_version:
            continue  # the meeting moved after this was queued
        if message.purpose == "meeting_reminder" and not meeting.status.is_upcoming:
            continue
        events.append(_send(state, message, meeting, now))
    return events


def _about(purpose: str, meeting: Meeting | None) -> str:
    return _purpose_label(purpose) + (f" ({when(meeting.starts_at)})" if meeting else "")


def _ask_to_call(
    state: ProgrammeState, purpose: str, meeting: Meeting | None, now: datetime
) -> str:
    """A to-do for the coordinator to phone the citizen about the message; what it is about."""
    about = _about(purpose, meeting)
    add_todo(state, f"Ring til borgeren om {about}", meeting.id if meeting else None, now)
    return about


def _usable_only(state: ProgrammeState, message: OutgoingMessage) -> OutgoingMessage:
    usable = [c for c in message.channels if state.contact.usable(c)]
    return message.model_copy(update={"channels": usable or [Channel.CASEWORKER_CALLS]})


def _send(
    state: ProgrammeState, message: OutgoingMessage, meeting: Meeting | None, now: datetime
) -> TimelineEvent:
    channel, *fallback = message.channels
    if channel == Channel.CASEWORKER_CALLS:
        about = _ask_to_call(state, message.purpose, meeting, now)
        return record(
            state, "call_citizen", now, None, f"Borgeren skal ringes op om {about}; se tavlen."
        )
    key = f"{message.key}:{message.attempt}"
    state.sent.append(
        SentMessage(
            key=key,
            purpose=message.purpose,
            channel=channel,
            meeting_id=meeting.id if meeting else None,
            sent_at=now,
            fallback=fallback,
            attempt=message.attempt,
            context=message.context,
        )
    )
    address = state.contact.email if channel == Channel.EMAIL else state.contact.phone
    return record(
        state,
        "message_sent",
        now,
        None,
        f"{channel.label} til borgeren med {_about(message.purpose, meeting)}.",
        notices=[
            Notice(
                key=key,
                purpose=message.purpose,
                to=Recipient.CITIZEN,
                channel=channel,
                address=address,
                context=_meeting_context(meeting, message.purpose) if meeting else message.context,
                due_at=message.due_at,
            )
        ],
    )


def _meeting_context(meeting: Meeting, purpose: str) -> dict[str, str]:
    return {
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
        "cancelled": "1" if purpose == "meeting_cancelled" else "",
    }
