"""The dashboard's progression measurement: exact figures on case rows written directly,
their drill-downs and CSV, and the department filter."""

import csv
import io
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from sqlmodel import Session

from models.case import Case
from models.danish_time import local_date
from models.enums import Department, Role, Stage, TaskState
from models.staff import Staff
from models.task import Task
from tests.api.conftest import logged_in
from tests.factories import make_citizen, make_staff

DAY = timedelta(days=1)
HOUR = timedelta(hours=1)


@dataclass
class Courses:
    coordinator: Staff
    now: datetime
    due: dict[str, datetime | None]  # when each citizen's next measurement is due


# Citizen: stage, change since the first scores, days since the next round fell due (None:
# none due), and the departments with a task on the course.
COURSES: dict[str, tuple[Stage, float | None, timedelta | None, list[Department]]] = {
    "Alma Frem": (Stage.ACTIVE, 1.5, -30 * DAY, []),
    "Bo Frem": (Stage.PREPARATION, 0.25, 20 * DAY, [Department.HEALTH]),
    # Just inside the two weeks: due on the board, not yet late on the dashboard.
    "Cille Stille": (Stage.ACTIVE, 0.0, 14 * DAY - HOUR, []),
    # Just past them.
    "Dan Tilbage": (Stage.TEAM, -1.0, 14 * DAY + HOUR, [Department.SOCIAL]),
    "Ea Ny": (Stage.REFERRED, None, 30 * DAY, [Department.HEALTH]),
    "Finn Ny": (Stage.ACTIVE, None, None, []),
    # Ended and closed courses are not counted, whatever their rows say.
    "Gitte Slut": (Stage.ENDED, 2.0, 60 * DAY, [Department.HEALTH]),
    "Hans Lukket": (Stage.CLOSED, -2.0, None, [Department.SOCIAL]),
}


def write(session: Session) -> Courses:
    now = datetime.now(UTC)
    coordinator = make_staff(session, Role.COORDINATOR)
    due: dict[str, datetime | None] = {}
    for name, (stage, change, since_due, departments) in COURSES.items():
        citizen = make_citizen(session, name)
        case_id = uuid.uuid4()
        due[name] = now - since_due if since_due is not None else None
        session.add(
            Case(
                id=case_id,
                citizen_id=citizen.id,
                coordinator_id=coordinator.id,
                workflow_id=f"programme-{case_id}",
                stage=stage,
                referred_at=now - 200 * DAY,
                progression_due_at=due[name],
                progression_change=change,
                updated_at=now,
            )
        )
        session.flush()
        for department in departments:
            session.add(
                Task(
                    id=uuid.uuid4(),
                    case_id=case_id,
                    department=department,
                    purpose="Opgave",
                    state=TaskState.ASSIGNED,
                    assigned_at=now - 10 * DAY,
                    acknowledge_by=now - 7 * DAY,
                    updated_at=now,
                )
            )
    session.commit()
    return Courses(coordinator=coordinator, now=now, due=due)


@pytest.fixture
def courses(session) -> Courses:
    return write(session)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def mine(courses: Courses, **extra: str) -> dict[str, str]:
    return {"koordinator": str(courses.coordinator.id), **extra}


async def figures(client, courses: Courses, **extra: str) -> list[list[str]]:
    answer = await client.get("/leder/progression.csv", params=mine(courses, **extra))
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return read_csv(answer.text)


async def drill(client, courses: Courses, art: str, **extra: str) -> list[list[str]]:
    answer = await client.get(
        "/leder/sager",
        params=mine(courses, vis="progression", art=art, format="csv", **extra),
    )
    assert answer.status_code == 200, answer.text
    return read_csv(answer.text)


def day(moment: datetime | None) -> str:
    return local_date(moment).isoformat() if moment else ""


