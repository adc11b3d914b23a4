"""Progression measurement on the open courses now: how many have moved forward on their
indicators since the first scores, how many are yet to be measured a second time, and how
many rounds are late (models/progression.py)."""

from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, case, func, true
from sqlalchemy import select as sa_select
from sqlmodel import Session, col

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from api.templating import danish_date
from models.case import Case
from models.danish_time import local_date
from models.enums import PLANNING_STAGES

# A round is due on the coordinator's board the moment it falls due, while the citizen and
# the caseworker answer it; the dashboard counts it late only after two weeks, so the figure
# shows rounds that have been let slide, not those being answered.
OVERDUE_AFTER = timedelta(days=14)

DEFINITION = (
    "Åbne forløb nu – fra visitationen, til forløbet er afsluttet eller lukket – hos den "
    "valgte koordinerende sagsbehandler og med en opgave i den valgte afdeling; kvartalet "
    "gælder ikke her. Et forløbs udvikling er, hvor meget indikatorerne i gennemsnit har "
    "flyttet sig fra den første score til den seneste, over de indikatorer der er scoret "
    "mindst to gange. »Med fremgang« er andelen med en udvikling over 0 af de forløb, der har "
    "en anden måling; forløb uden en anden måling tæller ikke med i andelen, men står for "
    "sig. »Måling forsinket« er forløb, hvis næste måling faldt til for mere end "
    f"{OVERDUE_AFTER.days} dage siden: på tavlen står en måling som forfalden med det samme, "
    f"her tæller den som forsinket efter {OVERDUE_AFTER.days} dage."
)

# The figures in table order, by their key in the drill-down's address.
KINDS = {
    "aabne": "Åbne forløb",
    "maalt": "Med anden måling",
    "fremgang": "Med fremgang",
    "uaendret": "Uændret",
    "tilbagegang": "Med tilbagegang",
    "uden": "Endnu uden anden måling",
    "forsinket": f"Måling forsinket over {OVERDUE_AFTER.days} dage",
}
# What each figure but the first is a share of.
SHARE_OF = {
    "maalt": "aabne",
    "fremgang": "maalt",
    "uaendret": "maalt",
    "tilbagegang": "maalt",
    "uden": "aabne",
    "forsinket": "aabne",
}
MOVES = ("fremgang", "uaendret", "tilbagegang", "uden")  # open courses, split in the chart


def _where(filters: Filters) -> list[ColumnElement[bool]]:
    return [col(Case.stage).in_(PLANNING_STAGES), filters.cases()]


def _which(kind: str, now: datetime) -> ColumnElement[bool]:
    change = col(Case.progression_change)
    return {
        "aabne": true(),
        "maalt": change.is_not(None),
        "fremgang": change > 0,
        "uaendret": change == 0,
        "tilbagegang": change < 0,
        "uden": change.is_(None),
        "forsinket": col(Case.progression_due_at) < now - OVERDUE_AFTER,
    }[kind]


def _counts(session: Session, filters: Filters, now: datetime) -> dict[str, int]:
    """Every figure from one pass over the open courses."""
    # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
    found = session.execute(
        sa_select(
            func.count(),
            *(
                func.coalesce(func.sum(case((_which(kind, now), 1), else_=0)), 0)
                for kind in SHARE_OF
            ),
        )
        .select_from(Case)
        .where(*_where(filters))
    ).one()
    return dict(zip(KINDS, (int(n) for n in found), strict=True))


def _percent(count: int, total: int) -> str:
    return f"{count / total:.0%}".replace("%", " %")


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def summary(counts: dict[str, int]) -> str:
    measured, improved = counts["maalt"], counts["fremgang"]
    late = counts["forsinket"]
    return " ".join(
        [
            f"Med fremgang: {improved} af {measured} forløb ({_percent(improved, measured)})."
            if measured
            else "Med fremgang: intet forløb har en anden måling endnu.",
            f"{counts['uden']} forløb har endnu ikke en anden måling.",
            f"{_count(late, 'måling', 'målinger')} er {'forsinket' if late == 1 else 'forsinkede'}"
            f" (faldt til for mere end {OVERDUE_AFTER.days} dage siden).",
        ]
    )


def build(session: Session, filters: Filters, now: datetime) -> Section:
    counts = _counts(session, filters, now)
    table = Table(
        key="progression",
        title="Progressionsmåling i de åbne forløb",
        columns=["Tal", "Forløb", "Ud af", "Andel"],
        note=summary(counts),
    )
    links = {kind: filters.drill("progression", art=kind) for kind in KINDS}
    for kind, name in KINDS.items():
        n = counts[kind]
        of = counts[SHARE_OF[kind]] if kind in SHARE_OF else None
        table.rows.append(
            [
                Cell(name),
                Cell(n, href=links[kind] if n else None),
                Cell(of),
                Cell(round(n / of, 3), text=_percent(n, of)) if of else Cell(None),
            ]
        )
    # Until a course has a second measurement there is no movement to draw; the table says
    # how many wait for theirs.
    rows = (
        [
            Row(
                "Åbne forløb",
                [Segment(counts[k], KINDS[k], links[k]) for k in MOVES],
            ),
            Row(
                "Med anden måling",
                [Segment(counts[k], KINDS[k], links[k]) for k in MOVES[:-1]],
            ),
        ]
        if counts["maalt"]
        else []
    )
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            rows,
            title="Indikatorernes udvikling i de åbne forløb",
            percent=True,
            legend=[KINDS[k] for k in MOVES],
        ),
        headline=str(counts["forsinket"]),
    )


def cases(session: Session, filters: Filters, params: dict[str, str], now: datetime) -> Table:
    """The open courses behind one figure: the drill-down and its CSV."""
    kind = params["art"]
    name = KINDS[kind]
    extra = {
        "Udvikling": lambda c: _change(c.progression_change),
        "Næste måling": lambda c: _due(c.progression_due_at),
    }
    if kind == "forsinket":
        extra["Dage siden forfald"] = lambda c: Cell(
            (now - c.progression_due_at).days if c.progression_due_at else None
        )
    return case_list(
        session,
        key="progression",
        title=f"Progressionsmåling: {name[0].lower()}{name[1:]}",
        where=[*_where(filters), _which(kind, now)],
        extra=extra,
    )


def _change(change: float | None) -> Cell:
    if change is None:
        return Cell(None)
    # A sign on a movement; none on a course that stands still.
    text = f"{change:+.2f}" if change else "0,00"
    return Cell(round(change, 3), text=text.replace(".", ","))


def _due(due: datetime | None) -> Cell:
    if due is None:
        return Cell(None)
    return Cell(local_date(due).isoformat(), text=danish_date(due))
