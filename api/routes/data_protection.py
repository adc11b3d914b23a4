"""The data-protection officer's pages: every look at one citizen's data, from the access log
(models/access_log.py), to answer the citizen's request for insight, as a page and as CSV."""

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from api import access_log
from api.dashboard.tables import Cell, Table
from api.deps import SessionDep, UserDep
from api.errors import Forbidden, NotFound
from api.page_helpers import page
from api.templating import danish_datetime
from models.access_log import AccessLogRow
from models.citizen import Citizen
from models.cpr import mask_cpr, normalise_cpr
from models.danish_time import COPENHAGEN
from models.enums import Department, Role
from models.staff import Staff

router = APIRouter(include_in_schema=False)


def officer(user: UserDep) -> Staff:
    if user.role != Role.DATA_PROTECTION:
        raise Forbidden("Adgangsloggen er for databeskyttelsesrådgiveren.")
    return user


OfficerDep = Annotated[Staff, Depends(officer)]


def _search_page(
    request: Request, user: Staff, status: int = 200, cpr: str = "", cpr_error: str = ""
) -> Response:
    """The search; a problem with the number is told once, at the field."""
    return page(
        request,
        "data_protection.html",
        user,
        status=status,
        typed=cpr,
        cpr_error=cpr_error,
        table=None,
        citizen=None,
    )


@router.get("/databeskyttelse")
def search(request: Request, user: OfficerDep) -> Response:
    return _search_page(request, user)


@router.post("/databeskyttelse")
def find(
    request: Request, session: SessionDep, user: OfficerDep, cpr: Annotated[str, Form()] = ""
) -> Response:
    """By CPR number in a form, never in an address that proxies and logs would keep."""
    try:
        number = normalise_cpr(cpr)
    except (ValueError, ValidationError) as error:
        return _search_page(request, user, 422, cpr, str(error))
    citizen = session.exec(select(Citizen).where(Citizen.cpr == number)).first()
    if citizen is None:
        return _search_page(request, user, 404, cpr, "Ingen borger har det CPR-nummer.")
    return RedirectResponse(f"/databeskyttelse/borgere/{citizen.id}", status_code=303)


@router.get("/databeskyttelse/borgere/{citizen_id}")
def insight(
    request: Request, session: SessionDep, user: OfficerDep, citizen_id: uuid.UUID, format: str = ""
) -> Response:
    """Who looked at the citizen's data, when, what and why: newest first."""
    citizen = session.get(Citizen, citizen_id)
    if citizen is None:
        raise NotFound("Borgeren findes ikke.")
    table = _log_of(session, citizen)
    access_log.record_citizen(session, user, citizen.id, "Indsigt i adgangsloggen")
    if format == "csv":
        return Response(
            "\ufeff" + table.csv(),
            media_type="text/csv; charset=utf-8",
            headers={"Content-Disposition": 'attachment; filename="adgangslog.csv"'},
        )
    return page(
        request,
        "data_protection.html",
        user,
        typed="",
        cpr_error="",
        table=table,
        citizen=citizen,
        cpr=mask_cpr(citizen.cpr),
    )


def _role_label(role: str) -> str:
    return "Borger" if role == access_log.CITIZEN_READER else Role(role).label


def _log_of(session: Session, citizen: Citizen) -> Table:
    reader = aliased(Staff)
    rows = session.exec(
        select(AccessLogRow, reader.full_name)
        # Outer: the citizen reading their own page is a reader with no staff row.
        .join(reader, col(reader.id) == AccessLogRow.staff_id, isouter=True)
        .where(AccessLogRow.citizen_id == citizen.id)
        .order_by(col(AccessLogRow.id).desc())
    ).all()
    table = Table(
        key="adgangslog",
        title=f"Adgang til oplysninger om {citizen.name}",
        columns=["Tidspunkt", "Medarbejder", "Rolle", "Afdeling", "Hvad", "Hvorfor", "Sag"],
    )
    for row, name in rows:
        department = Department(row.department).label if row.department else ""
        table.rows.append(
            [
                Cell(row.at.astimezone(COPENHAGEN).isoformat(), text=danish_datetime(row.at)),
                Cell(name or "Borgeren selv"),
                Cell(_role_label(row.role)),
                Cell(department),
                Cell(row.what),
                Cell(row.why or "På sagen"),
                Cell(str(row.case_id or "")),
            ]
        )
    return table
