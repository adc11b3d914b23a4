"""Sign-in: sessions on the server, throttled failures that say nothing about who exists,
no change from another site, and the headers every page carries."""

import base64
import time
import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlalchemy import update
from sqlmodel import col

from models.enums import Role
from models.sign_in import LoginThrottle, StaffSession
from tests.api.case_steps import new_case
from tests.api.conftest import logged_in
from tests.factories import PASSWORD, make_staff


async def test_logout_ends_the_session_wherever_its_cookie_is(service, session):
    staff = make_staff(session)
    async with logged_in(service, staff) as client:
        copied = dict(client.cookies)
        assert (await client.get("/api/me")).status_code == 200
        assert (await client.delete("/api/session")).status_code == 204
    async with httpx.AsyncClient(base_url=service.base_url, cookies=copied) as thief:
        assert (await thief.get("/api/me")).status_code == 401


async def test_a_session_ends_after_30_idle_minutes_and_each_login_gets_a_new_token(
    service, session
):
    staff = make_staff(session)
    async with logged_in(service, staff) as first:
        token = first.cookies.get("forloeb_session")
        async with logged_in(service, staff) as second:
            assert second.cookies.get("forloeb_session") != token
        session.exec(
            update(StaffSession)
            .where(col(StaffSession.staff_id) == staff.id)
            .values(seen_at=datetime.now(UTC) - timedelta(minutes=31))
        )
        session.commit()
        assert (await first.get("/api/me")).status_code == 401


async def test_the_cookie_carries_no_personal_data(service, session, as_coordinator):
    staff = make_staff(session)
    async with httpx.AsyncClient(base_url=service.base_url) as browser:
        await browser.post("/login", data={"username": staff.username, "password": PASSWORD})
        citizen = f"Karen {uuid.uuid4().hex[:6]}"
        answer = await browser.post("/cases/new", data={"cpr": "010190-1236", "name": citizen})
        assert answer.status_code == 303
        cookie = browser.cookies.get("forloeb_session") or ""
        decoded = base64.b64decode(cookie.split(".")[0] + "==").decode(errors="replace")
        assert citizen not in decoded and "Karen" not in decoded
        case_page = await browser.get(answer.headers["location"])
        assert f"Sagen for {citizen} er oprettet" in case_page.text


async def test_failed_logins_are_throttled_the_same_for_known_and_unknown_names(service, session):
    staff = make_staff(session)
    unknown = f"ingen-{uuid.uuid4().hex[:8]}"
    async with httpx.AsyncClient(base_url=service.base_url) as client:

        async def attempt(username: str, password: str) -> tuple[int, str, float]:
            started = time.perf_counter()
            answer = await client.post(
                "/api/session", json={"username": username, "password": password}
            )
            return answer.status_code, answer.json()["detail"], time.perf_counter() - started

        known = [await attempt(staff.username, "forkert") for _ in range(5)]
        other = [await attempt(unknown, "forkert") for _ in range(5)]
        assert (
            {a[:2] for a in known}
            == {a[:2] for a in other}
            == {(401, "Forkert brugernavn eller adgangskode.")}
        )
        # Both check a password hash: an unknown name is not answered faster.
        assert min(t for *_, t in other) > 0.5 * min(t for *_, t in known)

        blocked = await attempt(staff.username, PASSWORD)
        assert blocked[0] == 429 and "Vent" in blocked[1]
        assert (await attempt(unknown, "forkert"))[:1] == (429,)

    session.exec(
        update(LoginThrottle)
        .where(col(LoginThrottle.key) == f"user:{staff.username}")
        .values(blocked_until=None)
    )
    session.commit()
    async with logged_in(service, staff) as client:
        assert (await client.get("/api/me")).status_code == 200


async def test_a_change_from_another_site_is_refused_and_changes_nothing(
    service, session, as_coordinator
):
    case = await new_case(as_coordinator)
    forged = await as_coordinator.post(
        f"/cases/{case['id']}/start-description",
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert forged.status_code == 403
    assert "anden side" in forged.json()["detail"]
    after = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert after["stage"] == "referred"
    own = await as_coordinator.post(
        f"/api/cases/{case['id']}/start-description",
        json={},
        headers={"Origin": service.base_url, "Sec-Fetch-Site": "same-origin"},
    )
    assert own.status_code == 200


async def test_every_page_carries_the_security_headers(service, session):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as client:
        for path in ("/login", "/leder", "/api/me", "/static/live.js"):
            headers = (await client.get(path)).headers
            policy = headers["content-security-policy"]
            assert "script-src 'self'" in policy and "frame-ancestors 'none'" in policy
            assert "unsafe-inline" not in policy.split("script-src")[1].split(";")[0]
            assert headers["x-content-type-options"] == "nosniff"
            assert headers["referrer-policy"] == "no-referrer"
