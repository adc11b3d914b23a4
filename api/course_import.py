"""Bringing the running courses in from the municipality's current system.

`forloeb import FILE.csv [--dry-run] [--as USERNAME]` and the administrator's page
/admin/import read the same file and run the same checks. Every line is checked before
anything is written, and a dry run stops there. Then each good line becomes a case whose
workflow starts at the line's stage with its original dates (models/registration.py), for a
new citizen or for a known one without an open case; a bad line is reported and leaves
nothing behind. The file's format is in api/course_file.py.

Running the same file again changes nothing: a citizen who already has an open case is
reported as "findes allerede" and skipped. A line is written all or nothing: the case row
and its workflow together (api.case_service.create_case), and a citizen registered for the
line is removed again if its case could not be created; a citizen known before keeps the
name the service has. The open tasks travel inside the registration, so the workflow begins
with them on their original days; a line whose task the check refuses is not written at all,
and the same file, put right, adds it whole on the next run.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import anyio
from sqlalchemy import delete, exists
from sqlmodel import col, select
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client
from temporalio.service import RPCError

from api.case_service import create_case, register_citizen
from api.course_file import (
    MAX_BYTES,
    CheckedLine,
    ImportReport,
    LineReport,
    LineStatus,
    check_lines,
    read_rows,
)
from api.errors import Conflict, Forbidden, Invalid, ServiceError
from api.permissions import actor
from models.case import Case
from models.citizen import Citizen, CitizenCreate
from models.danish_time import local_date
from models.db import SessionFactory, transaction
from models.enums import Role
from models.registration import RegisteredCourse
from models.rules import CourseRules
from models.settings import Settings
from models.staff import Staff

# Lines written at once: each waits on a short transaction, a workflow start and the worker,
# not on this process, and more than this only lengthens the database's and Temporal's queues.
CONCURRENCY = 24
# How long a line waits for the worker to project its course: an import shares the worker
# with everyone else's work, so it is patient.
PATIENCE = timedelta(seconds=60)
# This many lines in a row whose course the worker did not project in time: it is not
# running, and the rest of the import goes on without waiting for it.
_GIVE_UP = 3


async def check_file(
    open_session: SessionFactory, *, data: bytes, rules: CourseRules
) -> ImportReport:
    """A dry run: every line's problems, and what would be written; nothing is."""
    report, _ = await _checked(open_session, data, rules, dry_run=True)
    return report


async def import_file(
    open_session: SessionFactory,
    client: Client,
    *,
    data: bytes,
    user: Staff,
    settings: Settings,
    concurrency: int = CONCURRENCY,
    progress: Callable[[LineReport], None] | None = None,
) -> ImportReport:
    """Check every line, then write the good ones, up to `concurrency` at a time."""
    if user.role != Role.ADMIN:
        raise Forbidden("Kun en administrator kan indlæse forløb.")
    report, courses = await _checked(open_session, data, settings.course_rules, dry_run=False)
    gate = anyio.Semaphore(concurrency)
    pace = _Pace(open_session, PATIENCE)

    async def write(course: CheckedLine) -> None:
        async with gate:
            await _write(open_session, client, user, settings, course, pace)
        if progress is not None:
            progress(course.report)

    async with anyio.create_task_group() as group:
        for course in courses:
            group.start_soon(write, course)
    return report


async def _checked(
    open_session: SessionFactory, data: bytes, rules: CourseRules, *, dry_run: bool
) -> tuple[ImportReport, list[CheckedLine]]:
    if len(data) > MAX_BYTES:
        too_big = f"Filen er større end {MAX_BYTES // (1024 * 1024)} MB; del den op."
        return ImportReport(dry_run, file_problems=[too_big]), []
    # Off the event loop: reading thousands of lines would hold up every other request.
    rows, file_problems = await run_in_threadpool(read_rows, data)
    if file_problems:
        return ImportReport(dry_run, file_problems=file_problems), []
    today = local_date(datetime.now(UTC))
    lines, courses = await run_in_threadpool(
        check_lines, open_session, rows, today=today, rules=rules
    )
    return ImportReport(dry_run, lines), courses


