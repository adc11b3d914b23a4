"""Pages pass axe-core's WCAG 2.1 A/AA rules without a serious or critical violation, on a
phone and on a desktop screen: a page's layout, and so what axe finds, changes with its width."""

import pytest
from playwright.async_api import expect

from tests.api.accessibility import describe, serious_violations

SCREENS = {
    "phone": {"width": 390, "height": 844},
    "desktop": {"width": 1280, "height": 800},
}


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
async def test_the_login_page_has_no_serious_accessibility_violations(service, browser, screen):
    # bypass_csp lets the test add axe; no template has an inline script, so the page renders
    # as it does under the policy.
    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    try:
        page = await context.new_page()
        await page.goto("/login")
        await expect(page.locator("html")).to_have_attribute("lang", "da")
        await expect(page.get_by_label("Brugernavn")).to_be_visible()

        violations = await serious_violations(page)

        assert not violations, describe(violations)
    finally:
        await context.close()
