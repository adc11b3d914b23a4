"""The phase-out of the ressourceforløb: since the cut-off no new one is granted, so the open
ones run out. How many active courses end in each quarter until the last one, by their planned
end; and how many open ones have passed the six-month rule without an effort.

The ends are counted from the index on type, stage and planned end alone; the six-month rule
from the projection's date of the miss (workflows/effort_rule.py), not worked out again here.
"""

from collections import Counter
from datetime import date, datetime

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.definitions import count, type_rules
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from api.templating import danish_date
from models.case import Case
from models.danish_time import MONTHS, local_date
from models.enums import PLANNING_STAGES, PRE_DECISION, CourseType, Stage
from models.rules import CourseRules

LEGACY = CourseType.RESSOURCEFORLOEB

# The figures listed by the drill-down, by their key in its address.
KINDS = {
    "aabne": "Åbne ressourceforløb",
    "foer": "Før afgørelsen",
    "aktive": "Aktive",
    "passeret": "Aktive, planlagt slutdato passeret",
    "kvartal": "Aktive, slutter",
    "uden": "Aktive uden planlagt slutdato",
    "seksmaaneder": "Seksmånedersreglen overskredet uden indsats",
}


def definition(rules: CourseRules) -> str:
    cutoff = rules.ressourceforloeb_cutoff
    return (
        f"Siden {cutoff.day}. {MONTHS[cutoff.month - 1]} {cutoff.year} træffes der ikke "
        "afgørelse om nye ressourceforløb, medmindre forløbet er registreret som allerede i "
        "gang; de åbne forløb gøres færdige efter reglerne, som de var. Her tælles de åbne "
        "ressourceforløb nu – før afgørelsen eller aktive – hos den valgte "
        "koordinerende sagsbehandler og med en opgave i den valgte afdeling; kvartalet gælder "
        "ikke her. Et aktivt forløb tælles i det kvartal, dets planlagte slutdato ligger i; en "
        "forlængelse flytter det. »Seksmånedersreglen overskredet uden indsats« er åbne forløb, "
        "hvor ingen indsats var startet, da fristen efter afgørelsen udløb.\n\n"
        f"{type_rules(rules, LEGACY)}"
    )


def _base(filters: Filters) -> list[ColumnElement[bool]]:
    """The open legacy courses: found by the type's index, which holds the ends too (the type
    filter, when it is this type, would only add reading each row)."""
    return [
        col(Case.course_type) == LEGACY,
        col(Case.stage).in_(PLANNING_STAGES),
        filters.of(None).cases(),
    ]


def _which(kind: str, today: date, ends: Quarter | None = None) -> list[ColumnElement[bool]]:
    stage, end = col(Case.stage), col(Case.planned_end)
    active = stage == Stage.ACTIVE
    if kind == "kvartal":
        if ends is None:
            raise ValueError("no quarter")
        # The quarter we are in holds only the ends still ahead; those passed are on their own.
        return [active, end >= max(ends.start, today), end < ends.end]
    which: dict[str, list[ColumnElement[bool]]] = {
        "aabne": [],
        "foer": [stage.in_(PRE_DECISION)],
        "aktive": [active],
        "passeret": [active, end < today],
        "uden": [active, end.is_(None)],
        "seksmaaneder": [col(Case.effort_rule_missed_on).is_not(None)],
    }
    return which[kind]


