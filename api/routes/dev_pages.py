"""/dev/outbox: every message the service has sent on the embedded default, newest first."""

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from api.deps import SessionDep, UserDep
from api.page_helpers import page
from models.citizen import Citizen
from models.outbox import OutboxMessage
from models.staff import Staff

router = APIRouter(include_in_schema=False)

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
    return page(request, "outbox.html", user, rows=rows, shown=SHOWN)
