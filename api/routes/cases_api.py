"""JSON endpoints for citizens and cases; every action on a case is a workflow update."""

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from api import case_service
from api.case_actions import ACTIONS, CaseAction
from api.case_views import case_detail, case_public
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep
from api.errors import Forbidden, NotFound
from api.permissions import CREATES_CASES, SEES_ALL_CASES
from models.case import ActionResult, Case, CaseCreate, CaseDetail, CasePublic
from models.citizen import Citizen, CitizenCreate, CitizenPublic
from models.enums import Stage
from models.staff import Staff

router = APIRouter(prefix="/api")


@router.post("/citizens", status_code=201, response_model=CitizenPublic, tags=["borgere"])
def register_citizen(open_session: OpenSessionDep, user: UserDep, data: CitizenCreate) -> Citizen:
    """Register a citizen by CPR number and name."""
    return case_service.register_citizen(open_session, user=user, data=data)


@router.get("/citizens/{citizen_id}", response_model=CitizenPublic, tags=["borgere"])
def get_citizen(session: SessionDep, user: UserDep, citizen_id: uuid.UUID) -> Citizen:
    if user.role not in (*CREATES_CASES, *SEES_ALL_CASES):
        raise Forbidden("Du har ikke adgang til borgeroplysninger.")
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound("Borgeren findes ikke.")
    return citizen


@router.post("/cases", status_code=201, response_model=CaseDetail, tags=["sager"])
async def create_case(
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    data: CaseCreate,
) -> CaseDetail:
    """Refer a citizen to the rehabilitation team: the case and its workflow start together."""
    case = await case_service.create_case(
        open_session,
        temporal,
        task_queue=settings.task_queue,
        user=user,
        citizen_id=data.citizen_id,
        coordinator_id=data.coordinator_id,
        referred_on=data.referred_on,
    )
    return await run_in_threadpool(_detail, open_session, user, case.id)


@router.get("/cases", response_model=list[CasePublic], tags=["sager"])
def list_cases(session: SessionDep, user: UserDep, stage: Stage | None = None) -> list[CasePublic]:
    """The cases I may see: my own as coordinator, all as manager."""
    return [
        case_public(case, citizen, coordinator)
        for case, citizen, coordinator in case_service.visible_cases(
            session, user=user, stage=stage
        )
    ]


@router.get("/cases/{case_id}", response_model=CaseDetail, tags=["sager"])
def get_case(session: SessionDep, user: UserDep, case_id: uuid.UUID) -> CaseDetail:
    case = case_service.load_visible_case(session, user=user, case_id=case_id)
    return case_detail(session, case)


def _detail(open_session: OpenSessionDep, user: Staff, case_id: uuid.UUID) -> CaseDetail:
    with open_session() as session:
        case = case_service.load_visible_case(session, user=user, case_id=case_id)
        return case_detail(session, case)


def _action_endpoint(action: CaseAction) -> Callable[..., Awaitable[Response | ActionResult]]:
    command_type = action.command

    async def endpoint(
        open_session: OpenSessionDep,
        temporal: TemporalDep,
        settings: SettingsDep,
        user: UserDep,
        case_id: uuid.UUID,
        command: command_type,  # type: ignore[valid-type]
    ) -> Response | ActionResult:
        case = await run_in_threadpool(_load, open_session, user, case_id)
        try:
            event = await case_service.act(
                temporal,
                user=user,
                case=case,
                command=command,
                wait=settings.update_wait,
            )
        except case_service.ActionPending as pending:
            return JSONResponse({"summary": pending.message, "case": None}, status_code=202)
        detail = await run_in_threadpool(_detail, open_session, user, case_id)
        return ActionResult(summary=event.summary, case=detail)

    endpoint.__name__ = action.slug.replace("-", "_")
    endpoint.__doc__ = action.label
    return endpoint


def _load(open_session: OpenSessionDep, user: Staff, case_id: uuid.UUID) -> Case:
    with open_session() as session:
        return case_service.load_visible_case(session, user=user, case_id=case_id)


for _action in ACTIONS.values():
    router.add_api_route(
        f"/cases/{{case_id}}/{_action.slug}",
        _action_endpoint(_action),
        methods=["POST"],
        response_model=ActionResult,
        summary=_action.label,
        tags=["sagsforløb"],
        responses={
            202: {"description": "Modtaget; visningen opdateres om et øjeblik"},
            403: {"description": "Ikke din sag"},
            404: {"description": "Sagen findes ikke"},
            409: {"description": "Handlingen passer ikke til sagens fase"},
            422: {"description": "Ugyldige værdier"},
            503: {"description": "Temporal eller databasen svarer ikke"},
        },
    )
