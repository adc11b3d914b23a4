"""Where citizens are 13 weeks after their course ended, by quarter of ending, as DREAM."""

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.enums import Outcome

QUARTERS = 8
DEFINITION = (
    "Borgerens status 13 uger efter forløbets afslutning, som andele af de forløb, der sluttede "
    "i kvartalet – som i DREAM. Forløb, hvis 13 uger endnu ikke er gået, tæller ikke med."
)


def _where(filters: Filters, codes: list[str]) -> list[ColumnElement[bool]]:
    return [
        filters.cases(),
        col(Case.ended_quarter).in_(codes),
        col(Case.followup_status).is_not(None),
    ]


def build(session: Session, filters: Filters) -> Section:
    quarters = filters.quarter.back(QUARTERS)
    counts: dict[str, dict[Outcome, int]] = {q.code: {} for q in quarters}
    for code, status, n in session.exec(
        select(Case.ended_quarter, Case.followup_status, func.count())
        .where(*_where(filters, list(counts)))
        .group_by(col(Case.ended_quarter), col(Case.followup_status))
    ):
        counts[str(code)][Outcome(str(status))] = n
    table = Table(
        key="udfald",
        title="Status 13 uger efter forløbets afslutning",
        columns=["Kvartal", "Forløb", *(o.label for o in Outcome)],
        note="Tallene er andele; antallet står ved musen og i listen bag hvert tal.",
    )
    rows = []
    for quarter in quarters:
        found = counts[quarter.code]
        total = sum(found.values())
        links = {o: filters.drill("udfald", kvartal=quarter.code, udfald=o.value) for o in Outcome}
        table.rows.append(
            [
                Cell(quarter.code),
                Cell(total),
                *(
                    Cell(
                        round(found.get(o, 0) / total, 3) if total else None,
                        text=f"{found.get(o, 0) / total:.0%} ({found.get(o, 0)})".replace("%", " %")
                        if total
                        else "–",
                        href=links[o],
                    )
                    for o in Outcome
                ),
            ]
        )
        if total:
            rows.append(
                Row(quarter.code, [Segment(found.get(o, 0), o.label, links[o]) for o in Outcome])
            )
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            rows,
            title="Status 13 uger efter afslutning",
            percent=True,
            legend=[o.label for o in Outcome],
        ),
    )


def cases(session: Session, filters: Filters, params: dict[str, str]) -> Table:
    quarter = Quarter.parse(params["kvartal"])
    outcome = Outcome(params["udfald"])
    return case_list(
        session,
        key="udfald",
        title=f"{outcome.label} 13 uger efter afslutning, {quarter.label}",
        where=[*_where(filters, [quarter.code]), col(Case.followup_status) == outcome],
        extra={
            "Afsluttet": lambda c: Cell(c.ended_on.isoformat() if c.ended_on else None),
            "Udfald ved afslutning": lambda c: Cell(c.outcome.label if c.outcome else None),
        },
    )
