"""Rows for tests, each with fresh names so tests never see each other's data."""

import random
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, col, select

from models.case import Case
from models.citizen import Citizen
from models.command import Actor
from models.danish_time import local_date
from models.department import DepartmentRow
from models.enums import Department, Role, Stage
from models.outbox import OutboxMessage
from models.passwords import hash_password
from models.staff import Staff

PASSWORD = "hemmeligt-1"
_HASH = hash_password(PASSWORD)


def ensure_departments(session: Session) -> None:
    for department in Department:
        if session.get(DepartmentRow, department.value) is None:
            session.add(DepartmentRow(code=department.value, name=department.label))
    session.commit()


def make_staff(
    session: Session,
    role: Role = Role.COORDINATOR,
    department: Department | None = None,
    email: str | None = None,
) -> Staff:
    ensure_departments(session)
    if department is None and role != Role.MANAGER and role != Role.ADMIN:
        department = Department.JOBCENTER
    staff = Staff(
        username=f"{role.value}-{uuid.uuid4().hex[:8]}",
        full_name=f"Test {role.label}",
        role=role,
        department=department,
        email=email,
        password_hash=_HASH,
        created_at=datetime.now(UTC),
    )
    session.add(staff)
    session.commit()
    return staff


def random_cpr() -> str:
    born = date(1960, 1, 1) + timedelta(days=random.randrange(0, 40 * 365))
    seventh = "0" if born.year < 2000 else "4"
    return born.strftime("%d%m%y") + seventh + f"{random.randrange(0, 1000):03d}"


def make_citizen(session: Session, name: str = "Test Borger") -> Citizen:
    while True:
        cpr = random_cpr()
        if session.exec(select(Citizen).where(Citizen.cpr == cpr)).first() is None:
            break
    citizen = Citizen(cpr=cpr, name=name, created_at=datetime.now(UTC))
    session.add(citizen)
    session.commit()
    return citizen


def actor_of(staff: Staff) -> Actor:
    return Actor(id=str(staff.id), role=staff.role, department=staff.department)


def copenhagen_today() -> date:
    """Today as the rules see it; differs from the machine's UTC date late in the evening."""
    return local_date(datetime.now(UTC))


def make_case(session: Session, citizen: Citizen) -> Case:
    """A case row with no workflow behind it, for tests of activities alone."""
    case = Case(
        id=uuid.uuid4(),
        citizen_id=citizen.id,
        coordinator_id=make_staff(session).id,
        workflow_id=f"programme-{uuid.uuid4()}",
        stage=Stage.ACTIVE,
        referred_at=datetime.now(UTC),
        updated_at=datetime.now(UTC),
    )
    session.add(case)
    session.commit()
    return case


def case_messages(session: Session, case_id: str) -> list[OutboxMessage]:
    """What the case has sent so far, oldest first, read afresh."""
    session.expire_all()
    return list(
        session.exec(
            select(OutboxMessage)
            .where(OutboxMessage.case_id == uuid.UUID(case_id))
            .order_by(col(OutboxMessage.created_at))
        ).all()
    )
