"""A demo municipality in December 2026: the four departments, one login per role, the last
running ressourceforløb in their active stages, and new cases as cross-department courses at
every stage of that type (referred to closed, one ended and awaiting its 13-week follow-up),
one of them waiting on the region's health coordinator.

Seeded through the same service functions as the API, so every demo case is a real workflow.
Seeding twice changes nothing.
"""

import logging
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlmodel import select
from temporalio.client import Client

from api.case_actions import CASE_ACTIONS, TASK_ACTIONS
from api.case_service import create_case, register_citizen, run_case_action, run_task_action
from deploy.connections import connect_temporal
from deploy.demo_meetings import import_past_meetings
from models.citizen import CitizenCreate
from models.command import Command
from models.danish_time import COPENHAGEN, add_months, local_date
from models.db import SessionFactory, make_engine, session_factory, transaction
from models.department import DepartmentRow
from models.enums import CourseType, Department, Outcome, Recommendation, Role, Stage
from models.passwords import hash_password
from models.programme import Effort
from models.progression import DEFAULT_INDICATORS
from models.registration import RegisteredCourse
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
    for_description: bool = False


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
    course_type: CourseType = CourseType.TVAERFAGLIGT
    # A course brought in from the municipality's former system, already running.
    registered: RegisteredCourse | None = None
    # The departments' parts of the combined description, asked for when it starts.
    contributions: tuple[DemoTask, ...] = ()
    # Who records the decision, where not the coordinator: a decision dated before the
    # ressourceforløb's cut-off is recorded after it by an administrator only.
    decided_by: str | None = None


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
    return _date(n).isoformat()


def _date(n: int) -> date:
    return local_date(datetime.now(UTC)) + timedelta(days=n)


def part(department: Department, purpose: str, *progress: str) -> DemoTask:
    """A department's part of the combined description, and how far it has come."""
    return DemoTask(department, purpose, 0, 0, 14, progress, for_description=True)


DONE = ("acknowledge", "start", "complete")


