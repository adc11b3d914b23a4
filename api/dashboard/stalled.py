"""Stalled cases now: why, since when and which department they wait on."""

from datetime import datetime

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from api.dashboard.case_list import COORDINATOR, with_people
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.definitions import HEALTH_COORDINATOR, days, shown_types, stage_limits
from api.dashboard.filters import Filters
from api.dashboard.period import SINCE_EVER
from api.dashboard.section import Section, citizen_cell
from api.dashboard.tables import Cell, Table
from api.dashboard.waiting import AGES, age_index, age_label
from api.templating import danish_date
from models.case import Case
from models.citizen import Citizen
from models.danish_time import local_date
from models.enums import Department, Stage
from models.rules import CourseRules

SHOWN = 50


def definition(rules: CourseRules, filters: Filters) -> str:
    limits = "\n\n".join(
        f"{rules.of_type(t).name}: {stage_limits(rules, t)}."
        for t in shown_types(filters.course_type)
    )
    return (
        f"En sag er gået i stå, når planen har et hul uden aktivitet på over "
        f"{days(rules.gap_threshold_days)}, der ikke er en begrundet pause; når der ikke er "
        f"aftalt et nyt møde {days(rules.no_next_appointment_days)} efter et holdt møde; eller "
        "når en fase før forløbet står stille længere end forløbstypens grænse for fasen. "
        f"Workflowet holder øje med det døgnet rundt.\n\n{limits}"
    )


def _stalled(
    session: Session, filters: Filters, limit: int | None = None
) -> list[tuple[Case, str, str]]:
    """Stalled open cases, the longest stalled first."""
    rows = session.exec(
        with_people(select(Case, Citizen.name, COORDINATOR.full_name))
        .where(*stalled_where(filters))
        .order_by(col(Case.stalled_since))
        .limit(limit)
    )
    return [(case, citizen, name) for case, citizen, name in rows]


def stalled_where(filters: Filters) -> list[ColumnElement[bool]]:
    return [col(Case.stalled_since) >= SINCE_EVER, col(Case.stage) != Stage.CLOSED, filters.cases()]


def _rows(table: Table, rows: list[tuple[Case, str, str]], now: datetime) -> None:
    for case, citizen, coordinator in rows:
        assert case.stalled_since is not None
        parties = [Department(d).label for d in filter(None, case.waiting_on.split(","))]
        if case.stage == Stage.HEALTH_ADVICE:
            parties.append(HEALTH_COORDINATOR)
        waits = ", ".join(parties)
        table.rows.append(
            [
                citizen_cell(case.id, citizen),
                Cell(coordinator),
                Cell(case.stage.label),
                Cell(
                    local_date(case.stalled_since).isoformat(),
                    text=danish_date(case.stalled_since),
                ),
                Cell((now - case.stalled_since).days),
                Cell(case.stall_reason),
                Cell(waits, text=waits or "–"),
            ]
        )


COLUMNS = ["Borger", "Koordinator", "Fase", "I stå siden", "Dage", "Hvorfor", "Venter på"]


def build(session: Session, filters: Filters, rules: CourseRules, now: datetime) -> Section:
    since = session.exec(select(Case.stalled_since).where(*stalled_where(filters))).all()
    ages = [0] * len(AGES)
    for moment in since:
        assert moment is not None
        ages[_age(moment, now)] += 1
    table = Table(key="staaet", title="Sager i stå nu", columns=COLUMNS)
    _rows(table, _stalled(session, filters, SHOWN), now)
    more = f" – de {SHOWN} ældste vises; alle er i listen og i CSV" if len(since) > SHOWN else ""
    table.note = f"{len(since)} sager i stå{more}."
    chart = horizontal(
        [
            Row(age_label(i), [Segment(n, "sager", filters.drill("staaet", alder=i))])
            for i, n in enumerate(ages)
        ],
        title="Sager i stå efter hvor længe",
    )
    return Section(
        table=table, definition=definition(rules, filters), chart=chart, headline=str(len(since))
    )


def everything(session: Session, filters: Filters, now: datetime, age: int | None = None) -> Table:
    """Every stalled case, or those stalled for one age band: the drill-down and the CSV."""
    table = Table(key="staaet", title="Sager i stå nu", columns=COLUMNS)
    rows = _stalled(session, filters)
    if age is not None:
        if not 0 <= age < len(AGES):
            raise ValueError("no such age band")
        title = f"Sager i stå i {age_label(age)}"
        table.title = title
        rows = [r for r in rows if r[0].stalled_since and _age(r[0].stalled_since, now) == age]
    _rows(table, rows, now)
    return table


def _age(since: datetime, now: datetime) -> int:
    return age_index((now - since).days)
