"""Delivers workflow notices: finds the people, renders the text, writes the outbox, and hands
citizens' SMS to Twilio and e-mail to the SMTP relay when they are set up.

Every message has its own key, and its outbox row is written before any provider is called. A
retried activity finds the row: a row already sent is skipped, and a row caught mid-send is
looked up at the provider before anything is sent again. So each intent gives one message.

A Twilio that keeps failing (429, 5xx, no answer) is retried with the activity's backoff for
`PROVIDER_ATTEMPTS` sends; then, once Twilio has said it does not hold the message, the message
counts as failed and the workflow moves on to the citizen's next channel. E-mail is retried
until the relay takes it: a relay that is down is an outage to wait out, as mail servers queue.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlmodel import Session, col, select
from temporalio import activity

from activities.citizen_links import sign_in_code, with_page_link
from models.citizen import Citizen
from models.db import SessionFactory, transaction
from models.delivery import handed_late
from models.enums import Channel, Recipient, Role
from models.notice import Delivery, DeliveryResult, Notice
from models.outbox import OutboxMessage
from models.staff import Staff
from notifications.email import Invitation, SmtpEmail
from notifications.failures import PermanentDeliveryFailure
from notifications.messages import Message, MessageRenderer
from notifications.sms import TwilioSms
from notifications.sms_text import sms_context
from notifications.voice import TwilioVoice

OUTBOX_CHANNEL = "outbox"
# Sends of one SMS or call before it is given up: with the retry policy's backoff (1, 2, 4 ...
# seconds) about a minute, beyond which a reminder by the next channel serves the citizen better.
PROVIDER_ATTEMPTS = 6


class NotificationActivities:
    def __init__(
        self,
        open_session: SessionFactory,
        public_url: str,
        sms: TwilioSms | None = None,
        email: SmtpEmail | None = None,
        voice: TwilioVoice | None = None,
        *,
        link_days: int = 30,
    ) -> None:
        self._open_session = open_session
        self._public_url = public_url.rstrip("/")
        self._renderer = MessageRenderer()
        self._sms = sms
        self._email = email
        self._voice = voice
        self._link_days = link_days

    @activity.defn
    def deliver(self, delivery: Delivery) -> DeliveryResult:
        """Write one outbox message per notice and recipient, then send citizens' SMS."""
        result = DeliveryResult()
        with transaction(self._open_session) as session:
            for notice in delivery.notices:
                for staff_id, citizen in _recipients(session, notice, delivery):
                    result.written += self._write(session, notice, delivery, staff_id, citizen)
        trouble: Exception | None = None
        for notice in delivery.notices:
            try:
                refused = self._hand_over(notice)
            except Exception as error:
                # One channel's trouble (an SMTP relay that is down) must not hold another
                # channel's message: the rest go first, then the retry takes what is left.
                trouble = trouble or error
                continue
            if refused is not None:
                result.failed.append(notice.key)
                if refused.code is not None:
                    result.codes[notice.key] = refused.code
        if trouble is not None:
            raise trouble
        return result

    def _hand_over(self, notice: Notice) -> PermanentDeliveryFailure | None:
        if notice.channel == Channel.SMS and self._sms is not None:
            return self._send_sms(notice.key)
        if notice.channel == Channel.CALL and self._voice is not None:
            return self._place_call(notice.key)
        if notice.channel == Channel.EMAIL and self._email is not None:
            return self._send_email(notice)
        # No provider set up: the outbox is the delivery.
        if notice.to == Recipient.CITIZEN:
            _set(self._open_session, notice.key, handed=True)
        return None

    def _write(
        self,
        session: Session,
        notice: Notice,
        delivery: Delivery,
        staff_id: uuid.UUID | None,
        citizen: Citizen | None,
    ) -> int:
        # A citizen's message is keyed by the workflow (meeting, purpose, attempt).
        key = notice.key if notice.channel else f"{notice.key}:{staff_id}"
        if _find(session, key) is not None:
            return 0
        context = {**notice.context, "link": self._link(notice, delivery)}
        if citizen is not None:
            context["first_name"] = citizen.name.split()[0]
        if notice.purpose == "sign_in_code":
            code = sign_in_code(session, notice.context.get("link_id", ""))
            if code is None:
                return 0  # the link is gone: no code to send
            context["code"] = code
        channel = notice.channel.value if notice.channel else ""
        if notice.channel == Channel.SMS:
            context = sms_context(context)
        if citizen is None:
            message = self._renderer.render(notice.purpose, context, channel)
        else:
            message = with_page_link(
                session,
                lambda link: self._renderer.render(
                    notice.purpose, {**context, "page_link": link}, channel
                ),
                purpose=notice.purpose,
                channel=notice.channel,
                public_url=self._public_url,
                citizen_id=citizen.id,
                case_id=uuid.UUID(delivery.case_id),
                days=self._link_days,
            )
        session.add(
            OutboxMessage(
                key=key,
                case_id=uuid.UUID(delivery.case_id),
                staff_id=staff_id,
                citizen_id=citizen.id if citizen else None,
                channel=notice.channel.value if notice.channel else OUTBOX_CHANNEL,
                address=notice.address,
                purpose=notice.purpose,
                subject=message.subject,
                body=message.body,
                created_at=datetime.now(UTC),
                due_at=notice.due_at,
            )
        )
        return 1

    def _send_sms(self, key: str) -> PermanentDeliveryFailure | None:
        sms = self._sms
        assert sms is not None
        return send_once(
            self._open_session,
            key,
            send=lambda row: sms.send(to=_address(row), body=row.body, key=key),
            find=lambda row, since: sms.already_sent(to=_address(row), body=row.body, since=since),
            give_up=_attempts_spent(),
        )

    def _place_call(self, key: str) -> PermanentDeliveryFailure | None:
        voice = self._voice
        assert voice is not None
        return send_once(
            self._open_session,
            key,
            send=lambda row: voice.call(to=_address(row), key=key),
            find=lambda row, since: voice.already_called(to=_address(row), since=since),
            give_up=_attempts_spent(),
        )

    def _send_email(self, notice: Notice) -> PermanentDeliveryFailure | None:
        relay = self._email
        assert relay is not None
        return send_email_once(self._open_session, relay, notice.key, _invitation(notice))

    def _link(self, notice: Notice, delivery: Delivery) -> str:
        if notice.to in (Recipient.DEPARTMENT, Recipient.DEPARTMENT_LEAD):
            return f"{self._public_url}/inbox"
        return f"{self._public_url}/cases/{delivery.case_id}"


