"""Waiting times per stage of the course, per department and on the region's health
coordinator (an outside party, counted like a department): median and 90th percentile, in
calendar and in working days, the chosen quarter against the one before."""

import math
import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.dashboard.case_list import COORDINATOR, with_people
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.definitions import HEALTH_COORDINATOR, days, shown_types
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section, citizen_cell
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.citizen import Citizen
from models.course_types import course_type
from models.danish_time import local_date, start_of, working_days_after
from models.enums import CourseType, Department, Stage
from models.rules import CourseRules
from models.task import Task

DEFINITION = (
    "Ventetid måles fra dato til dato: i kalenderdage, og i arbejdsdage uden weekender og "
    "helligdage. Hver ventetid tæller i det kvartal, den sluttede. Median og 90 %-fraktil efter "
    "nærmeste rang: 90 % af ventetiderne var så lange eller kortere."
)


def definition(rules: CourseRules, chosen: CourseType | None) -> str:
    advised = [
        rules.of_type(t) for t in shown_types(chosen) if Stage.HEALTH_ADVICE in course_type(t).path
    ]
    if not advised:
        return DEFINITION
    reminders = "; ".join(f"{days(r.health_advice_reminder_days)} ({r.name})" for r in advised)
    return (
        f"{DEFINITION}\n\n{HEALTH_COORDINATOR} er en part uden for kommunen, og dens ventetid "
        "tælles som en afdelings: fra anmodningen om sundhedsfaglig rådgivning, til rådgivningen "
        "kom. En anmodning, der stadig venter, tæller med til i dag i det kvartal, vi er i. "
        "»Venter nu« er sagerne, der venter på rådgivningen nu. Koordinatoren får en påmindelse "
        f"om at rykke, når rådgivningen har ventet {reminders}."
    )


@dataclass(frozen=True)
class Measure:
    key: str
    label: str
    table: type[Case] | type[Task]
    start: str  # column names: a date, or a moment read as its Copenhagen date
    end: str
    # A task's wait, worked out by the projection: "<days>" and "<days>_working" columns.
    days: str = ""
    # Who is waited on where it is not a department.
    party: str = ""
    # The course types whose path has this wait; the row is left out for another type.
    types: tuple[CourseType, ...] = tuple(CourseType)
    # A wait still running counts to today while the case is in this stage.
    running_in: Stage | None = None
    # Where no covering index holds the wait, the type's index narrows the rows to read.
    narrowed_by_type: bool = False

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
        types=(CourseType.RESSOURCEFORLOEB,),
    ),
    Measure(
        "team_afgoerelse",
        "Rehabiliteringsteam → afgørelse",
        Case,
        "team_meeting_on",
        "decided_on",
        types=(CourseType.RESSOURCEFORLOEB,),
    ),
    Measure(
        "sundhedskoordinator",
        "Anmodning → sundhedsfaglig rådgivning",
        Case,
        "health_advice_requested_at",
        "health_advice_received_at",
        party=HEALTH_COORDINATOR,
        types=(CourseType.TVAERFAGLIGT,),
        running_in=Stage.HEALTH_ADVICE,
        narrowed_by_type=True,
    ),
    Measure(
        "afgoerelse_indsats", "Afgørelse → første indsats", Case, "decided_on", "first_effort_at"
    ),
    Measure(
        "tildelt_kvitteret",
        "Tildelt → kvitteret",
        Task,
        "assigned_at",
        "acknowledged_at",
        "acknowledge_wait",
    ),
    Measure(
        "kvitteret_startet",
        "Kvitteret → startet",
        Task,
        "acknowledged_at",
        "started_at",
        "start_wait",
    ),
]
BY_KEY = {m.key: m for m in MEASURES}
MOMENTS = {"first_effort_at", "acknowledged_at", "started_at", "health_advice_received_at"}


@dataclass(frozen=True)
class Wait:
    case_id: uuid.UUID
    department: Department | None
    start: date
    end: date
    running: bool = False  # still waiting: counted to today

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
    """The waits of one measure that ended on or after `first` and before `end` (and today),
    and those still running when today is in the period."""
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
    narrowed = [col(Case.course_type).in_(measure.types)] if measure.narrowed_by_type else []
    cases = session.exec(
        select(Case.id, start_column, end_column).where(filters.cases(), *narrowed, *in_period)
    )
    found = [Wait(case_id, None, _day(a), _day(b)) for case_id, a, b in cases]
    if first <= today < end:
        found += running(session, filters, measure, today)
    return found


def running(session: Session, filters: Filters, measure: Measure, today: date) -> list[Wait]:
    """The measure's waits that have not ended: the cases in its stage now, counted to today;
    the stage's index finds them."""
    if measure.running_in is None:
        return []
    start_column: Any = getattr(measure.table, measure.start)
    end_column: Any = getattr(measure.table, measure.end)
    rows = session.exec(
        select(Case.id, start_column).where(
            filters.cases(),
            col(Case.stage) == measure.running_in,
            start_column.is_not(None),
            end_column.is_(None),
        )
    )
    return [Wait(case_id, None, _day(a), today, running=True) for case_id, a in rows]


# How many waits of (department, calendar days, working days); no department for a stage.
Counts = Counter[tuple[Department | None, int, int]]


