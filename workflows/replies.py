"""What the citizen answers: a confirmation, a wish for a new time, or a message for the
coordinator; and putting an answer on the meeting it was really about.

A reply concerns the meeting of the latest message sent to the citizen's number within the
reply window (CourseRules.reply_window_hours). Only a short, clear answer acts, and only when
one meeting was messaged in that window; anything else is guessed at by no one: the
coordinator gets the whole text and the meetings it may concern, and assigns it in one click.
"""

from datetime import datetime, timedelta

from models.command import Actor
from models.danish_time import when
from models.enums import Channel, MeetingStatus
from models.meeting import (
    ANSWERABLE,
    AnswerMeeting,
    AssignReply,
    CitizenReply,
    Meeting,
    MoveReply,
    ReplyAnswer,
    clear_answer,
)
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, simulated, unchanged
from workflows.meeting_rules import meeting_of, upcoming
from workflows.rejections import refuse
from workflows.rule import rule
from workflows.rule_patches import TRUSTED_MESSAGES, in_effect
from workflows.todos import add_todo, close_todos

# What of a reply the to-do's one line shows; the whole text is on the to-do and the timeline.
SHOWN = 200
_TO_THE_NUMBER = (Channel.SMS, Channel.CALL)
_OLD_CONFIRM = {"JA", "OK", "1"}
_OLD_NEW_TIME = {"NEJ", "FLYT", "AFLYS", "2"}


@rule("citizen_reply")
def citizen_reply(state: ProgrammeState, cmd: CitizenReply, now: datetime) -> TimelineEvent:
    if cmd.reply_id is not None:
        if cmd.reply_id in state.replies_seen:
            return unchanged(state, now, "Svaret er allerede modtaget.")
        state.replies_seen = [*state.replies_seen[-49:], cmd.reply_id]
    if not in_effect(state, TRUSTED_MESSAGES):
        return _nearest_meeting_reply(state, cmd, now)
    answer = clear_answer(cmd.text)
    how = cmd.channel.label
    said = simulated(cmd) + f"Borgeren svarede ({how}): »{cmd.text}«."
    if cmd.meeting_id is not None:
        # A key pressed in a call answers the meeting the call was about.
        known = state.meetings.get(cmd.meeting_id)
        candidates = [known] if known is not None and _ahead(known, now) else []
        clear = True
    else:
        candidates, clear = messaged_meetings(state, now)
    if answer is not None and clear and len(candidates) == 1:
        return _apply(state, candidates[0], answer, now, cmd.actor, said)
    # Nothing is guessed: the whole reply goes to the coordinator with the meetings it may
    # concern (all ahead, where no message went in the window).
    options = candidates or [m for m in upcoming(state) if _ahead(m, now)]
    shown = cmd.text if len(cmd.text) <= SHOWN else cmd.text[:SHOWN] + " …"
    todo = add_todo(state, f"Svar fra borgeren ({how}): {shown}", None, now)
    # An empty SMS (a picture, say) is still a reply the coordinator must see.
    todo.reply = cmd.text or "(tom besked)"
    todo.answer, todo.candidates = answer, [m.id for m in options]
    why = (
        " Det er uklart, hvilket møde svaret gælder; koordinatoren afgør det."
        if answer is not None and options
        else " Koordinatoren læser svaret."
    )
    return record(state, "citizen_message", now, cmd.actor, said + why)


def messaged_meetings(state: ProgrammeState, now: datetime) -> tuple[list[Meeting], bool]:
    """The meetings still ahead that messages to the citizen's number concerned within the
    reply window, the latest message's first; and whether every message in the window was
    about one of them. A note (the new contact person) or a cancellation in the window could
    be what the citizen answers, so then nothing is taken as clear."""
    since = now - timedelta(hours=state.rules.reply_window_hours)
    found: list[Meeting] = []
    clear = True
    for sent in sorted(state.sent, key=lambda s: s.sent_at, reverse=True):
        if sent.sent_at < since:
            break
        if sent.channel not in _TO_THE_NUMBER:
            continue
        meeting = state.meetings.get(sent.meeting_id or "")
        if meeting is None or sent.purpose not in ANSWERABLE or not _ahead(meeting, now):
            clear = False
        elif meeting not in found:
            found.append(meeting)
    return found, clear


