"""A department worker acknowledges a task in headless Chromium; the open board shows it.

Debian's Chromium, driven by Playwright with the system binary: nothing is downloaded.
"""

import uuid

from playwright.async_api import Browser, Page, expect

from models.enums import Department, Role
from tests.api.browser_steps import sign_in
from tests.api.case_steps import act, new_case
from tests.factories import make_staff


async def log_in(browser: Browser, base_url: str, username: str) -> Page:
    page = await (await browser.new_context(base_url=base_url, locale="da-DK")).new_page()
    await sign_in(page, username)
    return page


async def test_a_task_acknowledged_in_the_inbox_shows_as_acknowledged_on_the_board(
    service, session, browser, as_coordinator, coordinator
):
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.FAMILY)
    case = await new_case(as_coordinator)
    purpose = f"Familierådgivning {uuid.uuid4().hex[:6]}"
    await act(as_coordinator, case["id"], "assign-task", department="family", purpose=purpose)

    # The coordinator's board is open before the department acts.
    board = await log_in(browser, service.base_url, coordinator.username)
    await expect(board).to_have_url(f"{service.base_url}/board")
    # The course is one line until opened; it stays open while the board keeps itself current.
    await board.locator(f"#detaljer-{case['id']} > summary").click()
    await expect(
        board.get_by_role("listitem", name="Tildelt").locator("article.task", has_text=purpose)
    ).to_be_visible()

    inbox = await log_in(browser, service.base_url, worker.username)
    await expect(inbox).to_have_url(f"{service.base_url}/inbox")
    card = inbox.locator("article.task", has_text=purpose)
    await expect(card).to_contain_text("Tildelt")
    await card.get_by_role("button", name="Kvittér").click()
    await expect(inbox.get_by_role("status")).to_contain_text("har kvitteret for opgaven")
    await expect(inbox.locator("article.task", has_text=purpose)).to_contain_text("Kvitteret")

    # No one reloads the board: it notices the change by itself within a few seconds.
    column = board.get_by_role("listitem", name="Kvitteret")
    await expect(column.locator("article.task", has_text=purpose)).to_be_visible(timeout=15_000)
    assert (
        await board.get_by_role("listitem", name="Tildelt")
        .locator("article.task", has_text=purpose)
        .count()
        == 0
    )
