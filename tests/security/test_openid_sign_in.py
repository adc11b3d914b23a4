"""Signing in with the municipality's login: the whole OpenID Connect flow through the real
app and a real provider on loopback (tests/fakes/openid_provider.py), each redirect followed
by hand, as a browser would."""

import time
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api.app import create_app
from api.auth import LOCAL_REFUSED
from api.openid import CANCELLED, NOT_CONFIRMED, START_AGAIN, UNREACHABLE
from api.routes.openid_sign_in import CLOSED, NO_ACCESS
from models.enums import Department, Role
from models.settings import Settings
from models.sign_in import StaffSession
from models.staff import Staff
from tests.api.conftest import free_port, serve, settings_for
from tests.factories import PASSWORD, make_staff
from tests.fakes.openid_provider import CLIENT_ID, CLIENT_SECRET, FakeOpenIdProvider, ProviderUser

BUTTON = "Log ind med kommunens login"
# The coordinators' group first: someone in both is a coordinator.
GROUPS = {
    "forloeb-koordinator": {"role": "coordinator"},
    "forloeb-sundhed": {"role": "department_worker", "department": "health"},
}


def openid_settings(tmp: Path, database_url: str, issuer: str, **overrides: object) -> Settings:
    values: dict[str, object] = {
        "DATABASE_URL": database_url,
        "oidc_issuer": issuer,
        "oidc_client_id": CLIENT_ID,
        "oidc_client_secret": CLIENT_SECRET,
        "oidc_groups": GROUPS,
    }
    return settings_for(tmp, **{**values, **overrides})


@asynccontextmanager
async def served(settings: Settings, provider: FakeOpenIdProvider) -> AsyncIterator[str]:
    async with serve(create_app(settings)) as base_url:
        provider.redirect_uris.add(f"{base_url}/login/openid/callback")
        yield base_url


@pytest.fixture(scope="module")
def provider() -> Iterator[FakeOpenIdProvider]:
    provider = FakeOpenIdProvider().start()
    yield provider
    provider.stop()


@pytest.fixture(scope="module")
async def app_url(provider, database_url, tmp_path_factory) -> AsyncIterator[str]:
    settings = openid_settings(tmp_path_factory.mktemp("openid"), database_url, provider.issuer)
    async with served(settings, provider) as base_url:
        yield base_url


@pytest.fixture
async def browser() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(timeout=30) as client:
        yield client


def person(*groups: str, **details: str) -> ProviderUser:
    sub = f"sub-{uuid.uuid4().hex}"
    return ProviderUser(
        sub=sub,
        name=details.get("name", "Mette Kommune"),
        email=details.get("email", f"{sub}@kommune.dk"),
        username=details.get("username", sub[:20]),
        groups=list(groups),
    )


async def to_provider_and_back(browser: httpx.AsyncClient, app_url: str, next: str = "/") -> str:
    """Start at the app's button and let the provider approve; the address it sends back to."""
    leaving = await browser.get(f"{app_url}/login/openid", params={"next": next})
    assert leaving.status_code == 303, leaving.text
    assert "/authorize?" in leaving.headers["location"]
    at_provider = await browser.get(leaving.headers["location"])
    assert at_provider.status_code == 302, at_provider.text
    return at_provider.headers["location"]


async def sign_in(browser: httpx.AsyncClient, app_url: str, next: str = "/") -> httpx.Response:
    return await browser.get(await to_provider_and_back(browser, app_url, next))


def staff_of(session: Session, user: ProviderUser) -> list[Staff]:
    session.expire_all()
    return list(session.exec(select(Staff).where(col(Staff.subject) == user.sub)).all())


async def me(browser: httpx.AsyncClient, app_url: str) -> httpx.Response:
    return await browser.get(f"{app_url}/api/me")


