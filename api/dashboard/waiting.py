"""Waiting tasks now, by department and age, and deadlines breached week by week."""

from datetime import date, datetime, timedelta

from sqlalchemy import ColumnElement
from sqlmodel import Session, col, select

from api.dashboard.case_list import COORDINATOR, with_people
from api.dashboard.charts import Row, Segment, columns, horizontal
from api.dashboard.filters import Filters
from api.dashboard.period import SINCE_EVER, parse_day
from api.dashboard.section import Section, citizen_cell
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.citizen import Citizen
from models.danish_time import local_date, start_of
from models.department import DepartmentRow
from models.enums import OPEN_TASK_STATES, Breach, Department
from models.task import Task, TaskBreachRow

# Ages in calendar days since the deadline passed: (first, last) with None for no end.
AGES = [(0, 2), (3, 7), (8, 14), (15, 30), (31, None)]
WEEKS = 13


def age_label(index: int) -> str:
    first, last = AGES[index]
    return f"over {first - 1} dage" if last is None else f"{first}–{last} dage"


def age_index(days: int) -> int:
    return next(i for i, (first, last) in enumerate(AGES) if last is None or days <= last)


def definition(session: Session) -> str:
    deadlines = ", ".join(
        f"{row.name} {row.acknowledge_days:g}"
        for row in session.exec(select(DepartmentRow).order_by(col(DepartmentRow.name)))
    )
    return (
        "En opgave venter, når den ikke er kvitteret inden afdelingens frist (arbejdsdage: "
        f"{deadlines}), ikke er startet på den forventede startdato, eller ikke er færdig på "
        "fristdatoen. Alderen er kalenderdage siden fristen blev overskredet."
    )


def waiting_where(filters: Filters) -> list[ColumnElement[bool]]:
    return [
        col(Task.waiting_since) >= SINCE_EVER,  # by its index (api/dashboard/period.py)
        col(Task.state).in_(OPEN_TASK_STATES),
        filters.tasks(),
    ]


def build(session: Session, filters: Filters, now: datetime) -> Section:
    counts = {d: [0] * len(AGES) for d in Department}
    rows = session.exec(
        select(Task.department, Task.waiting_since)
        .join(Case, col(Case.id) == Task.case_id)
        .where(*waiting_where(filters))
    )
    for department, since in rows:
        assert since is not None
        counts[Department(department)][age_index((now - since).days)] += 1
    names = [age_label(i) for i in range(len(AGES))]
    table = Table(
        key="venter",
        title="Ventende opgaver efter afdeling og alder",
        columns=["Afdeling", *names, "I alt"],
    )
    chart_rows = []
    for department, ages in counts.items():
        if filters.department and department != filters.department:
            continue
        links = [filters.drill("venter", afdeling=department.value, alder=i) for i in range(5)]
        table.rows.append(
            [
                Cell(department.label),
                *(Cell(n, href=link) for n, link in zip(ages, links, strict=True)),
                Cell(sum(ages), href=filters.drill("venter", afdeling=department.value)),
            ]
        )
        chart_rows.append(
            Row(
                department.label,
                [Segment(n, names[i], links[i]) for i, n in enumerate(ages)],
            )
        )
    total = sum(sum(ages) for ages in counts.values())
    return Section(
        table=table,
        definition=definition(session),
        chart=horizontal(chart_rows, title="Ventende opgaver efter alder", legend=names),
        headline=str(total),
    )


def waiting_cases(
    session: Session, filters: Filters, params: dict[str, str], now: datetime
) -> Table:
    """The waiting tasks behind a number, with their cases."""
    where = waiting_where(filters)
    if department := params.get("afdeling"):
        where.append(col(Task.department) == Department(department))
    age = int(params["alder"]) if params.get("alder", "").isdigit() else None
    table = Table(
        key="venter",
        title="Ventende opgaver",
        # Not what the task is about: that is the department's to tell (api/case_sight.py).
        columns=["Borger", "Koordinator", "Afdeling", "Venter på", "Siden", "Dage"],
    )
    for task, citizen, coordinator in _with_case(session, where):
        assert task.waiting_since is not None
        days = (now - task.waiting_since).days
        if age is not None and age < len(AGES) and age_index(days) != age:
            continue
        table.rows.append(
            [
                citizen_cell(task.case_id, citizen),
                Cell(coordinator),
                Cell(task.department.label),
                Cell(task.breach.label if task.breach else ""),
                Cell(local_date(task.waiting_since).isoformat()),
                Cell(days),
            ]
        )
    return table


