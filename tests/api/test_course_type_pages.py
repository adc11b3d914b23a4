"""The course types on the pages: a new case is a cross-department course after the cut-off,
its page walks that course's own path, and a legacy ressourceforløb keeps its old forms and the
law's limits."""

import re
from collections.abc import AsyncIterator
from datetime import date, timedelta
from typing import Any

import httpx
import pytest

from api.course_import import import_file
from deploy.connections import connect_temporal
from models.danish_time import add_months
from models.enums import CourseType
from tests.api.case_steps import act, eventually, new_case
from tests.api.conftest import logged_in
from tests.api.test_course_import import HEADER, projected
from tests.factories import PASSWORD, copenhagen_today, random_cpr


@pytest.fixture
async def pages(service, coordinator) -> AsyncIterator[httpx.AsyncClient]:
    """The coordinator signed in through the login page, as a browser is."""
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as client:
        answer = await client.post(
            "/login",
            data={"username": coordinator.username, "password": PASSWORD, "next": "/board"},
        )
        assert answer.status_code == 303
        yield client


def road(page: str) -> str:
    found = re.search(r'<ol class="road"[^>]*>(.*?)</ol>', page, re.S)
    assert found, "the case page has no stage path"
    return found.group(1)


def decision_options(page: str) -> list[str]:
    found = re.search(r'<select id="decision-kind" name="kind"[^>]*>(.*?)</select>', page, re.S)
    assert found, "the case page has no decision form"
    options = re.findall(r'<option value="([^"]*)"[^>]*>([^<]*)</option>', found[1])
    # Nothing is chosen beforehand: most decisions close the case.
    assert options[0][0] == "" and "selected" not in found[1]
    return [label.strip() for value, label in options[1:]]


async def form_post(client: httpx.AsyncClient, case_id: str, slug: str, **data: Any) -> None:
    answer = await client.post(f"/cases/{case_id}/{slug}", data=data)
    assert answer.status_code == 303, answer.text


async def task_act(client: httpx.AsyncClient, task_id: str, slug: str, **fields: Any) -> None:
    answer = await client.post(f"/api/tasks/{task_id}/{slug}", json=fields)
    assert answer.status_code == 200, answer.text


async def test_a_new_case_walks_the_cross_department_course_to_its_decision(
    service, pages, as_department_worker
):
    # The service runs with the law's cut-off (1 February 2026), which has passed.
    assert copenhagen_today() >= service.settings.ressourceforloeb_cutoff
    form = await pages.get("/cases/new")
    assert form.status_code == 200
    assert re.search(r'<option value="tvaerfagligt" selected>Tværfagligt forløb<', form.text)
    assert '<option value="ressourceforloeb" >Ressourceforløb<' in form.text

    cpr = random_cpr()
    created = await pages.post("/cases/new", data={"cpr": cpr, "name": "Tove Tværs"})
    assert created.status_code == 303, created.text
    case_id = created.headers["location"].rsplit("/", 1)[1]
    page = (await pages.get(f"/cases/{case_id}")).text
    stages = road(page)
    assert 'aria-current="step">Visiteret<' in stages
    assert "Samlet beskrivelse" in stages and "Beskrevet, afventer afgørelse" in stages
    assert "Forberedende del" not in stages and "Rehabiliteringsteam" not in stages
    assert "Tværfagligt forløb" in page
    assert "start-description" in page and "Start den samlede beskrivelse" in page
    assert "start-preparation" not in page

    await form_post(pages, case_id, "start-description")
    page = (await pages.get(f"/cases/{case_id}")).text
    assert 'aria-current="step">Samlet beskrivelse<' in road(page)
    assert 'name="for_description" value="1"' in page
    assert 'value="Bidrag til den samlede beskrivelse"' in page

    due = (copenhagen_today() + timedelta(days=14)).isoformat()
    await act(
        pages,
        case_id,
        "assign-task",
        department="social",
        purpose="Bidrag til den samlede beskrivelse",
        due=due,
        for_description=True,
    )
    tasks = (await pages.get(f"/api/cases/{case_id}/tasks")).json()
    task_id = tasks[-1]["id"]
    # The description waits for the department's part.
    waiting = await pages.post(
        f"/cases/{case_id}/complete-description",
        data={"summary": "Borgeren har brug for støtte", "citizen_text": "Vi har talt sammen."},
    )
    assert waiting.status_code == 409
    assert "venter stadig på bidrag fra Socialforvaltningen" in waiting.text

    for slug in ("acknowledge", "start"):
        await task_act(as_department_worker, task_id, slug)
    await task_act(as_department_worker, task_id, "complete", result="Bostøtte og netværk")

    async def contribution_done() -> bool:
        page = (await pages.get(f"/cases/{case_id}")).text
        part = "Socialforvaltningen: Bidrag til den samlede beskrivelse"
        return f'{part} <span class="pill">Færdig<' in page

    await eventually(contribution_done)
    await form_post(
        pages,
        case_id,
        "complete-description",
        summary="Borgeren kan arbejde få timer med støtte i hverdagen.",
        citizen_text="Du kan arbejde lidt, når du får hjælp til det, der er svært.",
    )
    page = (await pages.get(f"/cases/{case_id}")).text
    assert 'aria-current="step">Beskrevet, afventer afgørelse<' in road(page)
    assert "Borgeren kan arbejde få timer med støtte i hverdagen." in page
    assert "request-health-advice" in page
    options = decision_options(page)
    assert "Koordineret indsats med en plan" in options
    assert "Ressourceforløb" not in options
    limits = service.settings.course_rules.of_type(CourseType.TVAERFAGLIGT)
    assert f"{limits.min_months}-{limits.max_months})" in page
    board = (await pages.get("/board")).text
    assert "Tværfagligt forløb · Beskrevet, afventer afgørelse" in board

    # Fleksjob needs the health coordinator's advice first; the page asks for it and waits.
    await form_post(pages, case_id, "request-health-advice", question="Kan borgeren arbejde?")
    page = (await pages.get(f"/cases/{case_id}")).text
    assert 'aria-current="step">Afventer sundhedskoordinator<' in road(page)
    assert "sagen har ventet i 0 dage" in page and "record-health-advice" in page
    await form_post(pages, case_id, "record-health-advice", advice="Op til 10 timer om ugen.")
    page = (await pages.get(f"/cases/{case_id}")).text
    assert "Sundhedsfaglig rådgivning" in page and "Op til 10 timer om ugen." in page
    assert "Fleksjob" in decision_options(page)


