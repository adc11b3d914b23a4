"""The managers' dashboard: exact figures for a known scenario, drill-down, CSV and access."""

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

from models.case import Case
from models.danish_time import is_working_day, local_date
from models.enums import Department, Role, Stage
from tests.api.conftest import logged_in
from tests.api.dashboard_scenario import Scenario, build
from tests.factories import make_staff


@pytest.fixture
def scenario(session, open_session) -> Scenario:
    return build(session, open_session)


def read_csv(text: str) -> list[list[str]]:
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:]), delimiter=";"))


async def table(client, key: str, scenario: Scenario, **extra: str) -> list[list[str]]:
    params = {"koordinator": str(scenario.coordinator.id), "kvartal": scenario.quarter.code}
    answer = await client.get(f"/leder/{key}.csv", params={**params, **extra})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith("text/csv")
    return read_csv(answer.text)


async def drill(client, scenario: Scenario, **params: str) -> list[list[str]]:
    answer = await client.get(
        "/leder/sager",
        params={
            "koordinator": str(scenario.coordinator.id),
            "kvartal": scenario.quarter.code,
            "format": "csv",
            **params,
        },
    )
    assert answer.status_code == 200, answer.text
    return read_csv(answer.text)


def working_days(first: date, last: date) -> int:
    """Counted the slow way, day by day."""
    return sum(is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))


def stage_wait(p: date, first: int, last: int) -> list[str]:
    """One case's wait from day `first` to day `last` of the quarter: count, median and 90 %
    in calendar days, then in working days."""
    working = str(working_days(p + timedelta(first), p + timedelta(last)))
    return ["1", str(last - first), str(last - first), working, working]


async def test_the_dashboard_counts_the_scenario_exactly(service, session, scenario):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        stalled = await table(client, "staaet", scenario)
        assert [row[0] for row in stalled[1:]] == ["Anna Stå"]
        assert stalled[1][2:] == [
            Stage.ACTIVE.label,
            local_date(scenario.now - timedelta(days=10)).isoformat(),
            "10",
            "Hul i planen",
            Department.SOCIAL.label,
        ]

        assert [r[0] for r in await drill(client, scenario, vis="staaet", alder="2")][1:] == [
            "Anna Stå"
        ]
        assert len(await drill(client, scenario, vis="staaet", alder="1")) == 1  # the header
        waiting = {row[0]: row[1:] for row in (await table(client, "venter", scenario))[1:]}
        assert waiting[Department.SOCIAL.label] == ["0", "1", "0", "0", "0", "1"]
        assert waiting[Department.HEALTH.label] == ["0", "0", "0", "0", "1", "1"]
        assert waiting[Department.JOBCENTER.label] == ["0", "0", "0", "0", "0", "0"]
        rows = await drill(client, scenario, vis="venter", afdeling="social", alder="1")
        assert [(r[0], r[2], r[5]) for r in rows[1:]] == [
            ("Anna Stå", Department.SOCIAL.label, "5")
        ]

        trend = await table(client, "brud", scenario, afdeling="jobcenter")
        weeks = [row for row in trend[1:] if row[-1] != "0"]
        assert [(row[2], row[-1]) for row in weeks] == [("1", "1")]
        rows = await drill(client, scenario, vis="brud", uge=weeks[0][1], afdeling="jobcenter")
        assert [(r[0], r[2]) for r in rows[1:]] == [("Bent Venter", Department.JOBCENTER.label)]

        p = scenario.quarter.start
        waits = {
            (row[0], row[1]): row[2:7] for row in (await table(client, "ventetider", scenario))[1:]
        }
        assert waits[("Visitation → rehabiliteringsteam", "")] == stage_wait(p, 1, 15)
        assert waits[("Rehabiliteringsteam → afgørelse", "")] == stage_wait(p, 15, 25)
        assert waits[("Afgørelse → første indsats", "")] == stage_wait(p, 25, 40)
        acknowledged = [
            working_days(p + timedelta(30), p + timedelta(31)),
            working_days(p + timedelta(9), p + timedelta(12)),
        ]
        started = [
            working_days(p + timedelta(12), p + timedelta(20)),
            working_days(p + timedelta(31), p + timedelta(40)),
        ]
        assert waits[("Tildelt → kvitteret", Department.JOBCENTER.label)] == [
            "2",
            "1",
            "3",
            *map(str, sorted(acknowledged)),
        ]
        assert waits[("Kvitteret → startet", Department.JOBCENTER.label)] == [
            "2",
            "8",
            "9",
            *map(str, sorted(started)),
        ]
        rows = await drill(
            client, scenario, vis="ventetid", maal="kvitteret_startet", afdeling="jobcenter"
        )
        assert [(r[0], r[6]) for r in rows[1:]] == [("Dorte Fleks", "9"), ("Bent Venter", "8")]

        caseload = await table(client, "sagsstamme", scenario)
        assert caseload[1][1:] == ["2", "Under"]
        rows = await drill(client, scenario, vis="sagsstamme")
        assert sorted(r[0] for r in rows[1:]) == ["Anna Stå", "Bent Venter"]

        timing = {row[0]: row[1:3] for row in (await table(client, "timing", scenario))[1:]}
        assert timing["Fortung: aktiviteten ligger i starten"] == ["1", "0"]
        assert sum(int(n) for n, _ in timing.values()) == 1
        rows = await drill(client, scenario, vis="timing", profil="front", gruppe="aktive")
        assert [(r[0], r[3], r[4]) for r in rows[1:]] == [("Anna Stå", "3", "1")]

        outcomes = {row[0]: row[1:] for row in (await table(client, "udfald", scenario))[1:]}
        p_code, pp_code = scenario.quarter.code, scenario.quarter.previous().code
        assert outcomes[p_code][:3] == ["2", "0,5", "0"]  # forløb, job, uddannelse
        assert outcomes[p_code][3] == "0,5"  # fleksjob
        assert outcomes[pp_code][:2] == ["1", "1"]
        assert sum(int(row[0]) for row in outcomes.values()) == 3
        rows = await drill(client, scenario, vis="udfald", kvartal=p_code, udfald="job")
        assert [r[0] for r in rows[1:]] == ["Erik Job"]

        meetings = {
            (row[0], row[1], row[2]): row[3:]
            for row in (await table(client, "moeder", scenario))[1:]
        }
        assert meetings == {
            # Kvartal, opdelt efter, gruppe: møder, holdt, udeblevet, aflyst
            (p_code, "I alt", "Alle møder"): ["5", "0,6", "0,2", "0,2"],
            (p_code, "Aftalens kanal", "SMS"): ["2", "1", "0", "0"],
            (p_code, "Aftalens kanal", "Automatisk opkald"): ["1", "0", "1", "0"],
            (p_code, "Aftalens kanal", "E-mail"): ["1", "1", "0", "0"],
            (p_code, "Aftalens kanal", "Ingen besked"): ["1", "0", "0", "1"],
            (p_code, "Borgeren bekræftede", "Ja"): ["2", "1", "0", "0"],
            (p_code, "Borgeren bekræftede", "Nej"): ["3", "0,333", "0,333", "0,333"],
            (p_code, "Påmindelse", "Leveret"): ["2", "1", "0", "0"],
            (p_code, "Påmindelse", "Sendt"): ["1", "1", "0", "0"],
            (p_code, "Påmindelse", "Ingen"): ["2", "0", "0,5", "0,5"],
            (pp_code, "I alt", "Alle møder"): ["1", "1", "0", "0"],
        }
        rows = await drill(
            client, scenario, vis="moeder", kvartal=p_code, gruppe="kanal-call", udfald="no_show"
        )
        assert [r[0] for r in rows[1:]] == ["Frida Møder"]

        sent = {row[0]: row[1:] for row in (await table(client, "levering", scenario))[1:]}
        # Beskeder, afleveret i tide, for sent, uden endelig status.
        assert sent[p_code] == ["4", "0,75", "1", "1"]
        assert sent[pp_code] == ["0", "", "0", "0"]
        rows = await drill(client, scenario, vis="levering", kvartal=p_code, art="uafklaret")
        assert [r[0] for r in rows[1:]] == ["Frida Møder"]