class _Pace:
    """Holds each line's place until the worker has projected its course. The import then
    goes at the worker's speed, and its backlog on the task queue stays at the number of lines
    in flight: the service's users, whose actions share that queue, do not wait behind
    thousands of new courses. A worker that projects none of several courses in a row in time
    is not running: the rest of the import goes on without it, and the courses are projected
    when it starts.
    """

    def __init__(self, open_session: SessionFactory, wait: timedelta) -> None:
        self.open_session = open_session
        self.wait = wait.total_seconds()
        self.missed = 0  # in a row

    async def projected(self, case_id: uuid.UUID) -> None:
        if self.missed >= _GIVE_UP:
            return
        delay = 0.05
        with anyio.move_on_after(self.wait) as scope:
            while not await run_in_threadpool(self._projected, case_id):
                await anyio.sleep(delay)
                delay = min(delay * 2, 0.5)
        self.missed = self.missed + 1 if scope.cancelled_caught else 0

    def _projected(self, case_id: uuid.UUID) -> bool:
        with self.open_session() as session:
            seq = session.exec(select(Case.last_seq).where(Case.id == case_id)).first()
        return seq is not None and seq >= 1


async def _write(
    open_session: SessionFactory,
    client: Client,
    user: Staff,
    settings: Settings,
    course: CheckedLine,
    pace: _Pace,
) -> None:
    try:
        case = await _create(open_session, client, user, settings, course)
    except (ServiceError, RPCError) as error:
        course.report.status = LineStatus.REFUSED
        course.report.problems.append(_reason(error))
        return
    course.report.status = LineStatus.CREATED
    await pace.projected(case.id)


async def _create(
    open_session: SessionFactory,
    client: Client,
    user: Staff,
    settings: Settings,
    course: CheckedLine,
) -> Case:
    citizen_id, registered_now = await run_in_threadpool(_citizen, open_session, user, course)
    try:
        return await create_case(
            open_session,
            client,
            task_queue=settings.task_queue,
            user=user,
            citizen_id=citizen_id,
            coordinator_id=course.coordinator_id,
            referred_on=course.referred_on,
            course_type=course.course_type,
            registered=_given_by(course.registered, user),
        )
    except BaseException:
        if registered_now:
            # Shielded, as create_case removes its row: the line leaves nothing behind.
            with anyio.CancelScope(shield=True):
                await run_in_threadpool(_forget_citizen, open_session, citizen_id)
        raise


def _given_by(registered: RegisteredCourse, user: Staff) -> RegisteredCourse:
    """The registration with its open tasks given by the administrator who imports them, as
    the case page gives a task in the name of the one who sends it."""
    tasks = [task.model_copy(update={"actor": actor(user)}) for task in registered.tasks]
    return registered.model_copy(update={"tasks": tasks})


def _citizen(
    open_session: SessionFactory, user: Staff, course: CheckedLine
) -> tuple[uuid.UUID, bool]:
    """The citizen's id, and whether this line registered them."""
    data = CitizenCreate(cpr=course.cpr, name=course.name)
    try:
        return register_citizen(open_session, user=user, data=data).id, True
    except Conflict:
        # Known already, without an open case (the check saw to that): the course is theirs.
        with open_session() as session:
            known = session.exec(select(Citizen.id).where(Citizen.cpr == course.cpr)).one()
        return known, False


def _forget_citizen(open_session: SessionFactory, citizen_id: uuid.UUID) -> None:
    with transaction(open_session) as session:
        session.exec(
            delete(Citizen).where(
                col(Citizen.id) == citizen_id,
                ~exists().where(col(Case.citizen_id) == citizen_id),
            )
        )


def _reason(error: ServiceError | RPCError) -> str:
    if isinstance(error, ServiceError):
        return error.message
    return "Sagsmotoren (Temporal) svarer ikke eller afviste linjen; kør indlæsningen igen."


def importer(open_session: SessionFactory, username: str | None) -> Staff:
    """The administrator an import from the command line acts as: the one named, or the only
    active one."""
    with open_session() as session:
        query = select(Staff).where(Staff.role == Role.ADMIN, col(Staff.active))
        if username:
            query = query.where(Staff.username == username)
        found = list(session.exec(query).all())
    if username and not found:
        raise Invalid(f"»{username}« er ikke en aktiv administrator.")
    if not found:
        raise Invalid("Der er ingen aktiv administrator at indlæse som; opret en først.")
    if len(found) > 1:
        raise Invalid("Der er flere administratorer; vælg den, der indlæser, med --as BRUGERNAVN.")
    return found[0]