def _with_case(session: Session, where: list[ColumnElement[bool]]) -> list[tuple[Task, str, str]]:
    rows = session.exec(
        with_people(
            select(Task, Citizen.name, COORDINATOR.full_name).join(
                Case, col(Case.id) == Task.case_id
            )
        )
        .where(*where)
        .order_by(col(Task.waiting_since))
    )
    return [(task, citizen, name) for task, citizen, name in rows]


# Breaches per week ---------------------------------------------------------------------------


def weeks(filters: Filters, today: date) -> list[date]:
    """The Mondays of the 13 weeks up to the end of the chosen quarter (or today)."""
    last = min(filters.quarter.end - timedelta(days=1), today)
    monday = last - timedelta(days=last.weekday())
    return [monday - timedelta(weeks=n) for n in range(WEEKS - 1, -1, -1)]


def _breach_where(filters: Filters, first: date, end: date) -> list[ColumnElement[bool]]:
    where = [
        col(TaskBreachRow.since) >= start_of(first),
        col(TaskBreachRow.since) < start_of(end),
    ]
    if filters.department:
        where.append(col(TaskBreachRow.department) == filters.department)
    return [*where, *filters.case_columns()]


def trend(session: Session, filters: Filters, today: date) -> Section:
    mondays = weeks(filters, today)
    counts = {monday: dict.fromkeys(Breach, 0) for monday in mondays}
    rows = session.exec(
        select(TaskBreachRow.since, TaskBreachRow.kind)
        .join(Case, col(Case.id) == TaskBreachRow.case_id)
        .where(*_breach_where(filters, mondays[0], mondays[-1] + timedelta(weeks=1)))
    )
    for since, kind in rows:
        day = local_date(since)
        counts[day - timedelta(days=day.weekday())][Breach(kind)] += 1
    table = Table(
        key="brud",
        title="Overskredne frister pr. uge",
        columns=["Uge", "Mandag", *(b.label for b in Breach), "I alt"],
    )
    bars = []
    for monday, kinds in counts.items():
        link = filters.drill("brud", uge=monday.isoformat())
        week = f"uge {monday.isocalendar().week}"
        table.rows.append(
            [
                Cell(week),
                Cell(monday.isoformat()),
                *(Cell(n) for n in kinds.values()),
                Cell(sum(kinds.values()), href=link),
            ]
        )
        bars.append((str(monday.isocalendar().week), float(sum(kinds.values())), link))
    return Section(
        table=table,
        definition="Hver opgave tæller én gang pr. frist, i den uge fristen blev overskredet.",
        chart=columns(bars, title="Overskredne frister pr. uge"),
    )


def breach_cases(session: Session, filters: Filters, params: dict[str, str]) -> Table:
    monday = parse_day(params["uge"])
    rows = session.exec(
        with_people(
            select(TaskBreachRow, Citizen.name, COORDINATOR.full_name).join(
                Case, col(Case.id) == TaskBreachRow.case_id
            )
        )
        .where(*_breach_where(filters, monday, monday + timedelta(weeks=1)))
        .order_by(col(TaskBreachRow.since))
    )
    table = Table(
        key="brud",
        title=f"Overskredne frister i ugen fra {monday:%d.%m.%Y}",
        columns=["Borger", "Koordinator", "Afdeling", "Frist", "Overskredet"],
    )
    for breach, citizen, name in rows:
        table.rows.append(
            [
                citizen_cell(breach.case_id, citizen),
                Cell(name),
                Cell(breach.department.label),
                Cell(breach.kind.label),
                Cell(local_date(breach.since).isoformat()),
            ]
        )
    return table