async def test_the_page_draws_every_section_with_links_to_the_cases(service, session, scenario):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        answer = await client.get(
            "/leder",
            params={"koordinator": str(scenario.coordinator.id), "kvartal": scenario.quarter.code},
        )
    assert answer.status_code == 200
    page = answer.text
    for heading in (
        "Forløbstyper nu",
        "Sager i stå nu",
        "Ventende opgaver nu",
        "Ventetider",
        "Sagsstamme",
        "Udfasning af ressourceforløb",
    ):
        assert heading in page
    # Every section with something to draw; Anna's active course draws the phase-out.
    assert page.count('<svg class="chart"') == 9
    assert "Levering af beskeder" in page
    assert f'href="/cases/{scenario.cases["Anna Stå"]}"' in page
    # The definitions are shown where they are used.
    assert "over 14 dage" in page and "Fortung: mindst 50 %" in page


async def test_a_department_lead_starts_on_her_department_and_a_coordinator_is_refused(
    service, session
):
    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH)
    async with logged_in(service, lead) as client:
        page = (await client.get("/leder")).text
        assert '<option value="health" selected>' in page
    async with logged_in(service, make_staff(session, Role.COORDINATOR)) as client:
        answer = await client.get("/leder")
        assert answer.status_code == 403
        assert "Overblikket er for ledere" in answer.text


async def test_bad_filters_and_addresses_are_explained(service, session):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        page = await client.get("/leder", params={"kvartal": "sidste", "afdeling": "x"})
        # The default view, with the reasons, answered as the refusal it is.
        assert page.status_code == 422
        assert "Skriv kvartalet som fx 2026-K3." in page.text
        assert "Afdelingen findes ikke." in page.text
        assert (await client.get("/leder/sager", params={"vis": "alt"})).status_code == 404
        bad_age = await client.get("/leder/sager", params={"vis": "staaet", "alder": "9"})
        assert bad_age.status_code == 422
        missing = await client.get("/leder/sager", params={"vis": "udfald"})
        assert missing.status_code == 422
        assert "Listen kan ikke vises" in missing.json()["detail"]
        assert (await client.get("/leder/hemmelig.csv")).status_code == 404


async def test_dates_are_copenhagen_dates_on_the_page_as_in_the_csv(service, session, scenario):
    # 23.30 UTC on a winter evening is 00.30 the next day in Copenhagen.
    evening = datetime(2026, 11, 30, 23, 30, tzinfo=UTC)
    case = session.get(Case, scenario.cases["Anna Stå"])
    case.stalled_since = evening
    session.add(case)
    session.commit()
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        params = {"koordinator": str(scenario.coordinator.id), "kvartal": scenario.quarter.code}
        page = (await client.get("/leder", params=params)).text
        stalled = await table(client, "staaet", scenario)
    assert "01.12.2026" in page and "30.11.2026" not in page
    assert stalled[1][3] == "2026-12-01"
