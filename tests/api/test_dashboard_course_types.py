"""The dashboard by course type: the filter every section, list and CSV follows; the key
figures per type side by side; the phase-out of the ressourceforløb; the region's health
coordinator among the waits; and the limits per type under the definitions. Case rows are
written directly, for exact figures."""

import csv
import io
import json
import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import pytest
from sqlmodel import Session

from api.app import create_app
from api.dashboard.period import Quarter
from models.case import Case
from models.danish_time import local_date, working_days_after
from models.enums import CourseType, Department, Role, Stage, TaskState
from models.settings import Settings
from models.staff import Staff
from models.task import Task
from tests.api.conftest import TEST_PAYLOAD_KEYS, Service, logged_in, serve
from tests.api.dashboard_scenario import Scenario, at
from tests.api.dashboard_scenario import build as build_scenario
from tests.factories import make_citizen, make_staff

DAY = timedelta(days=1)
LEGACY, CROSS = CourseType.RESSOURCEFORLOEB, CourseType.TVAERFAGLIGT
HEALTH_WAIT = ("Anmodning → sundhedsfaglig rådgivning", "Regionens sundhedskoordinator")


@dataclass
class Courses:
    coordinator: Staff
    now: datetime
    today: date
    quarter: Quarter  # the one we are in
    cases: dict[str, Case]


def write(session: Session) -> Courses:
    now = datetime.now(UTC)
    today = local_date(now)
    q0 = Quarter.of(today)
    q = [q0]
    while len(q) < 5:
        q.append(q[-1].next())
    earlier = q0.previous()
    coordinator = make_staff(session, Role.COORDINATOR)
    cases: dict[str, Case] = {}

    def course(name: str, type: CourseType, stage: Stage, **fields: Any) -> Case:
        citizen = make_citizen(session, name)
        case_id = uuid.uuid4()
        case = Case(
            id=case_id,
            citizen_id=citizen.id,
            coordinator_id=coordinator.id,
            workflow_id=f"programme-{case_id}",
            course_type=type,
            stage=stage,
            referred_at=now - 400 * DAY,
            updated_at=now,
            **fields,
        )
        session.add(case)
        cases[name] = case
        return case

    def waiting_task(case: Case) -> None:
        session.flush()
        session.add(
            Task(
                id=uuid.uuid4(),
                case_id=case.id,
                department=Department.SOCIAL,
                purpose="Opgave",
                state=TaskState.ASSIGNED,
                assigned_at=now - 10 * DAY,
                acknowledge_by=now - 7 * DAY,
                waiting_since=now - 7 * DAY,
                updated_at=now,
            )
        )

    decided = today - 300 * DAY
    # Ressourceforløb: one past its planned end, one ending this quarter, one in two quarters
    # that missed the six-month rule and has stalled, the last one in four quarters; one before
    # its decision with a waiting task; one ended and one closed, neither counted as open.
    course("Asta Passeret", LEGACY, Stage.ACTIVE, decided_on=decided, planned_end=today - 10 * DAY)
    course("Bjørn Nu", LEGACY, Stage.ACTIVE, decided_on=decided, planned_end=q[1].start - DAY)
    course(
        "Cecilie Senere",
        LEGACY,
        Stage.ACTIVE,
        decided_on=decided,
        planned_end=q[2].start + 5 * DAY,
        effort_rule_missed_on=decided + 183 * DAY,
        stalled_since=now - 3 * DAY,
        stall_reason="Hul i planen",
    )
    course(
        "Dennis Sidst", LEGACY, Stage.ACTIVE, decided_on=decided, planned_end=q[4].start + 20 * DAY
    )
    waiting_task(course("Elna Før", LEGACY, Stage.RECOMMENDED))
    course(
        "Frode Afsluttet",
        LEGACY,
        Stage.ENDED,
        decided_on=decided,
        planned_end=today - 5 * DAY,
        effort_rule_missed_on=decided + 183 * DAY,
    )
    course("Gerda Lukket", LEGACY, Stage.CLOSED, decided_on=decided, planned_end=q[3].start)
    # The cross course: one waiting on the health coordinator for 20 days now, and stalled by
    # it; one whose advice came after 10 days last quarter; one active and stalled; one being
    # described, with a waiting task.
    course(
        "Hanne Råd",
        CROSS,
        Stage.HEALTH_ADVICE,
        health_advice_requested_at=now - 20 * DAY,
        stalled_since=now - DAY,
        stall_reason="Afventer sundhedskoordinatoren",
    )
    course(
        "Ib Rådgivet",
        CROSS,
        Stage.DESCRIBED,
        health_advice_requested_at=at(earlier.start + 5 * DAY),
        health_advice_received_at=at(earlier.start + 15 * DAY),
    )
    course(
        "Jonna Aktiv",
        CROSS,
        Stage.ACTIVE,
        decided_on=decided,
        planned_end=q[3].start,
        stalled_since=now - 2 * DAY,
        stall_reason="Hul i planen",
    )
    waiting_task(course("Kaj Beskriver", CROSS, Stage.DESCRIPTION))
    session.commit()
    return Courses(coordinator=coordinator, now=now, today=today, quarter=q0, cases=cases)


