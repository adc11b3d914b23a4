"""Citizens' SMS through the real twilio SDK to a fake Twilio on loopback, once per intent."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import select
from temporalio.testing import ActivityEnvironment
from twilio.base.exceptions import TwilioRestException

from activities.notifications import NotificationActivities
from models.enums import Channel, Recipient
from models.notice import Delivery, Notice
from models.outbox import OutboxMessage
from models.settings import TwilioSettings
from notifications.sms import TwilioSms
from tests.factories import make_case, make_citizen
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


def activities(open_session, fake: FakeTwilio, token: str = AUTH_TOKEN) -> NotificationActivities:
    sms = TwilioSms(
        TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=token,
            sender=SENDER,
            public_url="https://forloeb.example.dk",
            api_url=fake.base_url,
        )
    )
    return NotificationActivities(open_session, "https://forloeb.example.dk", sms)


def delivery(session) -> Delivery:
    citizen = make_citizen(session, name="Sara Sms")
    key = f"meeting:{uuid.uuid4()}:v1:meeting_reminder:1:1"
    notice = Notice(
        key=key,
        purpose="meeting_reminder",
        to=Recipient.CITIZEN,
        channel=Channel.SMS,
        address="+4520123456",
        context={
            "when": "tirsdag 24. november kl. 10.00",
            "place": "Biblioteket",
            "with": "Mette Jensen",
            "purpose": "Praktik",
            "bring": "",
            "duration": "60",
        },
    )
    return Delivery(
        case_id=str(make_case(session, citizen).id),
        citizen_id=str(citizen.id),
        coordinator_id=str(uuid.uuid4()),
        notices=[notice],
    )


def row(session, key: str) -> OutboxMessage:
    session.expire_all()
    found: OutboxMessage = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).one()
    return found


def test_an_sms_goes_to_twilio_with_a_status_callback(session, open_session, twilio):
    job = delivery(session)
    result = ActivityEnvironment().run(activities(open_session, twilio).deliver, job)
    assert result.failed == []
    [sent] = twilio.messages
    assert sent["To"] == "+4520123456" and sent["From"] == SENDER
    assert sent["Body"].startswith("Hej Sara. Husk aftalen tirsdag 24. november kl. 10.00")
    key = job.notices[0].key
    assert sent["StatusCallback"].startswith(
        "https://forloeb.example.dk/webhooks/twilio/status?key="
    )
    stored = row(session, key)
    assert stored.status == "sent" and stored.provider_id == sent["sid"]


def test_a_retried_activity_sends_nothing_twice(session, open_session, twilio):
    job = delivery(session)
    send = activities(open_session, twilio).deliver
    ActivityEnvironment().run(send, job)
    ActivityEnvironment().run(send, job)
    assert len(twilio.messages) == 1


def test_429_and_5xx_raise_for_a_retry_and_then_send_once(session, open_session, twilio):
    job = delivery(session)
    send = activities(open_session, twilio).deliver
    twilio.failures = [(429, 20429), (500, 20500)]
    for _ in range(2):
        with pytest.raises(TwilioRestException):
            ActivityEnvironment().run(send, job)
    assert twilio.messages == []
    ActivityEnvironment().run(send, job)
    assert len(twilio.messages) == 1


def test_a_send_interrupted_after_twilio_got_it_is_not_repeated(session, open_session, twilio):
    """A worker killed between Twilio's answer and our write leaves the row 'sending'."""
    job = delivery(session)
    send = activities(open_session, twilio).deliver
    ActivityEnvironment().run(send, job)
    key = job.notices[0].key
    stored = row(session, key)
    stored.status, stored.provider_id = "sending", None
    session.add(stored)
    session.commit()
    ActivityEnvironment().run(send, job)
    assert len(twilio.messages) == 1
    assert row(session, key).provider_id == twilio.messages[0]["sid"]


def test_a_landline_is_refused_for_good(session, open_session, twilio):
    job = delivery(session)
    twilio.failures = [(400, 21614)]
    result = ActivityEnvironment().run(activities(open_session, twilio).deliver, job)
    assert result.failed == [job.notices[0].key]
    assert result.codes == {job.notices[0].key: 21614}  # the workflow stops SMS to the number
    assert row(session, job.notices[0].key).status == "failed"


def test_wrong_credentials_are_refused_by_twilio(session, open_session, twilio):
    with pytest.raises(TwilioRestException):
        ActivityEnvironment().run(
            activities(open_session, twilio, token="forkert").deliver, delivery(session)
        )
    assert twilio.refused_auth == 1 and twilio.messages == []


def test_when_the_provider_had_the_message_is_kept_and_a_late_hand_over_marked(
    session, open_session, twilio
):
    on_time, late = delivery(session), delivery(session)
    now = datetime.now(UTC)
    on_time.notices[0].due_at = now
    late.notices[0].due_at = now - timedelta(seconds=30)  # the worker was down, say
    for job in (on_time, late):
        ActivityEnvironment().run(activities(open_session, twilio).deliver, job)
    kept = row(session, on_time.notices[0].key)
    assert kept.due_at == now and kept.handed_at is not None and kept.handed_at >= now
    assert not kept.handed_late
    assert row(session, late.notices[0].key).handed_late


def test_without_a_provider_the_outbox_has_it_at_once(session, open_session):
    job = delivery(session)
    job.notices[0].due_at = datetime.now(UTC)
    ActivityEnvironment().run(NotificationActivities(open_session, "https://x.dk").deliver, job)
    kept = row(session, job.notices[0].key)
    assert (kept.status, kept.handed_late) == ("outbox", False) and kept.handed_at is not None
