"""Steps a person takes in the browser, shared by the browser tests."""

from playwright.async_api import Page

from tests.factories import PASSWORD


async def sign_in(page: Page, username: str) -> None:
    """Log in through the login form, as a member of staff does."""
    await page.goto("/login")
    await page.get_by_label("Brugernavn").fill(username)
    await page.get_by_label("Adgangskode").fill(PASSWORD)
    await page.get_by_role("button", name="Log ind").click()
