"""Creating cases and acting on them: validate, then start or update the workflow."""

import contextlib
import logging
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import anyio
from sqlalchemy import delete
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, or_, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import (
    Client,
    WorkflowHandle,
    WorkflowUpdateFailedError,
    WorkflowUpdateRPCTimeoutOrCancelledError,
    WorkflowUpdateStage,
)
from temporalio.exceptions import ApplicationError, WorkflowAlreadyStartedError
from temporalio.service import RPCError, RPCStatusCode

from api import access_log, metrics
from api.action_fields import fill
from api.case_actions import refusal_for
from api.case_sight import Sight, sight_of
from api.errors import Conflict, Forbidden, Invalid, NotFound, ServiceError, Unavailable
from api.permissions import CREATES_CASES, actor
from models.actions import HEARD, Action, update_name
from models.case import Case
from models.citizen import Citizen, CitizenCreate
from models.command import Command
from models.danish_time import local_date, start_of
from models.db import SessionFactory, transaction
from models.enums import CourseType, Role, Stage
from models.programme import ProgrammeInput, TimelineEvent, programme_workflow_id
from models.refusals import FORBIDDEN, INVALID_INPUT
from models.registration import RegisteredCourse
from models.settings import Settings
from models.staff import Staff
from models.task import Task, TaskCommand

# The workflow type by name, as the worker registers it: the API starts workflows without
# importing their code.
PROGRAMME_WORKFLOW = "ProgrammeWorkflow"

_REFUSALS: dict[str | None, type[ServiceError]] = {FORBIDDEN: Forbidden, INVALID_INPUT: Invalid}


class ActionPending(Exception):
    """The workflow accepted the action but has not finished projecting it yet."""

    message = "Handlingen er modtaget; sagen opdateres om et øjeblik."


def register_citizen(open_session: SessionFactory, *, user: Staff, data: CitizenCreate) -> Citizen:
    """Register a citizen; a CPR number already known is a conflict, not a duplicate."""
    if user.role not in CREATES_CASES:
        raise Forbidden("Kun koordinerende sagsbehandlere kan oprette borgere.")
    with transaction(open_session) as session:
        if session.exec(select(Citizen).where(Citizen.cpr == data.cpr)).first() is not None:
            raise Conflict("Der findes allerede en borger med dette CPR-nummer.")
        citizen = Citizen(cpr=data.cpr, name=data.name, created_at=datetime.now(UTC))
        session.add(citizen)
    return citizen


async def create_case(
    open_session: SessionFactory,
    client: Client,
    *,
    task_queue: str,
    user: Staff,
    citizen_id: uuid.UUID,
    coordinator_id: uuid.UUID | None,
    referred_on: date | None,
    course_type: CourseType,
    registered: RegisteredCourse | None = None,
) -> Case:
    """Refer a citizen: write the case row and start its workflow, or do neither. A course
    `registered` as already running starts at its stage with its dates (models/registration.py).

    The row is committed first, in a short transaction of its own, and the workflow started
    after it, so no transaction waits on Temporal. If the start fails, the row is removed
    again; if this process dies between the two, the next worker to start begins the
    workflow of every row left without one (start_unstarted_workflows), so neither survives
    without the other.
    """
    case = await run_in_threadpool(
        _write_case,
        open_session,
        user=user,
        citizen_id=citizen_id,
        coordinator_id=coordinator_id,
        referred_on=referred_on,
        course_type=course_type,
        registered=registered,
    )
    try:
        await _start_workflow(client, case, task_queue)
    except BaseException:
        # Shielded: a client that goes away must not leave the row behind.
        with anyio.CancelScope(shield=True):
            await run_in_threadpool(_remove_unstarted, open_session, case.id)
        raise
    return case


