"""Every staff page passes axe-core's WCAG 2.1 A/AA rules without a serious or critical
violation and shows no code word where Danish belongs, for every role that uses it, on a phone
and on a desktop screen; every login lands on its role's start page, and every page opens with
a skip link to its content.

One small course is shared by all: a case with a booked meeting (so the outbox has a message)
and a task with Social (so the inbox, the queue and the dashboard have something to show).
One browser context per role and screen visits that role's pages in turn.
"""

import re
import uuid
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.async_api import Browser, Page, ViewportSize, expect
from sqlmodel import select

from models.db import SessionFactory
from models.enums import Department, Role
from models.outbox import OutboxMessage
from models.staff import Staff
from tests.api.accessibility import describe, serious_violations
from tests.api.browser_steps import sign_in
from tests.api.case_steps import act, eventually, quiet_hours_elsewhere
from tests.api.conftest import Service, logged_in
from tests.api.test_accessibility import SCREENS
from tests.api.test_danish_texts import code_words, words_read
from tests.api.test_meetings_api import in_days
from tests.factories import make_staff, random_cpr

pytestmark = pytest.mark.looks


@dataclass
class Scenario:
    staff: dict[Role, Staff]
    case_id: str
    cpr: str


@pytest.fixture(scope="module")
async def scenario(service: Service, open_session: SessionFactory) -> Scenario:
    with open_session() as session:
        staff = {
            role: make_staff(session, role, department)
            for role, department in (
                (Role.COORDINATOR, Department.JOBCENTER),
                (Role.DEPARTMENT_WORKER, Department.SOCIAL),
                (Role.DEPARTMENT_LEAD, Department.SOCIAL),
                (Role.MANAGER, None),
                (Role.ADMIN, None),
                (Role.DATA_PROTECTION, Department.JOBCENTER),
            )
        }
        for member in staff.values():
            session.expunge(member)
    cpr = random_cpr()
    async with logged_in(service, staff[Role.COORDINATOR]) as coordinator:
        citizen = await coordinator.post("/api/citizens", json={"cpr": cpr, "name": "Ida Adgang"})
        assert citizen.status_code == 201, citizen.text
        answer = await coordinator.post("/api/cases", json={"citizen_id": citizen.json()["id"]})
        assert answer.status_code == 201, answer.text
        case_id = answer.json()["id"]
        await act(
            coordinator,
            case_id,
            "set-contact",
            channels=["sms"],
            phone="20 12 34 56",
            **quiet_hours_elsewhere(),
        )
        await act(
            coordinator,
            case_id,
            "book-meeting",
            starts_at=in_days(2).isoformat(),
            place="Biblioteket",
            purpose="Hvordan går det",
        )
        await act(
            coordinator, case_id, "assign-task", department="social", purpose="Bostøtte i hjemmet"
        )

    async def messaged() -> bool:
        with open_session() as session:
            query = select(OutboxMessage).where(OutboxMessage.case_id == uuid.UUID(case_id))
            return session.exec(query).first() is not None

    await eventually(messaged)
    return Scenario(staff=staff, case_id=case_id, cpr=cpr)


Step = Callable[[Page, Scenario], Awaitable[str]]


def go(path: str) -> Step:
    """Open a page; `{case}` is the scenario's case."""

    async def step(page: Page, scenario: Scenario) -> str:
        address = path.format(case=scenario.case_id)
        answer = await page.goto(address)
        assert answer is not None and answer.ok, f"{address}: {answer and answer.status}"
        return address

    return step


async def a_case_that_is_not_there(page: Page, scenario: Scenario) -> str:
    """A refusal is a page in Danish, with the service's frame, not the API's JSON."""
    answer = await page.goto(f"/cases/{uuid.uuid4()}")
    assert answer is not None and answer.status == 404
    await expect(page.get_by_role("heading", name="Siden findes ikke")).to_be_visible()
    await expect(page.get_by_text("Sagen findes ikke.")).to_be_visible()
    return "/cases/… (en sag, der ikke findes)"


async def bad_cpr_on_the_new_case_form(page: Page, scenario: Scenario) -> str:
    await page.goto("/cases/new")
    await page.get_by_label("Borgerens CPR-nummer").fill("999999-9999")
    await page.get_by_label("Borgerens navn").fill("Bo")
    await page.get_by_role("button", name="Opret og visitér").click()
    await expect(page.locator("#cpr-error")).to_be_visible()
    return "/cases/new (med et ugyldigt CPR-nummer)"


async def drill_down_from_the_dashboard(page: Page, scenario: Scenario) -> str:
    await page.goto("/leder")
    await page.locator("#staaet").get_by_role("link", name="Vis alle").click()
    await expect(page.get_by_role("link", name="← Tilbage til overblikket")).to_be_visible()
    address = urlsplit(page.url)
    return f"{address.path}?{address.query}"


