"""Server-rendered Danish pages for caseworkers: the case list, a new case and the case page."""

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import select
from starlette.concurrency import run_in_threadpool

from api import case_service
from api.case_actions import ACTIONS
from api.case_views import case_detail
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep
from api.errors import Invalid, NotFound, ServiceError, field_errors
from api.permissions import CREATES_CASES, can_drive_case
from api.templating import templates
from models.case import Case
from models.citizen import Citizen, CitizenCreate
from models.enums import Department, Outcome, Recommendation, Role, Stage
from models.programme import ProgrammeState
from models.staff import Staff
from workflows.programme_rules import PRE_DECISION

router = APIRouter(include_in_schema=False)

FLASH = "flash"


def _flash(request: Request, message: str) -> None:
    request.session[FLASH] = message


def _page(request: Request, name: str, user: Staff, status: int = 200, **context: Any) -> Response:
    context.setdefault("error", None)
    return templates.TemplateResponse(
        request,
        name,
        {"user": user, "flash": request.session.pop(FLASH, None), **context},
        status_code=status,
    )


@router.get("/")
def home(user: UserDep) -> Response:
    return RedirectResponse("/cases", status_code=303)


@router.get("/cases")
def case_list(request: Request, session: SessionDep, user: UserDep, stage: str = "") -> Response:
    chosen = Stage(stage) if stage in Stage._value2member_map_ else None
    rows = case_service.visible_cases(session, user=user, stage=chosen)
    return _page(
        request,
        "cases.html",
        user,
        rows=rows,
        stages=list(Stage),
        chosen=chosen,
        can_create=user.role in CREATES_CASES,
    )


def _coordinators(session: SessionDep) -> list[Staff]:
    return list(
        session.exec(
            select(Staff)
            .where(Staff.role == Role.COORDINATOR, Staff.active)
            .order_by(Staff.full_name)
        ).all()
    )


@router.get("/cases/new")
def new_case_form(request: Request, session: SessionDep, user: UserDep) -> Response:
    return _page(
        request, "new_case.html", user, coordinators=_coordinators(session), form={}, errors={}
    )


@router.post("/cases/new")
async def new_case(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
) -> Response:
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    try:
        citizen = await run_in_threadpool(_find_or_register, open_session, user, form)
        case = await case_service.create_case(
            open_session,
            temporal,
            task_queue=settings.task_queue,
            user=user,
            citizen_id=citizen.id,
            coordinator_id=_parse_uuid(form.get("coordinator_id")),
            referred_on=_parse_date(form.get("referred_on")),
        )
    except (ServiceError, ValidationError) as error:
        with open_session() as session:
            coordinators = _coordinators(session)
        errors = _errors(error)
        return _page(
            request,
            "new_case.html",
            user,
            status=_status(error),
            coordinators=coordinators,
            form=form,
            errors=errors,
            error="Sagen er ikke oprettet. " + " ".join(errors.values()),
        )
    _flash(request, f"Sagen for {citizen.name} er oprettet og visiteret.")
    return RedirectResponse(f"/cases/{case.id}", status_code=303)


def _find_or_register(open_session: OpenSessionDep, user: Staff, form: dict[str, str]) -> Citizen:
    data = CitizenCreate.model_validate({"cpr": form.get("cpr", ""), "name": form.get("name", "")})
    with open_session() as session:
        known = session.exec(select(Citizen).where(Citizen.cpr == data.cpr)).first()
    return known or case_service.register_citizen(open_session, user=user, data=data)


def _parse_date(raw: str | None) -> date | None:
    if not raw:
        return None
    try:
        return date.fromisoformat(raw)
    except ValueError:
        raise Invalid("Datoen skal skrives som ÅÅÅÅ-MM-DD.") from None


def _parse_uuid(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid("Den valgte koordinerende sagsbehandler findes ikke.") from None


def _errors(error: Exception) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return {e["field"]: e["message"] for e in field_errors(error.errors())}
    return {"": str(error)}


def _status(error: Exception) -> int:
    return error.status_code if isinstance(error, ServiceError) else 422


@router.get("/cases/{case_id}")
def case_page(request: Request, session: SessionDep, user: UserDep, case_id: str) -> Response:
    case = _visible(session, user, case_id)
    return _case_page(request, session, user, case)


def _visible(session: SessionDep, user: Staff, case_id: str) -> Case:
    try:
        parsed = uuid.UUID(case_id)
    except ValueError:
        raise NotFound("Sagen findes ikke.") from None
    return case_service.load_visible_case(session, user=user, case_id=parsed)


def _case_page(
    request: Request,
    session: SessionDep,
    user: Staff,
    case: Case,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
) -> Response:
    return _page(
        request,
        "case.html",
        user,
        status=status,
        error=error,
        form=form or {},
        case=case_detail(session, case),
        state=ProgrammeState.model_validate(case.state),
        can_drive=can_drive_case(user, case),
        pre_decision=case.stage in PRE_DECISION,
        stages=[s for s in Stage],
        recommendations=list(Recommendation),
        outcomes=list(Outcome),
        departments=list(Department),
    )


@router.post("/cases/{case_id}/{slug}")
async def case_action(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    case_id: str,
    slug: str,
) -> Response:
    action = ACTIONS.get(slug)
    if action is None:
        raise NotFound("Handlingen findes ikke.")
    form = {k: str(v).strip() for k, v in (await request.form()).items()}
    with open_session() as session:
        case = _visible(session, user, case_id)
    try:
        command = action.command.model_validate(_command_fields(form))
        event = await case_service.act(
            temporal,
            user=user,
            case=case,
            command=command,
            wait=settings.update_wait,
        )
    except case_service.ActionPending as pending:
        _flash(request, pending.message)
    except (ServiceError, ValidationError) as error:
        with open_session() as session:
            fresh = _visible(session, user, case_id)
            message = " ".join(_errors(error).values())
            return _case_page(
                request,
                session,
                user,
                fresh,
                status=_status(error),
                error=f"{action.label}: {message}",
                form={"action": slug, **form},
            )
    else:
        _flash(request, event.summary)
    return RedirectResponse(f"/cases/{case_id}", status_code=303)


def _command_fields(form: dict[str, str]) -> dict[str, Any]:
    """Form fields as a command: empty fields left out; one effort field per department."""
    fields: dict[str, Any] = {
        k: v for k, v in form.items() if v and not k.startswith("effort_") and k != "action"
    }
    efforts = [
        {"department": d.value, "description": form[f"effort_{d.value}"]}
        for d in Department
        if form.get(f"effort_{d.value}")
    ]
    if efforts:
        fields["efforts"] = efforts
    return fields
