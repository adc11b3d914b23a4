"""What the citizen answers: a confirmation, a wish for a new time, or a message for the
coordinator; and moving an answer to the meeting it was really about."""

from datetime import datetime

from models.danish_time import when
from models.enums import MeetingStatus
from models.meeting import (
    CitizenReply,
    MoveReply,
)
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, simulated, unchanged
from workflows.meeting_rules import meeting_of, upcoming
from workflows.rejections import refuse
from workflows.rule import rule
from workflows.todos import add_todo

CONFIRM = {"JA", "OK", "1"}
NEW_TIME = {"NEJ", "FLYT", "AFLYS", "2"}


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
        meeting = next((m for m in upcoming(state) if m.starts_at > now), None)
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
            cmd.actor,
            simulated(cmd) + f"Borgeren har bekræftet mødet {when(meeting.starts_at)} ({how}).",
        )
    if meeting is not None and answer in NEW_TIME:
        meeting.status = MeetingStatus.NEW_TIME_REQUESTED
        text = f"Find en ny tid: borgeren kan ikke {when(meeting.starts_at)}"
        add_todo(state, text, meeting.id, now)
        return record(
            state,
            "meeting_new_time_requested",
            now,
            cmd.actor,
            simulated(cmd)
            + f"Borgeren ønsker en ny tid i stedet for {when(meeting.starts_at)} ({how}).",
        )
    add_todo(state, f"Besked fra borgeren ({how}): {cmd.text.strip()}", None, now)
    summary = simulated(cmd) + f"Besked fra borgeren ({how}): {cmd.text}"
    return record(state, "citizen_message", now, cmd.actor, summary)


@rule("move_reply")
def move_reply(state: ProgrammeState, cmd: MoveReply, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    source = meeting_of(state, cmd.from_meeting_id)
    target = meeting_of(state, cmd.to_meeting_id)
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
