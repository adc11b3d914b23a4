"""Meeting agreements on the time-skipping server: channels, quiet hours, reminders, replies."""

import uuid
from datetime import date, datetime, time, timedelta

import pytest

from api.case_views import appointments
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.enums import Channel, DeliveryStatus, MeetingStatus, PlaceKind
from models.meeting import (
    BookMeeting,
    CitizenReply,
    DeliveryReport,
    MoveMeeting,
    MoveReply,
    RecordMeetingOutcome,
    ReminderRule,
)
from models.programme import ProgrammeState
from models.refusals import INVALID_INPUT
from tests.factories import actor_of, case_messages
from tests.workflows.programme_helpers import (
    expect_rejection,
    send,
    start_programme,
    travel_to,
    worker_for,
)
from workflows.programme import ProgrammeWorkflow

REMINDERS = [ReminderRule(hours_before=24), ReminderRule(hours_before=2, channel=Channel.CALL)]


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


async def next_day(env) -> date:
    now: datetime = await env.get_current_time()
    return now.astimezone(COPENHAGEN).date() + timedelta(days=1)


async def state_of(running) -> ProgrammeState:
    state: ProgrammeState = await running.handle.query(ProgrammeWorkflow.current)
    return state


@pytest.fixture
async def course(time_env, task_queue, session, open_session, executor):
    """A course whose citizen prefers SMS, then calls, then e-mail; it is 10:00 tomorrow."""
    await travel_to(time_env, at(await next_day(time_env), 10))
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        await send(
            running.handle,
            SetContactPreferences(
                actor=actor_of(running.coordinator),
                channels=[Channel.SMS, Channel.CALL, Channel.EMAIL],
                phone="20 12 34 56",
                email="borger@eksempel.dk",
            ),
        )
        yield running


def booking(running, starts_at: datetime, **fields) -> BookMeeting:
    return BookMeeting(
        actor=actor_of(running.coordinator),
        meeting_id=str(uuid.uuid4()),
        starts_at=starts_at,
        place_kind=PlaceKind.LIBRARY,
        place="Hovedbiblioteket, Læsesalen",
        purpose="Hvordan går praktikken",
        host_name="Mette Jensen",
        reminders=REMINDERS,
        **fields,
    )


async def test_the_agreement_goes_by_sms_and_reminders_follow_the_schedule(
    time_env, session, course
):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    meeting_at = at(today + timedelta(days=3), 13)
    await send(course.handle, booking(course, meeting_at, bring="lønsedler"))
    await time_env.sleep(timedelta(minutes=1))
    sent = case_messages(session, course.case_id)
    assert [(m.channel, m.purpose) for m in sent] == [("sms", "meeting_agreement")]
    assert sent[0].address == "+4520123456"
    body = sent[0].body
    assert "Hovedbiblioteket, Læsesalen" in body and "Mette Jensen" in body
    assert "kl. 13.00" in body and "lønsedler" in body and "Svar JA" in body

    await travel_to(time_env, meeting_at - timedelta(hours=24, minutes=1))
    assert len(case_messages(session, course.case_id)) == 1
    await travel_to(time_env, meeting_at - timedelta(hours=23, minutes=59))
    await travel_to(time_env, meeting_at - timedelta(hours=1, minutes=59))
    reminders = [(m.channel, m.purpose) for m in case_messages(session, course.case_id)[1:]]
    assert reminders == [("sms", "meeting_reminder"), ("call", "meeting_reminder")]


async def test_quiet_hours_hold_a_message_until_morning(time_env, session, course):
    evening = at((await time_env.get_current_time()).astimezone(COPENHAGEN).date(), 22, 30)
    await travel_to(time_env, evening)
    await send(course.handle, booking(course, evening + timedelta(days=2)))
    await time_env.sleep(timedelta(hours=10))  # 08:30 next morning
    assert case_messages(session, course.case_id) == []
    await time_env.sleep(timedelta(minutes=31))
    assert [m.purpose for m in case_messages(session, course.case_id)] == ["meeting_agreement"]


