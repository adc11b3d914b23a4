"""Pages pass axe-core's WCAG 2.1 A/AA rules without a serious or critical violation, on a
phone and on a desktop screen: a page's layout, and so what axe finds, changes with its width."""

import pytest
from playwright.async_api import Locator, Page, expect

from tests.api.accessibility import describe, serious_violations
from tests.api.case_steps import act, meeting_by_sms
from tests.api.citizen_steps import code_for, codes_sent, latest_link
from tests.api.test_meetings_api import in_days

pytestmark = pytest.mark.looks

SCREENS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.mark.parametrize("path", ["/login", "/borger/log-ind"])
@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
async def test_the_login_pages_have_no_serious_accessibility_violations(
    service, browser, screen, path
):
    # bypass_csp lets the test add axe; no template has an inline script, so the page renders
    # as it does under the policy.
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    try:
        page = await context.new_page()
        answer = await page.goto(path)
        assert answer is not None and answer.ok
        await expect(page.locator("html")).to_have_attribute("lang", "da")

        violations = await serious_violations(page)

        assert not violations, describe(violations)
    finally:
        await context.close()


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
async def test_the_citizens_sign_in_and_page_work_by_keyboard_without_violations(
    service, browser, session, as_coordinator, screen
):
    case = await meeting_by_sms(
        as_coordinator,
        starts_at=in_days(2).isoformat(),
        place="Café Solsikken",
        purpose="Hvordan går det",
    )
    await act(as_coordinator, case["id"], "record-goal", text="Et job i en butik")
    await act(as_coordinator, case["id"], "start-description")
    await act(
        as_coordinator,
        case["id"],
        "record-progression",
        scores={"job_belief": 3, "direction": 4, "health_coping": 5, "caseworker_belief": 4},
    )
    token = await latest_link(session, case["id"])
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    try:
        page = await context.new_page()
        await page.goto(f"/b/{token}")
        await expect(page.locator("html")).to_have_attribute("lang", "da")
        violations = await serious_violations(page)
        assert not violations, describe(violations)

        # By keyboard alone: to the button, the code, and in.
        already = codes_sent(session, case["id"])
        await _tab_to(page, page.get_by_role("button", name="Send mig en kode"))
        await page.keyboard.press("Enter")
        code = await code_for(session, case["id"], already)
        field = page.get_by_label("Skriv koden, du har fået")
        await expect(field).to_be_focused()
        violations = await serious_violations(page)
        assert not violations, describe(violations)
        await page.keyboard.type(code)
        await page.keyboard.press("Enter")
        await expect(page).to_have_url(f"{service.base_url}/borger")
        await expect(page.get_by_role("heading", name="Din næste aftale")).to_be_visible()
        violations = await serious_violations(page)
        assert not violations, describe(violations)

        await _tab_to(page, page.get_by_role("button", name="Tiden passer"))
        await page.keyboard.press("Enter")
        await expect(page.get_by_role("status")).to_contain_text("Mødet er bekræftet")
        violations = await serious_violations(page)
        assert not violations, describe(violations)
    finally:
        await context.close()


async def _tab_to(page: Page, target: Locator, most: int = 60) -> None:
    """Press Tab until the target has the focus, as a keyboard user would."""
    for _ in range(most):
        await page.keyboard.press("Tab")
        if await target.evaluate("element => element === document.activeElement"):
            return
    raise AssertionError("the element cannot be reached by Tab")