def demo_cases() -> list[DemoCase]:
    describe: Step = ("start-description", {})
    rf, rf_kind = CourseType.RESSOURCEFORLOEB, Recommendation.RESSOURCEFORLOEB

    def described(days: int) -> Step:
        return (
            "complete-description",
            {
                "completed_on": _days(days),
                "summary": "Angst og rygsmerter; bostøtte hjælper; klar til praktik i små timer",
                "citizen_text": "Du har det bedst med korte dage og faste aftaler",
            },
        )

    def ask_health_coordinator(days: int) -> Step:
        question = "Kan borgeren arbejde i fleksjob, og hvor mange timer om ugen?"
        return ("request-health-advice", {"question": question, "requested_on": _days(days)})

    def running(decided: int, months: int, team: int) -> RegisteredCourse:
        """A ressourceforløb granted before the cut-off, brought in from the former system."""
        return RegisteredCourse(
            stage=Stage.ACTIVE,
            team_meeting_on=_date(team),
            decided_on=_date(decided),
            planned_end=add_months(_date(decided), months),
        )

    return [
        DemoCase("Anna Sørensen", "0304851234", "koordinator", 0, ()),
        DemoCase("Bo Christensen", "1107792345", "koordinator", 20, (describe,)),
        DemoCase(
            "Camilla Holm",
            "2201903456",
            "koordinator",
            45,
            (describe,),
            contributions=(
                part(Department.HEALTH, "Helbredsoplysninger til beskrivelsen", *DONE),
                part(Department.SOCIAL, "Bostøttens erfaringer med Camilla", "acknowledge"),
            ),
            # Her first agreement went by e-mail; then she gave her mobile number, and the
            # second went by SMS: a JA by SMS answers the second.
            plan=(
                contact(["email"], email="camilla.holm@eksempel.dk"),
                meeting_at(5, 13, "cafe", "Café Solsikken, Torvet 3", "Din beskrivelse"),
                contact(["sms", "email"], "20 44 55 66", "camilla.holm@eksempel.dk"),
                meeting_at(8, 10, "jobcenter", "Jobcenteret, Rådhusvej 2", "Samtale om praktik"),
            ),
        ),
        # Waiting on the region's health coordinator: asked 18 days ago, so the coordinator
        # has been reminded to chase it.
        DemoCase(
            "Daniel Poulsen",
            "0509884567",
            "koordinator",
            70,
            (describe, described(-30), ask_health_coordinator(-18)),
            contributions=(part(Department.JOBCENTER, "Erfaringer fra praktikken", *DONE),),
            plan=(
                contact(["sms", "call"], "22 33 44 55"),
                meeting_at(
                    1,
                    9,
                    "phone",
                    "Telefonmøde: Mette ringer op",
                    "Sundhedskoordinatorens svar og næste skridt",
                ),
            ),
        ),
        DemoCase(
            "Eva Rasmussen",
            "1612755678",
            "koordinator",
            90,
            (
                describe,
                described(-20),
                ("record-decision", {"kind": Recommendation.COORDINATED, "duration_months": 12}),
            ),
            contributions=(part(Department.HEALTH, "Behandlingsplan fra psykiatrien", *DONE),),
        ),
        # Ended early today, when he got a place at school: the 13-week follow-up is ahead.
        DemoCase(
            "Mads Kjær",
            "0811824567",
            "koordinator",
            190,
            (
                describe,
                described(-160),
                (
                    "record-decision",
                    {
                        "kind": Recommendation.COORDINATED,
                        "decided_on": _days(-150),
                        "duration_months": 12,
                    },
                ),
                (
                    "end",
                    {"outcome": Outcome.EDUCATION, "reason": "Optaget på SOSU-uddannelsen"},
                ),
            ),
            contributions=(part(Department.SOCIAL, "Bostøttens erfaringer", *DONE),),
        ),
        DemoCase(
            "Frederik Nielsen",
            "2803826789",
            "koordinator",
            400,
            (),
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
            course_type=rf,
            registered=running(-355, 36, team=-370),
        ),
        # Decided in January 2024 and run here since: no effort started within six months,
        # so the case is flagged for the rehabilitation team (LAB § 113, stk. 2). Today only
        # an administrator may record a decision dated before the cut-off.
        DemoCase(
            "Gitte Andersen",
            "0710707890",
            "koordinator",
            1100,
            (
                ("start-preparation", {}),
                ("schedule-team-meeting", {"meeting_on": _days(-1080)}),
                (
                    "record-recommendation",
                    {"kind": Recommendation.RESSOURCEFORLOEB, "efforts": EFFORTS},
                ),
                (
                    "record-decision",
                    {
                        "kind": rf_kind,
                        "decided_on": _days(-1070),
                        "duration_months": 36,
                    },
                ),
            ),
            course_type=rf,
            decided_by="admin",
        ),
        DemoCase(
            "Henrik Larsen",
            "1909868901",
            "koordinator",
            700,
            (("end", {"outcome": Outcome.JOB, "reason": "Fast job som lagermedarbejder"}),),
            course_type=rf,
            registered=running(-670, 24, team=-680),
        ),
        DemoCase(
            "Inge Mortensen",
            "2504689012",
            "koordinator",
            120,
            (
                describe,
                described(-70),
                ask_health_coordinator(-60),
                (
                    "record-health-advice",
                    {
                        "advice": "Varigt nedsat arbejdsevne; ingen udsigt til bedring",
                        "received_on": _days(-25),
                    },
                ),
                ("record-decision", {"kind": Recommendation.FOERTIDSPENSION}),
            ),
            contributions=(part(Department.HEALTH, "Lægeattest og behandlingshistorik", *DONE),),
        ),
        DemoCase(
            "Jakob Friis",
            "3112930123",
            "koordinator2",
            420,
            (),
            course_type=rf,
            registered=running(-330, 24, team=-340),
        ),
        # Karen prefers SMS: the new contact person reaches her by SMS once Mette accepts.
        DemoCase(
            "Karen Bech",
            "1403911234",
            "koordinator2",
            10,
            (contact(["sms"], "28 45 67 89"), describe),
            handover_to="koordinator",
        ),
        # The description is done; the municipality has yet to decide.
        DemoCase(
            "Lone Kristensen",
            "1208884321",
            "koordinator2",
            50,
            (describe, described(-3)),
            contributions=(
                part(Department.JOBCENTER, "Jobcentrets vurdering", *DONE),
                part(Department.FAMILY, "Familiens situation", *DONE),
            ),
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
        course_type=demo.course_type,
        registered=demo.registered,
    )

    async def as_coordinator(slug: str, fields: dict[str, object]) -> Command:
        action = CASE_ACTIONS[slug]
        command = action.command.model_validate(fields)
        await run_case_action(
            open_session,
            client,
            user=staff[demo.decided_by] if slug == "record-decision" and demo.decided_by else user,
            case_id=case.id,
            action=action,
            command=command,
            settings=settings,
        )
        return command

    async def assign(task: DemoTask) -> None:
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
                "for_description": task.for_description,
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

    referred_on = today - timedelta(days=demo.referred_days_ago)
    for slug, fields in (*demo.steps, *demo.plan):
        if slug in ("start-preparation", "start-description"):
            # It began the day after the referral, as the timeline then shows.
            fields = {"started_on": min(referred_on + timedelta(days=1), today).isoformat()}
        await as_coordinator(slug, fields)
        if slug == "start-description":
            for task in demo.contributions:
                await assign(task)
    for task in demo.tasks:
        await assign(task)
    if demo.handover_to:
        receiver = staff[demo.handover_to]
        await as_coordinator(
            "request-handover",
            {
                "to_id": str(receiver.id),
                "note": {
                    "status": "Beskrivelsen er i gang; borgeren er motiveret for praktik",
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