def _write_case(
    open_session: SessionFactory,
    *,
    user: Staff,
    citizen_id: uuid.UUID,
    coordinator_id: uuid.UUID | None,
    referred_on: date | None,
    course_type: CourseType,
    registered: RegisteredCourse | None,
) -> Case:
    if user.role not in CREATES_CASES:
        raise Forbidden("Kun koordinerende sagsbehandlere kan oprette sager.")
    coordinator_id = coordinator_id or user.id
    if user.role == Role.COORDINATOR and coordinator_id != user.id:
        raise Forbidden("Du kan kun oprette sager, som du selv er koordinerende sagsbehandler på.")
    today = local_date(datetime.now(UTC))
    referred_on = referred_on or today
    problem = referral_problem(referred_on, today)
    if problem is not None:
        raise Invalid(problem)
    referred_at = datetime.now(UTC) if referred_on == today else start_of(referred_on)
    try:
        with transaction(open_session) as session:
            coordinator = session.get(Staff, coordinator_id)
            if (
                coordinator is None
                or coordinator.role != Role.COORDINATOR
                or not coordinator.active
            ):
                raise Invalid("Den valgte koordinerende sagsbehandler findes ikke.")
            if session.get(Citizen, citizen_id) is None:
                raise NotFound("Borgeren findes ikke.")
            open_case = session.exec(
                select(Case.id).where(Case.citizen_id == citizen_id, Case.stage != Stage.CLOSED)
            ).first()
            if open_case is not None:
                raise Conflict(_ALREADY_OPEN)
            case_id = uuid.uuid4()
            case = Case(
                id=case_id,
                citizen_id=citizen_id,
                coordinator_id=coordinator_id,
                workflow_id=programme_workflow_id(str(case_id)),
                course_type=course_type,
                registered=registered is not None,
                stage=Stage.REFERRED,
                referred_at=referred_at,
                # Until the workflow's first projection replaces the facts, they hold what
                # starting it needs, should this process die before it does.
                facts={REGISTRATION: registered.model_dump(mode="json")} if registered else {},
                updated_at=datetime.now(UTC),
            )
            session.add(case)
    except IntegrityError:
        # Another request opened a case for the same citizen in the same moment.
        raise Conflict(_ALREADY_OPEN) from None
    return case


_ALREADY_OPEN = "Borgeren har allerede en åben sag."


def referral_problem(referred_on: date, today: date) -> str | None:
    """Why a case cannot be referred on this day, in Danish; None when it can. The import
    (api/course_import.py) asks it of every line before it writes anything."""
    if referred_on > today:
        return "Visitationsdatoen kan ikke ligge i fremtiden."
    if referred_on < today - timedelta(days=5 * 366):
        return "Visitationsdatoen kan højst ligge 5 år tilbage."
    return None


# The key in a new case row's facts that holds the course registered as running.
REGISTRATION = "registration"


def _programme_input(case: Case) -> ProgrammeInput:
    registration = case.facts.get(REGISTRATION) if case.last_seq == 0 else None
    return ProgrammeInput(
        case_id=str(case.id),
        citizen_id=str(case.citizen_id),
        coordinator_id=str(case.coordinator_id),
        referred_at=case.referred_at,
        course_type=case.course_type,
        registered=RegisteredCourse.model_validate(registration) if registration else None,
    )


async def _start_workflow(client: Client, case: Case, task_queue: str) -> None:
    # Started before: by start_unstarted_workflows, or by a request whose answer was lost.
    with contextlib.suppress(WorkflowAlreadyStartedError):
        await client.start_workflow(
            PROGRAMME_WORKFLOW, _programme_input(case), id=case.workflow_id, task_queue=task_queue
        )


def _remove_unstarted(open_session: SessionFactory, case_id: uuid.UUID) -> None:
    # A workflow that did start after all projects its referral (last_seq 1) and writes the
    # row again itself.
    with transaction(open_session) as session:
        session.exec(delete(Case).where(col(Case.id) == case_id, col(Case.last_seq) == 0))


async def start_unstarted_workflows(
    open_session: SessionFactory, client: Client, task_queue: str, *, older_than: timedelta
) -> int:
    """Start the workflow of every case row that has none yet: left behind by a process that
    died between writing the row and starting the workflow. Returns how many were started."""
    cutoff = datetime.now(UTC) - older_than
    cases = await run_in_threadpool(_unprojected_cases, open_session, cutoff)
    for case in cases:
        await _start_workflow(client, case, task_queue)
    return len(cases)