def send_once(
    open_session: SessionFactory,
    key: str,
    *,
    send: Callable[[OutboxMessage], str],
    find: Callable[[OutboxMessage, datetime], str | None],
    give_up: bool = False,
) -> PermanentDeliveryFailure | None:
    """Hand the row's message to a provider once; the refusal if it was refused for good.

    The row is marked "sending" before the provider is called. A row found still
    "sending" was caught by a crash or a failed send, so the provider is asked first whether
    it arrived. With `give_up` (the provider has had its attempts), a message the provider
    says it does not hold is not sent again but counted as failed.
    """
    with transaction(open_session) as session:
        row = _find(session, key)
        if row is None or row.provider_id is not None or row.address is None:
            return None
        crashed = row.status == "sending"
        row.status = "sending"
    since = row.created_at - timedelta(minutes=1)
    provider_id = find(row, since) if crashed else None
    if provider_id is None and crashed and give_up:
        # Only after the provider has said it does not have the message: a send that timed
        # out may have arrived, and the next channel must not repeat it.
        _set(open_session, key, status="failed")
        return PermanentDeliveryFailure("Udbyderen tog ikke imod beskeden efter flere forsøg.")
    if provider_id is None:
        try:
            provider_id = send(row)
        except PermanentDeliveryFailure as refused:
            _set(open_session, key, status="failed")
            return refused
    _set(open_session, key, handed=True, status="sent", provider_id=provider_id)
    return None


def send_email_once(
    open_session: SessionFactory, relay: SmtpEmail, key: str, invite: Invitation | None = None
) -> PermanentDeliveryFailure | None:
    """Send the row's message by e-mail once. SMTP has no way to ask what arrived, so a crash
    right after the relay accepted a mail can repeat it, under the same Message-ID."""

    def send(row: OutboxMessage) -> str:
        email = relay.compose(
            to=_address(row),
            message=Message(subject=row.subject, body=row.body),
            key=key,
            invite=invite,
        )
        relay.send(email)
        return str(email["Message-ID"])

    return send_once(open_session, key, send=send, find=lambda row, since: None)


def _set(open_session: SessionFactory, key: str, handed: bool = False, **fields: str) -> None:
    """Set fields on the message's row; `handed`: the provider (or, with none set up, the
    outbox) has it now, which is recorded once, with whether that was late."""
    with transaction(open_session) as session:
        row = _find(session, key)
        if row is None:
            return  # nobody to send it to (a citizen since deleted): nothing was written
        for name, value in fields.items():
            setattr(row, name, value)
        if handed and row.handed_at is None:
            row.handed_at = datetime.now(UTC)
            row.handed_late = handed_late(row.due_at, row.handed_at)


def _attempts_spent() -> bool:
    return activity.info().attempt > PROVIDER_ATTEMPTS


def _address(row: OutboxMessage) -> str:
    assert row.address is not None  # checked before any provider is called
    return row.address


def _invitation(notice: Notice) -> Invitation | None:
    context = notice.context
    if "meeting_id" not in context:
        return None
    return Invitation(
        meeting_id=context["meeting_id"],
        version=int(context["version"]),
        starts_at=datetime.fromisoformat(context["starts_at"]),
        minutes=int(context["duration"]),
        summary=f"Møde med {context['with']}",
        location=context["place"],
        description=context["purpose"],
        cancelled=bool(context.get("cancelled")),
    )


def _find(session: Session, key: str) -> OutboxMessage | None:
    found: OutboxMessage | None = session.exec(
        select(OutboxMessage).where(OutboxMessage.key == key)
    ).first()
    return found


def _recipients(
    session: Session, notice: Notice, delivery: Delivery
) -> list[tuple[uuid.UUID | None, Citizen | None]]:
    if notice.to == Recipient.CITIZEN:
        citizen = session.get(Citizen, uuid.UUID(delivery.citizen_id))
        return [(None, citizen)] if citizen else []
    if notice.to == Recipient.STAFF:
        return [(uuid.UUID(notice.staff_id), None)] if notice.staff_id else []
    role = (
        Role.DEPARTMENT_LEAD if notice.to == Recipient.DEPARTMENT_LEAD else Role.DEPARTMENT_WORKER
    )
    staff = session.exec(
        select(Staff.id)
        .where(Staff.department == notice.department, Staff.role == role, col(Staff.active))
        .order_by(Staff.username)
    ).all()
    return [(staff_id, None) for staff_id in staff]
