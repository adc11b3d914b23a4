"""JSON endpoints for citizens, cases and tasks; every change is a workflow update."""

import uuid
from collections.abc import Awaitable, Callable

from fastapi import APIRouter, Response
from fastapi.responses import JSONResponse, PlainTextResponse
from sqlalchemy.exc import DBAPIError
from sqlmodel import col, func, select
from starlette.concurrency import run_in_threadpool

from api import access_log, case_service
from api.case_actions import CASE_ACTIONS, TASK_ACTIONS
from api.case_sight import seen_detail, seen_tasks
from api.case_views import case_public, plan_of
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep
from api.errors import Forbidden, NotFound, Unavailable
from api.permissions import CREATES_CASES, SEES_ALL_CASES
from api.task_views import case_tasks, department_tasks, task_public
from models.actions import DEPARTMENT_ROLES, Action
from models.case import ActionResult, Case, CaseCreate, CaseDetail, CasePublic
from models.citizen import Citizen, CitizenCreate, CitizenPublic
from models.continuity import ContinuityPlan
from models.enums import Stage
from models.programme import TimelineEvent
from models.staff import Staff
from models.task import InboxTask, Task, TaskPublic

router = APIRouter(prefix="/api")

_ERRORS = {
    202: {"description": "Modtaget; visningen opdateres om et øjeblik"},
    403: {"description": "Ikke din sag eller opgave"},
    404: {"description": "Sagen eller opgaven findes ikke"},
    409: {"description": "Handlingen passer ikke til sagens eller opgavens tilstand"},
    422: {"description": "Ugyldige værdier"},
    503: {"description": "Temporal eller databasen svarer ikke"},
}


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
    access_log.record_citizen(session, user, citizen.id, "API: borger")
    return citizen


@router.post("/cases", status_code=201, response_model=CaseDetail, tags=["sager"])
async def create_case(
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    data: CaseCreate,
) -> CaseDetail:
    """Refer a citizen to a course: the case and its workflow start together. After the
    cut-off for new ressourceforløb a case is a cross-department course unless chosen."""
    case = await case_service.create_case(
        open_session,
        temporal,
        task_queue=settings.task_queue,
        user=user,
        citizen_id=data.citizen_id,
        coordinator_id=data.coordinator_id,
        referred_on=data.referred_on,
        course_type=data.course_type or settings.default_course_type(),
    )
    return await run_in_threadpool(_detail, open_session, user, case.id)


@router.get("/cases", response_model=list[CasePublic], tags=["sager"])
def list_cases(session: SessionDep, user: UserDep, stage: Stage | None = None) -> list[CasePublic]:
    """The cases I may see: my own as coordinator, all as manager."""
    cases = case_service.visible_cases(session, user=user, stage=stage)
    access_log.record(session, user, (case.id for case, _, _ in cases), "API: sagsliste")
    return [case_public(case, citizen, coordinator) for case, citizen, coordinator in cases]


@router.get("/cases/{case_id}", response_model=CaseDetail, tags=["sager"])
def get_case(session: SessionDep, user: UserDep, case_id: uuid.UUID) -> CaseDetail:
    case, sight = case_service.open_case(session, user=user, case_id=case_id)
    detail = seen_detail(session, case, sight)
    access_log.record(session, user, [case.id], "API: sag")
    return detail


@router.get("/cases/{case_id}/tasks", response_model=list[TaskPublic], tags=["opgaver"])
def list_case_tasks(session: SessionDep, user: UserDep, case_id: uuid.UUID) -> list[TaskPublic]:
    """The case's tasks across departments, oldest first."""
    case, sight = case_service.open_case(session, user=user, case_id=case_id)
    tasks = seen_tasks(case_tasks(session, case.id), sight)
    access_log.record(session, user, [case.id], "API: sagens opgaver")
    return tasks


@router.get("/cases/{case_id}/plan", response_model=ContinuityPlan, tags=["kontinuitetsplan"])
def get_plan(
    session: SessionDep, settings: SettingsDep, user: UserDep, case_id: uuid.UUID
) -> ContinuityPlan:
    """The continuity plan: every activity, its gaps (open or justified) and overlaps."""
    case, sight = case_service.open_case(session, user=user, case_id=case_id)
    if not sight.whole:
        raise Forbidden(
            "Kontinuitetsplanen viser alle afdelingers indsatser; "
            "den er for sagens koordinerende sagsbehandler."
        )
    plan = plan_of(case)
    if plan is None:
        raise Unavailable("Planen bliver opdateret ved sagens næste hændelse. Prøv igen om lidt.")
    access_log.record(session, user, [case.id], "API: kontinuitetsplan")
    return plan


