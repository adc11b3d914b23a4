"""Replies go to the message they answer: the latest message to the citizen's number within
the reply window; a short, clear answer acts only where one meeting was messaged in it, and
everything else reaches the coordinator whole, to be assigned in one click."""

from datetime import timedelta

from models.contact import SetContactPreferences
from models.enums import Channel, MeetingStatus
from models.meeting import AssignReply, CancelMeeting, CitizenReply, MoveReply, ReplyAnswer
from models.refusals import INVALID_TRANSITION
from tests.factories import actor_of
from tests.workflows.meeting_steps import at, booking, state_of
from tests.workflows.programme_helpers import expect_rejection, send, timeline


async def _two_meetings(time_env, course, apart: timedelta):
    """A social meeting in 3 days and a health meeting in 8, their agreements `apart`."""
    today = (await time_env.get_current_time()).date()
    social = booking(course, at(today + timedelta(days=3), 10), purpose="Samtale om bostøtte")
    health = booking(course, at(today + timedelta(days=8), 10), purpose="Samtale med psykolog")
    await send(course.handle, social)
    await time_env.sleep(apart)
    await send(course.handle, health)
    await time_env.sleep(timedelta(minutes=1))  # both agreements sent
    assert social.meeting_id and health.meeting_id
    return social.meeting_id, health.meeting_id


async def test_a_reply_confirms_the_meeting_of_the_latest_message_in_the_window(time_env, course):
    social, health = await _two_meetings(time_env, course, timedelta(hours=25))
    confirmed = await send(course.handle, CitizenReply(text="JA", reply_id="SM1"))
    state = await state_of(course)
    assert state.meetings[health].status == MeetingStatus.CONFIRMED
    assert state.meetings[social].status == MeetingStatus.BOOKED
    assert confirmed.summary.startswith("Borgeren svarede (SMS): »JA«.")

    # Punctuation and case aside, the short answers act; NEJ asks for a new time.
    await send(course.handle, CitizenReply(text=" nej! "))
    state = await state_of(course)
    assert state.meetings[health].status == MeetingStatus.NEW_TIME_REQUESTED
    assert (
        state.todos[-1].text.startswith("Find en ny tid") and state.todos[-1].meeting_id == health
    )


async def test_two_meetings_messaged_in_the_window_leave_a_short_answer_to_the_coordinator(
    time_env, course
):
    social, health = await _two_meetings(time_env, course, timedelta(hours=1))
    said = await send(course.handle, CitizenReply(text="Ja."))
    state = await state_of(course)
    assert {m.status for m in state.meetings.values()} == {MeetingStatus.BOOKED}
    assert "uklart, hvilket møde" in said.summary
    todo = state.todos[-1]
    assert (todo.reply, todo.answer, todo.candidates) == (
        "Ja.",
        ReplyAnswer.CONFIRM,
        [health, social],
    )

    me = actor_of(course.coordinator)
    assigned = await send(
        course.handle,
        AssignReply(actor=me, todo_id=todo.id, meeting_id=social, answer=ReplyAnswer.CONFIRM),
    )
    assert "henførte borgerens svar »Ja.«" in assigned.summary
    state = await state_of(course)
    assert state.meetings[social].status == MeetingStatus.CONFIRMED
    assert state.meetings[health].status == MeetingStatus.BOOKED
    assert state.todos[-1].done_at is not None
    await expect_rejection(
        send(
            course.handle,
            AssignReply(actor=me, todo_id=todo.id, meeting_id=health, answer=ReplyAnswer.CONFIRM),
        ),
        INVALID_TRANSITION,
        "allerede henført",
    )
    # Put on the wrong meeting after all: the coordinator moves it.
    await send(course.handle, MoveReply(actor=me, from_meeting_id=social, to_meeting_id=health))
    state = await state_of(course)
    assert state.meetings[health].status == MeetingStatus.CONFIRMED


async def test_a_reply_that_says_more_reaches_the_coordinator_whole_and_confirms_nothing(
    time_env, course
):
    today = (await time_env.get_current_time()).date()
    meeting = booking(course, at(today + timedelta(days=3), 10))
    await send(course.handle, meeting)
    await time_env.sleep(timedelta(minutes=1))
    text = "Ja tak, men jeg kan desværre ikke komme på torsdag"
    said = await send(course.handle, CitizenReply(text=text))
    state = await state_of(course)
    assert state.meetings[meeting.meeting_id or ""].status == MeetingStatus.BOOKED
    assert f"»{text}«" in said.summary and "Koordinatoren læser svaret" in said.summary
    todo = state.todos[-1]
    assert (todo.reply, todo.answer, todo.candidates) == (text, None, [meeting.meeting_id])

    assigned = await send(
        course.handle,
        AssignReply(
            actor=actor_of(course.coordinator),
            todo_id=todo.id,
            meeting_id=meeting.meeting_id or "",
            answer=ReplyAnswer.NEW_TIME,
        ),
    )
    assert "ønsker en ny tid" in assigned.summary


