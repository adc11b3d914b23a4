"""The case page leads with the course's likely next step, keeps ending and closing behind a
deliberate step with nothing chosen in advance, fits its stage path on a phone, and says when
each thing in the timeline happened."""

import re
import uuid
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect

from api.next_step import CaseNow, Step, next_step
from models.case import Case
from models.case_view import CaseFacts
from models.enums import PlaceKind, Role, Stage
from models.goals import Goal
from models.meeting import Meeting
from tests.api.accessibility import describe, serious_violations
from tests.api.browser_steps import sign_in
from tests.api.case_steps import act, carry_out, eventually, new_case, new_legacy_case, to_active
from tests.api.test_meetings_api import in_days
from tests.factories import PASSWORD, copenhagen_today, make_staff

SCORES = {"job_belief": 3, "direction": 4, "health_coping": 5, "caseworker_belief": 4}
SCREENS: dict[str, ViewportSize] = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.fixture
async def pages(service, coordinator) -> AsyncIterator[httpx.AsyncClient]:
    """The coordinator signed in through the login page, as a browser is."""
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as client:
        answer = await client.post(
            "/login", data={"username": coordinator.username, "password": PASSWORD}
        )
        assert answer.status_code == 303
        yield client


def card_of(page: str) -> str:
    found = re.search(r'<section class="card next-step"[^>]*>(.*?)</section>', page, re.S)
    assert found, "the case page has no next-step card"
    return found.group(1)


def first_form(card: str) -> str:
    """Where the card's first form posts: its primary action."""
    found = re.search(r'<form method="post" action="([^"]+)"', card)
    assert found, "the next-step card has no form"
    return found.group(1)


async def case_page(client: httpx.AsyncClient, case_id: str) -> str:
    answer = await client.get(f"/cases/{case_id}")
    assert answer.status_code == 200, answer.text
    return answer.text


async def lead_of(client: httpx.AsyncClient, case_id: str, title: str) -> str:
    """The next-step card once it leads with `title` (the projection lands a moment late)."""
    card = ""

    async def leads() -> bool:
        nonlocal card
        card = card_of(await case_page(client, case_id))
        return f"<strong>{title}.</strong>" in card

    try:
        await eventually(leads)
    except AssertionError:
        lead = re.search(r'<p class="next-lead">(.*?)</p>', card)
        raise AssertionError(f"the card leads with {lead[1] if lead else card!r}") from None
    return card


async def test_the_next_step_follows_a_cross_department_course_through_its_stages(
    pages, as_department_worker
):
    case_id = (await new_case(pages))["id"]
    card = await lead_of(pages, case_id, "Start den samlede beskrivelse")
    assert first_form(card) == f"/cases/{case_id}/start-description"

    await act(pages, case_id, "start-description")
    card = await lead_of(pages, case_id, "Bed afdelingerne om deres bidrag")
    assert first_form(card) == f"/cases/{case_id}/assign-task"
    assert 'name="for_description" value="1"' in card
    # The description's other part stays at hand, folded.
    assert "<summary>Færdiggør den samlede beskrivelse</summary>" in card

    await act(
        pages,
        case_id,
        "assign-task",
        department="social",
        purpose="Socialafdelingens del",
        for_description=True,
    )
    card = await lead_of(pages, case_id, "Bed flere afdelinger om deres bidrag, eller vent på dem")
    assert "Beskrivelsen venter på bidrag fra Socialforvaltningen." in card

    task_id = (await pages.get(f"/api/cases/{case_id}/tasks")).json()[-1]["id"]
    await carry_out(as_department_worker, task_id, "Bostøtte hjælper")
    card = await lead_of(pages, case_id, "Færdiggør den samlede beskrivelse")
    assert first_form(card) == f"/cases/{case_id}/complete-description"

    await act(
        pages,
        case_id,
        "complete-description",
        summary="Borgeren har brug for ro og bostøtte",
        citizen_text="Vi har skrevet ned, hvad du har brug for",
    )
    card = await lead_of(pages, case_id, "Registrér afgørelsen")
    assert first_form(card) == f"/cases/{case_id}/record-decision"

    await act(pages, case_id, "record-decision", kind="coordinated", duration_months=12)
    card = await lead_of(pages, case_id, "Book det næste møde med borgeren")
    assert first_form(card) == f"/cases/{case_id}/book-meeting"
    # Ending the course is not among the next steps.
    assert "Afslut forløbet" not in card and "/end" not in card

    await act(pages, case_id, "record-goal", text="Et job i en butik")
    await act(
        pages,
        case_id,
        "book-meeting",
        starts_at=in_days(3).isoformat(),
        place="Café",
        purpose="Status",
    )
    card = await lead_of(pages, case_id, "Registrér en progressionsmåling")
    assert first_form(card) == f"/cases/{case_id}/record-progression"
    assert "4 spørgsmål mangler svar" in card
    await act(pages, case_id, "record-progression", scores=SCORES)
    card = await lead_of(pages, case_id, "Følg planen")
    assert "Næste møde er" in card and "Café" in card


