"""The Danish pages, driven with plain form posts as a browser would send them."""

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from tests.api.case_steps import new_legacy_case
from tests.factories import PASSWORD, random_cpr


@pytest.fixture
async def browser(service, coordinator) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as client:
        answer = await client.post(
            "/login",
            data={"username": coordinator.username, "password": PASSWORD, "next": "/cases"},
        )
        assert answer.status_code == 303
        assert answer.headers["location"] == "/cases"
        yield client


async def test_login_page_refuses_a_wrong_password_in_danish(service, coordinator):
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        form = await client.get("/login")
        assert 'lang="da"' in form.text and "Log ind" in form.text
        answer = await client.post(
            "/login", data={"username": coordinator.username, "password": "forkert"}
        )
    assert answer.status_code == 401
    assert "Forkert brugernavn eller adgangskode." in answer.text


async def test_login_never_redirects_off_site(service, coordinator):
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        answer = await client.post(
            "/login",
            data={"username": coordinator.username, "password": PASSWORD, "next": "//evil.test/"},
        )
    assert answer.headers["location"] == "/"


async def test_new_case_form_creates_the_case_and_shows_it(browser):
    cpr = random_cpr()
    answer = await browser.post(
        "/cases/new", data={"cpr": f"{cpr[:6]}-{cpr[6:]}", "name": "Sara Side", "referred_on": ""}
    )
    assert answer.status_code == 303
    page = await browser.get(answer.headers["location"])
    assert page.status_code == 200
    assert "Sagen for Sara Side er oprettet og visiteret." in page.text
    assert f"{cpr[:6]}-XXXX" in page.text
    # The last four digits alone may turn up by chance (in an id); next to the birth date never.
    assert cpr not in page.text and f"{cpr[:6]}-{cpr[6:]}" not in page.text
    assert 'aria-current="step">Visiteret<' in page.text
    listing = await browser.get("/cases")
    assert "Sara Side" in listing.text


async def test_new_case_form_explains_a_bad_cpr(browser):
    answer = await browser.post("/cases/new", data={"cpr": "999999-9999", "name": "Bo"})
    assert answer.status_code == 422
    assert "Sagen er ikke oprettet." in answer.text
    # Told once, at the field and tied to it; the banner links to the field instead.
    assert answer.text.count("gyldig fødselsdato") == 1
    assert '<p class="field-error" id="cpr-error">' in answer.text
    assert 'aria-describedby="cpr-error cpr-hint" aria-invalid="true"' in answer.text
    assert '<a href="#cpr">Borgerens CPR-nummer</a>' in answer.text
    assert 'value="999999-9999"' in answer.text  # what was typed is kept


async def test_an_action_form_moves_the_case_and_a_refusal_is_shown(browser):
    case = await new_legacy_case(browser)
    done = await browser.post(f"/cases/{case['id']}/start-preparation", data={})
    assert done.status_code == 303
    page = await browser.get(f"/cases/{case['id']}")
    assert "Den forberedende del er startet." in page.text
    assert 'aria-current="step">Forberedende del<' in page.text

    refused = await browser.post(
        f"/cases/{case['id']}/schedule-team-meeting", data={"meeting_on": "2001-01-01"}
    )
    assert refused.status_code == 422
    assert re.search(r"Sæt dato for møde i rehabiliteringsteamet: .*før visitationen", refused.text)

    unknown = await browser.post(f"/cases/{case['id']}/fly-til-maanen", data={})
    assert unknown.status_code == 404
