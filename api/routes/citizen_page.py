"""The citizen's own page, /borger: their next appointment with buttons to confirm it or ask
for a new time, their coordinator, the plan as a road, what happened lately and the messages
sent to them, their contact preferences, and their progression answers.

Every view is in the access log with the citizen as the reader. What the citizen does here
goes to the course's workflow as the same actions an SMS reply or a key in a call would.
"""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api import access_log, case_service, citizen_sign_in, citizen_view
from api.citizen_sign_in import CitizenDep
from api.deps import OpenSessionDep, SettingsDep, TemporalDep
from api.errors import Invalid, NotFound, ServiceError
from api.page_helpers import command_fields, error_messages, form_of, status_of
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
    status: int = 200,
    error: str = "",
) -> Response:
    rules = settings.progression_rules
    with open_session() as session:
        view = citizen_view.build(session, me.case_id, rules)
        if view is None:
            raise NotFound("Siden findes ikke.")
        access_log.record_by_citizen(session, me.citizen_id, me.case_id, "Borgerens egen side")
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


@dataclass(frozen=True)
class OnPage:
    """What every action on the citizen's page needs."""

    request: Request
    open_session: SessionFactory
    temporal: Client
    settings: Settings
    me: CitizenSession


def on_page(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    me: CitizenDep,
) -> OnPage:
    return OnPage(request, open_session, temporal, settings, me)


OnPageDep = Annotated[OnPage, Depends(on_page)]


async def _act(
    page: OnPage,
    command_type: type[Command],
    thanks: str,
    anchor: str,
    *,
    required: Sequence[str] = (),
) -> Response:
    """Send the citizen's action to their course; on a refusal, the page with the reason.
    `required`: the fields that must be filled in (the progression questions)."""
    try:
        form = await form_of(page.request)
        if not all(form.get(name) for name in required):
            raise Invalid("Svar på alle spørgsmålene.")
        command = command_type.model_validate(command_fields(form))
        case = await run_in_threadpool(_prepare, page.open_session, page.me, command)
        await case_service.act(
            page.temporal, user=None, case=case, command=command, wait=page.settings.update_wait
        )
    except (ServiceError, ValidationError) as refused:
        status = status_of(refused)
        message = " ".join(error_messages(refused).values())
        return await run_in_threadpool(
            lambda: _render(
                page.request,
                page.open_session,
                page.settings,
                page.me,
                status=status,
                error=message,
            )
        )
    citizen_sign_in.say(page.request, thanks)
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
async def answer_meeting(page: OnPageDep) -> Response:
    answer = (await form_of(page.request)).get("answer")
    thanks = next((t for a, t in THANKS.items() if a.value == answer), "Tak for dit svar.")
    return await _act(page, AnswerMeeting, thanks, "aftale")


@router.post("/borger/kontakt")
async def choose_contact(page: OnPageDep) -> Response:
    return await _act(page, ChooseContact, "Tak. Dine ønsker er gemt.", "kontakt")


@router.post("/borger/progression")
async def answer_progression(page: OnPageDep) -> Response:
    keys = page.settings.progression_rules.keys_for(MeasuredBy.CITIZEN)
    required = [f"score_{key}" for key in keys]
    return await _act(
        page, AnswerProgression, "Tak for dine svar.", "progression", required=required
    )