@pytest.fixture
def courses(session) -> Courses:
    return write(session)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


def mine(courses: Courses, **extra: str) -> dict[str, str]:
    return {"koordinator": str(courses.coordinator.id), **extra}


async def table(client, key: str, courses: Courses, **extra: str) -> list[list[str]]:
    answer = await client.get(f"/leder/{key}.csv", params=mine(courses, **extra))
    assert answer.status_code == 200, answer.text
    return read_csv(answer.text)


async def drill(client, courses: Courses, **params: str) -> list[list[str]]:
    answer = await client.get("/leder/sager", params=mine(courses, format="csv", **params))
    assert answer.status_code == 200, answer.text
    return read_csv(answer.text)


def names(rows: list[list[str]]) -> list[str]:
    return [row[0] for row in rows[1:]]


async def test_the_key_figures_stand_side_by_side_per_type(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        figures = await table(client, "typer", courses)
        assert figures == [
            [
                "Forløbstype",
                "Åbne sager",
                "Før afgørelsen",
                "Aktive forløb",
                "I stå",
                "Ventende opgaver",
                "Venter på sundhedskoordinatoren",
            ],
            ["Ressourceforløb", "6", "1", "4", "1", "1", "0"],
            ["Tværfagligt forløb", "4", "3", "1", "2", "1", "1"],
            ["I alt", "10", "4", "5", "3", "2", "1"],
        ]
        # One type chosen: its row alone.
        cross = await table(client, "typer", courses, forloebstype=CROSS.value)
        assert cross[1:] == [["Tværfagligt forløb", "4", "3", "1", "2", "1", "1"]]
        # Each figure lists its cases, of its type.
        assert names(await drill(client, courses, vis="typer", art="foer")) == [
            "Elna Før",
            "Hanne Råd",
            "Ib Rådgivet",
            "Kaj Beskriver",
        ]
        listed = await drill(client, courses, vis="typer", art="aabne", forloebstype=LEGACY.value)
        assert names(listed) == [
            "Asta Passeret",
            "Bjørn Nu",
            "Cecilie Senere",
            "Dennis Sidst",
            "Elna Før",
            "Frode Afsluttet",
        ]
        assert listed[0][3:] == ["Forløbstype", "Visiteret", "Planlagt slut"]
        # The longest stalled first.
        assert names(await drill(client, courses, vis="staaet", forloebstype=CROSS.value)) == [
            "Jonna Aktiv",
            "Hanne Råd",
        ]
        assert names(await drill(client, courses, vis="venter", forloebstype=LEGACY.value)) == [
            "Elna Før"
        ]
        bad = await client.get("/leder/sager", params=mine(courses, vis="typer", art="staaet"))
        assert bad.status_code == 422


async def test_the_phase_out_counts_the_legacy_courses_ends_per_quarter(service, session, courses):
    q = [courses.quarter]
    while len(q) < 5:
        q.append(q[-1].next())
    last = courses.cases["Dennis Sidst"].planned_end
    assert last is not None
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        phase_out = await table(client, "udfasning", courses)
        assert phase_out == [
            ["Tal", "Forløb"],
            ["Åbne ressourceforløb", "5"],
            ["Før afgørelsen", "1"],
            ["Aktive", "4"],
            ["Aktive, planlagt slutdato passeret", "1"],
            [f"Slutter {q[0].short}", "1"],
            [f"Slutter {q[1].short}", "0"],
            [f"Slutter {q[2].short}", "1"],
            [f"Slutter {q[3].short}", "0"],
            [f"Slutter {q[4].short}", "1"],
            ["Seksmånedersreglen overskredet uden indsats", "1"],
            ["Sidste planlagte slutdato", last.isoformat()],
        ]
        ending = await drill(client, courses, vis="udfasning", art="kvartal", slutter=q[2].code)
        assert ending[0] == [
            "Borger",
            "Koordinator",
            "Fase",
            "Afgjort",
            "Planlagt slut",
            "Seksmånedersregel overskredet",
        ]
        cecilie = courses.cases["Cecilie Senere"]
        assert ending[1:] == [
            [
                "Cecilie Senere",
                courses.coordinator.full_name,
                Stage.ACTIVE.label,
                str(cecilie.decided_on),
                str(cecilie.planned_end),
                str(cecilie.effort_rule_missed_on),
            ]
        ]
        assert names(await drill(client, courses, vis="udfasning", art="seksmaaneder")) == [
            "Cecilie Senere"
        ]
        assert names(await drill(client, courses, vis="udfasning", art="passeret")) == [
            "Asta Passeret"
        ]
        assert names(
            await drill(client, courses, vis="udfasning", art="kvartal", slutter=q[0].code)
        ) == ["Bjørn Nu"]
        # The cross course is not phased out: nothing to count when it is chosen.
        assert await table(client, "udfasning", courses, forloebstype=CROSS.value) == [
            ["Tal", "Forløb"]
        ]
        page = (await client.get("/leder", params=mine(courses))).text
        missing = await client.get(
            "/leder/sager", params=mine(courses, vis="udfasning", art="kvartal")
        )
        assert missing.status_code == 422
    assert 'id="h-udfasning">Udfasning af ressourceforløb</h2>' in page
    assert (
        "Det sidste aktive ressourceforløb slutter efter planen "
        f"{last:%d.%m.%Y} ({q[4].short}). 1 åbent forløb har overskredet seksmånedersreglen "
        "uden en indsats."
    ) in page
    assert "<strong>5</strong> åbne ressourceforløb" in page
    assert 'aria-label="Aktive ressourceforløb efter planlagt slutkvartal"' in page


async def test_the_health_coordinator_is_waited_on_like_a_department(service, session, courses):
    requested = courses.cases["Hanne Råd"].health_advice_requested_at
    assert requested is not None
    since = local_date(requested)
    waited = str((courses.today - since).days)  # 20, as the clock turns
    working = str(working_days_after(since, courses.today))
    earlier = courses.quarter.previous()
    last_quarter = str(working_days_after(earlier.start + 5 * DAY, earlier.start + 15 * DAY))
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        waits = await table(client, "ventetider", courses)
        assert waits[0][1] == "Afdeling eller part" and waits[0][-1] == "Venter nu"
        rows = {(row[0], row[1]): row[2:] for row in waits[1:]}
        # The wait still running counts to today in this quarter; last quarter's ended after 10.
        assert rows[HEALTH_WAIT] == [
            *["1", waited, waited, working, working],
            *["1", "10", "10", last_quarter, last_quarter],
            "1",
        ]
        # Only the health coordinator's wait can be seen waiting now.
        assert all(row[-1] == "" for key, row in rows.items() if key != HEALTH_WAIT)
        now_waiting = await drill(
            client, courses, vis="ventetid", maal="sundhedskoordinator", nu="ja"
        )
        assert now_waiting[1:] == [
            [
                "Hanne Råd",
                courses.coordinator.full_name,
                Stage.HEALTH_ADVICE.label,
                "Regionens sundhedskoordinator",
                since.isoformat(),
                "",
                waited,
                working,
            ]
        ]
        ended = await drill(
            client, courses, vis="ventetid", maal="sundhedskoordinator", kvartal=earlier.code
        )
        assert [(r[0], r[4], r[5], r[6]) for r in ended[1:]] == [
            (
                "Ib Rådgivet",
                (earlier.start + 5 * DAY).isoformat(),
                (earlier.start + 15 * DAY).isoformat(),
                "10",
            )
        ]
        # A wait that is not the chosen type's is left out; the legacy type has no advice.
        legacy = await table(client, "ventetider", courses, forloebstype=LEGACY.value)
        assert HEALTH_WAIT not in {(row[0], row[1]) for row in legacy[1:]}
        cross = await table(client, "ventetider", courses, forloebstype=CROSS.value)
        assert [row[0] for row in cross[1:]][:2] == [HEALTH_WAIT[0], "Afgørelse → første indsats"]
        # A case stalled on the advice names the health coordinator as the one it waits on.
        stalled = await table(client, "staaet", courses, forloebstype=CROSS.value)
        assert {row[0]: row[-1] for row in stalled[1:]} == {
            "Hanne Råd": "Regionens sundhedskoordinator",
            "Jonna Aktiv": "",
        }


async def test_the_caseload_shows_the_chosen_type_within_the_whole(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        assert (await table(client, "sagsstamme", courses))[1][1:] == ["10", "Under"]
        legacy = await table(client, "sagsstamme", courses, forloebstype=LEGACY.value)
        assert legacy[0] == [
            "Koordinator",
            "Åbne sager",
            "Heraf: Ressourceforløb",
            "Retningslinje 30–40",
        ]
        assert legacy[1][1:] == ["10", "6", "Under"]
        listed = await drill(client, courses, vis="sagsstamme", forloebstype=CROSS.value)
        assert names(listed) == ["Hanne Råd", "Ib Rådgivet", "Jonna Aktiv", "Kaj Beskriver"]


async def test_the_filter_and_the_limits_per_type_are_on_the_page(service, session, courses):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        page = (await client.get("/leder", params=mine(courses))).text
        cross = (await client.get("/leder", params=mine(courses, forloebstype=CROSS.value))).text
        bad = await client.get("/leder", params=mine(courses, forloebstype="fleksjob"))
    assert '<option value="">Alle forløbstyper</option>' in page
    assert '<option value="ressourceforloeb" >Ressourceforløb</option>' in page
    assert '<option value="tvaerfagligt" selected>Tværfagligt forløb</option>' in cross
    assert bad.status_code == 422 and "Forløbstypen findes ikke." in bad.text
    # The limits, in Danish, from the rules as set.
    for text in (
        "Ressourceforløb: afgørelsen giver et forløb på 1–36 måneder; med forlængelser højst 36 "
        "måneder fra afgørelsen, eller 60 måneder, når borgeren ønsker et længere forløb.",
        "Borgeren skal have en indsats senest 6 måneder efter afgørelsen (seksmånedersreglen)",
        "Tværfagligt forløb: afgørelsen giver et forløb på 1–24 måneder; med forlængelser højst "
        "36 måneder fra afgørelsen, også når borgeren ønsker et længere forløb.",
        "Har regionens sundhedskoordinator ikke givet sin rådgivning 14 dage efter anmodningen",
        "samlet beskrivelse over 42 dage; afventer sundhedskoordinator over 28 dage; beskrevet, "
        "afventer afgørelse over 28 dage",
        "rehabiliteringsteam over 56 dage",
        "Koordinatoren får en påmindelse om at rykke, når rådgivningen har ventet 14 dage "
        "(Tværfagligt forløb).",
    ):
        assert text in page, text
    # One type chosen: the stalls are judged by its limits alone.
    assert "Ressourceforløb: visiteret over 14 dage" in page
    assert "Ressourceforløb: visiteret over 14 dage" not in cross
    assert "Tværfagligt forløb: visiteret over 14 dage; samlet beskrivelse" in cross
    assert "<strong>3</strong> sager i stå" in page
    assert "<strong>2</strong> sager i stå" in cross
    assert "åbne ressourceforløb</a>" not in cross
    # The key figures link to the sections' own lists, of one type.
    assert "forloebstype=tvaerfagligt&amp;vis=staaet" in page


async def test_the_limits_set_in_the_environment_are_the_ones_on_the_page(
    monkeypatch, database_url, dev_env, tmp_path, session, courses
):
    """A municipality's own values, set as it sets them, reach the definitions and the names."""
    environment = {
        "FORLOEB_DATA_DIR": str(tmp_path),
        "FORLOEB_SECRET_KEY": "test-secret-key",
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "DATABASE_URL": database_url,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "FORLOEB_CROSS_COURSE_NAME": "Helhedsforløb",
        "FORLOEB_RESSOURCEFORLOEB_CUTOFF": "2026-03-01",
        "FORLOEB_STAGE_LIMITS": "referred=10",
        "FORLOEB_COURSE_TYPES": json.dumps(
            {
                "tvaerfagligt": {
                    "max_months": 18,
                    "total_months": 30,
                    "wished_total_months": 30,
                    "stage_limit_days": {"health_advice": 21},
                },
                "ressourceforloeb": {"effort_rule_months": 9, "stage_limit_days": {"team": 70}},
            }
        ),
    }
    for name, value in environment.items():
        monkeypatch.setenv(name, value)
    settings = Settings()
    async with serve(create_app(settings)) as base_url:
        own = Service(base_url=base_url, settings=settings)
        async with logged_in(own, make_staff(session, Role.MANAGER)) as client:
            page = (await client.get("/leder", params=mine(courses))).text
    assert '<option value="tvaerfagligt" >Helhedsforløb</option>' in page
    for text in (
        "Helhedsforløb: afgørelsen giver et forløb på 1–18 måneder; med forlængelser højst 30 "
        "måneder fra afgørelsen, også når borgeren ønsker et længere forløb.",
        "Borgeren skal have en indsats senest 9 måneder efter afgørelsen; er ingen indsats",
        # Each type's own stall limits beside its durations: FORLOEB_STAGE_LIMITS for every
        # type, a type's own over it.
        "Sagen er i stå, når en fase står stille: visiteret over 10 dage; forberedende del over "
        "42 dage; rehabiliteringsteam over 70 dage; indstillet, afventer afgørelse over 28 dage.",
        "Sagen er i stå, når en fase står stille: visiteret over 10 dage; samlet beskrivelse over "
        "42 dage; afventer sundhedskoordinator over 21 dage; beskrevet, afventer afgørelse over "
        "28 dage.",
        "Helhedsforløb: visiteret over 10 dage; samlet beskrivelse",
        "Siden 1. marts 2026 træffes der ikke afgørelse om nye ressourceforløb",
    ):
        assert text in page, text
    assert "(seksmånedersreglen)" not in page
    assert "Tværfagligt forløb" not in page


async def test_every_section_follows_the_type_filter(service, session, open_session):
    scenario: Scenario = build_scenario(session, open_session)
    params = {"koordinator": str(scenario.coordinator.id), "kvartal": scenario.quarter.code}
    keys = ["staaet", "venter", "brud", "timing", "progression", "udfald", "moeder", "levering"]
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:

        async def csv_of(key: str, **extra: str) -> list[list[str]]:
            answer = await client.get(f"/leder/{key}.csv", params={**params, **extra})
            assert answer.status_code == 200, answer.text
            return read_csv(answer.text)

        for key in keys:
            # Every course of the scenario is a ressourceforløb.
            assert await csv_of(key, forloebstype=LEGACY.value) == await csv_of(key), key
            cross = await csv_of(key, forloebstype=CROSS.value)
            counts = [cell for row in cross[1:] for cell in row[1:] if cell.isdigit()]
            assert set(counts) <= {"0"}, (key, cross)
        answer = await client.get(
            "/leder/sager",
            params={
                **params,
                "vis": "moeder",
                "kvartal": scenario.quarter.code,
                "gruppe": "alle",
                "udfald": "held",
                "forloebstype": CROSS.value,
                "format": "csv",
            },
        )
        assert read_csv(answer.text)[1:] == []
