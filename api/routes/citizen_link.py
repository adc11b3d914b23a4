"""The personal link in a citizen's message: it asks for a one-time code, sent to the
citizen's phone (or e-mail), and the code opens their page (models/citizen_access.py).

Opening the link sends nothing by itself: phones and mail filters open links to preview them,
so the citizen presses a button for the code.
"""

from datetime import UTC, datetime
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from starlette.concurrency import run_in_threadpool

from api import case_service, citizen_sign_in
from api.deps import OpenSessionDep, SettingsDep, TemporalDep
from api.errors import ServiceError
from api.templating import templates
from models.case import Case
from models.case_view import CaseFacts
from models.citizen_access import (
    CODE_MINUTES,
    CitizenLink,
    CodeCheck,
    check_code,
    code_asked,
    may_ask_for_code,
    open_link,
    tries_left,
)
from models.contact import SendSignInCode
from models.db import SessionFactory, transaction
from models.enums import Channel, Stage

router = APIRouter(include_in_schema=False)

LINK_GONE = "Linket virker ikke længere. Brug linket i den nyeste besked fra os, eller ring til os."
_REFUSED = {
    CodeCheck.WRONG: (422, "Koden passer ikke. Du har {left} forsøg tilbage."),
    CodeCheck.USED_UP: (429, "Du har prøvet 5 gange. Bed om en ny kode."),
    CodeCheck.EXPIRED: (
        410,
        f"Koden er for gammel; den virker i {CODE_MINUTES} minutter. Bed om en ny kode.",
    ),
    CodeCheck.NONE: (422, "Bed først om en kode."),
}


def _where(case: Case | None) -> str:
    """Where the code goes, as much as the citizen needs to recognise it."""
    if case is None:
        return ""
    contact = CaseFacts.model_validate(case.facts).contact
    channel = contact.code_channel()
    if channel == Channel.SMS and contact.phone:
        return f"din mobil, der ender på {contact.phone[-2:]}"
    if channel == Channel.EMAIL and contact.email:
        name, _, domain = contact.email.partition("@")
        return f"din e-mail {name[:1]}…@{domain}"
    return ""


def _link_page(
    request: Request,
    open_session: SessionFactory,
    token: str,
    *,
    status: int = 200,
    error: str = "",
    sent: bool = False,
) -> Response:
    with open_session() as session:
        now = datetime.now(UTC)
        link = open_link(session, token, now)
        case = session.get(Case, link.case_id) if link else None
        usable = link is not None and case is not None and case.stage != Stage.CLOSED
        waiting = bool(usable and link and link.code_expires_at and link.code_expires_at > now)
        context = {
            "token": token,
            "usable": usable,
            "where": _where(case) if usable else "",
            "sent": sent or waiting,
            "error": error or ("" if usable else LINK_GONE),
            "phone": request.app.state.settings.municipality_phone,
        }
    response = templates.TemplateResponse(
        request, "citizen_link.html", context, status_code=status if usable else 404
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@router.get("/b/{token}")
def link_opened(
    request: Request, open_session: OpenSessionDep, token: str, sendt: bool = False
) -> Response:
    return _link_page(request, open_session, token, sent=sendt)


def _ask(open_session: SessionFactory, token: str) -> tuple[CitizenLink, Case] | str:
    """Count the request for a code on the link, or say why none may be sent now."""
    with transaction(open_session) as session:
        now = datetime.now(UTC)
        link = open_link(session, token, now)
        case = session.get(Case, link.case_id) if link else None
        if link is None or case is None or case.stage == Stage.CLOSED:
            return LINK_GONE
        refused = may_ask_for_code(link, now)
        if refused is not None:
            return refused
        code_asked(link, now)
        session.flush()
        session.expunge_all()
        return link, case


@router.post("/b/{token}/kode")
async def send_code(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    token: str,
) -> Response:
    # The request is counted and committed before the workflow is asked: no transaction
    # waits on Temporal.
    asked = await run_in_threadpool(_ask, open_session, token)
    if isinstance(asked, str):
        status = 404 if asked == LINK_GONE else 429
        return await run_in_threadpool(
            _link_page, request, open_session, token, status=status, error=asked
        )
    link, case = asked
    try:
        await case_service.act(
            temporal,
            user=None,
            case=case,
            command=SendSignInCode(link_id=str(link.id)),
            wait=settings.update_wait,
        )
    except ServiceError as refused:
        return await run_in_threadpool(
            _link_page,
            request,
            open_session,
            token,
            status=refused.status_code,
            error=refused.message,
        )
    return RedirectResponse(f"/b/{token}?sendt=1", status_code=303)


def _check(
    request: Request, open_session: SessionFactory, token: str, code: str
) -> tuple[int, str] | None:
    """Sign the citizen in when the code opens the link; else the status and the reason."""
    with transaction(open_session) as session:
        now = datetime.now(UTC)
        link = open_link(session, token, now)
        case = session.get(Case, link.case_id) if link else None
        if link is None or case is None or case.stage == Stage.CLOSED:
            return 404, LINK_GONE
        checked = check_code(link, code, now)
        if checked != CodeCheck.ACCEPTED:
            status, reason = _REFUSED[checked]
            return status, reason.format(left=tries_left(link))
        citizen_sign_in.begin(request, session, link.citizen_id, link.case_id, "code")
        return None


@router.post("/b/{token}")
def code_typed(
    request: Request,
    open_session: OpenSessionDep,
    token: str,
    code: Annotated[str, Form(max_length=20)] = "",
) -> Response:
    refused = _check(request, open_session, token, code)
    if refused is not None:
        status, reason = refused
        return _link_page(request, open_session, token, status=status, error=reason, sent=True)
    return RedirectResponse("/borger", status_code=303)
