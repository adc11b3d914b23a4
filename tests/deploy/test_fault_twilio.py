"""Twilio answering 429, 500 or not at all, met by a course's message on the time-skipping server.

The worker sends through the real twilio SDK to the fake Twilio on loopback. Each failure is
retried by the delivery activity's backoff and ends in exactly one message at Twilio; a Twilio
that keeps failing is given up, and the citizen's next channel takes the message, once.
"""

import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import timedelta

import pytest
from sqlmodel import Session
from temporalio.testing import WorkflowEnvironment

from activities.notifications import PROVIDER_ATTEMPTS
from deploy.worker import build_worker
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.db import SessionFactory
from models.enums import Channel
from models.meeting import BookMeeting
from models.settings import TwilioSettings
from notifications.sms import TwilioSms
from notifications.voice import TwilioVoice
from tests.factories import actor_of, case_messages
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, HANG, SENDER, FakeTwilio
from tests.workflows.meeting_steps import at, next_day
from tests.workflows.programme_helpers import Running, send, start_programme, timeline, travel_to

TOO_MANY = (429, 20429)
SERVER_ERROR = (500, 20500)
PHONE = "+4520123456"


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    # Held a little past the SDK client's 10 s timeout, so the fake's thread ends soon after.
    fake = FakeTwilio(hang_seconds=11).start()
    yield fake
    fake.stop()


@dataclass
class Course:
    running: Running
    env: WorkflowEnvironment


@pytest.fixture
async def course(
    time_env: WorkflowEnvironment,
    session: Session,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    twilio: FakeTwilio,
) -> AsyncIterator[Course]:
    """A course whose citizen prefers SMS, then calls; it is 10:00 tomorrow, outside quiet
    hours, and the worker's SMS and calls go to the fake Twilio."""
    await travel_to(time_env, at(await next_day(time_env), 10))
    settings = TwilioSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        sender=SENDER,
        public_url="https://forloeb.example.dk",
        api_url=twilio.base_url,
    )
    task_queue = f"twilio-fault-{uuid.uuid4()}"
    async with build_worker(
        time_env.client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="https://forloeb.example.dk",
        sms=TwilioSms(settings),
        voice=TwilioVoice(settings),
    ):
        running = await start_programme(time_env.client, task_queue, session)
        await send(
            running.handle,
            SetContactPreferences(
                actor=actor_of(running.coordinator),
                channels=[Channel.SMS, Channel.CALL],
                phone="20 12 34 56",
            ),
        )
        try:
            yield Course(running, time_env)
        finally:
            await running.handle.terminate("test done")


async def book_and_wait(course: Course) -> None:
    """Book a meeting in three days: its agreement goes at once. Then let ten minutes of
    retry backoff pass on the server's clock, far more than the attempts need."""
    running = course.running
    now = (await course.env.get_current_time()).astimezone(COPENHAGEN)
    await send(
        running.handle,
        BookMeeting(
            actor=actor_of(running.coordinator),
            meeting_id=str(uuid.uuid4()),
            host_name="Mette Jensen",
            starts_at=at(now.date() + timedelta(days=3), 13),
            place="Biblioteket",
            purpose="Praktikken",
        ),
    )
    await course.env.sleep(timedelta(minutes=10))


def kinds(session: Session, case_id: str, kind: str) -> list[str]:
    return [event.summary for event in timeline(session, case_id, kind)]


@pytest.mark.parametrize(
    "failures",
    # A hang costs the client's 10 s timeout in real time, so it is met once, with the others.
    [[TOO_MANY, TOO_MANY], [SERVER_ERROR, SERVER_ERROR], [TOO_MANY, SERVER_ERROR, HANG]],
    ids=["429", "500", "429-500-hang"],
)
async def test_a_failing_twilio_is_retried_into_exactly_one_sms(
    course: Course, twilio: FakeTwilio, session: Session, failures: list[tuple[int, int]]
) -> None:
    twilio.failures = list(failures)
    await book_and_wait(course)
    case_id = course.running.case_id
    assert twilio.failures == [], "every scripted failure was met"
    assert twilio.posts == len(failures) + (0 if failures[-1] == HANG else 1)
    [sms] = twilio.messages
    assert sms["To"] == PHONE and twilio.calls == []
    [row] = case_messages(session, case_id)
    assert (row.channel, row.status, row.provider_id) == ("sms", "sent", sms["sid"])
    assert len(kinds(session, case_id, "message_sent")) == 1
    assert kinds(session, case_id, "message_failed") == []


async def test_a_twilio_that_keeps_failing_gives_way_to_the_next_channel_once(
    course: Course, twilio: FakeTwilio, session: Session
) -> None:
    # Every send of the SMS fails; the call that follows is the first answer Twilio gives.
    twilio.failures = [TOO_MANY, SERVER_ERROR] * (PROVIDER_ATTEMPTS // 2)
    await book_and_wait(course)
    case_id = course.running.case_id
    assert twilio.posts == PROVIDER_ATTEMPTS + 1, "the SMS had its attempts, then one call"
    assert twilio.messages == []
    [call] = twilio.calls
    assert call["To"] == PHONE
    sms, phoned = case_messages(session, case_id)
    assert (sms.channel, sms.status, sms.provider_id) == ("sms", "failed", None)
    assert (phoned.channel, phoned.status, phoned.provider_id) == ("call", "sent", call["sid"])
    assert len(kinds(session, case_id, "message_sent")) == 2
    [failed] = kinds(session, case_id, "message_failed")
    assert "Prøver nu automatisk opkald" in failed
    # A Twilio in trouble says nothing about the number: SMS is tried for the next message.
    assert "SMS bruges ikke" not in failed


async def test_a_send_that_hung_on_its_last_attempt_is_not_repeated_by_the_next_channel(
    course: Course, twilio: FakeTwilio, session: Session
) -> None:
    """The last send Twilio took but never answered: before giving the SMS up, Twilio is
    asked, has it, and no call follows."""
    twilio.failures = [SERVER_ERROR] * (PROVIDER_ATTEMPTS - 1) + [HANG]
    await book_and_wait(course)
    [sms] = twilio.messages
    assert twilio.calls == [] and twilio.posts == PROVIDER_ATTEMPTS
    [row] = case_messages(session, course.running.case_id)
    assert (row.status, row.provider_id) == ("sent", sms["sid"])
    assert kinds(session, course.running.case_id, "message_failed") == []