async def test_a_coordinator_signs_in_with_the_municipalitys_login_and_reaches_her_board(
    provider, app_url, browser, session
):
    user = person("andet", "forloeb-koordinator", name="Mette Kommune")
    provider.reset(user)
    first = await browser.get(f"{app_url}/login")
    assert BUTTON in first.text and 'name="password"' in first.text  # local form stays here

    answer = await sign_in(browser, app_url, next="/board")

    assert answer.status_code == 303, answer.text
    assert answer.headers["location"] == "/board"
    board = await browser.get(f"{app_url}/board")
    assert board.status_code == 200 and "Mette Kommune" in board.text
    shown = (await me(browser, app_url)).json()
    assert (shown["role"], shown["department"], shown["full_name"]) == (
        "coordinator",
        None,
        "Mette Kommune",
    )
    [staff] = staff_of(session, user)
    assert (staff.issuer, staff.email) == (provider.issuer, user.email)
    sessions = session.exec(select(StaffSession).where(StaffSession.staff_id == staff.id)).all()
    assert len(sessions) == 1 and sessions[0].ended_at is None


async def test_the_group_gives_the_department_and_every_sign_in_takes_the_providers_word(
    provider, app_url, browser, session
):
    user = person("forloeb-sundhed", name="Peter Madsen")
    provider.reset(user)
    assert (await sign_in(browser, app_url)).status_code == 303
    shown = (await me(browser, app_url)).json()
    assert (shown["role"], shown["department"]) == ("department_worker", "health")

    user.name, user.email, user.groups = (
        "Peter Madsen-Holm",
        "ny@kommune.dk",
        ["forloeb-koordinator"],
    )
    async with httpx.AsyncClient(timeout=30) as again:
        assert (await sign_in(again, app_url)).status_code == 303
        shown = (await me(again, app_url)).json()
    assert (shown["role"], shown["department"], shown["full_name"]) == (
        "coordinator",
        None,
        "Peter Madsen-Holm",
    )
    [staff] = staff_of(session, user)  # the same row, brought up to date
    assert (staff.id, staff.email, staff.role) == (
        uuid.UUID(shown["id"]),
        "ny@kommune.dk",
        Role.COORDINATOR,
    )


async def test_of_several_mapped_groups_the_first_in_the_settings_decides(
    provider, app_url, browser
):
    provider.reset(person("forloeb-sundhed", "forloeb-koordinator"))
    assert (await sign_in(browser, app_url)).status_code == 303
    assert (await me(browser, app_url)).json()["role"] == "coordinator"


async def test_someone_in_no_mapped_group_is_refused_and_nothing_is_made(
    provider, app_url, browser, session
):
    user = person("kantinen", "alle-ansatte")
    provider.reset(user)
    answer = await sign_in(browser, app_url)
    assert answer.status_code == 403
    assert NO_ACCESS in answer.text
    assert staff_of(session, user) == []
    assert (await me(browser, app_url)).status_code == 401


async def test_a_local_account_with_the_same_username_is_not_taken_over(
    provider, app_url, browser, session
):
    local = make_staff(session, Role.MANAGER)
    user = person("forloeb-koordinator", username=local.username)
    provider.reset(user)
    assert (await sign_in(browser, app_url)).status_code == 303
    shown = (await me(browser, app_url)).json()
    assert shown["id"] != str(local.id) and shown["username"].startswith(f"{local.username}-")
    session.refresh(local)
    assert (local.role, local.issuer) == (Role.MANAGER, None)


async def test_a_staff_member_deactivated_here_stays_shut_out(provider, app_url, browser, session):
    user = person("forloeb-koordinator")
    provider.reset(user)
    assert (await sign_in(browser, app_url)).status_code == 303
    [staff] = staff_of(session, user)
    staff.active = False
    session.add(staff)
    session.commit()
    async with httpx.AsyncClient(timeout=30) as again:
        answer = await sign_in(again, app_url)
        assert answer.status_code == 403 and CLOSED in answer.text
        assert (await me(again, app_url)).status_code == 401