async def test_a_legacy_course_leads_with_its_preparation_and_its_team(pages):
    case_id = (await new_legacy_case(pages))["id"]
    card = await lead_of(pages, case_id, "Start den forberedende del")
    assert first_form(card) == f"/cases/{case_id}/start-preparation"

    await act(pages, case_id, "start-preparation")
    card = await lead_of(pages, case_id, "Skriv forløbets mål")
    assert first_form(card) == f"/cases/{case_id}/record-goal"
    assert "<summary>Sæt dato for mødet i rehabiliteringsteamet</summary>" in card

    await act(pages, case_id, "record-goal", text="Kunne arbejde igen")
    card = await lead_of(pages, case_id, "Sæt dato for mødet i rehabiliteringsteamet")
    assert first_form(card) == f"/cases/{case_id}/schedule-team-meeting"


async def test_an_ended_course_asks_for_the_citizens_situation_with_nothing_chosen(
    pages, as_department_worker
):
    case_id = (await new_case(pages))["id"]
    await to_active(pages, as_department_worker, case_id)
    await act(pages, case_id, "end", outcome="education", reason="Startet på en uddannelse")
    card = await lead_of(pages, case_id, "Registrér borgerens situation ved opfølgningen")
    assert first_form(card) == f"/cases/{case_id}/record-status"
    status = re.search(
        r'<select id="status" name="status" required[^>]*>(.*?)</select>', card, re.S
    )
    assert status, "the status has no required choice"
    assert re.match(r'\s*<option value="">Vælg borgerens situation</option>', status[1])
    assert "selected" not in status[1]


async def test_ending_a_course_takes_a_deliberate_step_and_an_outcome(pages, as_department_worker):
    case_id = (await new_case(pages))["id"]
    await to_active(pages, as_department_worker, case_id)
    page = await case_page(pages, case_id)

    final = re.search(r'<section class="card final" id="afslut">(.*?)</section>', page, re.S)
    assert final, "ending the course has no place of its own"
    assert re.match(r"\s*<details>\s*<summary>Afslut forløbet …</summary>", final[1])
    outcome = re.search(
        r'<select id="end-outcome" name="outcome" required[^>]*>(.*?)</select>', page, re.S
    )
    assert outcome, "the outcome is not a required choice"
    assert re.match(r'\s*<option value="">Vælg udfald</option>', outcome[1])
    assert "selected" not in outcome[1]
    assert "Ja, afslut forløbet nu" in final[1]
    # It comes after everything else the page offers.
    assert page.index('id="afslut"') > page.index("<h2>Tidslinje</h2>")

    refused = await pages.post(
        f"/cases/{case_id}/end", data={"outcome": "", "reason": "Borgeren er flyttet"}
    )
    assert refused.status_code == 422
    # The refusal stands once, at the field, which points to it and opens its section.
    assert refused.text.count("Skal udfyldes.") == 1
    assert 'class="error"' not in refused.text
    assert re.search(
        r'<select id="end-outcome" name="outcome" required aria-describedby="end-hint '
        r'end-outcome-error" aria-invalid="true" autofocus>',
        refused.text,
    )
    assert '<p class="field-error" id="end-outcome-error">Skal udfyldes.</p>' in refused.text
    assert "<details open>\n    <summary>Afslut forløbet …</summary>" in refused.text
    assert "Borgeren er flyttet" in refused.text  # what was typed is kept
    case = (await pages.get(f"/api/cases/{case_id}")).json()
    assert case["stage"] == "active"