async def test_the_figures_are_counted_exactly(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        table = await figures(client, courses)
    assert table == [
        ["Tal", "Forløb", "Ud af", "Andel"],
        ["Åbne forløb", "6", "", ""],
        ["Med anden måling", "4", "6", "0,667"],
        ["Med fremgang", "2", "4", "0,5"],
        ["Uændret", "1", "4", "0,25"],
        ["Med tilbagegang", "1", "4", "0,25"],
        ["Endnu uden anden måling", "2", "6", "0,333"],
        ["Måling forsinket over 14 dage", "3", "6", "0,5"],
    ]


async def test_each_figure_lists_its_cases(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        late = await drill(client, courses, "forsinket")
        assert late[0] == [
            "Borger",
            "Koordinator",
            "Fase",
            "Udvikling",
            "Næste måling",
            "Dage siden forfald",
        ]
        coordinator = courses.coordinator.full_name
        assert late[1:] == [
            [
                "Bo Frem",
                coordinator,
                Stage.PREPARATION.label,
                "0,25",
                day(courses.due["Bo Frem"]),
                "20",
            ],
            [
                "Dan Tilbage",
                coordinator,
                Stage.TEAM.label,
                "-1",
                day(courses.due["Dan Tilbage"]),
                "14",
            ],
            ["Ea Ny", coordinator, Stage.REFERRED.label, "", day(courses.due["Ea Ny"]), "30"],
        ]
        forward = await drill(client, courses, "fremgang")
        assert forward[0] == ["Borger", "Koordinator", "Fase", "Udvikling", "Næste måling"]
        assert [(r[0], r[3], r[4]) for r in forward[1:]] == [
            ("Alma Frem", "1,5", day(courses.due["Alma Frem"])),
            ("Bo Frem", "0,25", day(courses.due["Bo Frem"])),
        ]
        names = {
            art: [r[0] for r in (await drill(client, courses, art))[1:]]
            for art in ("aabne", "maalt", "uaendret", "tilbagegang", "uden")
        }
        assert names == {
            "aabne": [
                "Alma Frem",
                "Bo Frem",
                "Cille Stille",
                "Dan Tilbage",
                "Ea Ny",
                "Finn Ny",
            ],
            "maalt": ["Alma Frem", "Bo Frem", "Cille Stille", "Dan Tilbage"],
            "uaendret": ["Cille Stille"],
            "tilbagegang": ["Dan Tilbage"],
            "uden": ["Ea Ny", "Finn Ny"],
        }
        bad = await client.get("/leder/sager", params=mine(courses, vis="progression", art="x"))
        assert bad.status_code == 422
        missing = await client.get("/leder/sager", params=mine(courses, vis="progression"))
        assert missing.status_code == 422


async def test_the_department_filter_counts_courses_with_a_task_there(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        health = await figures(client, courses, afdeling=Department.HEALTH.value)
        assert [row[:3] for row in health[1:]] == [
            ["Åbne forløb", "2", ""],
            ["Med anden måling", "1", "2"],
            ["Med fremgang", "1", "1"],
            ["Uændret", "0", "1"],
            ["Med tilbagegang", "0", "1"],
            ["Endnu uden anden måling", "1", "2"],
            ["Måling forsinket over 14 dage", "2", "2"],
        ]
        rows = await drill(client, courses, "forsinket", afdeling=Department.HEALTH.value)
        assert [r[0] for r in rows[1:]] == ["Bo Frem", "Ea Ny"]
    # A department lead sees her own department's figures, whatever the address asks for.
    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.SOCIAL)
    async with logged_in(service, lead) as client:
        social = await figures(client, courses, afdeling=Department.HEALTH.value)
        assert [row[:3] for row in social[1:]] == [
            ["Åbne forløb", "1", ""],
            ["Med anden måling", "1", "1"],
            ["Med fremgang", "0", "1"],
            ["Uændret", "0", "1"],
            ["Med tilbagegang", "1", "1"],
            ["Endnu uden anden måling", "0", "1"],
            ["Måling forsinket over 14 dage", "1", "1"],
        ]
        page = (await client.get("/leder", params=mine(courses))).text
    # One of each, in the singular.
    assert (
        "Med fremgang: 0 af 1 forløb (0 %). 0 forløb har endnu ikke en anden måling. "
        "1 måling er forsinket (faldt til for mere end 14 dage siden)."
    ) in page
    assert "<strong>1</strong> forløb med forsinket måling" in page


async def test_the_page_shows_the_figures_their_definition_and_links(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        page = (await client.get("/leder", params=mine(courses))).text
        others = (await client.get("/leder", params=mine(courses, afdeling="family"))).text
    assert 'id="h-progression">Progressionsmåling</h2>' in page
    assert (
        "Med fremgang: 2 af 4 forløb (50 %). 2 forløb har endnu ikke en anden måling. "
        "3 målinger er forsinkede (faldt til for mere end 14 dage siden)."
    ) in page
    assert "<strong>3</strong> forløb med forsinket måling" in page
    assert "faldt til for mere end 14 dage siden: på tavlen" in page
    assert 'aria-label="Indikatorernes udvikling i de åbne forløb"' in page
    assert ">67 %<" in page and ">33 %<" in page
    assert "vis=progression&amp;art=forsinket" in page
    # No course with a second measurement: nothing to draw, and the share is not guessed.
    assert "Med fremgang: intet forløb har en anden måling endnu." in others
    assert "0 målinger er forsinkede" in others
    assert "Indikatorernes udvikling" not in others