async def access_log_of_the_citizen(page: Page, scenario: Scenario) -> str:
    await page.goto("/databeskyttelse")
    await page.get_by_label("Borgerens CPR-nummer").fill(scenario.cpr)
    await page.get_by_role("button", name="Vis adgangsloggen").click()
    await expect(page.get_by_role("heading", name="Ida Adgang")).to_be_visible()
    return "/databeskyttelse (en borgers adgangslog)"


CODE_WORDS = code_words()

START_PAGES = {
    Role.COORDINATOR: "/board",
    Role.DEPARTMENT_WORKER: "/inbox",
    Role.DEPARTMENT_LEAD: "/queue",
    Role.MANAGER: "/leder",
    Role.ADMIN: "/cases",
    Role.DATA_PROTECTION: "/databeskyttelse",
}

VISITS = [
    pytest.param(
        Role.COORDINATOR,
        [go("/cases"), go("/cases/new"), bad_cpr_on_the_new_case_form],
        id="coordinator",
    ),
    pytest.param(
        Role.COORDINATOR, [go("/board"), go("/cases/{case}")], id="coordinator-board-case"
    ),
    pytest.param(
        Role.DEPARTMENT_WORKER,
        [go("/inbox"), go("/cases/{case}"), a_case_that_is_not_there],
        id="department_worker",
    ),
    pytest.param(Role.DEPARTMENT_LEAD, [go("/queue"), go("/leder")], id="department_lead"),
    pytest.param(
        Role.MANAGER,
        [go("/leder"), go("/cases"), drill_down_from_the_dashboard, go("/cases/{case}")],
        id="manager",
    ),
    pytest.param(Role.ADMIN, [go("/cases"), go("/admin/import"), go("/dev/outbox")], id="admin"),
    pytest.param(
        Role.DATA_PROTECTION,
        [go("/databeskyttelse"), access_log_of_the_citizen],
        id="data_protection",
    ),
]


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
@pytest.mark.parametrize(("role", "steps"), VISITS)
async def test_every_page_of_every_role_is_accessible_and_danish(
    service: Service,
    browser: Browser,
    scenario: Scenario,
    role: Role,
    steps: list[Step],
    screen: ViewportSize,
) -> None:
    # bypass_csp lets the test add axe (tests/api/accessibility.py).
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    try:
        page = await context.new_page()
        await sign_in(page, scenario.staff[role].username)
        await expect(page).to_have_url(f"{service.base_url}{START_PAGES[role]}")

        found = []
        for step in steps:
            where = await step(page, scenario)
            await expect(page.locator("a.skip")).to_have_attribute("href", "#indhold")
            await expect(page.locator("main#indhold")).to_have_attribute("tabindex", "-1")
            violations = await serious_violations(page)
            if violations:
                found.append(f"{where}:\n{describe(violations)}")
            if codes := words_read(await page.content()) & CODE_WORDS:
                found.append(f"{where}: code words where Danish belongs: {sorted(codes)}")

        assert not found, "\n\n".join(found)
    finally:
        await context.close()


async def test_the_skip_link_is_the_first_stop_and_moves_the_focus_to_the_content(
    service: Service, browser: Browser, scenario: Scenario
) -> None:
    context = await browser.new_context(base_url=service.base_url, locale="da-DK")
    try:
        page = await context.new_page()
        await sign_in(page, scenario.staff[Role.MANAGER].username)
        await expect(page).to_have_url(f"{service.base_url}/leder")

        await page.keyboard.press("Tab")
        skip = page.get_by_role("link", name="Gå til indhold")
        await expect(skip).to_be_focused()
        await expect(skip).to_be_in_viewport()
        # The keyboard's place is drawn: an outline, not the browser's nothing.
        outline = await skip.evaluate("element => getComputedStyle(element).outlineStyle")
        assert outline != "none"
        await page.keyboard.press("Enter")
        await expect(page.locator("main#indhold")).to_be_focused()
    finally:
        await context.close()


async def test_on_a_phone_the_dashboard_scrolls_its_charts_and_tables_inside_their_cards(
    service: Service, browser: Browser, scenario: Scenario
) -> None:
    phone: ViewportSize = {"width": 390, "height": 844}
    context = await browser.new_context(base_url=service.base_url, locale="da-DK", viewport=phone)
    try:
        page = await context.new_page()
        await sign_in(page, scenario.staff[Role.MANAGER].username)
        await expect(page).to_have_url(f"{service.base_url}/leder")

        # The page itself never scrolls sideways; what is wider scrolls in its own region.
        width = await page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= phone["width"]
        charts = page.locator("svg.chart")
        assert await charts.count() > 0
        for chart in await charts.all():
            box = await chart.bounding_box()
            assert box is not None and box["width"] >= 790, "a chart shrank past reading"
        regions = page.locator(".scroll")
        for region in await regions.all():
            await expect(region).to_have_attribute("tabindex", "0")
            await expect(region).to_have_attribute("role", "region")
            await expect(region).to_have_attribute("aria-label", re.compile(r"\w"))
    finally:
        await context.close()
