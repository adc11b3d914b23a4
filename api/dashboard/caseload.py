"""Open cases per coordinating caseworker, against the guideline of 30 to 40."""

from sqlalchemy import func
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.enums import Role, Stage
from models.staff import Staff

GUIDELINE = (30, 40)
DEFINITION = (
    f"Åbne sager pr. koordinerende sagsbehandler nu. Retningslinjen er {GUIDELINE[0]}–"
    f"{GUIDELINE[1]} sager (det grønne bånd). Afdelingsfilteret gælder ikke her: en sagsstamme "
    "er alle sagsbehandlerens sager."
)


def verdict(count: int) -> str:
    low, high = GUIDELINE
    return "Under" if count < low else "Over" if count > high else "Inden for"


def build(session: Session, filters: Filters) -> Section:
    counts = dict(
        session.exec(
            select(Case.coordinator_id, func.count())
            .where(Case.stage != Stage.CLOSED)
            .group_by(col(Case.coordinator_id))
        ).all()
    )
    coordinators = session.exec(
        select(Staff)
        .where(Staff.role == Role.COORDINATOR, col(Staff.active))
        .order_by(col(Staff.full_name))
    ).all()
    table = Table(
        key="sagsstamme",
        title="Sagsstamme pr. koordinerende sagsbehandler",
        columns=["Koordinator", "Åbne sager", "Retningslinje 30–40"],
    )
    rows = []
    for staff in coordinators:
        if filters.coordinator_id and staff.id != filters.coordinator_id:
            continue
        count = counts.get(staff.id, 0)
        link = filters.drill("sagsstamme", koordinator=staff.id)
        table.rows.append([Cell(staff.full_name), Cell(count, href=link), Cell(verdict(count))])
        rows.append(Row(staff.full_name, [Segment(count, "åbne sager", link)]))
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(rows, title="Åbne sager pr. koordinator", guide=GUIDELINE),
    )


def cases(session: Session, filters: Filters) -> Table:
    where = [col(Case.stage) != Stage.CLOSED]
    if filters.coordinator_id:
        where.append(col(Case.coordinator_id) == filters.coordinator_id)
    return case_list(
        session,
        key="sagsstamme",
        title="Åbne sager",
        where=where,
        extra={"Visiteret": lambda c: Cell(f"{c.referred_at:%Y-%m-%d}")},
    )
