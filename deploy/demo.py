"""A demo municipality: the four departments, one login per role, and cases at every stage.

Seeded through the same service functions as the API, so every demo case is a real workflow.
Seeding twice changes nothing.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta

from sqlmodel import select
from temporalio.client import Client

from api.case_actions import CASE_ACTIONS, TASK_ACTIONS
from api.case_service import create_case, register_citizen, run_case_action, run_task_action
from deploy.connections import connect_temporal
from deploy.demo_meetings import import_past_meetings
from models.citizen import CitizenCreate
from models.command import Command
from models.danish_time import COPENHAGEN, local_date
from models.db import SessionFactory, make_engine, session_factory, transaction
from models.department import DepartmentRow
from models.enums import Department, Outcome, Recommendation, Role
from models.passwords import hash_password
from models.programme import Effort
from models.progression import DEFAULT_INDICATORS
from models.settings import Settings
from models.staff import Staff
from models.task import AssignTask

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
    DemoStaff("afdelingsleder", "Hanne Krogh", Role.DEPARTMENT_LEAD, Department.HEALTH),
    DemoStaff("leder", "Karin Lund", Role.MANAGER, None),
    DemoStaff("admin", "Systemadministrator", Role.ADMIN, None),
    DemoStaff("databeskyttelse", "Dorte Winther", Role.DATA_PROTECTION, None),
]

EFFORTS = [
    Effort(department=Department.JOBCENTER, description="Virksomhedspraktik med mentor"),
    Effort(department=Department.HEALTH, description="Samtaleforløb hos psykolog"),
    Effort(department=Department.SOCIAL, description="Bostøtte to gange om ugen"),
]


# An action slug and the fields of its command.
Step = tuple[str, dict[str, object]]


@dataclass(frozen=True)
class DemoTask:
    """A task for a department and how far the department has taken it."""

    department: Department
    purpose: str
    assigned_days_ago: int
    start: int | None  # days from today
    due: int | None
    progress: tuple[str, ...] = ()  # task action slugs, done by the department's demo worker
    carries_recommendation: bool = False
    considerations: str = ""
    # How the citizen's own page names it; empty: not shown there.
    citizen_text: str = ""


@dataclass(frozen=True)
class DemoCase:
    """A citizen and how far their course has come; days are counted back from today."""

    name: str
    cpr: str
    coordinator: str
    referred_days_ago: int
    steps: tuple[Step, ...]
    tasks: tuple[DemoTask, ...] = ()
    plan: tuple[Step, ...] = ()
    handover_to: str | None = None


DEPARTMENT_WORKERS = {
    Department.JOBCENTER: "jobcenter",
    Department.SOCIAL: "social",
    Department.HEALTH: "sundhed",
    Department.FAMILY: "familie",
}


# Only the psychologist task is backdated: it is the one the health department has left
# unacknowledged. The others are handled at once, as a department answering on time would.
FREDERIKS_TASKS = (
    DemoTask(
        Department.HEALTH,
        "Helbredsvurdering hos kommunallæge",
        0,
        None,
        10,
        ("acknowledge", "start", "complete"),
    ),
    DemoTask(
        Department.JOBCENTER,
        "Virksomhedspraktik i genbrugsbutik",
        0,
        0,
        60,
        ("acknowledge", "start"),
        carries_recommendation=True,
        considerations="Højst 12 timer om ugen; pauser efter behov",
        citizen_text="Praktik i genbrugsbutikken",
    ),
    # Social sees these considerations only once the coordinator records the citizen's
    # consent to share health information with it.
    DemoTask(
        Department.HEALTH,
        "Samtaleforløb hos psykolog",
        12,
        5,
        90,
        carries_recommendation=True,
        considerations="Angst: korte samtaler, aldrig i grupper",
        citizen_text="Samtaler om at få det bedre",
    ),
    DemoTask(Department.SOCIAL, "Bostøtte to gange om ugen", 0, 0, 180, ("acknowledge",)),
    DemoTask(Department.FAMILY, "Familierådgivning om datterens skolegang", 0, 3, 30),
)


def contact(channels: list[str], phone: str | None = None, email: str | None = None) -> Step:
    return ("set-contact", {"channels": channels, "phone": phone, "email": email})


def meeting_at(days: int, hour: int, kind: str, place: str, purpose: str, bring: str = "") -> Step:
    moment = datetime.combine(
        local_date(datetime.now(UTC)) + timedelta(days=days), time(hour), tzinfo=COPENHAGEN
    )
    return (
        "book-meeting",
        {
            "starts_at": moment.isoformat(),
            "place_kind": kind,
            "place": place,
            "purpose": purpose,
            "bring": bring,
        },
    )


def effort(kind: str, title: str, owner: str, start: int, end: int, citizen_text: str = "") -> Step:
    return (
        "record-effort",
        {
            "kind": kind,
            "title": title,
            "owner": owner,
            "start": _days(start),
            "end": _days(end),
            "citizen_text": citizen_text,
        },
    )


def goal(text: str, months: int | None = None, sub_goal: bool = False) -> Step:
    target = _days(months * 30) if months else None
    return ("record-goal", {"text": text, "target_on": target, "sub_goal": sub_goal})


def progression(days: int, *scores: int) -> Step:
    """A measurement taken at a conversation `days` ago, in the order of DEFAULT_INDICATORS."""
    keys = [indicator.key for indicator in DEFAULT_INDICATORS]
    return (
        "record-progression",
        {"scores": dict(zip(keys, scores, strict=True)), "measured_on": _days(days)},
    )


def pause(start: int, end: int, reason: str) -> Step:
    return ("justify-pause", {"start": _days(start), "end": _days(end), "reason": reason})


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
        DemoCase(
            "Camilla Holm",
            "2201903456",
            "koordinator",
            45,
            (prep, meeting(10)),
            # Her first agreement went by e-mail; then she gave her mobile number, and the
            # second went by SMS: a JA by SMS answers the second.
            plan=(
                contact(["email"], email="camilla.holm@eksempel.dk"),
                meeting_at(5, 13, "cafe", "Café Solsikken, Torvet 3", "Forberedelse til teammødet"),
                contact(["sms", "email"], "20 44 55 66", "camilla.holm@eksempel.dk"),
                meeting_at(8, 10, "jobcenter", "Jobcenteret, Rådhusvej 2", "Samtale om praktik"),
            ),
        ),
        DemoCase(
            "Daniel Poulsen",
            "0509884567",
            "koordinator",
            70,
            (prep, meeting(-10), recommend(rf)),
            plan=(
                contact(["sms", "call"], "22 33 44 55"),
                meeting_at(
                    1, 9, "phone", "Telefonmøde: Mette ringer op", "Afgørelsen og næste skridt"
                ),
            ),
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
            tasks=FREDERIKS_TASKS,
            # His progression was measured at the start and after half a year; the round
            # after that is due, so the measurement's SMS carries the link to his page.
            plan=(
                goal("Et job i en butik, 15 timer om ugen", 14),
                goal("Kunne tage bussen alene", 2, sub_goal=True),
                goal("Praktik 12 timer om ugen uden sygedage", 5, sub_goal=True),
                effort(
                    "meeting",
                    "Forberedende samtaler",
                    "Koordinator",
                    -398,
                    -371,
                    "Samtaler med Mette om din plan",
                ),
                effort(
                    "effort",
                    "Mentorstøtte",
                    "Mentor i Jobcenter",
                    -365,
                    -200,
                    "Mentor i praktikken",
                ),
                pause(-199, -150, "Indlagt på hospital; aftalt pause med egen læge"),
                effort(
                    "treatment", "Fysioterapi", "Sundhed", -149, -96, "Træning for ryg og skuldre"
                ),
                effort(
                    "effort", "Afklaringsforløb", "Jobcenter", -95, -1, "Afklaring af dit arbejde"
                ),
                progression(-390, 3, 2, 3, 3),
                contact(["sms", "email"], "20 11 22 33", "frederik@eksempel.dk"),
                progression(-200, 5, 4, 4, 5),
                meeting_at(
                    2,
                    10,
                    "library",
                    "Hovedbiblioteket, mødelokale 2",
                    "Hvordan går praktikken",
                    "din kalender",
                ),
            ),
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
        # Karen prefers SMS: the new contact person reaches her by SMS once Mette accepts.
        DemoCase(
            "Karen Bech",
            "1403911234",
            "koordinator2",
            10,
            (contact(["sms"], "28 45 67 89"), prep),
            handover_to="koordinator",
        ),
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
                    email=f"{person.username}@demo.forloeb.dk",
                    # The coordinators' work phones, for their citizens' pages.
                    phone="33 66 12 34" if person.role == Role.COORDINATOR else None,
                    password_hash=password_hash,
                    created_at=datetime.now(UTC),
                )
            )
    return True


async def _seed_case(
    open_session: SessionFactory,
    client: Client,
    settings: Settings,
    staff: dict[str, Staff],
    demo: DemoCase,
) -> None:
    user = staff[demo.coordinator]
    citizen = register_citizen(
        open_session, user=user, data=CitizenCreate(cpr=demo.cpr, name=demo.name)
    )
    today = local_date(datetime.now(UTC))
    case = await create_case(
        open_session,
        client,
        task_queue=settings.task_queue,
        user=user,
        citizen_id=citizen.id,
        coordinator_id=user.id,
        referred_on=today - timedelta(days=demo.referred_days_ago),
    )

    async def as_coordinator(slug: str, fields: dict[str, object]) -> Command:
        action = CASE_ACTIONS[slug]
        command = action.command.model_validate(fields)
        await run_case_action(
            open_session,
            client,
            user=user,
            case_id=case.id,
            action=action,
            command=command,
            settings=settings,
        )
        return command

    referred_on = today - timedelta(days=demo.referred_days_ago)
    for slug, fields in (*demo.steps, *demo.plan):
        if slug == "start-preparation":
            # The preparation began the day after the referral, as the timeline then shows.
            fields = {"started_on": min(referred_on + timedelta(days=1), today).isoformat()}
        await as_coordinator(slug, fields)
    for task in demo.tasks:
        assigned = await as_coordinator(
            "assign-task",
            {
                "department": task.department,
                "purpose": task.purpose,
                "considerations": task.considerations,
                "assigned_on": _days(-task.assigned_days_ago),
                "expected_start": _days(task.start) if task.start is not None else None,
                "due": _days(task.due) if task.due is not None else None,
                "carries_recommendation": task.carries_recommendation,
                "citizen_text": task.citizen_text,
            },
        )
        assert isinstance(assigned, AssignTask) and assigned.task_id
        for slug in task.progress:
            action = TASK_ACTIONS[slug]
            fields = {"result": "Ingen skånebehov ud over det kendte"} if slug == "complete" else {}
            await run_task_action(
                open_session,
                client,
                user=staff[DEPARTMENT_WORKERS[task.department]],
                task_id=uuid.UUID(assigned.task_id),
                action=action,
                command=action.command.model_validate(fields),  # type: ignore[arg-type]
                settings=settings,
            )
    if demo.handover_to:
        receiver = staff[demo.handover_to]
        await as_coordinator(
            "request-handover",
            {
                "to_id": str(receiver.id),
                "note": {
                    "status": "Forberedende del i gang; borgeren er motiveret for praktik",
                    "open_tasks": "Ingen endnu",
                    "agreements": "Ringer til borgeren hver mandag formiddag",
                    "citizen_told": "At Mette Jensen overtager, når hun har accepteret",
                },
            },
        )


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
            await _seed_case(open_session, client, settings, staff, demo)
        past = import_past_meetings(open_session, datetime.now(UTC))
        log.info("demo municipality seeded: %d cases, %d past meetings", len(demo_cases()), past)
    finally:
        engine.dispose()
