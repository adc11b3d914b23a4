"""Pages: the start page by role, the case list and a new case."""

import uuid
from datetime import date
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select
from starlette.concurrency import run_in_threadpool

from api import access_log, case_service
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep, in_session
from api.errors import Invalid, ServiceError
from api.page_helpers import error_messages, flash, form_of, page, status_of
from api.permissions import CREATES_CASES
from models.citizen import Citizen, CitizenCreate
from models.enums import CourseType, Role, Stage
from models.settings import Settings
from models.staff import Staff

router = APIRouter(include_in_schema=False)

START_PAGES = {
    Role.COORDINATOR: "/board",
    Role.DEPARTMENT_WORKER: "/inbox",
    Role.DEPARTMENT_LEAD: "/queue",
    Role.MANAGER: "/leder",
    Role.ADMIN: "/cases",
    Role.DATA_PROTECTION: "/databeskyttelse",
}


@router.get("/")
def home(user: UserDep) -> Response:
    return RedirectResponse(START_PAGES[user.role], status_code=303)


@router.get("/cases")
def case_list(request: Request, session: SessionDep, user: UserDep, stage: str = "") -> Response:
    chosen = Stage(stage) if stage in Stage._value2member_map_ else None
    rows = case_service.visible_cases(session, user=user, stage=chosen)
    access_log.record(session, user, (case.id for case, _, _ in rows), "Sagsliste")
    return page(
        request,
        "cases.html",
        user,
        rows=rows,
        stages=list(Stage),
        chosen=chosen,
        can_create=user.role in CREATES_CASES,
    )


def coordinators(session: Session) -> list[Staff]:
    return list(
        session.exec(
            select(Staff)
            .where(Staff.role == Role.COORDINATOR, col(Staff.active))
            .order_by(Staff.full_name)
        ).all()
    )


@router.get("/cases/new")
def new_case_form(
    request: Request, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    return page(
        request,
        "new_case.html",
        user,
        coordinators=coordinators(session),
        form={},
        errors={},
        wrong_fields=[],
        **_course_choices(settings),
    )


def _course_choices(settings: Settings) -> dict[str, Any]:
    """The course types a new case may be, by the municipality's names, and the default."""
    rules = settings.course_rules
    return {
        "course_types": [(t, rules.of_type(t).name) for t in CourseType],
        "default_course_type": settings.default_course_type(),
        "ressourceforloeb_cutoff": settings.ressourceforloeb_cutoff,
    }


# The new-case form's fields by their labels, in the form's order.
NEW_CASE_FIELDS = {
    "cpr": "Borgerens CPR-nummer",
    "name": "Borgerens navn",
    "course_type": "Forløbets type",
    "referred_on": "Visitationsdato",
    "coordinator_id": "Koordinerende sagsbehandler",
}


@router.post("/cases/new")
async def new_case(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
) -> Response:
    form = await form_of(request)
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
            course_type=_parse_course_type(form.get("course_type"))
            or settings.default_course_type(),
        )
    except (ServiceError, ValidationError) as error:
        choices = await in_session(open_session, coordinators)
        errors = error_messages(error)
        # A field's problem is told once, at the field; the banner names the fields and
        # links to them, and tells in words only what belongs to no field.
        wrong = [(field, label) for field, label in NEW_CASE_FIELDS.items() if field in errors]
        general = [text for field, text in errors.items() if field not in NEW_CASE_FIELDS]
        return page(
            request,
            "new_case.html",
            user,
            status=status_of(error),
            coordinators=choices,
            form=form,
            errors=errors,
            wrong_fields=wrong,
            error=" ".join(["Sagen er ikke oprettet.", *general]) if general else None,
            **_course_choices(settings),
        )
    await flash(request, f"Sagen for {citizen.name} er oprettet og visiteret.")
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


def _parse_course_type(raw: str | None) -> CourseType | None:
    if not raw:
        return None
    if raw not in CourseType._value2member_map_:
        raise Invalid("Vælg forløbets type.")
    return CourseType(raw)


def _parse_uuid(raw: str | None) -> uuid.UUID | None:
    if not raw:
        return None
    try:
        return uuid.UUID(raw)
    except ValueError:
        raise Invalid("Den valgte koordinerende sagsbehandler findes ikke.") from None
