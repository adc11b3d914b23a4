"""Open cases per coordinating caseworker, against the guideline of 30 to 40."""

import uuid

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.enums import CourseType, Role, Stage
from models.rules import CourseRules
from models.staff import Staff

GUIDELINE = (30, 40)
DEFINITION = (
    f"Åbne sager pr. koordinerende sagsbehandler nu. Retningslinjen er {GUIDELINE[0]}–"
    f"{GUIDELINE[1]} sager (det grønne bånd). Afdelingsfilteret gælder ikke her: en sagsstamme "
    "er alle sagsbehandlerens sager. Er en forløbstype valgt, står sagerne af den type for "
    "sig, og retningslinjen gælder stadig hele sagsstammen."
)


def verdict(count: int) -> str:
    low, high = GUIDELINE
    return "Under" if count < low else "Over" if count > high else "Inden for"


def _counts(session: Session, course_type: CourseType | None) -> dict[uuid.UUID, int]:
    """Open cases per coordinator, of one type or all; all from the index on stage and
    coordinator alone."""
    where = [col(Case.stage) != Stage.CLOSED]
    if course_type:
        where.append(col(Case.course_type) == course_type)
    return dict(
        session.exec(
            select(Case.coordinator_id, func.count())
            .where(*where)
            .group_by(col(Case.coordinator_id))
        ).all()
    )


def build(session: Session, filters: Filters, rules: CourseRules) -> Section:
    chosen = filters.course_type
    totals = _counts(session, None)
    of_type = _counts(session, chosen) if chosen else totals
    coordinators = session.exec(
        select(Staff)
        .where(Staff.role == Role.COORDINATOR, col(Staff.active))
        .order_by(col(Staff.full_name))
    ).all()
    table = Table(
        key="sagsstamme",
        title="Sagsstamme pr. koordinerende sagsbehandler",
        columns=[
            "Koordinator",
            "Åbne sager",
            *([f"Heraf: {rules.of_type(chosen).name}"] if chosen else []),
            "Retningslinje 30–40",
        ],
    )
    rows = []
    for staff in coordinators:
        if filters.coordinator_id and staff.id != filters.coordinator_id:
            continue
        count = totals.get(staff.id, 0)
        link = filters.of(None).drill("sagsstamme", koordinator=staff.id)
        cells = [Cell(staff.full_name), Cell(count, href=link)]
        segments = [Segment(count, "åbne sager", link)]
        if chosen:
            mine = of_type.get(staff.id, 0)
            own = filters.drill("sagsstamme", koordinator=staff.id)
            cells.append(Cell(mine, href=own))
            name = rules.of_type(chosen).name
            segments = [
                Segment(mine, name, own),
                Segment(count - mine, "andre forløbstyper", link),
            ]
        table.rows.append([*cells, Cell(verdict(count))])
        rows.append(Row(staff.full_name, segments))
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            rows,
            title="Åbne sager pr. koordinator",
            guide=GUIDELINE,
            legend=[rules.of_type(chosen).name, "andre forløbstyper"] if chosen else None,
        ),
    )


def cases(session: Session, filters: Filters) -> Table:
    where = [col(Case.stage) != Stage.CLOSED]
    if filters.coordinator_id:
        where.append(col(Case.coordinator_id) == filters.coordinator_id)
    if filters.course_type:
        where.append(col(Case.course_type) == filters.course_type)
    return case_list(
        session,
        key="sagsstamme",
        title="Åbne sager",
        where=where,
        extra={"Visiteret": lambda c: Cell(f"{c.referred_at:%Y-%m-%d}")},
    )