@router.get("/inbox", response_model=list[InboxTask], tags=["opgaver"])
def inbox(session: SessionDep, user: UserDep) -> list[InboxTask]:
    """Open tasks assigned to my department, oldest first."""
    if user.role not in DEPARTMENT_ROLES or user.department is None:
        raise Forbidden("Indbakken er for medarbejdere i en afdeling.")
    tasks = department_tasks(session, user.department)
    access_log.record(session, user, (task.case_id for task in tasks), "API: indbakke")
    return tasks


@router.get("/changes", response_class=PlainTextResponse, tags=["sager"])
def changes(session: SessionDep, user: UserDep) -> str:
    """A token that changes whenever a case or task changes; pages poll it to stay current."""
    latest_case = session.exec(select(func.max(Case.updated_at))).one()
    latest_task = session.exec(select(func.max(Task.updated_at), func.count(col(Task.id)))).one()
    return f"{latest_case}|{latest_task[0]}|{latest_task[1]}"


def _detail(open_session: OpenSessionDep, user: Staff, case_id: uuid.UUID) -> CaseDetail:
    with open_session() as session:
        case, sight = case_service.open_case(session, user=user, case_id=case_id)
        detail = seen_detail(session, case, sight)
        access_log.record(session, user, [case.id], "API: sag efter handling")
        return detail


def _pending(pending: case_service.ActionPending) -> Response:
    return JSONResponse({"summary": pending.message, "changed": True}, status_code=202)


def _done_unread(event: TimelineEvent) -> Response:
    """The workflow has done the action, but the database went away before the answer could
    read the case: a 503 would have the caseworker do it again. The read model catches up
    when the database is back."""
    return JSONResponse(
        {
            "summary": f"{event.summary} {case_service.ActionPending.message}",
            "changed": event.recorded,
        },
        status_code=202,
    )


def _case_endpoint(action: Action) -> Callable[..., Awaitable[Response | ActionResult]]:
    command_type = action.command

    async def endpoint(
        open_session: OpenSessionDep,
        temporal: TemporalDep,
        settings: SettingsDep,
        user: UserDep,
        case_id: uuid.UUID,
        command: command_type,  # type: ignore[valid-type]
    ) -> Response | ActionResult:
        try:
            event = await case_service.run_case_action(
                open_session,
                temporal,
                user=user,
                case_id=case_id,
                action=action,
                command=command,
                settings=settings,
            )
        except case_service.ActionPending as pending:
            return _pending(pending)
        try:
            # After a handover is accepted the sender no longer sees the case.
            detail = await run_in_threadpool(_detail_if_visible, open_session, user, case_id)
        except DBAPIError:
            return _done_unread(event)
        return ActionResult(summary=event.summary, changed=event.recorded, case=detail)

    endpoint.__name__ = action.slug.replace("-", "_")
    endpoint.__doc__ = action.label
    return endpoint


def _detail_if_visible(
    open_session: OpenSessionDep, user: Staff, case_id: uuid.UUID
) -> CaseDetail | None:
    try:
        return _detail(open_session, user, case_id)
    except NotFound:
        return None


def _task_endpoint(action: Action) -> Callable[..., Awaitable[Response | ActionResult]]:
    command_type = action.command

    async def endpoint(
        open_session: OpenSessionDep,
        temporal: TemporalDep,
        settings: SettingsDep,
        user: UserDep,
        task_id: uuid.UUID,
        command: command_type,  # type: ignore[valid-type]
    ) -> Response | ActionResult:
        try:
            event, _ = await case_service.run_task_action(
                open_session,
                temporal,
                user=user,
                task_id=task_id,
                action=action,
                command=command,
                settings=settings,
            )
        except case_service.ActionPending as pending:
            return _pending(pending)
        try:
            task = await run_in_threadpool(_task, open_session, task_id)
        except DBAPIError:
            return _done_unread(event)
        return ActionResult(summary=event.summary, changed=event.recorded, task=task)

    endpoint.__name__ = f"task_{action.slug}"
    endpoint.__doc__ = action.label
    return endpoint


def _task(open_session: OpenSessionDep, task_id: uuid.UUID) -> TaskPublic:
    with open_session() as session:
        task = session.get(Task, task_id)
        assert task is not None  # it was found before the action
        assignee = session.get(Staff, task.assignee_id) if task.assignee_id else None
        return task_public(task, assignee.full_name if assignee else None)


for _case_action in CASE_ACTIONS.values():
    router.add_api_route(
        f"/cases/{{case_id}}/{_case_action.slug}",
        _case_endpoint(_case_action),
        methods=["POST"],
        response_model=ActionResult,
        summary=_case_action.label,
        tags=["sagsforløb"],
        responses=_ERRORS,  # type: ignore[arg-type]
    )

for _task_action in TASK_ACTIONS.values():
    router.add_api_route(
        f"/tasks/{{task_id}}/{_task_action.slug}",
        _task_endpoint(_task_action),
        methods=["POST"],
        response_model=ActionResult,
        summary=_task_action.label,
        tags=["opgaver"],
        responses=_ERRORS,  # type: ignore[arg-type]
    )