def counted(
    session: Session, filters: Filters, measure: Measure, quarter: Quarter, today: date
) -> Counts:
    """The quarter's waits of one measure, counted by length. A department's waits are
    counted by the database from the projection's figures and a covering index."""
    if not measure.per_department:
        found = waits(session, filters, measure, quarter.start, quarter.end, today)
        return Counter((None, w.days, w.working_days) for w in found)
    end: Any = getattr(Task, measure.end)
    days: Any = getattr(Task, measure.days)
    working: Any = getattr(Task, f"{measure.days}_working")
    last = min(quarter.end, date.fromordinal(today.toordinal() + 1))
    query = select(Task.department, days, working, func.count()).where(
        end >= start_of(quarter.start), end < start_of(last), days.is_not(None), filters.tasks()
    )
    if filters.joins_case:
        query = query.join(Case, col(Case.id) == Task.case_id)
    rows = session.exec(query.group_by(col(Task.department), days, working))
    return Counter({(Department(d), n, w): count for d, n, w, count in rows})


def percentile(counts: Counter[int], share: float) -> int | None:
    """Nearest rank: the smallest value that at least `share` of the waits do not exceed."""
    total = sum(counts.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(counts):
        seen += counts[value]
        if seen >= rank:
            return value
    raise AssertionError("unreachable: the ranks add up to the total")


def _figures(found: Counts, department: Department | None) -> list[Cell]:
    days: Counter[int] = Counter()
    working: Counter[int] = Counter()
    for (dept, n, w), count in found.items():
        if dept == department:
            days[n] += count
            working[w] += count
    return [
        Cell(days.total()),
        Cell(percentile(days, 0.5)),
        Cell(percentile(days, 0.9)),
        Cell(percentile(working, 0.5)),
        Cell(percentile(working, 0.9)),
    ]


def build(session: Session, filters: Filters, rules: CourseRules, today: date) -> Section:
    this, last = filters.quarter, filters.quarter.previous()
    figures = ["Antal", "Median dage", "90 % dage", "Median arbejdsdage", "90 % arbejdsdage"]
    table = Table(
        key="ventetider",
        title=f"Ventetider, {this.label} mod {last.label}",
        columns=[
            "Ventetid",
            "Afdeling eller part",
            *figures,
            *(f"{name} ({last.code})" for name in figures),
            "Venter nu",
        ],
    )
    chart = []
    for measure in MEASURES:
        if filters.course_type and filters.course_type not in measure.types:
            continue
        now = counted(session, filters, measure, this, today)
        before = counted(session, filters, measure, last, today)
        groups: list[Department | None] = (
            [d for d in Department if filters.department in (None, d)]
            if measure.per_department
            else [None]
        )
        for department in groups:
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
            cells = _figures(now, department)
            old = _figures(before, department)
            who = department.label if department else measure.party
            table.rows.append(
                [
                    Cell(measure.label),
                    Cell(who, text=who or "Alle"),
                    Cell(cells[0].value, href=links[0]),
                    *cells[1:],
                    Cell(old[0].value, href=links[1]),
                    *old[1:],
                    _waiting_now(session, filters, measure, today),
                ]
            )
            name = f"{measure.label}{' · ' + who if who else ''}"
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
        definition=definition(rules, filters.course_type),
        chart=horizontal(
            chart,
            title="Ventetider i dage",
            unit=" d",
            legend=["median", "op til 90 %-fraktil"],
            label_width=400,
        ),
    )


def _waiting_now(session: Session, filters: Filters, measure: Measure, today: date) -> Cell:
    """How many cases wait now, where the wait is one that can be seen running."""
    if measure.running_in is None:
        return Cell(None)
    n = len(running(session, filters, measure, today))
    return Cell(n, href=filters.drill("ventetid", maal=measure.key, nu="ja") if n else None)


def wait_cases(session: Session, filters: Filters, params: dict[str, str], today: date) -> Table:
    measure = BY_KEY[params["maal"]]
    quarter = Quarter.parse(params.get("kvartal", filters.quarter.code))
    if params.get("nu"):
        found = running(session, filters, measure, today)
        title = f"Venter nu: {measure.label}"
    else:
        found = waits(session, filters, measure, quarter.start, quarter.end, today)
        title = f"{measure.label}, {quarter.label}"
    if department := params.get("afdeling"):
        found = [w for w in found if w.department in (None, Department(department))]
    names = {
        case_id: (citizen, name, stage)
        for case_id, citizen, name, stage in session.exec(
            with_people(select(Case.id, Citizen.name, COORDINATOR.full_name, Case.stage)).where(
                col(Case.id).in_({w.case_id for w in found})
            )
        )
    }
    table = Table(
        key="ventetid",
        title=title,
        columns=[
            "Borger",
            "Koordinator",
            "Fase",
            "Afdeling eller part",
            "Fra",
            "Til",
            "Dage",
            "Arbejdsdage",
        ],
    )
    for wait in sorted(found, key=lambda w: -w.days):
        citizen, name, stage = names[wait.case_id]
        table.rows.append(
            [
                citizen_cell(wait.case_id, citizen),
                Cell(name),
                Cell(Stage(stage).label),
                Cell(wait.department.label if wait.department else measure.party),
                Cell(wait.start.isoformat()),
                Cell(None, text="venter stadig") if wait.running else Cell(wait.end.isoformat()),
                Cell(wait.days),
                Cell(wait.working_days),
            ]
        )
    return table
