"""The cases behind a number on the dashboard, listed with who, whose and where."""

from collections.abc import Callable
from typing import Any, TypeVar

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select
from sqlmodel.sql.expression import Select

from api.dashboard.section import citizen_cell
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.citizen import Citizen
from models.staff import Staff

# Every list of cases names the citizen and the coordinating caseworker.
COORDINATOR = aliased(Staff, name="coordinator")
Query = TypeVar("Query", bound=Select[*tuple[Any, ...]])


def with_people(query: Query) -> Query:
    """Join the citizen and the coordinator of the query's cases (`Case` is in the query)."""
    return query.join(Citizen, col(Citizen.id) == Case.citizen_id).join(
        COORDINATOR, col(COORDINATOR.id) == Case.coordinator_id
    )


def case_list(
    session: Session,
    *,
    key: str,
    title: str,
    where: list[ColumnElement[bool]],
    extra: dict[str, Callable[[Case], Cell]] | None = None,
) -> Table:
    extra = extra or {}
    rows = session.exec(
        with_people(select(Case, Citizen.name, COORDINATOR.full_name))
        .where(*where)
        .order_by(col(Citizen.name))
    )
    table = Table(key=key, title=title, columns=["Borger", "Koordinator", "Fase", *extra])
    for case, citizen, name in rows:
        table.rows.append(
            [
                citizen_cell(case.id, citizen),
                Cell(name),
                Cell(case.stage.label),
                *(cell(case) for cell in extra.values()),
            ]
        )
    return table