async def test_the_provider_refusing_gives_a_danish_page(provider, app_url, browser):
    provider.reset(person("forloeb-koordinator"))
    provider.deny = True
    answer = await sign_in(browser, app_url)
    assert answer.status_code == 403 and CANCELLED in answer.text
    assert (await me(browser, app_url)).status_code == 401


async def test_a_tampered_state_is_refused_before_the_code_is_spent(provider, app_url, browser):
    provider.reset(person("forloeb-koordinator"))
    back = urlsplit(await to_provider_and_back(browser, app_url))
    query = {key: values[0] for key, values in parse_qs(back.query).items()}
    redeemed = provider.codes_redeemed
    tampered = {**query, "state": query["state"][:-2] + "æø"}  # not even ASCII

    answer = await browser.get(f"{app_url}{back.path}?{urlencode(tampered)}")

    assert answer.status_code == 400 and START_AGAIN in answer.text
    assert provider.codes_redeemed == redeemed
    assert (await me(browser, app_url)).status_code == 401
    # The flow is used up: the right state does not work after a wrong one either.
    answer = await browser.get(f"{app_url}{back.path}?{urlencode(query)}")
    assert answer.status_code == 400 and (await me(browser, app_url)).status_code == 401


async def test_a_code_works_once_and_only_in_the_browser_that_asked_for_it(
    provider, app_url, browser
):
    provider.reset(person("forloeb-koordinator"))
    stolen_in_flight = parse_qs(urlsplit(await to_provider_and_back(browser, app_url)).query)
    async with httpx.AsyncClient(timeout=30) as thief:
        # The thief starts a flow of his own, so his state matches, and brings the code.
        own = parse_qs(urlsplit(await to_provider_and_back(thief, app_url)).query)
        forged = {"code": stolen_in_flight["code"][0], "state": own["state"][0]}
        answer = await thief.get(f"{app_url}/login/openid/callback?{urlencode(forged)}")
        assert answer.status_code == 400 and NOT_CONFIRMED in answer.text
        assert provider.refusals[-1] == "pkce"
        assert (await me(thief, app_url)).status_code == 401

    used = await to_provider_and_back(browser, app_url)
    assert (await browser.get(used)).status_code == 303
    async with httpx.AsyncClient(timeout=30) as replayer:
        own = parse_qs(urlsplit(await to_provider_and_back(replayer, app_url)).query)
        replayed = {"code": parse_qs(urlsplit(used).query)["code"][0], "state": own["state"][0]}
        answer = await replayer.get(f"{app_url}/login/openid/callback?{urlencode(replayed)}")
        assert answer.status_code == 400 and NOT_CONFIRMED in answer.text
        assert provider.refusals[-1] == "code used or unknown"
        assert (await me(replayer, app_url)).status_code == 401


@pytest.mark.parametrize(
    "wrong",
    [
        {"nonce": "another-flows-nonce"},
        {"aud": "another-client"},
        # Made for another of the provider's clients, though handed to us.
        {"aud": ["another-client"], "azp": CLIENT_ID},
        {"iss": "http://127.0.0.1:1"},
        {"exp": int(time.time()) - 3600, "iat": int(time.time()) - 7200},
        {"nonce": None},
        "forged signature",
    ],
    ids=["nonce", "audience", "audience of another", "issuer", "expired", "no nonce", "signature"],
)
async def test_an_id_token_not_made_for_this_sign_in_is_refused(
    provider, app_url, browser, session, wrong
):
    user = person("forloeb-koordinator")
    provider.reset(user)
    if wrong == "forged signature":
        provider.forge_signature = True
    else:
        provider.token_changes = dict(wrong)
    redeemed = provider.codes_redeemed

    answer = await sign_in(browser, app_url)

    assert provider.codes_redeemed == redeemed + 1  # the provider answered; we said no
    assert answer.status_code == 400 and NOT_CONFIRMED in answer.text
    assert (await me(browser, app_url)).status_code == 401
    assert staff_of(session, user) == []