def _unprojected_cases(open_session: SessionFactory, cutoff: datetime) -> list[Case]:
    with open_session() as session:
        # Still at referral with last_seq 0: the workflow has not projected its referral, so
        # it may never have started.
        query = select(Case).where(
            Case.stage == Stage.REFERRED, Case.last_seq == 0, col(Case.updated_at) < cutoff
        )
        return list(session.exec(query).all())


def open_case(session: Session, *, user: Staff, case_id: uuid.UUID) -> tuple[Case, Sight]:
    """The case and what the user sees of it (api/case_sight.py)."""
    case = session.get(Case, case_id)
    sight = sight_of(session, user, case) if case is not None else None
    if case is None or sight is None:
        # Not telling a user that a case they may not see exists.
        raise NotFound("Sagen findes ikke.")
    return case, sight


def load_visible_case(session: Session, *, user: Staff, case_id: uuid.UUID) -> Case:
    return open_case(session, user=user, case_id=case_id)[0]


def can_view(session: Session, *, user: Staff, case_id: uuid.UUID) -> bool:
    case = session.get(Case, case_id)
    return case is not None and sight_of(session, user, case) is not None


async def run_case_action(
    open_session: SessionFactory,
    client: Client,
    *,
    user: Staff,
    case_id: uuid.UUID,
    action: Action,
    command: Command,
    settings: Settings,
) -> TimelineEvent:
    """Check who may act, complete the command from the database, and send it."""

    def prepare() -> Case:
        with open_session() as session:
            case = load_visible_case(session, user=user, case_id=case_id)
            refused = refusal_for(action, user, case)
            if refused is not None:
                raise Forbidden(refused)
            fill(session, user, case, command, settings)
            access_log.record(session, user, [case.id], f"Handling: {action.label}")
            return case

    case = await run_in_threadpool(prepare)
    return await act(client, user=user, case=case, command=command, wait=settings.update_wait)


async def run_task_action(
    open_session: SessionFactory,
    client: Client,
    *,
    user: Staff,
    task_id: uuid.UUID,
    action: Action,
    command: TaskCommand,
    settings: Settings,
) -> tuple[TimelineEvent, Case]:
    def prepare() -> Case:
        with open_session() as session:
            task = session.get(Task, task_id)
            case = session.get(Case, task.case_id) if task else None
            if task is None or case is None:
                raise NotFound("Opgaven findes ikke.")
            refused = refusal_for(action, user, case, task)
            if refused is not None:
                raise Forbidden(refused)
            command.task_id = str(task.id)
            fill(session, user, case, command, settings)
            access_log.record(session, user, [case.id], f"Handling på opgave: {action.label}")
            return case

    case = await run_in_threadpool(prepare)
    event = await act(client, user=user, case=case, command=command, wait=settings.update_wait)
    return event, case


async def act(
    client: Client, *, user: Staff | None, case: Case, command: Command, wait: timedelta
) -> TimelineEvent:
    """Send one command to the case's workflow and wait until it is projected."""
    # Every action, from a caseworker, a citizen or a provider's webhook, passes here once.
    try:
        event = await _send(client, user=user, case=case, command=command, wait=wait)
    except Exception as error:
        # A request cancelled because its client went away is no outcome; it is not counted.
        metrics.count_action(update_name(command), _outcome(error))
        raise
    metrics.count_action(update_name(command), "done")
    return event


async def hear(client: Client, *, case: Case, command: Command, wait: timedelta) -> None:
    """What a citizen or a provider said through a webhook, which must not be lost: as an
    action while the course answers, else as a signal Temporal keeps until a worker applies
    it (models/actions.py: HEARD). Only Temporal itself being away still fails."""
    assert update_name(command) in HEARD
    try:
        await act(client, user=None, case=case, command=command, wait=wait)
    except (Unavailable, RPCError):
        handle = client.get_workflow_handle(case.workflow_id)
        await handle.signal(update_name(command), command)
        metrics.count_action(update_name(command), "signalled")
    except ActionPending:
        pass  # taken: Temporal applies it when the course's worker answers


def _outcome(error: Exception) -> str:
    if isinstance(error, ActionPending):
        return "pending"
    if isinstance(error, Unavailable | RPCError):
        return "unavailable"
    if isinstance(error, Invalid):
        return "invalid"
    return "refused" if isinstance(error, ServiceError) else "error"