def build(session: Session, filters: Filters, rules: CourseRules, now: datetime) -> Section:
    today = local_date(now)
    table = Table(key="udfasning", title="Udfasning af ressourceforløb", columns=["Tal", "Forløb"])
    if filters.course_type not in (None, LEGACY):
        table.note = "Udfasningen gælder ressourceforløb, og en anden forløbstype er valgt."
        return Section(table=table, definition=definition(rules), headline="0")
    stages: Counter[str] = Counter()
    ends: Counter[date | None] = Counter()
    for stage, end, n in session.exec(
        select(Case.stage, col(Case.planned_end), func.count())
        .where(*_base(filters))
        .group_by(col(Case.stage), col(Case.planned_end))
    ):
        stages["aabne"] += n
        if stage in PRE_DECISION:
            stages["foer"] += n
        elif stage == Stage.ACTIVE:
            stages["aktive"] += n
            ends[end] += n
    # The one figure the index does not hold: read from the open legacy courses' rows.
    missed = session.exec(
        select(func.count())
        .select_from(Case)
        .where(*_base(filters), *_which("seksmaaneder", today))
    ).one()
    passed = sum(n for end, n in ends.items() if end is not None and end < today)
    ahead = {end: n for end, n in ends.items() if end is not None and end >= today}
    by_quarter: Counter[Quarter] = Counter()
    for end, n in ahead.items():
        by_quarter[Quarter.of(end)] += n
    quarters = _until(Quarter.of(today), max(by_quarter)) if by_quarter else []

    def row(name: str, n: int, kind: str, **extra: str) -> None:
        link = filters.drill("udfasning", art=kind, **extra) if n else None
        table.rows.append([Cell(name), Cell(n, href=link)])

    row(KINDS["aabne"], stages["aabne"], "aabne")
    row(KINDS["foer"], stages["foer"], "foer")
    row(KINDS["aktive"], stages["aktive"], "aktive")
    row(KINDS["passeret"], passed, "passeret")
    chart = []
    for quarter in quarters:
        n = by_quarter[quarter]
        row(f"Slutter {quarter.short}", n, "kvartal", slutter=quarter.code)
        link = filters.drill("udfasning", art="kvartal", slutter=quarter.code)
        chart.append(Row(quarter.short, [Segment(n, "aktive ressourceforløb", link)]))
    if ends[None]:
        row(KINDS["uden"], ends[None], "uden")
    row(KINDS["seksmaaneder"], missed, "seksmaaneder")
    last = max(ahead, default=None)
    if last is not None:
        end_quarter = Quarter.of(last)
        table.rows.append(
            [
                Cell("Sidste planlagte slutdato"),
                Cell(
                    last.isoformat(),
                    text=danish_date(last),
                    href=filters.drill("udfasning", art="kvartal", slutter=end_quarter.code),
                ),
            ]
        )
    table.note = _summary(stages["aktive"], last, missed)
    return Section(
        table=table,
        definition=definition(rules),
        chart=horizontal(chart, title="Aktive ressourceforløb efter planlagt slutkvartal"),
        headline=str(stages["aabne"]),
    )


def _until(first: Quarter, last: Quarter) -> list[Quarter]:
    quarters = [first]
    while quarters[-1] < last:
        quarters.append(quarters[-1].next())
    return quarters


def _summary(active: int, last: date | None, missed: int) -> str:
    if not active:
        ends = "Der er ingen aktive ressourceforløb."
    elif last is None:
        ends = "Intet aktivt ressourceforløb har en planlagt slutdato, der ikke er passeret."
    else:
        ends = (
            "Det sidste aktive ressourceforløb slutter efter planen "
            f"{danish_date(last)} ({Quarter.of(last).short})."
        )
    rule = (
        f"{count(missed, 'åbent forløb', 'åbne forløb')} har overskredet seksmånedersreglen "
        "uden en indsats."
        if missed
        else "Intet åbent forløb har overskredet seksmånedersreglen uden en indsats."
    )
    return f"{ends} {rule}"


def cases(session: Session, filters: Filters, params: dict[str, str], now: datetime) -> Table:
    """The open ressourceforløb behind one figure: the drill-down and its CSV."""
    kind = params["art"]
    if kind not in KINDS:
        raise ValueError("not a figure of the phase-out")
    today = local_date(now)
    ends = Quarter.parse(params["slutter"]) if kind == "kvartal" else None
    title = f"{KINDS[kind]} {ends.short}" if ends else KINDS[kind]
    return case_list(
        session,
        key="udfasning",
        title=title if kind == "aabne" else f"Ressourceforløb: {title[0].lower()}{title[1:]}",
        where=[*_base(filters), *_which(kind, today, ends)],
        extra={
            "Afgjort": lambda c: _day(c.decided_on),
            "Planlagt slut": lambda c: _day(c.planned_end),
            "Seksmånedersregel overskredet": lambda c: _day(c.effort_rule_missed_on),
        },
    )


def _day(day: date | None) -> Cell:
    return Cell(day.isoformat() if day else None, text=danish_date(day))