async def test_signing_out_ends_the_session_wherever_its_cookie_is(provider, app_url, browser):
    provider.reset(person("forloeb-koordinator"))
    assert (await sign_in(browser, app_url)).status_code == 303
    copied = dict(browser.cookies)
    assert (await me(browser, app_url)).status_code == 200

    answer = await browser.post(f"{app_url}/logout")

    assert answer.status_code == 303
    assert (await me(browser, app_url)).status_code == 401
    async with httpx.AsyncClient(cookies=copied) as thief:
        assert (await me(thief, app_url)).status_code == 401


async def test_next_stays_on_this_site(provider, app_url, browser):
    provider.reset(person("forloeb-koordinator"))
    answer = await sign_in(browser, app_url, next="https://evil.example/")
    assert answer.status_code == 303 and answer.headers["location"] == "/"


async def test_in_production_with_the_municipalitys_login_local_passwords_are_refused(
    provider, database_url, tmp_path, session
):
    local = make_staff(session, Role.COORDINATOR)
    settings = openid_settings(tmp_path, database_url, provider.issuer, env="production")
    async with served(settings, provider) as app_url, httpx.AsyncClient(timeout=30) as browser:
        page = await browser.get(f"{app_url}/login")
        assert BUTTON in page.text and 'name="password"' not in page.text

        form = await browser.post(
            f"{app_url}/login", data={"username": local.username, "password": PASSWORD}
        )
        assert form.status_code == 403 and LOCAL_REFUSED in form.text
        api = await browser.post(
            f"{app_url}/api/session", json={"username": local.username, "password": PASSWORD}
        )
        assert api.status_code == 403 and api.json()["detail"] == LOCAL_REFUSED
        assert (await me(browser, app_url)).status_code == 401

        provider.reset(person("forloeb-sundhed"))
        assert (await sign_in(browser, app_url)).status_code == 303
        assert (await me(browser, app_url)).json()["department"] == Department.HEALTH.value


async def test_on_the_embedded_default_local_accounts_sign_in_beside_it(app_url, session):
    local = make_staff(session, Role.COORDINATOR)
    async with httpx.AsyncClient(base_url=app_url) as client:
        answer = await client.post(
            "/api/session", json={"username": local.username, "password": PASSWORD}
        )
        assert answer.status_code == 200
        assert (await client.get("/api/me")).json()["id"] == str(local.id)


async def test_a_provider_that_does_not_answer_gives_a_danish_page_not_an_error(
    provider, database_url, tmp_path
):
    silent = f"http://127.0.0.1:{free_port()}"
    async with (
        served(openid_settings(tmp_path, database_url, silent), provider) as app_url,
        httpx.AsyncClient(timeout=30) as browser,
    ):
        answer = await browser.get(f"{app_url}/login/openid")
        assert answer.status_code == 503 and UNREACHABLE in answer.text


def test_a_group_mapping_that_cannot_work_is_refused_in_danish(tmp_path):
    with pytest.raises(ValidationError, match="skal have en afdeling"):
        openid_settings(
            tmp_path,
            "sqlite://",
            "https://login.kommune.dk",
            oidc_groups={"forloeb-sundhed": {"role": "department_worker"}},
        )
    with pytest.raises(ValidationError, match="ukendt rolle"):
        openid_settings(
            tmp_path, "sqlite://", "https://login.kommune.dk", oidc_groups={"x": {"role": "chef"}}
        )
    with pytest.raises(ValidationError, match="skal bruge https"):
        openid_settings(tmp_path, "sqlite://", "http://login.kommune.dk")
    with pytest.raises(ValidationError, match="FORLOEB_OIDC_CLIENT_SECRET"):
        openid_settings(tmp_path, "sqlite://", "https://login.kommune.dk", oidc_client_secret=None)
