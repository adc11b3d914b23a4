"""Twilio's webhooks: delivery status callbacks, SMS from citizens, and the reminder calls
(what to say, the key pressed, how the call ended).

Every request must carry a valid X-Twilio-Signature for the public URL it was sent to (the
service may sit behind a proxy); anything else is refused with 403 and changes nothing.
"""

import uuid
from datetime import UTC, datetime
from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from twilio.request_validator import RequestValidator
from twilio.twiml.messaging_response import MessagingResponse

from api import case_service
from api.deps import OpenSessionDep, SettingsDep, TemporalDep, in_session
from api.errors import Forbidden, NotFound
from models.case import Case
from models.citizen import Citizen
from models.command import Command
from models.db import transaction
from models.enums import Channel, DeliveryStatus, Stage
from models.meeting import ANSWERABLE, CitizenReply, DeliveryReport
from models.outbox import OutboxMessage
from models.settings import Settings
from notifications.voice import spoken, thanks

router = APIRouter(prefix="/webhooks/twilio", include_in_schema=False)

CALL_OUTCOMES = {
    "completed": DeliveryStatus.DELIVERED,
    "no-answer": DeliveryStatus.UNDELIVERED,
    "busy": DeliveryStatus.UNDELIVERED,
    "failed": DeliveryStatus.FAILED,
    "canceled": DeliveryStatus.FAILED,
}

UNKNOWN_NUMBER_REPLY = (
    "Tak for din besked. Vi kan ikke se, hvem du er ud fra dit nummer, så vi har givet den "
    "videre til en medarbejder. Ring gerne til din kontaktperson, hvis det haster."
)


async def _verified(request: Request, settings: Settings) -> dict[str, str]:
    twilio = settings.twilio()
    if twilio is None:
        raise NotFound("Twilio er ikke sat op.")
    form = {key: str(value) for key, value in (await request.form()).items()}
    url = f"{settings.effective_public_url.rstrip('/')}{request.url.path}"
    if request.url.query:
        url += f"?{request.url.query}"
    signature = request.headers.get("X-Twilio-Signature", "")
    if not RequestValidator(twilio.auth_token).validate(url, form, signature):
        raise Forbidden("Ugyldig signatur.")
    return form


def _twiml(response: MessagingResponse) -> Response:
    return Response(str(response), media_type="application/xml")


@router.post("/status")
async def status_callback(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    key: Annotated[str, Query()],
) -> Response:
    form = await _verified(request, settings)
    reported = form.get("MessageStatus", "")
    if reported not in DeliveryStatus._value2member_map_:
        return Response(status_code=204)  # accepted, sending, ...: nothing to act on
    code = form.get("ErrorCode", "")
    error_code = int(code) if code.isascii() and code.isdigit() and len(code) < 10 else None
    await _report(open_session, temporal, settings, key, DeliveryStatus(reported), error_code)
    return Response(status_code=204)


@router.post("/sms")
async def incoming_sms(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
) -> Response:
    form = await _verified(request, settings)
    sender, text, sid = form.get("From", ""), form.get("Body", ""), form.get("MessageSid", "")
    case = await in_session(
        open_session,
        lambda session: session.exec(
            select(Case)
            .join(Citizen, col(Citizen.id) == Case.citizen_id)
            .where(Citizen.phone == sender, Case.stage != Stage.CLOSED)
        ).first(),
    )
    if case is None:
        await run_in_threadpool(_keep_for_staff, open_session, sender, text, sid)
        reply = MessagingResponse()
        reply.message(UNKNOWN_NUMBER_REPLY)
        return _twiml(reply)
    reply = CitizenReply(text=text, channel=Channel.SMS, reply_id=sid or None)
    await _tell(temporal, settings, case, reply)
    return _twiml(MessagingResponse())


async def _report(
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: Settings,
    key: str,
    status: DeliveryStatus,
    error_code: int | None = None,
) -> None:
    """Record a provider's status on the message and tell the case's workflow. A repeated or
    late report never moves a status backwards."""
    case = await run_in_threadpool(_record_status, open_session, key, status)
    if case is not None:
        report = DeliveryReport(key=key, status=status, error_code=error_code)
        await _tell(temporal, settings, case, report)


def _record_status(open_session: OpenSessionDep, key: str, status: DeliveryStatus) -> Case | None:
    with transaction(open_session) as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
        if row is None or row.case_id is None:
            raise NotFound("Beskeden findes ikke.")
        known = DeliveryStatus._value2member_map_.get(row.status)
        if not isinstance(known, DeliveryStatus) or status.rank > known.rank:
            row.status = status.value
        return session.get(Case, row.case_id)


async def _tell(temporal: TemporalDep, settings: Settings, case: Case, command: Command) -> None:
    """Hand what the citizen or the provider said to the case's workflow; a closed case has
    no workflow left to hear it, and Twilio should not be answered with an error for that."""
    if case.stage != Stage.CLOSED:
        await case_service.hear(temporal, case=case, command=command, wait=settings.update_wait)


def _row(open_session: OpenSessionDep, key: str) -> tuple[OutboxMessage, Case]:
    with open_session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == key)).first()
        case = session.get(Case, row.case_id) if row and row.case_id else None
    if row is None or case is None:
        raise NotFound("Beskeden findes ikke.")
    return row, case


@router.post("/call")
async def call_answered(
    request: Request,
    open_session: OpenSessionDep,
    settings: SettingsDep,
    key: Annotated[str, Query()],
) -> Response:
    """The citizen picked up: read the message in Danish and, where it asks for an answer,
    wait for a key."""
    await _verified(request, settings)
    row, _ = await run_in_threadpool(_row, open_session, key)
    gather = f"{settings.effective_public_url.rstrip('/')}/webhooks/twilio/gather?" + urlencode(
        {"key": key}
    )
    answerable = row.purpose in ANSWERABLE
    return Response(spoken(row.body, gather if answerable else None), media_type="application/xml")


@router.post("/gather")
async def key_pressed(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    key: Annotated[str, Query()],
) -> Response:
    """1 confirms, 2 asks for a new time; for the meeting the call was about."""
    form = await _verified(request, settings)
    digit = form.get("Digits", "")
    _, case = await run_in_threadpool(_row, open_session, key)
    meeting_id = key.split(":")[1]
    reply = CitizenReply(
        text=digit,
        channel=Channel.CALL,
        meeting_id=meeting_id,
        reply_id=f"{form.get('CallSid', key)}:{digit}",
    )
    await _tell(temporal, settings, case, reply)
    return Response(thanks(digit), media_type="application/xml")


@router.post("/call-status")
async def call_status(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    key: Annotated[str, Query()],
) -> Response:
    """An answered call was delivered; no answer, busy or failed moves on to the next channel."""
    form = await _verified(request, settings)
    outcome = CALL_OUTCOMES.get(form.get("CallStatus", ""))
    if outcome is None:
        return Response(status_code=204)
    await _report(open_session, temporal, settings, key, outcome)
    return Response(status_code=204)


def _keep_for_staff(open_session: OpenSessionDep, sender: str, text: str, sid: str) -> None:
    key = f"inbound:{sid or uuid.uuid4()}"
    with transaction(open_session) as session:
        if session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key)).first():
            return
        session.add(
            OutboxMessage(
                key=key,
                channel=Channel.SMS.value,
                address=sender,
                purpose="inbound_unknown",
                subject="SMS fra et ukendt nummer",
                body=text,
                status="received",
                created_at=datetime.now(UTC),
            )
        )
