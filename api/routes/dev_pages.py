"""/dev/outbox: every message the service has sent on the embedded default, newest first, with
controls to play the citizen and the provider: reply, press a key, report a delivery status.
They go to the workflow exactly as the real channels' answers do, marked as simulated by the
administrator who sent them. Never in production, nor where real messages can go out."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api import access_log, case_service
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep, in_session
from api.errors import NotFound, ServiceError
from api.page_helpers import flash, page
from models.case import Case
from models.case_view import CaseMeeting
from models.citizen import Citizen
from models.command import Command
from models.enums import Channel, DeliveryStatus, Role
from models.meeting import CitizenReply, DeliveryReport, Meeting
from models.outbox import OutboxMessage
from models.staff import Staff
from notifications import labels
from notifications.email import Invitation, invitation_ics


def administrator(user: UserDep) -> Staff:
    """Only an administrator plays the citizen or a provider; to anyone else there is no
    such page."""
    if user.role != Role.ADMIN:
        raise NotFound("Siden findes ikke.")
    return user


# Mounted only where Settings.test_pages allows it (api/app.py).
router = APIRouter(include_in_schema=False, dependencies=[Depends(administrator)])

SHOWN = 200


@router.get("/dev/outbox")
def outbox(request: Request, session: SessionDep, user: UserDep) -> Response:
    recipient = aliased(Staff)
    rows = session.exec(
        select(OutboxMessage, recipient.full_name, Citizen.name)
        .outerjoin(recipient, col(recipient.id) == OutboxMessage.staff_id)
        .outerjoin(Citizen, col(Citizen.id) == OutboxMessage.citizen_id)
        .order_by(col(OutboxMessage.created_at).desc())
        .limit(SHOWN)
    ).all()
    shown = (message.case_id for message, _, _ in rows if message.case_id is not None)
    access_log.record(session, user, shown, "Udbakke")
    return page(
        request,
        "outbox.html",
        user,
        rows=rows,
        shown=SHOWN,
        statuses=[DeliveryStatus.DELIVERED, DeliveryStatus.UNDELIVERED, DeliveryStatus.FAILED],
        labels=labels,
    )


@router.get("/dev/outbox/{message_id}/aftale.ics")
def invitation(
    session: SessionDep, settings: SettingsDep, user: UserDep, message_id: str
) -> Response:
    """The calendar invitation an e-mail carries: the message's version of the meeting (its
    SEQUENCE), with the meeting's details as they stand now."""
    message = session.get(OutboxMessage, _uuid(message_id))
    case = session.get(Case, message.case_id) if message and message.case_id else None
    if message is None or case is None or message.channel != Channel.EMAIL.value:
        raise NotFound("Beskeden har ingen kalenderinvitation.")
    # meeting:<id>:v<version>:<purpose>:...
    _, meeting_id, version, purpose, *_ = message.key.split(":")
    row = session.get(CaseMeeting, meeting_id)
    meeting = Meeting.model_validate(row.data) if row and row.case_id == case.id else None
    if meeting is None:
        raise NotFound("Mødet findes ikke.")
    invite = Invitation(
        meeting_id=meeting.id,
        version=int(version.removeprefix("v")),
        starts_at=meeting.starts_at,
        minutes=meeting.duration_minutes,
        summary=f"Møde med {meeting.host_name}",
        location=meeting.place,
        description=meeting.purpose,
        cancelled=purpose == "meeting_cancelled",
    )
    sender = settings.smtp_from.split("<")[-1].rstrip(">")
    return Response(
        invitation_ics(invite, sender),
        media_type="text/calendar",
        headers={"Content-Disposition": 'attachment; filename="aftale.ics"'},
    )


async def _to_workflow(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: Staff,
    message_id: str,
    command: Command,
) -> Response:
    def find(session: Session) -> tuple[OutboxMessage | None, Case | None]:
        message = session.get(OutboxMessage, _uuid(message_id))
        case = session.get(Case, message.case_id) if message and message.case_id else None
        return message, case

    message, case = await in_session(open_session, find)
    if message is None or case is None or message.citizen_id is None:
        raise NotFound("Beskeden findes ikke.")
    try:
        event = await case_service.act(
            temporal, user=user, case=case, command=command, wait=settings.update_wait
        )
        await flash(request, event.summary)
    except case_service.ActionPending as pending:
        await flash(request, pending.message)
    except ServiceError as error:
        await flash(request, f"Ikke udført: {error.message}")
    return RedirectResponse("/dev/outbox", status_code=303)


def _uuid(raw: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise NotFound("Beskeden findes ikke.") from None


@router.post("/dev/outbox/{message_id}/reply")
async def reply(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    message_id: str,
    text: Annotated[str, Form()] = "",
) -> Response:
    """The citizen answers the SMS, or presses a key in the call."""
    message = await in_session(
        open_session, lambda session: session.get(OutboxMessage, _uuid(message_id))
    )
    if message is None:
        raise NotFound("Beskeden findes ikke.")
    channel = Channel.CALL if message.channel == Channel.CALL.value else Channel.SMS
    # A key pressed in a call answers that call's meeting; an SMS goes to the nearest one.
    meeting_id = message.key.split(":")[1] if channel == Channel.CALL else None
    command = CitizenReply(text=text or "JA", channel=channel, meeting_id=meeting_id)
    return await _to_workflow(request, open_session, temporal, settings, user, message_id, command)


@router.post("/dev/outbox/{message_id}/status")
async def status(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    message_id: str,
    status: Annotated[DeliveryStatus, Form()],
) -> Response:
    """The provider reports how delivery went."""
    message = await in_session(
        open_session, lambda session: session.get(OutboxMessage, _uuid(message_id))
    )
    if message is None:
        raise NotFound("Beskeden findes ikke.")
    command = DeliveryReport(key=message.key, status=status)
    return await _to_workflow(request, open_session, temporal, settings, user, message_id, command)
