"""The cases behind a number on the dashboard, listed with who, whose and where."""

from collections.abc import Callable

from sqlalchemy import ColumnElement
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api.dashboard.section import citizen_cell
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.citizen import Citizen
from models.staff import Staff


def case_list(
    session: Session,
    *,
    key: str,
    title: str,
    where: list[ColumnElement[bool]],
    extra: dict[str, Callable[[Case], Cell]] | None = None,
) -> Table:
    extra = extra or {}
    coordinator = aliased(Staff)
    rows = session.exec(
        select(Case, Citizen.name, coordinator.full_name)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .join(coordinator, col(coordinator.id) == Case.coordinator_id)
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