async def test_a_key_in_the_call_answers_the_calls_meeting_and_a_late_reply_is_not_guessed(
    time_env, course
):
    social, health = await _two_meetings(time_env, course, timedelta(hours=1))
    await send(course.handle, CitizenReply(text="2", channel=Channel.CALL, meeting_id=social))
    state = await state_of(course)
    assert state.meetings[social].status == MeetingStatus.NEW_TIME_REQUESTED

    # A day after the last message (and before any reminder), a JA answers no message in the
    # window: it is not guessed either.
    await time_env.sleep(timedelta(hours=25))
    await send(course.handle, CitizenReply(text="JA"))
    state = await state_of(course)
    assert state.meetings[health].status == MeetingStatus.BOOKED
    assert state.todos[-1].reply == "JA" and state.todos[-1].candidates == [social, health]


async def test_a_short_answer_after_a_cancellation_in_the_window_is_not_guessed(time_env, course):
    today = (await time_env.get_current_time()).date()
    kept = booking(course, at(today + timedelta(days=3), 10))
    dropped = booking(course, at(today + timedelta(days=4), 10))
    await send(course.handle, kept)
    await time_env.sleep(timedelta(hours=25))  # the agreements leave the window
    await send(course.handle, dropped)
    await send(
        course.handle,
        CancelMeeting(
            actor=actor_of(course.coordinator), meeting_id=dropped.meeting_id or "", reason="Syg"
        ),
    )
    await time_env.sleep(timedelta(minutes=1))
    # "OK" may answer the cancellation: it confirms nothing, the coordinator reads it.
    await send(course.handle, CitizenReply(text="OK"))
    state = await state_of(course)
    assert state.meetings[kept.meeting_id or ""].status == MeetingStatus.BOOKED
    assert state.todos[-1].reply == "OK"


async def test_an_sms_answers_the_message_sent_to_the_number_not_an_earlier_e_mail(
    time_env, course
):
    today = (await time_env.get_current_time()).date()
    first = booking(course, at(today + timedelta(days=3), 10))
    second = booking(course, at(today + timedelta(days=8), 10))
    me = actor_of(course.coordinator)
    email_only = SetContactPreferences(
        actor=me, channels=[Channel.EMAIL], email="borger@eksempel.dk"
    )
    await send(course.handle, email_only)
    await send(course.handle, first)
    await time_env.sleep(timedelta(minutes=1))
    by_sms = email_only.model_copy(
        update={"channels": [Channel.SMS, Channel.EMAIL], "phone": "+4520123456"}
    )
    await send(course.handle, by_sms)
    await send(course.handle, second)
    await time_env.sleep(timedelta(minutes=1))
    await send(course.handle, CitizenReply(text="JA"))
    state = await state_of(course)
    assert state.meetings[second.meeting_id or ""].status == MeetingStatus.CONFIRMED
    assert state.meetings[first.meeting_id or ""].status == MeetingStatus.BOOKED


async def test_a_reply_by_signal_acts_once_and_a_signal_that_cannot_apply_leaves_the_course_running(
    time_env, course, session
):
    _, health = await _two_meetings(time_env, course, timedelta(hours=25))
    reply = CitizenReply(text="JA", reply_id="SM-signal")
    for _ in range(2):
        await course.handle.signal("citizen_reply", reply)
    # Neither an action no webhook may send, nor one with a value the rules refuse, fails the run.
    await course.handle.signal("close_course", reply)
    await course.handle.signal("citizen_reply", {"text": None})
    await time_env.sleep(timedelta(seconds=1))

    state = await state_of(course)
    assert state.meetings[health].status == MeetingStatus.CONFIRMED
    assert len(timeline(session, course.case_id, "meeting_confirmed")) == 1
    # The run still takes actions.
    await send(course.handle, CitizenReply(text="NEJ", reply_id="SM-after"))
    assert (await state_of(course)).meetings[health].status == MeetingStatus.NEW_TIME_REQUESTED
