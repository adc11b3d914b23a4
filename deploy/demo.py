"""A demo municipality: the four departments, one login per role, and cases at every stage.

Seeded through the same service functions as the API, so every demo case is a real workflow.
Seeding twice changes nothing.
"""

import logging
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlmodel import select

from api.case_actions import CASE_ACTIONS
from api.case_service import create_case, register_citizen, run_case_action
from deploy.connections import connect_temporal
from deploy.settings import Settings
from models.citizen import CitizenCreate
from models.db import SessionFactory, make_engine, session_factory, transaction
from models.department import DepartmentRow
from models.enums import Department, Outcome, Recommendation, Role
from models.passwords import hash_password
from models.programme import Effort
from models.staff import Staff
from workflows.calendar import local_date

log = logging.getLogger("forloeb.demo")

DEMO_PASSWORD = "demo"


@dataclass(frozen=True)
class DemoStaff:
    username: str
    full_name: str
    role: Role
    department: Department | None


DEMO_STAFF = [
    DemoStaff("koordinator", "Mette Jensen", Role.COORDINATOR, Department.JOBCENTER),
    DemoStaff("koordinator2", "Lars Holm", Role.COORDINATOR, Department.JOBCENTER),
    DemoStaff("jobcenter", "Jonas Berg", Role.DEPARTMENT_WORKER, Department.JOBCENTER),
    DemoStaff("social", "Aisha Nielsen", Role.DEPARTMENT_WORKER, Department.SOCIAL),
    DemoStaff("sundhed", "Peter Madsen", Role.DEPARTMENT_WORKER, Department.HEALTH),
    DemoStaff("familie", "Sofie Larsen", Role.DEPARTMENT_WORKER, Department.FAMILY),
    DemoStaff("afdelingsleder", "Hanne Krogh", Role.DEPARTMENT_LEAD, Department.SOCIAL),
    DemoStaff("leder", "Karin Lund", Role.MANAGER, None),
    DemoStaff("admin", "Systemadministrator", Role.ADMIN, None),
]

EFFORTS = [
    Effort(department=Department.JOBCENTER, description="Virksomhedspraktik med mentor"),
    Effort(department=Department.HEALTH, description="Samtaleforløb hos psykolog"),
    Effort(department=Department.SOCIAL, description="Bostøtte to gange om ugen"),
]


# An action slug and the fields of its command.
Step = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class DemoCase:
    """A citizen and how far their course has come; days are counted back from today."""

    name: str
    cpr: str
    coordinator: str
    referred_days_ago: int
    steps: tuple[Step, ...]


def _days(n: int) -> str:
    return (local_date(datetime.now(UTC)) + timedelta(days=n)).isoformat()


def demo_cases() -> list[DemoCase]:
    prep: Step = ("start-preparation", {})

    def meeting(days: int) -> Step:
        return ("schedule-team-meeting", {"meeting_on": _days(days)})

    def recommend(kind: Recommendation) -> Step:
        efforts = EFFORTS if kind == Recommendation.RESSOURCEFORLOEB else []
        return ("record-recommendation", {"kind": kind, "efforts": efforts})

    def decide(days: int, months: int) -> Step:
        return (
            "record-decision",
            {
                "kind": Recommendation.RESSOURCEFORLOEB,
                "decided_on": _days(days),
                "duration_months": months,
            },
        )

    rf = Recommendation.RESSOURCEFORLOEB
    return [
        DemoCase("Anna Sørensen", "0304851234", "koordinator", 0, ()),
        DemoCase("Bo Christensen", "1107792345", "koordinator", 20, (prep,)),
        DemoCase("Camilla Holm", "2201903456", "koordinator", 45, (prep, meeting(10))),
        DemoCase(
            "Daniel Poulsen", "0509884567", "koordinator", 70, (prep, meeting(-10), recommend(rf))
        ),
        DemoCase(
            "Eva Rasmussen",
            "1612755678",
            "koordinator",
            90,
            (
                prep,
                meeting(-20),
                recommend(Recommendation.FLEKSJOB),
                ("record-decision", {"kind": rf, "duration_months": 12}),
            ),
        ),
        DemoCase(
            "Frederik Nielsen",
            "2803826789",
            "koordinator",
            400,
            (prep, meeting(-370), recommend(rf), decide(-355, 36)),
        ),
        DemoCase(
            "Gitte Andersen",
            "0710707890",
            "koordinator",
            1100,
            (prep, meeting(-1080), recommend(rf), decide(-1070, 36)),
        ),
        DemoCase(
            "Henrik Larsen",
            "1909868901",
            "koordinator",
            700,
            (
                prep,
                meeting(-680),
                recommend(rf),
                decide(-670, 24),
                ("end", {"outcome": Outcome.JOB, "reason": "Fast job som lagermedarbejder"}),
            ),
        ),
        DemoCase(
            "Inge Mortensen",
            "2504689012",
            "koordinator",
            120,
            (
                prep,
                meeting(-90),
                recommend(Recommendation.FOERTIDSPENSION),
                ("record-decision", {"kind": Recommendation.FOERTIDSPENSION}),
            ),
        ),
        DemoCase(
            "Jakob Friis",
            "3112930123",
            "koordinator2",
            200,
            (prep, meeting(-180), recommend(rf), decide(-170, 24)),
        ),
        DemoCase("Karen Bech", "1403911234", "koordinator2", 10, (prep,)),
    ]


def _seed_people(open_session: SessionFactory) -> bool:
    """Departments and staff; False when the demo is already there."""
    with transaction(open_session) as session:
        if session.exec(select(Staff).where(Staff.username == "koordinator")).first():
            return False
        for department in Department:
            if session.get(DepartmentRow, department.value) is None:
                session.add(DepartmentRow(code=department.value, name=department.label))
        password_hash = hash_password(DEMO_PASSWORD)
        for person in DEMO_STAFF:
            session.add(
                Staff(
                    username=person.username,
                    full_name=person.full_name,
                    role=person.role,
                    department=person.department,
                    password_hash=password_hash,
                    created_at=datetime.now(UTC),
                )
            )
    return True


async def seed_demo(settings: Settings) -> None:
    engine = make_engine(settings.effective_database_url)
    open_session = session_factory(engine)
    try:
        if not _seed_people(open_session):
            log.info("demo data already present")
            return
        client = await connect_temporal(settings)
        with open_session() as session:
            staff = {s.username: s for s in session.exec(select(Staff)).all()}
        for demo in demo_cases():
            user = staff[demo.coordinator]
            citizen = register_citizen(
                open_session, user=user, data=CitizenCreate(cpr=demo.cpr, name=demo.name)
            )
            case = await create_case(
                open_session,
                client,
                task_queue=settings.task_queue,
                user=user,
                citizen_id=citizen.id,
                coordinator_id=user.id,
                referred_on=local_date(datetime.now(UTC)) - timedelta(days=demo.referred_days_ago),
            )
            for slug, fields in demo.steps:
                action = CASE_ACTIONS[slug]
                await run_case_action(
                    open_session,
                    client,
                    user=user,
                    case_id=case.id,
                    action=action,
                    command=action.command.model_validate(fields),
                    wait=settings.update_wait,
                )
        log.info("demo municipality seeded: %d cases", len(demo_cases()))
    finally:
        engine.dispose()
