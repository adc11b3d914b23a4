"""What the citizen does on their own page, through the course's workflow: answer a meeting,
choose how to be reached, and ask for the code that opens the page. The `course` fixture
(tests/workflows/conftest.py) gives a citizen who prefers SMS, then calls, then e-mail."""

import re
import uuid
from datetime import time, timedelta

from sqlmodel import Session

from models.citizen_access import new_link, open_link
from models.contact import ChooseContact, SendSignInCode, SetContactPreferences
from models.danish_time import local_date, when
from models.enums import Channel, MeetingStatus
from models.meeting import AnswerMeeting, CancelMeeting, ReplyAnswer
from models.refusals import INVALID_TRANSITION
from tests.factories import actor_of, case_messages
from tests.workflows.meeting_steps import at, booking, state_of
from tests.workflows.programme_helpers import expect_rejection, send, timeline, travel_to

NOT_PLANNED = "Mødet er ikke længere planlagt."


async def test_the_citizen_confirms_or_asks_for_a_new_time_on_their_page(time_env, course):
    today = local_date(await time_env.get_current_time())
    meeting = booking(course, at(today + timedelta(days=3), 13))
    await send(course.handle, meeting)
    meeting_id = meeting.meeting_id or ""

    confirmed = await send(
        course.handle, AnswerMeeting(meeting_id=meeting_id, answer=ReplyAnswer.CONFIRM)
    )
    assert confirmed.kind == "meeting_confirmed"
    assert confirmed.summary == (
        "Borgeren svarede på sin side: »Bekræfter mødet«. "
        f"Mødet {when(meeting.starts_at)} er bekræftet."
    )
    state = await state_of(course)
    assert state.meetings[meeting_id].status == MeetingStatus.CONFIRMED
    # The same button twice changes nothing and records nothing.
    again = await send(
        course.handle, AnswerMeeting(meeting_id=meeting_id, answer=ReplyAnswer.CONFIRM)
    )
    assert (again.kind, again.recorded, again.summary) == (
        "unchanged",
        False,
        "Vi har allerede dit svar.",
    )
    assert (await state_of(course)).seq == state.seq

    # The citizen changes their mind: the coordinator is asked to find a new time.
    asked = await send(
        course.handle, AnswerMeeting(meeting_id=meeting_id, answer=ReplyAnswer.NEW_TIME)
    )
    assert asked.kind == "meeting_new_time_requested"
    state = await state_of(course)
    assert state.meetings[meeting_id].status == MeetingStatus.NEW_TIME_REQUESTED
    assert state.todos[-1].meeting_id == meeting_id
    assert state.todos[-1].text.startswith("Find en ny tid")
    again = await send(
        course.handle, AnswerMeeting(meeting_id=meeting_id, answer=ReplyAnswer.NEW_TIME)
    )
    assert not again.recorded


async def test_a_meeting_that_is_past_cancelled_or_unknown_cannot_be_answered(time_env, course):
    today = local_date(await time_env.get_current_time())
    soon = booking(course, at(today, 11))
    later = booking(course, at(today + timedelta(days=3), 13))
    await send(course.handle, soon)
    await send(course.handle, later)
    await send(
        course.handle,
        CancelMeeting(
            actor=actor_of(course.coordinator), meeting_id=later.meeting_id or "", reason="Syg"
        ),
    )
    await expect_rejection(
        send(
            course.handle, AnswerMeeting(meeting_id=str(uuid.uuid4()), answer=ReplyAnswer.CONFIRM)
        ),
        INVALID_TRANSITION,
        NOT_PLANNED,
    )
    await expect_rejection(
        send(
            course.handle,
            AnswerMeeting(meeting_id=later.meeting_id or "", answer=ReplyAnswer.CONFIRM),
        ),
        INVALID_TRANSITION,
        NOT_PLANNED,
    )
    await travel_to(time_env, at(today, 11, 30))
    await expect_rejection(
        send(
            course.handle,
            AnswerMeeting(meeting_id=soon.meeting_id or "", answer=ReplyAnswer.NEW_TIME),
        ),
        INVALID_TRANSITION,
        NOT_PLANNED,
    )
    state = await state_of(course)
    assert state.meetings[soon.meeting_id or ""].status == MeetingStatus.BOOKED


