"""Meeting agreements on the time-skipping server: channels, quiet hours, reminders, replies."""

import uuid
from datetime import timedelta

from sqlmodel import select

from api.case_views import appointments
from models.case_view import CaseMeeting
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.enums import Channel, DeliveryStatus, MeetingStatus
from models.meeting import CancelMeeting, DeliveryReport, MoveMeeting, RecordMeetingOutcome
from models.refusals import INVALID_INPUT
from tests.factories import actor_of, case_messages
from tests.workflows.meeting_steps import REMINDERS, at, booking, state_of
from tests.workflows.programme_helpers import expect_rejection, send, travel_to


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


async def test_a_failed_sms_falls_back_to_the_next_channel(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=3), 13)))
    await time_env.sleep(timedelta(minutes=1))
    sms = case_messages(session, course.case_id)[0]
    failed = await send(
        course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.FAILED, error_code=30006)
    )
    assert "kunne ikke leveres: nummeret er en fastnettelefon" in failed.summary
    assert "SMS bruges ikke til nummeret igen. Prøver nu automatisk opkald" in failed.summary
    again = await send(course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.SENT))
    assert not again.recorded  # a late report does not undo the failure
    await time_env.sleep(timedelta(minutes=1))
    assert [m.channel for m in case_messages(session, course.case_id)] == ["sms", "call"]
    state = await state_of(course)
    assert state.contact.sms_unreachable
    assert state.contact.sms_stopped_because.startswith("nummeret er en fastnettelefon")
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


async def test_a_temporary_failure_moves_this_message_on_and_keeps_sms_for_the_next(
    time_env, session, course
):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=3), 13)))
    await time_env.sleep(timedelta(minutes=1))
    sms = case_messages(session, course.case_id)[0]
    for status, code in ((DeliveryStatus.UNDELIVERED, 30003), (DeliveryStatus.FAILED, None)):
        report = DeliveryReport(key=sms.key, status=status, error_code=code)
        said = await send(course.handle, report)
        if code:
            assert "telefonen er slukket eller uden dækning" in said.summary
    state = await state_of(course)
    assert not state.contact.sms_unreachable
    assert state.contact.channels_in_order()[0] == Channel.SMS
    await time_env.sleep(timedelta(minutes=1))
    assert [m.channel for m in case_messages(session, course.case_id)] == ["sms", "call"]
    # The dashboard counts the agreement as gone by call, the channel that did not fail.
    session.expire_all()
    [row] = session.exec(
        select(CaseMeeting).where(CaseMeeting.case_id == uuid.UUID(course.case_id))
    ).all()
    assert (row.agreement_channel, row.reminder, row.confirmed) == ("call", "", False)


async def test_a_fallback_waits_for_the_end_of_quiet_hours(time_env, session, course):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    await send(course.handle, booking(course, at(today + timedelta(days=3), 13)))
    await time_env.sleep(timedelta(minutes=1))
    sms = case_messages(session, course.case_id)[0]
    await travel_to(time_env, at(today + timedelta(days=1), 3, 17))
    said = await send(course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.UNDELIVERED))
    assert "Prøver automatisk opkald" in said.summary and "kl. 09.00" in said.summary
    await travel_to(time_env, at(today + timedelta(days=1), 8, 59))
    assert [m.channel for m in case_messages(session, course.case_id)] == ["sms"]
    await travel_to(time_env, at(today + timedelta(days=1), 9, 1))
    assert [m.channel for m in case_messages(session, course.case_id)] == ["sms", "call"]


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


async def test_a_fallback_that_could_only_come_after_the_meeting_asks_the_coordinator_to_call(
    time_env, session, course
):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    early = at(today + timedelta(days=1), 8)  # before quiet hours end at 09.00
    await send(course.handle, booking(course, early))
    await time_env.sleep(timedelta(minutes=1))
    sms = case_messages(session, course.case_id)[0]
    await travel_to(time_env, at(today, 21, 30))
    said = await send(course.handle, DeliveryReport(key=sms.key, status=DeliveryStatus.FAILED))
    assert "ring selv" in said.summary
    state = await state_of(course)
    assert state.todos[-1].text.startswith("Ring til borgeren om mødeaftalen")
    await time_env.sleep(timedelta(hours=12))
    agreements = [m for m in case_messages(session, course.case_id) if "agreement" in m.purpose]
    assert [m.channel for m in agreements] == ["sms"]  # no call after the meeting
    session.expire_all()
    [row] = session.exec(
        select(CaseMeeting).where(CaseMeeting.case_id == uuid.UUID(course.case_id))
    ).all()
    assert row.agreement_channel is None  # the SMS failed: the coordinator calls


async def test_a_failed_cancellation_falls_back_and_a_dead_number_is_skipped_after(
    time_env, session, course
):
    today = (await time_env.get_current_time()).astimezone(COPENHAGEN).date()
    meeting = booking(course, at(today + timedelta(days=3), 13))
    await send(course.handle, meeting)
    await time_env.sleep(timedelta(minutes=1))
    agreement = case_messages(session, course.case_id)[0]
    # The number turns out to be a landline: the reminders queued for SMS go by call.
    await send(
        course.handle,
        DeliveryReport(key=agreement.key, status=DeliveryStatus.FAILED, error_code=21614),
    )
    await send(
        course.handle,
        CancelMeeting(
            actor=actor_of(course.coordinator), meeting_id=meeting.meeting_id or "", reason="Syg"
        ),
    )
    await time_env.sleep(timedelta(minutes=1))
    cancellation = case_messages(session, course.case_id)[-1]
    assert (cancellation.purpose, cancellation.channel) == ("meeting_cancelled", "call")
    await send(
        course.handle, DeliveryReport(key=cancellation.key, status=DeliveryStatus.UNDELIVERED)
    )
    await time_env.sleep(timedelta(minutes=1))
    last = case_messages(session, course.case_id)[-1]
    assert (last.purpose, last.channel) == ("meeting_cancelled", "email")