async def test_closing_a_case_before_its_decision_is_folded_away_too(pages):
    case_id = (await new_case(pages))["id"]
    page = await case_page(pages, case_id)
    assert "Luk sagen" not in card_of(page)
    final = re.search(r'<section class="card final" id="afslut">(.*?)</section>', page, re.S)
    assert final and "<summary>Luk sagen før afgørelse …</summary>" in final[1]
    assert "<details open" not in final[1]

    refused = await pages.post(f"/cases/{case_id}/close", data={"reason": "x"})
    assert refused.status_code == 422
    assert refused.text.count("Skal være mindst 3 tegn.") == 1
    assert 'id="close-reason-error"' in refused.text

    closed = await pages.post(f"/cases/{case_id}/close", data={"reason": "Borgeren er flyttet"})
    assert closed.status_code == 303

    async def shut() -> bool:
        return 'aria-current="step">Lukket<' in await case_page(pages, case_id)

    await eventually(shut)
    page = await case_page(pages, case_id)
    assert "Næste skridt" not in page and 'id="afslut"' not in page


async def test_a_refused_phone_number_stands_at_its_field_once(pages):
    case_id = (await new_case(pages))["id"]
    refused = await pages.post(
        f"/cases/{case_id}/set-contact",
        data={"channel_1": "sms", "phone": "12", "quiet_from": "21:00", "quiet_to": "08:00"},
    )
    assert refused.status_code == 422
    field = re.search(
        r'<input id="c-phone"[^>]*>\s*<p class="field-error" id="([^"]+)">([^<]+)</p>', refused.text
    )
    assert field, "the phone number's error is not at its field"
    assert f'aria-describedby="{field[1]}" aria-invalid="true"' in refused.text
    assert refused.text.count(field[2]) == 1 and 'class="error"' not in refused.text


async def test_the_timeline_says_when_each_thing_happened(pages):
    case_id = (await new_case(pages))["id"]
    await act(pages, case_id, "start-description")
    page = await case_page(pages, case_id)
    timeline = re.search(r"<h2>Tidslinje</h2>(.*?)</section>", page, re.S)
    assert timeline
    stamps = re.findall(r'<time datetime="([^"]+)">([^<]+)</time>', timeline[1])
    assert len(stamps) >= 2
    for moment, shown in stamps:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?\+00:00", moment)
        assert re.fullmatch(r"\d\d\.\d\d\.\d{4} kl\. \d\d:\d\d", shown)


async def test_a_handover_leads_the_receivers_page(service, session, pages, coordinator):
    receiver = make_staff(session, Role.COORDINATOR)
    case_id = (await new_case(pages))["id"]
    await act(pages, case_id, "request-handover", to_id=str(receiver.id), note={"status": "Klar"})
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as theirs:
        await theirs.post("/login", data={"username": receiver.username, "password": PASSWORD})
        card = await lead_of(theirs, case_id, "Acceptér overdragelsen")
    assert first_form(card) == f"/cases/{case_id}/accept-handover"
    assert "vil overdrage sagen til dig" in card
    # The sender's page still leads with the course, and offers to withdraw.
    page = await case_page(pages, case_id)
    assert "<strong>Start den samlede beskrivelse.</strong>" in card_of(page)
    assert "Træk overdragelsen tilbage" in page


async def signed_in_page(
    browser: Browser, service: Any, username: str, screen: ViewportSize
) -> Page:
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    page = await context.new_page()
    await sign_in(page, username)
    await page.wait_for_url(re.compile(r"/board$"))
    return page


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
async def test_the_stage_path_fits_a_phone_and_the_page_passes_axe(
    service, browser, pages, coordinator, as_department_worker, screen
):
    case_id = (await new_case(pages))["id"]
    await to_active(pages, as_department_worker, case_id)
    await act(pages, case_id, "record-goal", text="Et job i en butik")
    page = await signed_in_page(browser, service, coordinator.username, screen)
    try:
        await page.goto(f"/cases/{case_id}")
        path = page.get_by_role("navigation", name="Sagens forløb")
        current = path.locator('[aria-current="step"]')
        await expect(current).to_have_text("Aktivt forløb")
        await expect(current).to_be_visible()
        stages = path.locator("li")
        assert await stages.count() == 7
        shown = [await stages.nth(i).is_visible() for i in range(7)]
        if screen["width"] < 640:
            await expect(path.get_by_text("Trin 5 af 7:")).to_be_visible()
            # The stage before and the one after, around the current one.
            assert shown == [False, False, False, True, True, True, False]
            box = await path.locator("ol").bounding_box()
            current_box = await current.bounding_box()
            assert box and current_box and box["height"] <= current_box["height"] * 1.5
        else:
            await expect(path.get_by_text("Trin 5 af 7:")).to_be_hidden()
            assert all(shown)
        # The page opens on its next step, not on ending the course.
        heading = page.get_by_role("heading", name="Næste skridt")
        await expect(heading).to_be_in_viewport()
        await expect(page.get_by_text("Afslut forløbet …")).not_to_be_in_viewport()
        violations = await serious_violations(page)
        assert not violations, describe(violations)

        await page.get_by_text("Afslut forløbet …").click()
        await expect(page.get_by_label("Hvor er borgeren nu?")).to_have_value("")
        # Every folded form too: each field has its label.
        await page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
        violations = await serious_violations(page)
        assert not violations, describe(violations)
    finally:
        await page.context.close()


