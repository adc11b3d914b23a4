"""Recording every look at a citizen's data from the pages and the API (models/access_log.py).

A route that shows a citizen's data calls `record` with the cases it showed, in the request's
own session; the reason is the reader's relation to the case when they are not on it.
"""

import uuid
from collections.abc import Iterable

from sqlmodel import Session, col, or_, select

from models.access_log import Look, append
from models.case import Case
from models.enums import Role
from models.staff import Staff

# The role the access log names when the citizen is the reader.
CITIZEN_READER = "citizen"
# Why someone who is not on the case may see it.
REASONS = {
    Role.MANAGER: "Ledelsesoverblik",
    Role.ADMIN: "Administration",
    Role.DEPARTMENT_LEAD: "Afdelingens opgave",
    Role.DEPARTMENT_WORKER: "Afdelingens opgave",
    Role.COORDINATOR: "Koordinerende sagsbehandler på en anden sag",
    Role.DATA_PROTECTION: "Indsigt i adgangsloggen",
}


def record(session: Session, user: Staff, case_ids: Iterable[uuid.UUID], what: str) -> None:
    """Log that `user` saw (or changed) these cases' citizens' data, and commit."""
    wanted = set(case_ids)
    if not wanted:
        return
    rows = session.exec(
        select(Case.id, Case.citizen_id, Case.coordinator_id, Case.handover_to_id).where(
            col(Case.id).in_(wanted)
        )
    ).all()
    looks = [
        Look(citizen_id, case_id, what, _why(user, user.id in (coordinator_id, handover_to_id)))
        for case_id, citizen_id, coordinator_id, handover_to_id in rows
    ]
    _append(session, user, looks)


def record_citizen(session: Session, user: Staff, citizen_id: uuid.UUID, what: str) -> None:
    """A look at a citizen outside any case (their registration)."""
    theirs = session.exec(
        select(Case.id).where(
            Case.citizen_id == citizen_id,
            or_(Case.coordinator_id == user.id, Case.handover_to_id == user.id),
        )
    ).first()
    _append(session, user, [Look(citizen_id, None, what, _why(user, theirs is not None))])


def _why(user: Staff, on_the_case: bool) -> str:
    return "" if on_the_case else REASONS[user.role]


def _append(session: Session, user: Staff, looks: list[Look]) -> None:
    department = user.department.value if user.department else None
    append(session, staff_id=user.id, role=user.role.value, department=department, looks=looks)
    session.commit()


def record_by_citizen(
    session: Session, citizen_id: uuid.UUID, case_id: uuid.UUID, what: str
) -> None:
    """The citizen saw (or changed) their own data on their page; they are the reader."""
    append(
        session,
        staff_id=None,
        role=CITIZEN_READER,
        department=None,
        looks=[Look(citizen_id, case_id, what)],
    )
    session.commit()
