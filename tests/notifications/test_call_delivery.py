"""Reminder calls through the real twilio SDK to a fake Twilio on loopback."""

from collections.abc import Iterator

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment

from activities.notifications import NotificationActivities
from models.enums import Channel
from models.outbox import OutboxMessage
from models.settings import TwilioSettings
from notifications.voice import TwilioVoice, spoken
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.notifications.test_sms_delivery import delivery


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def caller(open_session, fake: FakeTwilio) -> NotificationActivities:
    voice = TwilioVoice(
        TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            sender=SENDER,
            public_url="https://forloeb.example.dk",
            api_url=fake.base_url,
        )
    )
    return NotificationActivities(open_session, "https://forloeb.example.dk", voice=voice)


def test_a_reminder_call_is_placed_once_and_asks_us_what_to_say(session, open_session, twilio):
    job = delivery(session)
    job.notices[0] = job.notices[0].model_copy(update={"channel": Channel.CALL})
    call = caller(open_session, twilio).deliver
    ActivityEnvironment().run(call, job)
    ActivityEnvironment().run(call, job)
    [placed] = twilio.calls
    assert placed["To"] == "+4520123456" and placed["From"] == SENDER
    assert placed["Url"].startswith("https://forloeb.example.dk/webhooks/twilio/call?key=")
    assert placed["StatusCallback"].startswith(
        "https://forloeb.example.dk/webhooks/twilio/call-status?key="
    )
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == job.notices[0].key)).one()
    assert row.provider_id == placed["sid"]


def test_an_interrupted_call_is_not_placed_again(session, open_session, twilio):
    job = delivery(session)
    job.notices[0] = job.notices[0].model_copy(update={"channel": Channel.CALL})
    call = caller(open_session, twilio).deliver
    ActivityEnvironment().run(call, job)
    row = session.exec(select(OutboxMessage).where(OutboxMessage.key == job.notices[0].key)).one()
    row.status, row.provider_id = "sending", None
    session.add(row)
    session.commit()
    ActivityEnvironment().run(call, job)
    assert len(twilio.calls) == 1


def test_the_call_reads_one_set_of_instructions_twice_and_waits_for_one_key():
    text = "Husk aftalen i morgen. Tryk 1, hvis du kommer. Tryk 2, hvis du har brug for en ny tid."
    twiml = spoken(text, "https://forloeb.example.dk/g?key=k")
    assert twiml.count('<Gather action="https://forloeb.example.dk/g?key=k"') == 2
    assert twiml.count('numDigits="1"') == 2
    assert f'<Say language="da-DK">{text}</Say>' in twiml
    assert f'<Say language="da-DK">Beskeden igen. {text}</Say>' in twiml
    assert twiml.count("Tryk 1") == 2 and "Svar" not in twiml


def test_a_call_with_nothing_to_answer_is_read_twice_without_waiting_for_a_key():
    twiml = spoken("Fra i dag er Lars Holm din kontaktperson.", None)
    assert "<Gather" not in twiml and twiml.count("Lars Holm") == 2