async def test_a_legacy_course_is_refused_after_the_cut_off_and_beyond_its_limit(
    service, pages, open_session, session, admin, coordinator
):
    cutoff = service.settings.ressourceforloeb_cutoff
    assert copenhagen_today() > cutoff
    referred = cutoff - timedelta(days=90)
    case = await new_case(pages, course_type="ressourceforloeb", referred_on=referred.isoformat())
    assert case["course_type"] == "ressourceforloeb"
    case_id = case["id"]
    page = (await pages.get(f"/cases/{case_id}")).text
    assert "Forberedende del" in road(page) and "Samlet beskrivelse" not in road(page)
    assert "start-preparation" in page and "start-description" not in page

    await act(pages, case_id, "start-preparation", started_on=referred.isoformat())
    meeting = referred + timedelta(days=30)
    await act(pages, case_id, "schedule-team-meeting", meeting_on=meeting.isoformat())
    await act(
        pages,
        case_id,
        "record-recommendation",
        kind="ressourceforloeb",
        efforts=[{"department": "health", "description": "Psykologforløb"}],
    )
    page = (await pages.get(f"/cases/{case_id}")).text
    assert "Ressourceforløb (som indstillet)" in decision_options(page)
    assert "Koordineret indsats med en plan" not in decision_options(page)
    assert "(ressourceforløb, 1-36)" in page

    today = await pages.post(
        f"/api/cases/{case_id}/record-decision",
        json={"kind": "ressourceforloeb", "duration_months": 12},
    )
    assert today.status_code == 409, today.text
    assert "afskaffet" in today.json()["detail"]
    # The page says the same.
    refused = await pages.post(
        f"/cases/{case_id}/record-decision",
        data={"kind": "ressourceforloeb", "duration_months": 12},
    )
    assert refused.status_code == 409
    assert "afskaffet" in refused.text

    before: date = cutoff - timedelta(days=10)
    too_long = await pages.post(
        f"/api/cases/{case_id}/record-decision",
        json={"kind": "ressourceforloeb", "duration_months": 48, "decided_on": before.isoformat()},
    )
    assert too_long.status_code == 422, too_long.text
    assert "1 til 36" in too_long.json()["detail"]
    # Nor by dating the decision before the cut-off: a course decided then is imported.
    backdated = await pages.post(
        f"/api/cases/{case_id}/record-decision",
        json={"kind": "ressourceforloeb", "duration_months": 24, "decided_on": before.isoformat()},
    )
    assert backdated.status_code == 409, backdated.text
    assert "forloeb import" in backdated.json()["detail"]

    # The same course, brought in as running at the team's meeting, is decided as it was.
    cpr = random_cpr()
    data = (
        f"{HEADER}\n{cpr};Rask Registreret;{coordinator.username};ressourceforloeb;team;"
        f"{referred.isoformat()};{meeting.isoformat()};;;"
    ).encode()
    temporal = await connect_temporal(service.settings)
    report = await import_file(
        open_session, temporal, data=data, user=admin, settings=service.settings
    )
    assert report.clean, list(report.problems())
    imported = str((await projected(session, cpr)).id)
    await act(
        pages,
        imported,
        "record-recommendation",
        kind="ressourceforloeb",
        efforts=[{"department": "health", "description": "Psykologforløb"}],
    )
    await act(
        pages,
        imported,
        "record-decision",
        kind="ressourceforloeb",
        duration_months=24,
        decided_on=before.isoformat(),
    )

    # An administrator records a decision really taken before the cut-off, after the fact.
    async with logged_in(service, admin) as administrator:
        await act(
            administrator,
            case_id,
            "record-decision",
            kind="ressourceforloeb",
            duration_months=24,
            decided_on=before.isoformat(),
        )
    page = (await pages.get(f"/cases/{case_id}")).text
    assert 'aria-current="step">Aktivt forløb<' in road(page)
    assert 'name="citizen_wishes_longer"' in page
    assert "Borgeren ønsker selv et længere forløb" in page

    if copenhagen_today() > add_months(before, 6):
        # Six months have passed without an effort: the board says why the case is flagged.
        async def flagged() -> bool:
            return "Ingen indsats inden for 6 mdr." in (await pages.get("/board")).text

        await eventually(flagged)
        page = (await pages.get(f"/cases/{case_id}")).text
        assert "Skal forelægges rehabiliteringsteamet: ingen indsats inden for seks måneder" in page
