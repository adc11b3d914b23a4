"""Whether messages to citizens get out in time and are heard of again: per quarter, how many
were handed to the provider late and how many have no final status 72 hours after they fell
due (models/delivery.py)."""

from datetime import datetime

from sqlalchemy import ColumnElement, case, func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.danish_time import start_of
from models.delivery import late, unresolved
from models.outbox import OutboxMessage

QUARTERS = 2  # the chosen quarter against the one before, as the waits
DEFINITION = (
    "Beskeder til borgere (SMS, opkald, e-mail), der faldt til afsendelse i kvartalet. "
    "»For sent« er afleveret til udbyderen mere end 10 sekunder efter, den skulle sendes; "
    "»uden endelig status« har 72 timer efter ikke fået udbyderens sidste besked (leveret, "
    "ikke leveret eller fejlet). Målet: 95 % afleveret inden for 10 sekunder."
)
KINDS = {"sent": "for sent", "uafklaret": "uden endelig status"}


def _in(quarter: Quarter) -> list[ColumnElement[bool]]:
    return [
        col(OutboxMessage.due_at) >= start_of(quarter.start),
        col(OutboxMessage.due_at) < start_of(quarter.end),
    ]


def build(session: Session, filters: Filters, now: datetime) -> Section:
    table = Table(
        key="levering",
        title="Levering af beskeder til borgere",
        columns=["Kvartal", "Beskeder", "Afleveret i tide", "For sent", "Uden endelig status"],
    )
    for quarter in filters.quarter.back(QUARTERS)[::-1]:
        total, late_count, unresolved_count = session.exec(
            select(
                func.count(),
                func.coalesce(func.sum(case((late(now), 1), else_=0)), 0),
                func.coalesce(func.sum(case((unresolved(now), 1), else_=0)), 0),
            )
            .select_from(OutboxMessage)
            .where(filters.case_ids(OutboxMessage.case_id), *_in(quarter))
        ).one()
        in_time = total - late_count
        table.rows.append(
            [
                Cell(quarter.code),
                Cell(total),
                Cell(
                    round(in_time / total, 3) if total else None,
                    text=f"{in_time / total:.0%}".replace("%", " %") if total else "–",
                ),
                Cell(late_count, href=_link(filters, quarter, "sent") if late_count else None),
                Cell(
                    unresolved_count,
                    href=_link(filters, quarter, "uafklaret") if unresolved_count else None,
                ),
            ]
        )
    return Section(table=table, definition=DEFINITION)


def _link(filters: Filters, quarter: Quarter, kind: str) -> str:
    return filters.drill("levering", kvartal=quarter.code, art=kind)


def cases(session: Session, filters: Filters, params: dict[str, str], now: datetime) -> Table:
    quarter = Quarter.parse(params["kvartal"])
    kind = params["art"]
    which = {"sent": late(now), "uafklaret": unresolved(now)}[kind]
    troubled = select(OutboxMessage.case_id).where(*_in(quarter), which).scalar_subquery()
    return case_list(
        session,
        key="levering",
        title=f"Beskeder {KINDS[kind]}, {quarter.label}",
        where=[filters.cases(), col(Case.id).in_(troubled)],
    )
