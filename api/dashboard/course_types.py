"""The key figures per course type, side by side: open cases, before the decision, active
courses, stalled cases, waiting tasks and cases waiting on the region's health coordinator now;
and, under its definition, the limits each type is judged by.

Each kind of figure is one query grouped by type: the open cases by type and stage come from
the index on both alone; the stalled cases and the waiting tasks from the same rows their own
sections read.
"""

from collections import Counter

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.definitions import shown_types, type_rules
from api.dashboard.filters import Filters, case_type
from api.dashboard.section import Section
from api.dashboard.stalled import stalled_where
from api.dashboard.tables import Cell, Table
from api.dashboard.waiting import waiting_where
from api.dashboard.waiting_times import BY_KEY
from api.templating import danish_date
from models.case import Case
from models.enums import PRE_DECISION, CourseType, Stage
from models.rules import CourseRules
from models.task import Task

HEALTH = BY_KEY["sundhedskoordinator"]

# The figures in table order, by their key in the drill-down's address.
KINDS = {
    "aabne": "Åbne sager",
    "foer": "Før afgørelsen",
    "aktive": "Aktive forløb",
    "staaet": "I stå",
    "venter": "Ventende opgaver",
    "sundhed": "Venter på sundhedskoordinatoren",
}
# The figures that are the open cases in some stages, with those stages.
STAGES: dict[str, tuple[Stage, ...]] = {
    "aabne": tuple(s for s in Stage if s != Stage.CLOSED),
    "foer": PRE_DECISION,
    "aktive": (Stage.ACTIVE,),
    "sundhed": (Stage.HEALTH_ADVICE,),
}

DEFINITION = (
    "Sagerne nu, pr. forløbstype; kvartalet gælder ikke her. Åbne sager er alle, der ikke er "
    "lukket, også de afsluttede, der venter på opfølgningen efter 13 uger. Sager i stå og "
    "ventende opgaver tælles som i afsnittene om dem. »Venter på sundhedskoordinatoren« er "
    "sager, hvor der er bedt om sundhedsfaglig rådgivning fra regionens sundhedskoordinator, "
    "og den ikke er kommet endnu."
)

Counts = dict[CourseType, Counter[str]]


def _counts(session: Session, filters: Filters) -> Counts:
    found: Counts = {t: Counter() for t in CourseType}
    # The type as the bare column here, so that the count is read from its index alone.
    chosen = [col(Case.course_type) == filters.course_type] if filters.course_type else []
    for course, stage, n in session.exec(
        select(Case.course_type, Case.stage, func.count())
        # "Not closed" rather than the list of open stages: SQLite reads that from the index on
        # type and stage alone.
        .where(col(Case.stage) != Stage.CLOSED, *chosen, filters.of(None).cases())
        .group_by(col(Case.course_type), col(Case.stage))
    ):
        for kind, stages in STAGES.items():
            if stage in stages:
                found[CourseType(course)][kind] += n
    # Grouped by the type as an expression, so that the database starts from the few stalled
    # cases and waiting tasks, not from every case in the order of the type's index.
    for course, n in session.exec(
        select(case_type(), func.count()).where(*stalled_where(filters)).group_by(case_type())
    ):
        found[CourseType(course)]["staaet"] += n
    for course, n in session.exec(
        select(case_type(), func.count())
        .select_from(Task)
        .join(Case, col(Case.id) == Task.case_id)
        .where(*waiting_where(filters))
        .group_by(case_type())
    ):
        found[CourseType(course)]["venter"] += n
    return found


def _links(filters: Filters) -> dict[str, str]:
    """Where each figure's cases are listed: the sections' own lists, for one type."""
    return {
        "aabne": filters.drill("typer", art="aabne"),
        "foer": filters.drill("typer", art="foer"),
        "aktive": filters.drill("typer", art="aktive"),
        "staaet": filters.drill("staaet"),
        "venter": filters.drill("venter"),
        "sundhed": filters.drill("ventetid", maal=HEALTH.key, nu="ja"),
    }


def build(session: Session, filters: Filters, rules: CourseRules) -> Section:
    counts = _counts(session, filters)
    types = shown_types(filters.course_type)
    table = Table(
        key="typer",
        title="Nøgletal pr. forløbstype",
        columns=["Forløbstype", *KINDS.values()],
    )
    rows: list[tuple[str, Counter[str], Filters]] = [
        (rules.of_type(t).name, counts[t], filters.of(t)) for t in types
    ]
    if len(types) > 1:
        rows.append(("I alt", sum(counts.values(), Counter()), filters))
    for name, found, chosen in rows:
        links = _links(chosen)
        table.rows.append(
            [
                Cell(name),
                *(Cell(found[kind], href=links[kind] if found[kind] else None) for kind in KINDS),
            ]
        )
    limits = "\n\n".join(type_rules(rules, t) for t in types)
    return Section(table=table, definition=f"{DEFINITION}\n\n{limits}")


def cases(session: Session, filters: Filters, rules: CourseRules, params: dict[str, str]) -> Table:
    """The open cases behind one figure, of the chosen type or all."""
    kind = params["art"]
    if kind not in ("aabne", "foer", "aktive"):
        raise ValueError("not a figure listed here")
    name = KINDS[kind]
    if filters.course_type:
        name = f"{name}: {rules.of_type(filters.course_type).name}"
    return case_list(
        session,
        key="typer",
        title=name,
        where=[col(Case.stage).in_(STAGES[kind]), filters.cases()],
        extra={
            "Forløbstype": lambda c: Cell(rules.of_type(c.course_type).name),
            "Visiteret": lambda c: Cell(f"{c.referred_at:%Y-%m-%d}"),
            "Planlagt slut": lambda c: Cell(
                c.planned_end.isoformat() if c.planned_end else None,
                text=danish_date(c.planned_end),
            ),
        },
    )
