"""The citizen's own page, /borger: their next appointment with buttons to confirm it or ask
for a new time, their coordinator, the plan as a road, what happened lately and the messages
sent to them, their contact preferences, and their progression answers.

Every view is in the access log with the citizen as the reader. What the citizen does here
goes to the course's workflow as the same actions an SMS reply or a key in a call would.
"""

from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool

from api import access_log, case_service, citizen_sign_in, citizen_view
from api.citizen_sign_in import CitizenDep
from api.deps import OpenSessionDep, SettingsDep, TemporalDep
from api.errors import Invalid, NotFound, ServiceError
from api.page_helpers import error_messages, form_of
from api.progression_chart import progression_charts
from api.templating import templates
from models.actions import action_of
from models.case import Case
from models.citizen_access import CitizenSession
from models.command import Command
from models.contact import ChooseContact
from models.db import SessionFactory
from models.enums import Channel
from models.meeting import AnswerMeeting, ReplyAnswer
from models.progression import AnswerProgression, MeasuredBy
from models.settings import Settings

router = APIRouter(include_in_schema=False)

# What the citizen may choose between on their page, in the order offered.
CHOICES = [Channel.SMS, Channel.EMAIL, Channel.CALL, Channel.CASEWORKER_CALLS]
THANKS = {
    ReplyAnswer.CONFIRM: "Tak. Mødet er bekræftet.",
    ReplyAnswer.NEW_TIME: "Tak. Din kontaktperson finder en ny tid og kontakter dig.",
}


def _render(
    request: Request,
    open_session: SessionFactory,
    settings: Settings,
    me: CitizenSession,
    *,
    status: int = 200,
    error: str = "",
    what: str = "Borgerens egen side",
) -> Response:
    rules = settings.progression_rules
    with open_session() as session:
        view = citizen_view.build(session, me.case_id, rules)
        if view is None:
            raise NotFound("Siden findes ikke.")
        access_log.record_by_citizen(session, me.citizen_id, me.case_id, what)
        charts = progression_charts(view.progression, rules, MeasuredBy.CITIZEN)
        response = templates.TemplateResponse(
            request,
            "citizen.html",
            {
                "view": view,
                "charts": charts,
                "progression_rules": rules,
                "choices": CHOICES,
                "phone": settings.municipality_phone,
                "flash": citizen_sign_in.said(request),
                "error": error,
            },
            status_code=status,
        )
        # A shared computer's back button must not show the page after sign-out.
        response.headers["Cache-Control"] = "no-store"
        return response


@router.get("/borger")
def own_page(
    request: Request, open_session: OpenSessionDep, settings: SettingsDep, me: CitizenDep
) -> Response:
    return _render(request, open_session, settings, me)


@router.get("/borger/log-ind")
def how_to_sign_in(request: Request, settings: SettingsDep) -> Response:
    return templates.TemplateResponse(
        request,
        "citizen_sign_in.html",
        {"phone": settings.municipality_phone, "error": "", "flash": citizen_sign_in.said(request)},
    )


@router.post("/borger/log-ud")
def sign_out(request: Request) -> Response:
    citizen_sign_in.sign_out(request)
    citizen_sign_in.say(request, "Du er logget ud.")
    return RedirectResponse("/borger/log-ind", status_code=303)


async def _act(
    request: Request,
    open_session: SessionFactory,
    temporal: TemporalDep,
    settings: Settings,
    me: CitizenSession,
    build: Callable[[dict[str, Any]], Command],
    thanks: str,
    anchor: str,
) -> Response:
    """Send the citizen's action to their course; on a refusal, the page with the reason."""
    try:
        command = build(await form_of(request))
        case = await run_in_threadpool(_prepare, open_session, me, command)
        await case_service.act(
            temporal, user=None, case=case, command=command, wait=settings.update_wait
        )
    except (ServiceError, ValidationError) as refused:
        status = refused.status_code if isinstance(refused, ServiceError) else 422
        message = (
            refused.message
            if isinstance(refused, ServiceError)
            else " ".join(error_messages(refused).values())
        )
        return await run_in_threadpool(
            lambda: _render(request, open_session, settings, me, status=status, error=message)
        )
    citizen_sign_in.say(request, thanks)
    return RedirectResponse(f"/borger#{anchor}", status_code=303)


def _prepare(open_session: SessionFactory, me: CitizenSession, command: Command) -> Case:
    """The citizen's course, with the action on record before it is sent."""
    with open_session() as session:
        case = session.get(Case, me.case_id)
        if case is None:
            raise NotFound("Siden findes ikke.")
        what = f"Handling: {action_of(command).label}"
        access_log.record_by_citizen(session, me.citizen_id, me.case_id, what)
    return case


@router.post("/borger/svar")
async def answer_meeting(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    me: CitizenDep,
) -> Response:
    answer = (await form_of(request)).get("answer")
    thanks = next((t for a, t in THANKS.items() if a.value == answer), "Tak for dit svar.")
    return await _act(
        request,
        open_session,
        temporal,
        settings,
        me,
        lambda f: AnswerMeeting(meeting_id=f.get("meeting_id", ""), answer=f.get("answer", "")),
        thanks,
        "aftale",
    )


@router.post("/borger/kontakt")
async def choose_contact(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    me: CitizenDep,
) -> Response:
    def build(form: dict[str, Any]) -> ChooseContact:
        channels = [form[f"channel_{i}"] for i in range(1, 5) if form.get(f"channel_{i}")]
        return ChooseContact.model_validate(
            {
                "channels": channels,
                "quiet_from": form.get("quiet_from") or "21:00",
                "quiet_to": form.get("quiet_to") or "09:00",
            }
        )

    return await _act(
        request,
        open_session,
        temporal,
        settings,
        me,
        build,
        "Tak. Dine ønsker er gemt.",
        "kontakt",
    )


@router.post("/borger/progression")
async def answer_progression(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    me: CitizenDep,
) -> Response:
    keys = settings.progression_rules.keys_for(MeasuredBy.CITIZEN)

    def build(form: dict[str, Any]) -> AnswerProgression:
        if not all(form.get(f"score_{key}") for key in keys):
            raise Invalid("Svar på alle spørgsmålene.")
        return AnswerProgression.model_validate(
            {"scores": {key: form[f"score_{key}"] for key in keys}}
        )

    return await _act(
        request,
        open_session,
        temporal,
        settings,
        me,
        build,
        "Tak for dine svar.",
        "progression",
    )
