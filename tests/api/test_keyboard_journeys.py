"""Staff's daily work done with the keyboard alone: Tab, Enter and typing, with the focus to be
seen at every control reached, and the work done when the key is pressed."""

import re
import uuid
from collections.abc import AsyncIterator
from typing import Any

import pytest
from playwright.async_api import Browser, Locator, Page, ViewportSize, expect

from models.enums import Department, Role
from models.staff import Staff
from tests.api.accessibility import describe, serious_violations
from tests.api.case_steps import act, eventually, new_case, to_active
from tests.api.conftest import logged_in
from tests.api.test_meetings_api import in_days
from tests.factories import PASSWORD, make_staff

pytestmark = pytest.mark.looks

# Wide enough for the board's and the case page's desktop layout.
DESKTOP: ViewportSize = {"width": 1280, "height": 800}


@pytest.fixture
async def keyboard(service, browser: Browser) -> AsyncIterator[Page]:
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=DESKTOP, bypass_csp=True
    )
    try:
        yield await context.new_page()
    finally:
        await context.close()


async def focus_is_visible(target: Locator) -> None:
    """The target has the focus, and an outline a sighted keyboard user can see."""
    await expect(target).to_be_focused()
    outline = await target.evaluate(
        """element => {
          const style = getComputedStyle(element);
          return {style: style.outlineStyle, width: parseFloat(style.outlineWidth)};
        }"""
    )
    assert outline["style"] != "none" and outline["width"] >= 2, outline


async def tab_to(page: Page, target: Locator, most: int = 80) -> None:
    """Press Tab until the target has the focus, as a keyboard user would; then check it shows."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            await focus_is_visible(target)
            return
    raise AssertionError("the element cannot be reached by Tab")


async def log_in_by_keyboard(page: Page, staff: Staff) -> None:
    await page.goto("/login")
    username = page.get_by_label("Brugernavn")
    # The field has the focus from the start; Tab from the top reaches it all the same.
    await focus_is_visible(username)
    await page.keyboard.type(staff.username)
    await tab_to(page, page.get_by_label("Adgangskode"))
    await page.keyboard.type(PASSWORD)
    await page.keyboard.press("Enter")
    await expect(page.get_by_role("button", name="Log ud")).to_be_visible()
    await expect(page).not_to_have_url(re.compile(r"/login"))


async def date_parts(page: Page) -> str:
    """The order Chromium takes a date's parts in, typed: its own language decides it, not the
    page's, so a blank page of the same browser is asked first."""
    probe = await page.context.new_page()
    try:
        await probe.set_content('<input type="date" aria-label="Dato">')
        await probe.get_by_label("Dato").focus()
        await probe.keyboard.type("01022003")
        typed = await probe.get_by_label("Dato").input_value()
    finally:
        await probe.close()
    return "%m%d%Y" if typed == "2003-01-02" else "%d%m%Y"


async def test_a_coordinator_logs_in_and_books_a_meeting_by_keyboard(
    keyboard: Page, service: Any, as_coordinator, coordinator, as_department_worker
):
    case_id = (await new_case(as_coordinator))["id"]
    await to_active(as_coordinator, as_department_worker, case_id)
    await log_in_by_keyboard(keyboard, coordinator)
    await expect(keyboard).to_have_url(f"{service.base_url}/board")

    await keyboard.goto(f"/cases/{case_id}")
    # The page leads with booking the next meeting: its fields come first after the path.
    when = in_days(5, hour=10)
    start = keyboard.get_by_label("Tidspunkt", exact=True)
    parts = await date_parts(keyboard)
    await tab_to(keyboard, start)
    # The year takes up to six digits, so Tab moves on to the hour. Ten in the morning reads
    # the same on a 12- and a 24-hour clock; a 12-hour one asks for AM as well.
    await keyboard.keyboard.type(when.strftime(parts))
    await keyboard.keyboard.press("Tab")
    await keyboard.keyboard.type("1000AM")
    await expect(start).to_have_value(when.strftime("%Y-%m-%dT%H:%M"))
    await tab_to(keyboard, keyboard.get_by_label("Sted, som borgeren kan finde det"))
    await keyboard.keyboard.type("Café Solsikken")
    await tab_to(keyboard, keyboard.get_by_label("Hvad skal vi tale om"))
    await keyboard.keyboard.type("Hvordan går praktikken")
    book = keyboard.get_by_role("button", name="Book og send aftalen")
    await tab_to(keyboard, book)
    await keyboard.keyboard.press("Enter")

    await expect(keyboard.get_by_role("status")).to_contain_text("Møde aftalt")
    meetings_card = keyboard.locator(
        "section", has=keyboard.get_by_role("heading", name="Møder med borgeren")
    )
    await expect(meetings_card.locator("p", has_text="Næste møde:")).to_contain_text(
        "Café Solsikken"
    )
    meetings = (await as_coordinator.get(f"/api/cases/{case_id}")).json()["meetings"]
    assert [m["place"] for m in meetings] == ["Café Solsikken"]
    violations = await serious_violations(keyboard)
    assert not violations, describe(violations)


async def test_the_receiver_accepts_a_handover_by_keyboard(
    keyboard: Page, service: Any, session, as_coordinator
):
    receiver = make_staff(session, Role.COORDINATOR)
    case_id = (await new_case(as_coordinator))["id"]
    note = {"status": "Afventer beskrivelsen", "citizen_told": "At der kommer en ny"}
    await act(as_coordinator, case_id, "request-handover", to_id=str(receiver.id), note=note)

    await log_in_by_keyboard(keyboard, receiver)
    await keyboard.goto(f"/cases/{case_id}")
    accept = keyboard.get_by_role("button", name="Acceptér og overtag sagen")
    await tab_to(keyboard, accept)
    await keyboard.keyboard.press("Enter")

    await expect(keyboard.get_by_role("status")).to_contain_text("Sagen er overdraget")

    async with logged_in(service, receiver) as as_receiver:

        async def moved() -> bool:
            case = (await as_receiver.get(f"/api/cases/{case_id}")).json()
            return bool(case["coordinator"]["id"] == str(receiver.id))

        await eventually(moved)
    await expect(keyboard.get_by_role("button", name="Acceptér og overtag sagen")).to_have_count(0)


async def test_a_department_worker_acknowledges_a_task_in_the_inbox_by_keyboard(
    keyboard: Page, service: Any, session, as_coordinator
):
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.HEALTH)
    case_id = (await new_case(as_coordinator))["id"]
    purpose = f"Samtaler med psykolog {uuid.uuid4().hex[:6]}"
    await act(as_coordinator, case_id, "assign-task", department="health", purpose=purpose)

    await log_in_by_keyboard(keyboard, worker)
    await expect(keyboard).to_have_url(f"{service.base_url}/inbox")
    card = keyboard.locator("article.task", has_text=purpose)
    acknowledge = card.get_by_role("button", name="Kvittér")
    # The inbox lists the department's open tasks oldest first; others' come before this one.
    await tab_to(keyboard, acknowledge, most=2000)
    await keyboard.keyboard.press("Enter")

    await expect(keyboard.get_by_role("status")).to_contain_text("har kvitteret for opgaven")
    await expect(keyboard.locator("article.task", has_text=purpose)).to_contain_text(
        re.compile("Kvitteret")
    )
    tasks = (await as_coordinator.get(f"/api/cases/{case_id}/tasks")).json()
    assert [t["state"] for t in tasks if t["purpose"] == purpose] == ["acknowledged"]
