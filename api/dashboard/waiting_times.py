"""Waiting times per stage of the course and per department: median and 90th percentile,
in calendar and in working days, the chosen quarter against the one before."""

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section, citizen_cell
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.citizen import Citizen
from models.enums import Department, Stage
from models.staff import Staff
from models.task import Task
from workflows.calendar import local_date, start_of
from workflows.working_days import working_days_after

DEFINITION = (
    "Ventetid måles fra dato til dato: i kalenderdage, og i arbejdsdage uden weekender og "
    "helligdage. Hver ventetid tæller i det kvartal, den sluttede. Median og 90 %-fraktil efter "
    "nærmeste rang: 90 % af ventetiderne var så lange eller kortere."
)


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    table: type[Case] | type[Task]
    start: str  # column names: a date, or a moment read as its Copenhagen date
    end: str

    @property
    def per_department(self) -> bool:
        return self.table is Task


MEASURES = [
    Measure(
        "visitation_team",
        "Visitation → rehabiliteringsteam",
        Case,
        "referred_at",
        "team_meeting_on",
    ),
    Measure(
        "team_afgoerelse", "Rehabiliteringsteam → afgørelse", Case, "team_meeting_on", "decided_on"
    ),
    Measure(
        "afgoerelse_indsats", "Afgørelse → første indsats", Case, "decided_on", "first_effort_at"
    ),
    Measure("tildelt_kvitteret", "Tildelt → kvitteret", Task, "assigned_at", "acknowledged_at"),
    Measure("kvitteret_startet", "Kvitteret → startet", Task, "acknowledged_at", "started_at"),
]
BY_KEY = {m.key: m for m in MEASURES}
MOMENTS = {"first_effort_at", "acknowledged_at", "started_at"}


@dataclass(frozen=True)
class Wait:
    case_id: uuid.UUID
    department: Department | None
    start: date
    end: date

    @property
    def days(self) -> int:
        return (self.end - self.start).days

    @property
    def working_days(self) -> int:
        return working_days_after(self.start, self.end)


def _day(value: date | datetime) -> date:
    return local_date(value) if isinstance(value, datetime) else value


def _bound(measure: Measure, day: date) -> date | datetime:
    """Dates compare with dates; moments with the Copenhagen midnight that starts the day."""
    return start_of(day) if measure.end in MOMENTS else day


def waits(
    session: Session, filters: Filters, measure: Measure, first: date, end: date, today: date
) -> list[Wait]:
    """The waits of one measure that ended on or after `first` and before `end` (and today)."""
    start_column: Any = getattr(measure.table, measure.start)
    end_column: Any = getattr(measure.table, measure.end)
    last = min(end, date.fromordinal(today.toordinal() + 1))
    in_period = (
        start_column.is_not(None),
        end_column >= _bound(measure, first),
        end_column < _bound(measure, last),
    )
    if measure.per_department:
        rows = session.exec(
            select(Task.case_id, Task.department, start_column, end_column)
            .join(Case, col(Case.id) == Task.case_id)
            .where(filters.tasks(), *in_period)
        )
        return [Wait(case_id, Department(d), _day(a), _day(b)) for case_id, d, a, b in rows]
    cases = session.exec(
        select(Case.id, start_column, end_column).where(filters.cases(), *in_period)
    )
    return [Wait(case_id, None, _day(a), _day(b)) for case_id, a, b in cases]


def percentile(values: list[int], share: float) -> int | None:
    """Nearest rank: the smallest value that at least `share` of the values do not exceed."""
    if not values:
        return None
    ordered = sorted(values)
    return ordered[max(0, math.ceil(share * len(ordered)) - 1)]


def _figures(found: list[Wait]) -> list[Cell]:
    days = [w.days for w in found]
    working = [w.working_days for w in found]
    return [
        Cell(len(found)),
        Cell(percentile(days, 0.5)),
        Cell(percentile(days, 0.9)),
        Cell(percentile(working, 0.5)),
        Cell(percentile(working, 0.9)),
    ]