async def test_the_citizen_chooses_only_channels_the_municipality_can_use(
    time_env, session, course
):
    me = actor_of(course.coordinator)
    await send(
        course.handle,
        SetContactPreferences(actor=me, channels=[Channel.EMAIL], email="borger@eksempel.dk"),
    )
    await expect_rejection(
        send(course.handle, ChooseContact(channels=[Channel.EMAIL, Channel.SMS])),
        INVALID_TRANSITION,
        "Vi har ikke et mobilnummer, der kan få SMS, til dig. Bed din kontaktperson",
    )
    await expect_rejection(
        send(course.handle, ChooseContact(channels=[Channel.CALL])),
        INVALID_TRANSITION,
        "Vi har ikke dit telefonnummer.",
    )

    chosen = await send(
        course.handle,
        ChooseContact(
            channels=[Channel.CASEWORKER_CALLS, Channel.EMAIL],
            quiet_from=time(20, 0),
            quiet_to=time(10, 0),
        ),
    )
    said = (
        "Borgeren ændrede sine kontaktønsker på sin side: Sagsbehandleren ringer, E-mail. "
        "Ingen beskeder 20.00-10.00."
    )
    assert chosen.summary == said
    contact = (await state_of(course)).contact
    assert contact.channels == [Channel.CASEWORKER_CALLS, Channel.EMAIL]
    assert (contact.quiet_from, contact.quiet_to) == (time(20, 0), time(10, 0))
    # The e-mail address is the coordinator's to change, not the citizen's.
    assert (contact.phone, contact.email) == (None, "borger@eksempel.dk")
    await time_env.sleep(timedelta(seconds=1))
    assert timeline(session, course.case_id, "contact_changed")[-1].summary == said


def _link_id(session: Session, case_id: str, citizen_id: str, now) -> str:
    """A personal link to the citizen's page, as a message to them would carry."""
    token = new_link(session, uuid.UUID(citizen_id), uuid.UUID(case_id), now, 30)
    session.commit()
    link = open_link(session, token, now)
    assert link is not None
    return str(link.id)


async def test_a_sign_in_code_goes_at_once_even_in_quiet_hours(time_env, session, course):
    today = local_date(await time_env.get_current_time())
    await travel_to(time_env, at(today, 23, 30))
    state = await state_of(course)
    link_id = _link_id(session, course.case_id, state.citizen_id, at(today, 23, 30))

    asked = await send(course.handle, SendSignInCode(link_id=link_id))
    assert asked.summary == "Borgeren bad om en kode til sin side (SMS)."
    await time_env.sleep(timedelta(minutes=1))
    [code] = case_messages(session, course.case_id)
    assert (code.purpose, code.channel, code.address) == ("sign_in_code", "sms", "+4520123456")
    assert re.search(r"\b\d{6}\b", code.body)
    # Due the moment it was asked for, in the middle of the citizen's quiet hours.
    assert code.due_at is not None
    assert timedelta(0) <= code.due_at - at(today, 23, 30) < timedelta(minutes=1)

    # The first of SMS and e-mail in the citizen's order: a call cannot carry a code.
    await send(course.handle, ChooseContact(channels=[Channel.CALL, Channel.EMAIL, Channel.SMS]))
    asked = await send(course.handle, SendSignInCode(link_id=link_id))
    assert asked.summary.endswith("(E-mail).")
    await time_env.sleep(timedelta(minutes=1))
    codes = case_messages(session, course.case_id)
    assert [(m.purpose, m.channel) for m in codes] == [
        ("sign_in_code", "sms"),
        ("sign_in_code", "email"),
    ]
    assert codes[1].address == "borger@eksempel.dk"
    sent = [(s.purpose, s.channel) for s in (await state_of(course)).sent]
    assert sent == [("sign_in_code", Channel.SMS), ("sign_in_code", Channel.EMAIL)]


async def test_no_code_without_a_mobile_number_or_an_e_mail(time_env, course):
    await send(
        course.handle,
        SetContactPreferences(
            actor=actor_of(course.coordinator), channels=[Channel.CASEWORKER_CALLS]
        ),
    )
    await expect_rejection(
        send(course.handle, SendSignInCode(link_id=str(uuid.uuid4()))),
        INVALID_TRANSITION,
        "Vi har hverken et mobilnummer eller en e-mail, vi kan sende koden til.",
    )
    assert (await state_of(course)).outgoing == []
