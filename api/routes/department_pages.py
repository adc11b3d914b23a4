"""A department's inbox, its lead's queue, and the one-click task actions from them."""

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError

from api import access_log, case_service
from api.case_actions import TASK_ACTIONS
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep, in_session
from api.errors import Forbidden, NotFound, ServiceError
from api.page_helpers import (
    command_fields,
    error_messages,
    flash,
    form_of,
    page,
    safe_next,
    status_of,
)
from api.task_views import colleagues, department_tasks, upcoming_invites
from models.actions import DEPARTMENT_ROLES
from models.enums import Role
from models.staff import Staff

router = APIRouter(include_in_schema=False)


def _department_of(user: Staff) -> Staff:
    if user.role not in DEPARTMENT_ROLES or user.department is None:
        raise Forbidden("Siden er for medarbejdere i en afdeling.")
    return user


@router.get("/inbox")
def inbox(request: Request, session: SessionDep, user: UserDep) -> Response:
    return _render_inbox(request, session, user)


def _render_inbox(
    request: Request,
    session: SessionDep,
    user: Staff,
    status: int = 200,
    error: str | None = None,
    failed: str | None = None,
) -> Response:
    department = _department_of(user).department
    assert department is not None
    tasks = department_tasks(session, department)
    invites = upcoming_invites(session, user)
    shown = [task.case_id for task in tasks] + [invite.case_id for invite, _ in invites]
    access_log.record(session, user, shown, "Indbakke")
    return page(
        request,
        "inbox.html",
        user,
        status=status,
        error=error,
        failed=failed,
        tasks=tasks,
        invites=invites,
        colleagues=[c for c in colleagues(session, department) if c.role in DEPARTMENT_ROLES],
    )


@router.get("/queue")
def queue(request: Request, session: SessionDep, user: UserDep) -> Response:
    department = _department_of(user).department
    if user.role != Role.DEPARTMENT_LEAD or department is None:
        raise Forbidden("Afdelingens kø er for afdelingslederen.")
    tasks = department_tasks(session, department)
    access_log.record(session, user, (task.case_id for task in tasks), "Afdelingens kø")
    breached = [t for t in tasks if t.breach]
    return page(
        request,
        "queue.html",
        user,
        tasks=sorted(tasks, key=lambda t: (t.breach is None,)),
        breached=breached,
        colleagues=[c for c in colleagues(session, department) if c.role in DEPARTMENT_ROLES],
    )


@router.post("/tasks/{task_id}/{slug}")
async def task_action(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    task_id: str,
    slug: str,
) -> Response:
    action = TASK_ACTIONS.get(slug)
    try:
        parsed = uuid.UUID(task_id)
    except ValueError:
        action = None
    if action is None:
        raise NotFound("Opgaven eller handlingen findes ikke.")
    form = await form_of(request)
    back = safe_next(form.get("next"), "/inbox")
    try:
        command = action.command.model_validate(command_fields(form))
        event, _ = await case_service.run_task_action(
            open_session,
            temporal,
            user=user,
            task_id=parsed,
            action=action,
            command=command,  # type: ignore[arg-type]
            settings=settings,
        )
    except case_service.ActionPending as pending:
        await flash(request, pending.message)
    except (ServiceError, ValidationError) as error:
        message = f"{action.label}: " + " ".join(error_messages(error).values())
        if back.startswith("/inbox") and user.role in DEPARTMENT_ROLES:
            status = status_of(error)
            return await in_session(
                open_session,
                lambda session: _render_inbox(
                    request, session, user, status=status, error=message, failed=task_id
                ),
            )
        await flash(request, message)
    else:
        await flash(request, event.summary)
    return RedirectResponse(back, status_code=303)