def build(session: Session, filters: Filters, today: date) -> Section:
    this, last = filters.quarter, filters.quarter.previous()
    figures = ["Antal", "Median dage", "90 % dage", "Median arbejdsdage", "90 % arbejdsdage"]
    table = Table(
        key="ventetider",
        title=f"Ventetider, {this.label} mod {last.label}",
        columns=[
            "Ventetid",
            "Afdeling",
            *figures,
            *(f"{name} ({last.code})" for name in figures),
        ],
    )
    chart = []
    for measure in MEASURES:
        now = waits(session, filters, measure, this.start, this.end, today)
        before = waits(session, filters, measure, last.start, last.end, today)
        groups: list[Department | None] = (
            [d for d in Department if filters.department in (None, d)]
            if measure.per_department
            else [None]
        )
        for department in groups:
            now_d = [w for w in now if w.department == department]
            before_d = [w for w in before if w.department == department]
            links = [
                filters.link(
                    "/leder/sager",
                    vis="ventetid",
                    maal=measure.key,
                    kvartal=q.code,
                    afdeling=department.value if department else filters.department,
                )
                for q in (this, last)
            ]
            cells = _figures(now_d)
            old = _figures(before_d)
            table.rows.append(
                [
                    Cell(measure.label),
                    Cell(
                        department.label if department else "",
                        text=department.label if department else "Alle",
                    ),
                    Cell(cells[0].value, href=links[0]),
                    *cells[1:],
                    Cell(old[0].value, href=links[1]),
                    *old[1:],
                ]
            )
            name = f"{measure.label}{' · ' + department.label if department else ''}"
            for quarter, found, link in ((this, cells, links[0]), (last, old, links[1])):
                median, p90 = found[1].value, found[2].value
                if not isinstance(median, int) or not isinstance(p90, int):
                    continue
                chart.append(
                    Row(
                        f"{name} ({quarter.code})",
                        [
                            Segment(
                                median,
                                "median",
                                link,
                                tip=f"{name}, {quarter.label}: median {median} dage",
                            ),
                            Segment(
                                p90 - median,
                                "90 %",
                                link,
                                tip=f"{name}, {quarter.label}: 90 % {p90} dage",
                            ),
                        ],
                    )
                )
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            chart,
            title="Ventetider i dage",
            unit=" d",
            legend=["median", "op til 90 %-fraktil"],
            label_width=400,
        ),
    )


def wait_cases(session: Session, filters: Filters, params: dict[str, str], today: date) -> Table:
    measure = BY_KEY[params["maal"]]
    quarter = Quarter.parse(params.get("kvartal", filters.quarter.code))
    found = waits(session, filters, measure, quarter.start, quarter.end, today)
    if department := params.get("afdeling"):
        found = [w for w in found if w.department == Department(department)]
    coordinator = aliased(Staff)
    names = {
        case_id: (citizen, name, stage)
        for case_id, citizen, name, stage in session.exec(
            select(Case.id, Citizen.name, coordinator.full_name, Case.stage)
            .join(Citizen, col(Citizen.id) == Case.citizen_id)
            .join(coordinator, col(coordinator.id) == Case.coordinator_id)
            .where(col(Case.id).in_({w.case_id for w in found}))
        )
    }
    table = Table(
        key="ventetid",
        title=f"{measure.label}, {quarter.label}",
        columns=["Borger", "Koordinator", "Fase", "Afdeling", "Fra", "Til", "Dage", "Arbejdsdage"],
    )
    for wait in sorted(found, key=lambda w: -w.days):
        citizen, name, stage = names[wait.case_id]
        table.rows.append(
            [
                citizen_cell(wait.case_id, citizen),
                Cell(name),
                Cell(Stage(stage).label),
                Cell(wait.department.label if wait.department else ""),
                Cell(wait.start.isoformat()),
                Cell(wait.end.isoformat()),
                Cell(wait.days),
                Cell(wait.working_days),
            ]
        )
    return table
