"""The JSON API on a real Temporal dev server and a real database: rules and errors."""

import uuid
from datetime import timedelta

import httpx

from tests.api.case_steps import act, eventually, new_case, new_legacy_case, to_active
from tests.api.conftest import logged_in
from tests.factories import copenhagen_today, make_staff, random_cpr


async def test_without_login_the_api_answers_401_and_pages_redirect(service):
    async with httpx.AsyncClient(base_url=service.base_url) as anonymous:
        answer = await anonymous.get("/api/cases")
        assert answer.status_code == 401
        assert answer.json()["detail"] == "Du skal være logget ind."
        page = await anonymous.get("/cases")
        assert page.status_code == 303
        assert page.headers["location"] == "/login?next=/cases"


async def test_wrong_password_is_refused(service, coordinator):
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        answer = await client.post(
            "/api/session", json={"username": coordinator.username, "password": "forkert"}
        )
    assert answer.status_code == 401
    assert answer.json()["detail"] == "Forkert brugernavn eller adgangskode."


async def test_cpr_is_validated_and_never_returned_in_full(as_coordinator):
    for bad, reason in [
        ("12345", "10 cifre"),
        ("3201901234", "gyldig fødselsdato"),
        ("010190-12a4", "10 cifre"),
    ]:
        answer = await as_coordinator.post("/api/citizens", json={"cpr": bad, "name": "Bo Test"})
        assert answer.status_code == 422, bad
        assert answer.json()["errors"][0]["field"] == "cpr"
        assert reason in answer.json()["detail"]

    cpr = random_cpr()
    created = await as_coordinator.post(
        "/api/citizens", json={"cpr": cpr[:6] + "-" + cpr[6:], "name": "Bo Test"}
    )
    assert created.status_code == 201
    assert created.json()["cpr_masked"] == f"{cpr[:6]}-XXXX"
    assert cpr not in created.text
    again = await as_coordinator.post("/api/citizens", json={"cpr": cpr, "name": "Bo Test"})
    assert again.status_code == 409
    assert "findes allerede" in again.json()["detail"]


async def test_a_course_is_driven_through_the_api(
    as_coordinator, as_department_worker, coordinator
):
    case = await new_case(as_coordinator)
    assert case["stage"] == "referred"
    assert case["course_type"] == "tvaerfagligt"
    assert case["coordinator"]["id"] == str(coordinator.id)

    async def referral_projected() -> bool:
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        return [e["kind"] for e in detail["timeline"]] == ["referred"]

    await eventually(referral_projected)
    result = await to_active(as_coordinator, as_department_worker, case["id"], months=12)
    assert result["summary"].startswith("Afgørelse: koordineret indsats med en plan fra")
    active = result["case"]
    assert active["stage"] == "active"
    assert active["decision"] == "coordinated"
    assert [e["kind"] for e in active["timeline"]][:2] == ["decided", "description_completed"]
    assert active["timeline"][0]["actor"] == coordinator.full_name

    listed = (await as_coordinator.get("/api/cases")).json()
    assert [c["id"] for c in listed] == [case["id"]]

    early = await act(as_coordinator, case["id"], "end", expect=422, outcome="job")
    assert "før den planlagte slutdato" in early["detail"]
    ended = await act(
        as_coordinator, case["id"], "end", outcome="job", reason="Fast job i en butik"
    )
    assert ended["case"]["stage"] == "ended"
    assert ended["case"]["followup_on"] == (copenhagen_today() + timedelta(weeks=13)).isoformat()


async def test_transitions_that_do_not_fit_are_409_with_the_reason(as_coordinator):
    case = await new_legacy_case(as_coordinator)
    refused = await act(
        as_coordinator,
        case["id"],
        "record-decision",
        expect=409,
        kind="ressourceforloeb",
        duration_months=12,
    )
    assert refused["detail"] == (
        "Afgørelsen kan kun ske i fasen »Indstillet, afventer afgørelse«. "
        "Sagen er i fasen »Visiteret«."
    )
    await act(as_coordinator, case["id"], "start-preparation")
    twice = await act(as_coordinator, case["id"], "start-preparation", expect=409)
    assert "Sagen er i fasen »Forberedende del«" in twice["detail"]


async def test_invalid_values_are_422_naming_the_field(as_coordinator):
    case = await new_legacy_case(as_coordinator)
    await act(as_coordinator, case["id"], "start-preparation")
    answer = await act(
        as_coordinator, case["id"], "schedule-team-meeting", expect=422, meeting_on="næste uge"
    )
    assert answer["errors"][0]["field"] == "meeting_on"
    assert "meeting_on" in answer["detail"]
    missing = await act(as_coordinator, case["id"], "close", expect=422)
    assert missing["errors"][0]["field"] == "reason"
    future = await as_coordinator.post(
        "/api/cases",
        json={"citizen_id": case["citizen"]["id"], "referred_on": "2999-01-01"},
    )
    assert future.status_code in (409, 422)