async def test_moving_a_meeting_sends_the_new_time_and_no_stale_reminder(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    first = at(today + timedelta(days=3), 13)
    book = booking(course, first)
    await send(course.handle, book)
    await time_env.sleep(timedelta(minutes=1))
    moved_to = first + timedelta(days=4)
    await send(
        course.handle,
        MoveMeeting(
            actor=actor_of(course.coordinator),
            meeting_id=book.meeting_id,
            starts_at=moved_to,
            reminders=REMINDERS,
        ),
    )
    await travel_to(time_env, first + timedelta(hours=1))  # past every old reminder
    purposes = [m.purpose for m in case_messages(session, course.case_id)]
    assert purposes == ["meeting_agreement", "meeting_moved"]
    await travel_to(time_env, moved_to - timedelta(hours=23))
    assert [m.purpose for m in case_messages(session, course.case_id)][2:] == ["meeting_reminder"]
    assert "kl. 13.00" in case_messages(session, course.case_id)[1].body


async def test_replies_confirm_ask_for_a_new_time_or_reach_the_coordinator(
    time_env, session, course
):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    near = booking(course, at(today + timedelta(days=2), 10))
    far = booking(course, at(today + timedelta(days=9), 10))
    for meeting in (far, near):
        await send(course.handle, meeting)
    assert near.meeting_id and far.meeting_id
    me = actor_of(course.coordinator)

    # An SMS reply concerns the nearest upcoming meeting.
    await send(course.handle, CitizenReply(text=" ja tak!"))
    state = await state_of(course)
    assert state.meetings[near.meeting_id].status == MeetingStatus.CONFIRMED
    assert state.meetings[far.meeting_id].status == MeetingStatus.BOOKED

    # It was about the far one: the coordinator moves it there.
    await send(
        course.handle,
        MoveReply(actor=me, from_meeting_id=near.meeting_id, to_meeting_id=far.meeting_id),
    )
    state = await state_of(course)
    assert state.meetings[near.meeting_id].status == MeetingStatus.BOOKED
    assert state.meetings[far.meeting_id].status == MeetingStatus.CONFIRMED

    # A key pressed in the call about the near meeting asks for a new time for it.
    await send(
        course.handle, CitizenReply(text="2", channel=Channel.CALL, meeting_id=near.meeting_id)
    )
    state = await state_of(course)
    assert state.meetings[near.meeting_id].status == MeetingStatus.NEW_TIME_REQUESTED
    assert state.todos[-1].text.startswith("Find en ny tid")
    assert state.todos[-1].meeting_id == near.meeting_id

    await send(course.handle, CitizenReply(text="Jeg kommer lidt senere"))
    state = await state_of(course)
    assert state.todos[-1].text == "Besked fra borgeren (SMS): Jeg kommer lidt senere"


async def test_a_failed_sms_falls_back_to_the_next_channel(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=3), 13)))
    await time_env.sleep(timedelta(minutes=1))
    sms = case_messages(session, course.case_id)[0]
    failed = await send(course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.FAILED))
    assert "Prøver nu automatisk opkald" in failed.summary
    again = await send(course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.SENT))
    assert not again.recorded  # a late report does not undo the failure
    await time_env.sleep(timedelta(minutes=1))
    assert [m.channel for m in case_messages(session, course.case_id)] == ["sms", "call"]
    state = await state_of(course)
    assert state.contact.sms_unreachable
    assert Channel.SMS not in state.contact.channels_in_order()

    # The call is not answered either: e-mail is the citizen's third choice.
    call = case_messages(session, course.case_id)[1]
    unanswered = await send(
        course.handle, DeliveryReport(key=call.key, status=DeliveryStatus.UNDELIVERED)
    )
    assert "Prøver nu e-mail" in unanswered.summary
    await time_env.sleep(timedelta(minutes=1))
    sent = case_messages(session, course.case_id)
    assert [m.channel for m in sent] == ["sms", "call", "email"]
    assert sent[2].address == "borger@eksempel.dk"
    assert len({m.key for m in sent}) == 3  # one key per attempt


async def test_a_held_meeting_needs_the_next_appointment(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    first = booking(course, at(today + timedelta(days=1), 10))
    await send(course.handle, first)
    await expect_rejection(
        send(course.handle, booking(course, at(today - timedelta(days=1), 10))),
        INVALID_INPUT,
        "fortiden",
    )
    await travel_to(time_env, at(today + timedelta(days=1), 11))
    await send(
        course.handle,
        RecordMeetingOutcome(
            actor=actor_of(course.coordinator),
            meeting_id=first.meeting_id,
            outcome=MeetingStatus.HELD,
        ),
    )
    now = await time_env.get_current_time()
    assert _needs_next(await state_of(course), now)
    await send(course.handle, booking(course, at(today + timedelta(days=8), 10)))
    assert not _needs_next(await state_of(course), now)


async def test_an_overlapping_meeting_is_booked_with_a_warning(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=2), 10)))
    second = await send(course.handle, booking(course, at(today + timedelta(days=2), 10, 30)))
    assert "overlapper med en anden aftale" in second.summary


async def test_the_caseworker_calls_when_the_citizen_prefers_it(time_env, session, course):
    await send(
        course.handle,
        SetContactPreferences(
            actor=actor_of(course.coordinator), channels=[Channel.CASEWORKER_CALLS]
        ),
    )
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=3), 13)))
    await time_env.sleep(timedelta(minutes=1))
    assert case_messages(session, course.case_id) == []
    assert (await state_of(course)).todos[-1].text.startswith("Ring til borgeren om mødeaftalen")


def _needs_next(state, now) -> bool:
    """As the case page and the board judge it, from the meetings the projection wrote."""
    return appointments(list(state.meetings.values()), now).needs_next
