"""The SMTP relay down for an hour, on the time-skipping server: e-mail is retried and
delivered once the relay is back; SMS and calls go meanwhile, on time, those of the course
whose e-mail waits among them.

The relay is aiosmtpd on loopback, stopped and started again on the same port; SMS and calls
go through the real twilio SDK to the fake Twilio. The hour passes on the test server's clock,
over the delivery activity's retry timers (at most a minute apart).
"""

import email
import uuid
from collections.abc import AsyncIterator, Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session
from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment

from deploy.worker import build_worker
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.db import SessionFactory
from models.enums import Channel
from models.meeting import BookMeeting, ReminderRule
from models.settings import SmtpSettings, TwilioSettings
from notifications.email import SmtpEmail
from notifications.sms import TwilioSms
from notifications.voice import TwilioVoice
from tests.api.conftest import free_port
from tests.factories import actor_of, case_messages
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.workflows.meeting_steps import at, next_day
from tests.workflows.programme_helpers import Running, send, start_programme, timeline, travel_to


class Relay:
    """aiosmtpd on a fixed loopback port that can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.received: list[Message] = []
        self._controller: Controller | None = None

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.received.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def start(self) -> None:
        self._controller = Controller(self, hostname="127.0.0.1", port=self.port)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            self._controller.stop()
            self._controller = None


@pytest.fixture
def relay() -> Iterator[Relay]:
    relay = Relay()  # not started: the relay is down from the first e-mail
    yield relay
    relay.stop()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


@pytest.fixture
async def worker(
    time_env: WorkflowEnvironment,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    twilio: FakeTwilio,
    relay: Relay,
) -> AsyncIterator[str]:
    """A worker with all three channels set up; yields its task queue. It is 10:00 tomorrow."""
    await travel_to(time_env, at(await next_day(time_env), 10))
    phone = TwilioSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        sender=SENDER,
        public_url="https://forloeb.example.dk",
        api_url=twilio.base_url,
    )
    smtp = SmtpSettings(
        host="127.0.0.1", port=relay.port, sender="Kommunen <ikke-svar@kommune.dk>", starttls=False
    )
    task_queue = f"smtp-fault-{uuid.uuid4()}"
    async with build_worker(
        time_env.client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="https://forloeb.example.dk",
        sms=TwilioSms(phone),
        voice=TwilioVoice(phone),
        email=SmtpEmail(smtp),
    ):
        yield task_queue


async def course(
    client: Client,
    task_queue: str,
    session: Session,
    channels: list[Channel],
    starts_at: datetime,
    phone: str,
) -> Running:
    """A course with a meeting booked: its agreement goes at once by the first channel, and a
    reminder call two hours before the meeting where the citizen takes calls."""
    running = await start_programme(client, task_queue, session)
    me = actor_of(running.coordinator)
    await send(
        running.handle,
        SetContactPreferences(actor=me, channels=channels, phone=phone, email="borger@eksempel.dk"),
    )
    await send(
        running.handle,
        BookMeeting(
            actor=me,
            meeting_id=str(uuid.uuid4()),
            host_name="Mette Jensen",
            starts_at=starts_at,
            place="Biblioteket",
            purpose="Praktikken",
            reminders=[ReminderRule(hours_before=2, channel=Channel.CALL)],
        ),
    )
    return running


async def test_email_waits_out_an_hour_without_its_relay_and_sms_and_calls_go_meanwhile(
    time_env: WorkflowEnvironment,
    worker: str,
    session: Session,
    twilio: FakeTwilio,
    relay: Relay,
) -> None:
    now = (await time_env.get_current_time()).astimezone(COPENHAGEN)
    by_email = await course(
        time_env.client,
        worker,
        session,
        [Channel.EMAIL],
        at(now.date() + timedelta(days=3), 13),
        "20 12 34 56",
    )
    # Its reminder call falls due 30 minutes into the relay's hour away.
    by_phone = await course(
        time_env.client,
        worker,
        session,
        [Channel.SMS, Channel.CALL],
        now + timedelta(hours=2, minutes=30),
        "20 65 43 21",
    )
    try:
        await time_env.sleep(timedelta(hours=1))
        # An hour without a relay: the e-mail waits, unsent and unrefused.
        [waiting] = case_messages(session, by_email.case_id)
        assert (waiting.channel, waiting.status, waiting.handed_at) == ("email", "sending", None)
        assert relay.received == []
        # The other course's SMS went at once and its call on time, each once.
        [sms] = twilio.messages
        [call] = twilio.calls
        assert sms["To"] == "+4520654321" and call["To"] == "+4520654321"
        sent = case_messages(session, by_phone.case_id)
        assert [(m.channel, m.status) for m in sent] == [("sms", "sent"), ("call", "sent")]

        relay.start()
        await time_env.sleep(timedelta(minutes=2))  # the next retry is at most a minute away
        [mail] = relay.received
        assert mail["To"] == "borger@eksempel.dk"
        [row] = case_messages(session, by_email.case_id)
        # (Not whether it was marked late: that is judged by the machine's clock, which the
        # time-skipping server's hour never moved.)
        assert (row.status, row.provider_id) == ("sent", mail["Message-ID"])
        for running in (by_email, by_phone):
            assert timeline(session, running.case_id, "message_failed") == []
        assert len(timeline(session, by_email.case_id, "message_sent")) == 1
        assert len(timeline(session, by_phone.case_id, "message_sent")) == 2
        assert len(twilio.messages) == len(twilio.calls) == 1
    finally:
        for running in (by_email, by_phone):
            await running.handle.terminate("test done")


async def test_a_course_waiting_on_its_relay_still_places_its_reminder_call_on_time(
    time_env: WorkflowEnvironment,
    worker: str,
    session: Session,
    twilio: FakeTwilio,
    relay: Relay,
) -> None:
    """The same course: its agreement waits for the relay, its reminder call does not."""
    now = (await time_env.get_current_time()).astimezone(COPENHAGEN)
    running = await course(
        time_env.client,
        worker,
        session,
        [Channel.EMAIL, Channel.CALL],
        now + timedelta(hours=2, minutes=30),
        "20 65 43 21",
    )
    try:
        # The call is due 30 minutes into the relay's hour away.
        await time_env.sleep(timedelta(minutes=45))
        [call] = twilio.calls
        assert call["To"] == "+4520654321"
        assert relay.received == []
        relay.start()
        await time_env.sleep(timedelta(minutes=2))
        [mail] = relay.received
        assert len(twilio.calls) == 1
        sent = case_messages(session, running.case_id)
        assert [(m.channel, m.status) for m in sent] == [("email", "sent"), ("call", "sent")]
        assert sent[0].provider_id == mail["Message-ID"]
        assert len(timeline(session, running.case_id, "message_sent")) == 2
        assert timeline(session, running.case_id, "message_failed") == []
    finally:
        await running.handle.terminate("test done")