async def test_deviating_decision_through_the_api_returns_the_case_to_the_team(as_coordinator):
    case = await new_legacy_case(as_coordinator, referred_on="2025-10-01")
    await act(as_coordinator, case["id"], "start-preparation", started_on="2025-10-02")
    await act(as_coordinator, case["id"], "schedule-team-meeting", meeting_on="2026-01-10")
    await act(
        as_coordinator,
        case["id"],
        "record-recommendation",
        kind="ressourceforloeb",
        efforts=[{"department": "health", "description": "Psykologforløb"}],
    )
    returned = await act(as_coordinator, case["id"], "record-decision", kind="fleksjob")
    assert returned["case"]["stage"] == "team"
    assert returned["case"]["returned_to_team"] is True
    assert "LAB § 25 a, stk. 6" in returned["summary"]
    # The team holds to its recommendation, but no new ressourceforløb is granted any more.
    await act(
        as_coordinator,
        case["id"],
        "record-recommendation",
        kind="ressourceforloeb",
        efforts=[{"department": "health", "description": "Psykologforløb"}],
    )
    after_cutoff = await act(
        as_coordinator,
        case["id"],
        "record-decision",
        expect=409,
        kind="ressourceforloeb",
        duration_months=6,
    )
    assert "afskaffet for nye borgere fra 01.02.2026" in after_cutoff["detail"]
    backdated = await act(
        as_coordinator,
        case["id"],
        "record-decision",
        expect=409,
        kind="ressourceforloeb",
        decided_on="2026-01-20",
        duration_months=24,
    )
    assert "forloeb import" in backdated["detail"]


async def test_unknown_and_malformed_ids(as_coordinator):
    unknown = await as_coordinator.get(f"/api/cases/{uuid.uuid4()}")
    assert unknown.status_code == 404
    assert unknown.json()["detail"] == "Sagen findes ikke."
    malformed = await as_coordinator.get("/api/cases/ikke-et-id")
    assert malformed.status_code == 422
    assert malformed.json()["errors"][0]["field"] == "case_id"
    action = await as_coordinator.post(f"/api/cases/{uuid.uuid4()}/start-preparation", json={})
    assert action.status_code == 404
    no_citizen = await as_coordinator.post("/api/cases", json={"citizen_id": str(uuid.uuid4())})
    assert no_citizen.status_code == 404


async def test_one_open_case_per_citizen(as_coordinator):
    case = await new_case(as_coordinator)
    again = await as_coordinator.post("/api/cases", json={"citizen_id": case["citizen"]["id"]})
    assert again.status_code == 409
    assert again.json()["detail"] == "Borgeren har allerede en åben sag."


async def test_roles_decide_what_is_seen_and_done(
    service, session, as_coordinator, as_department_worker, as_manager
):
    case = await new_case(as_coordinator)

    # A department worker neither sees nor advances the case, nor registers citizens.
    assert (await as_department_worker.get("/api/cases")).json() == []
    hidden = await as_department_worker.get(f"/api/cases/{case['id']}")
    assert hidden.status_code == 404
    await act(as_department_worker, case["id"], "start-preparation", expect=404)
    refused = await as_department_worker.post(
        "/api/citizens", json={"cpr": random_cpr(), "name": "Ny Borger"}
    )
    assert refused.status_code == 403

    # Another coordinator sees only her own cases.
    async with logged_in(service, make_staff(session)) as colleague:
        assert (await colleague.get(f"/api/cases/{case['id']}")).status_code == 404
        assert (await colleague.get("/api/cases")).json() == []

    # The manager sees every case but does not drive one.
    seen = await as_manager.get(f"/api/cases/{case['id']}")
    assert seen.status_code == 200
    forbidden = await act(as_manager, case["id"], "start-preparation", expect=403)
    assert "koordinerende sagsbehandler" in forbidden["detail"]


async def test_a_closed_case_cannot_be_changed(as_coordinator):
    case = await new_case(as_coordinator)
    closed = await act(as_coordinator, case["id"], "close", reason="Borgeren er fraflyttet")
    assert closed["case"]["stage"] == "closed"
    after = await act(as_coordinator, case["id"], "start-preparation", expect=409)
    assert after["detail"] == "Sagen er lukket og kan ikke ændres."


async def test_openapi_documents_every_action(service):
    async with httpx.AsyncClient(base_url=service.base_url) as client:
        schema = (await client.get("/openapi.json")).json()
    paths = schema["paths"]
    for slug in [
        "start-preparation",
        "schedule-team-meeting",
        "record-recommendation",
        "record-decision",
        "extend",
        "end",
        "record-status",
        "close",
    ]:
        assert f"/api/cases/{{case_id}}/{slug}" in paths
    assert "/api/citizens" in paths