def _ahead(meeting: Meeting, now: datetime) -> bool:
    return meeting.status.is_upcoming and meeting.starts_at > now


def _apply(
    state: ProgrammeState,
    meeting: Meeting,
    answer: ReplyAnswer,
    now: datetime,
    by: Actor | None,
    said: str,
) -> TimelineEvent:
    if answer == ReplyAnswer.CONFIRM:
        meeting.status = MeetingStatus.CONFIRMED
        meeting.confirmed_at = now
        close_todos(state, meeting.id, now)  # a new time asked for earlier is not needed now
        return record(
            state,
            "meeting_confirmed",
            now,
            by,
            f"{said} Mødet {when(meeting.starts_at)} er bekræftet.",
        )
    meeting.status = MeetingStatus.NEW_TIME_REQUESTED
    add_todo(state, f"Find en ny tid: borgeren kan ikke {when(meeting.starts_at)}", meeting.id, now)
    return record(
        state,
        "meeting_new_time_requested",
        now,
        by,
        f"{said} Borgeren ønsker en ny tid i stedet for {when(meeting.starts_at)}.",
    )


@rule("answer_meeting")
def answer_meeting(state: ProgrammeState, cmd: AnswerMeeting, now: datetime) -> TimelineEvent:
    """The citizen's button on their page: the same effect as the short answer by SMS, for
    the meeting the page showed."""
    meeting = state.meetings.get(cmd.meeting_id)
    if meeting is None or not _ahead(meeting, now):
        raise refuse(
            "Mødet er ikke længere planlagt. Ring til din kontaktperson, hvis du er i tvivl."
        )
    already = {
        ReplyAnswer.CONFIRM: MeetingStatus.CONFIRMED,
        ReplyAnswer.NEW_TIME: MeetingStatus.NEW_TIME_REQUESTED,
    }[cmd.answer]
    if meeting.status == already:
        return unchanged(state, now, "Vi har allerede dit svar.")
    said = simulated(cmd) + f"Borgeren svarede på sin side: »{cmd.answer.label}«."
    return _apply(state, meeting, cmd.answer, now, cmd.actor, said)


@rule("assign_reply")
def assign_reply(state: ProgrammeState, cmd: AssignReply, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    todo = next((t for t in state.todos if t.id == cmd.todo_id), None)
    if todo is None or not todo.reply:
        raise refuse("Svaret findes ikke på sagen.")
    if todo.done_at is not None:
        raise refuse("Svaret er allerede henført til et møde eller klaret.")
    meeting = meeting_of(state, cmd.meeting_id)
    if not _ahead(meeting, now):
        raise refuse("Svaret kan kun henføres til et kommende møde.")
    todo.done_at = now
    said = f"Koordinatoren henførte borgerens svar »{todo.reply}« til mødet."
    return _apply(state, meeting, cmd.answer, now, actor, said)


def _nearest_meeting_reply(
    state: ProgrammeState, cmd: CitizenReply, now: datetime
) -> TimelineEvent:
    """As runs begun before TRUSTED_MESSAGES answer: the first word decides, for the nearest
    upcoming meeting."""
    meeting = state.meetings.get(cmd.meeting_id) if cmd.meeting_id else None
    if meeting is None:
        meeting = next((m for m in upcoming(state) if m.starts_at > now), None)
    words = cmd.text.strip().upper().replace(".", " ").replace("!", " ").split()
    answer = words[0] if words else ""
    how = cmd.channel.label
    if meeting is not None and answer in _OLD_CONFIRM:
        meeting.status = MeetingStatus.CONFIRMED
        meeting.confirmed_at = now
        return record(
            state,
            "meeting_confirmed",
            now,
            cmd.actor,
            simulated(cmd) + f"Borgeren har bekræftet mødet {when(meeting.starts_at)} ({how}).",
        )
    if meeting is not None and answer in _OLD_NEW_TIME:
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