async def test_a_refused_field_passes_axe_and_is_announced_with_its_field(
    service, browser, pages, coordinator, as_department_worker
):
    case_id = (await new_case(pages))["id"]
    await to_active(pages, as_department_worker, case_id)
    page = await signed_in_page(browser, service, coordinator.username, SCREENS["phone"])
    try:
        await page.goto(f"/cases/{case_id}")
        # The browser asks for the outcome itself before anything is sent.
        await page.get_by_text("Afslut forløbet …").click()
        await page.get_by_role("button", name="Ja, afslut forløbet nu").click()
        assert await page.get_by_label("Hvor er borgeren nu?").evaluate(
            "select => !select.validity.valid"
        )
        await expect(page).to_have_url(f"{service.base_url}/cases/{case_id}")

        # Past a browser that does not check, the server refuses in Danish, at the field.
        ending = page.locator(f'form[action="/cases/{case_id}/end"]')
        await ending.evaluate("form => { form.noValidate = true; }")
        await page.get_by_role("button", name="Ja, afslut forløbet nu").click()
        field = page.get_by_label("Hvor er borgeren nu?")
        await expect(field).to_have_attribute("aria-invalid", "true")
        await expect(field).to_be_focused()
        await expect(field).to_have_accessible_description(re.compile("Skal udfyldes."))
        await expect(page.get_by_role("alert")).to_have_count(0)
        violations = await serious_violations(page)
        assert not violations, describe(violations)
    finally:
        await page.context.close()


def course_now(stage: Stage, **facts: Any) -> CaseNow:
    """A course as the page sees it, for the rules that need states a test can't wait for."""
    now = datetime.now(UTC)
    today = copenhagen_today()
    case = Case(
        id=uuid.uuid4(),
        citizen_id=uuid.uuid4(),
        coordinator_id=uuid.uuid4(),
        workflow_id=f"programme-{uuid.uuid4()}",
        stage=stage,
        referred_at=now - timedelta(days=200),
        decided_on=today - timedelta(days=180),
        planned_end=today + timedelta(days=180),
        updated_at=now,
    )
    meetings: list[Meeting] = facts.pop("meetings", [])
    upcoming = [m for m in meetings if m.starts_at > now]
    return CaseNow(
        case=case,
        facts=CaseFacts(goals=[goal(now)], **facts),
        legacy=False,
        meetings=meetings,
        next_meeting=upcoming[0] if upcoming else None,
        waiting_for=[],
        contributions_asked=True,
        today=today,
        now=now,
    )


def goal(now: datetime) -> Goal:
    return Goal(id="g", text="Et job", written_at=now, changed_at=now)


def meeting_at(starts_at: datetime) -> Meeting:
    return Meeting(
        id=str(uuid.uuid4()),
        starts_at=starts_at,
        duration_minutes=60,
        place_kind=PlaceKind.CAFE,
        place="Café Solsikken",
        purpose="Status",
        booked_at=starts_at - timedelta(days=7),
    )


def test_a_meeting_past_its_time_asks_for_its_outcome_first():
    now = datetime.now(UTC)
    held = meeting_at(now - timedelta(hours=2))
    step = next_step(
        course_now(Stage.ACTIVE, meetings=[held, meeting_at(now + timedelta(days=9))]),
        receives_handover=False,
    )
    assert step and step.step == Step.MEETING_OUTCOME and step.meeting == held


def test_a_course_near_its_planned_end_is_extended_or_readied_to_end():
    now_ = course_now(Stage.ACTIVE, meetings=[meeting_at(datetime.now(UTC) + timedelta(days=3))])
    assert (step := next_step(now_, receives_handover=False)) and step.step == Step.FOLLOW_PLAN
    now_.case.planned_end = now_.today + timedelta(days=20)
    step = next_step(now_, receives_handover=False)
    assert step and step.step == Step.EXTEND_OR_END
    assert step.why == f"Forløbet slutter efter planen {now_.case.planned_end:%d.%m.%Y}."


def test_a_closed_case_has_no_next_step():
    assert next_step(course_now(Stage.CLOSED), receives_handover=False) is None
