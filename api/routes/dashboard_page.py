"""The managers' dashboard (/leder): the key figures per course type, stalled and waiting
cases, waiting times, caseloads, the phase-out of the ressourceforløb, timing, progression
measurement and outcomes; every number drills down to its cases, every table exports as CSV.

The figures are read live from the SQL read model, which the workflows' projections keep
up to date at every event; the page says when it was read, and nothing is cached.
"""

from collections.abc import Callable
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import Session, col, select

from api import access_log
from api.dashboard import (
    caseload,
    course_types,
    delivery,
    meetings,
    outcomes,
    phase_out,
    progression,
    stalled,
    timing,
    waiting,
    waiting_times,
)
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section
from api.dashboard.tables import Table
from api.deps import SessionDep, SettingsDep, UserDep
from api.errors import Forbidden, Invalid, NotFound
from api.page_helpers import page
from models.danish_time import local_date
from models.enums import CourseType, Department, Role
from models.rules import CourseRules
from models.staff import Staff

router = APIRouter(include_in_schema=False)
VIEWERS = (Role.MANAGER, Role.ADMIN, Role.DEPARTMENT_LEAD)
QUARTERS_OFFERED = 12


def _params(request: Request, user: Staff) -> dict[str, str]:
    if user.role not in VIEWERS:
        raise Forbidden("Overblikket er for ledere og afdelingsledere.")
    params = dict(request.query_params)
    if user.role == Role.DEPARTMENT_LEAD and user.department:
        # A lead sees her own department's figures and the citizens behind them, no other's.
        params["afdeling"] = user.department.value
    return params


def _filters(request: Request, user: Staff, now: datetime) -> tuple[Filters, list[str]]:
    return Filters.parse(_params(request, user), local_date(now))


Build = Callable[[Session, Filters, CourseRules, datetime], Section]
# The dashboard's parts, in page order, by the key of their table.
SECTIONS: dict[str, Build] = {
    "typer": lambda s, f, rules, now: course_types.build(s, f, rules),
    "staaet": lambda s, f, rules, now: stalled.build(s, f, rules, now),
    "venter": lambda s, f, rules, now: waiting.build(s, f, now),
    "brud": lambda s, f, rules, now: waiting.trend(s, f, local_date(now)),
    "ventetider": lambda s, f, rules, now: waiting_times.build(s, f, rules, local_date(now)),
    "sagsstamme": lambda s, f, rules, now: caseload.build(s, f, rules),
    "udfasning": lambda s, f, rules, now: phase_out.build(s, f, rules, now),
    "timing": lambda s, f, rules, now: timing.build(s, f),
    "progression": lambda s, f, rules, now: progression.build(s, f, now),
    "udfald": lambda s, f, rules, now: outcomes.build(s, f),
    "moeder": lambda s, f, rules, now: meetings.build(s, f),
    "levering": lambda s, f, rules, now: delivery.build(s, f, now),
}


@router.get("/leder")
def dashboard(
    request: Request, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    now = datetime.now(UTC)
    filters, problems = _filters(request, user, now)
    coordinators = session.exec(
        select(Staff)
        .where(Staff.role == Role.COORDINATOR, col(Staff.active))
        .order_by(col(Staff.full_name))
    ).all()
    sections = {
        key: build(session, filters, settings.course_rules, now) for key, build in SECTIONS.items()
    }
    named = set().union(*(section.table.cases() for section in sections.values()))
    access_log.record(session, user, named, "Overblik")
    return page(
        request,
        "dashboard.html",
        user,
        # The page shows the default view, and says why the rest was not used.
        status=422 if problems else 200,
        error=" ".join(problems) or None,
        filters=filters,
        sections=sections,
        departments=list(Department),
        coordinators=coordinators,
        course_types=list(CourseType),
        quarters=list(reversed(Quarter.of(local_date(now)).back(QUARTERS_OFFERED))),
        read_at=now,
    )


@router.get("/leder/sager")
def drill_down(
    request: Request, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    """The cases behind one number; `format=csv` downloads them."""
    now = datetime.now(UTC)
    filters, problems = _filters(request, user, now)
    if problems:
        raise Invalid(" ".join(problems))
    params = _params(request, user)
    drill = DRILLS.get(params.get("vis", ""))
    if drill is None:
        raise NotFound("Den liste findes ikke.")
    try:
        table = drill(session, filters, settings.course_rules, params, now)
    except (KeyError, ValueError):
        raise Invalid(
            "Listen kan ikke vises: adressen mangler eller har en forkert værdi."
        ) from None
    access_log.record(session, user, table.cases(), f"Overblik, liste: {table.title}")
    if params.get("format") == "csv":
        return _csv(table, filters)
    return page(
        request,
        "drill_down.html",
        user,
        table=table,
        filters=filters,
        back=filters.link("/leder"),
        csv_link=f"{request.url.path}?{request.url.query}&format=csv",
    )


@router.get("/leder/{key}.csv")
def export(
    key: str, request: Request, session: SessionDep, settings: SettingsDep, user: UserDep
) -> Response:
    """A dashboard table as CSV; the stalled cases in full, not only those shown."""
    now = datetime.now(UTC)
    filters, problems = _filters(request, user, now)
    if problems:
        raise Invalid(" ".join(problems))
    if key == "staaet":
        table = stalled.everything(session, filters, now)
    elif (build := SECTIONS.get(key)) is not None:
        table = build(session, filters, settings.course_rules, now).table
    else:
        raise NotFound("Den tabel findes ikke.")
    access_log.record(session, user, table.cases(), f"CSV-udtræk: {table.title}")
    return _csv(table, filters)


def _csv(table: Table, filters: Filters) -> Response:
    # A byte order mark, so Excel reads the Danish letters as UTF-8.
    chosen = f"-{filters.course_type.value}" if filters.course_type else ""
    name = f"forloeb-{table.key}-{filters.quarter.code}{chosen}.csv"
    return Response(
        "\ufeff" + table.csv(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


Drill = Callable[[Session, Filters, CourseRules, dict[str, str], datetime], Table]
DRILLS: dict[str, Drill] = {
    "typer": lambda s, f, rules, p, now: course_types.cases(s, f, rules, p),
    "staaet": lambda s, f, rules, p, now: stalled.everything(
        s, f, now, int(p["alder"]) if "alder" in p else None
    ),
    "venter": lambda s, f, rules, p, now: waiting.waiting_cases(s, f, p, now),
    "brud": lambda s, f, rules, p, now: waiting.breach_cases(s, f, p),
    "ventetid": lambda s, f, rules, p, now: waiting_times.wait_cases(s, f, p, local_date(now)),
    "sagsstamme": lambda s, f, rules, p, now: caseload.cases(s, f),
    "udfasning": lambda s, f, rules, p, now: phase_out.cases(s, f, p, now),
    "timing": lambda s, f, rules, p, now: timing.cases(s, f, p),
    "progression": lambda s, f, rules, p, now: progression.cases(s, f, p, now),
    "udfald": lambda s, f, rules, p, now: outcomes.cases(s, f, p),
    "moeder": lambda s, f, rules, p, now: meetings.cases(s, f, p),
    "levering": lambda s, f, rules, p, now: delivery.cases(s, f, p, now),
}