async def _send(
    client: Client, *, user: Staff | None, case: Case, command: Command, wait: timedelta
) -> TimelineEvent:
    if case.stage == Stage.CLOSED:
        raise Conflict("Sagen er lukket og kan ikke ændres.")
    # None: the citizen or a provider speaking through a verified webhook.
    command.actor = actor(user) if user is not None else None
    handle = client.get_workflow_handle(case.workflow_id)
    update_id = str(uuid.uuid4())
    # Temporal answers only when the failed task is given up, often late in the wait: the
    # retries may take a second wait.
    deadline = anyio.current_time() + 2 * wait.total_seconds()
    pauses = iter(_RETRY_PAUSES)
    while True:
        try:
            return await _update(handle, command, update_id, deadline, wait)
        except RPCError as error:
            if error.status == RPCStatusCode.NOT_FOUND:
                raise Conflict("Sagens forløb er afsluttet og kan ikke ændres.") from None
            pause = next(pauses, _LONGEST_PAUSE)
            task_failed = error.status == RPCStatusCode.FAILED_PRECONDITION
            if not task_failed or _TASK_FAILED not in error.message:
                raise
            if anyio.current_time() + pause > deadline:
                raise
            logging.getLogger("forloeb.api").warning(
                "the workflow task has failed; the update is tried again in %.1f s", pause
            )
            await anyio.sleep(pause)


# Temporal refuses an update while the workflow's last task has failed, as when its worker was
# killed or overloaded, and may drop one it had sent to that task; the next attempt of the
# task, on any worker, takes it. Retried within the request's wait under one update id, which
# Temporal keeps once, so an update that did get in is not applied twice.
_TASK_FAILED = "Workflow Task in failed state"
_RETRY_PAUSES = (0.2, 0.5, 1.0, 2.0)
_LONGEST_PAUSE = 4.0


async def _update(
    handle: WorkflowHandle[Any, Any],
    command: Command,
    update_id: str,
    deadline: float,
    wait: timedelta,
) -> TimelineEvent:
    try:
        update = await handle.start_update(
            update_name(command),
            command,
            id=update_id,
            result_type=TimelineEvent,
            wait_for_stage=WorkflowUpdateStage.ACCEPTED,
            rpc_timeout=min(wait, timedelta(seconds=max(deadline - anyio.current_time(), 0.1))),
        )
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        # Temporal may still hold the update and apply it when the workflow's worker answers,
        # so "not done" would not be true: the caseworker looks before doing it again.
        raise Unavailable(
            "Sagen svarer ikke lige nu, så handlingen er ikke bekræftet. "
            "Se sagen om lidt, før du prøver igen."
        ) from None
    except WorkflowUpdateFailedError as failed:
        raise _refusal(failed) from None
    try:
        event: TimelineEvent = await update.result(rpc_timeout=wait)
    except WorkflowUpdateRPCTimeoutOrCancelledError:
        raise ActionPending() from None
    except WorkflowUpdateFailedError as failed:
        raise _refusal(failed) from None
    return event


def _refusal(failed: WorkflowUpdateFailedError) -> ServiceError:
    cause = failed.cause
    if isinstance(cause, ApplicationError):
        return _REFUSALS.get(cause.type, Conflict)(cause.message)
    return Conflict("Handlingen kunne ikke udføres.")


def visible_cases(
    session: Session, *, user: Staff, stage: Stage | None = None
) -> list[tuple[Case, Citizen, Staff]]:
    """The cases a user may see, newest referral first, with citizen and coordinator."""
    query = (
        select(Case, Citizen, Staff)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .join(Staff, col(Staff.id) == Case.coordinator_id)
        .order_by(col(Case.referred_at).desc())
    )
    if user.role not in (Role.MANAGER, Role.ADMIN):
        # Her own cases, and those she is asked to take over.
        query = query.where(or_(Case.coordinator_id == user.id, Case.handover_to_id == user.id))
    if stage is not None:
        query = query.where(Case.stage == stage)
    return list(session.exec(query).all())
