"""Consent decides what a department sees of a case: its own tasks and invitations, and
another department's information only where the citizen's consent (or a written legal basis)
covers it; a manager sees the course, not what departments wrote; every look is logged."""

import json
import random
import uuid
from datetime import timedelta
from typing import Any

import httpx
from sqlmodel import select

from models.access_log import AccessLogRow
from models.enums import Department, Role
from tests.api.case_steps import act, eventually, new_case
from tests.api.conftest import logged_in
from tests.factories import PASSWORD, copenhagen_today, make_staff, random_cpr

HEALTH_SECRET = "Tåler ikke store grupper på grund af angst"


def _in_a_year() -> str:
    return (copenhagen_today() + timedelta(days=365)).isoformat()


def _health_to_social(**fields: Any) -> dict[str, Any]:
    return {
        "categories": ["health"],
        "from_departments": ["health"],
        "to_departments": ["social"],
        "purpose": "Hjælpen i hjemmet skal tage hensyn til helbredet",
        "valid_until": _in_a_year(),
        **fields,
    }


async def _case_with_health_and_social_tasks(client: httpx.AsyncClient) -> dict[str, Any]:
    case = await new_case(client)
    await act(
        client,
        case["id"],
        "assign-task",
        department="health",
        purpose="Psykologisk udredning",
        considerations=HEALTH_SECRET,
    )
    await act(client, case["id"], "assign-task", department="social", purpose="Bostøtte")
    return case


async def _what_is_seen(client: httpx.AsyncClient, case_id: str) -> tuple[str, str, str]:
    page = await client.get(f"/cases/{case_id}")
    tasks = await client.get(f"/api/cases/{case_id}/tasks")
    detail = await client.get(f"/api/cases/{case_id}")
    assert page.status_code == tasks.status_code == detail.status_code == 200, page.text
    return page.text, tasks.text, detail.text


async def test_a_health_tasks_considerations_reach_social_only_while_a_consent_covers_them(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    async with logged_in(service, worker) as social:
        page, tasks, detail = await _what_is_seen(social, case["id"])
        assert "Bostøtte" in page  # its own task, in full
        for seen in (page, tasks, detail):
            assert HEALTH_SECRET not in seen
            assert "Psykologisk udredning" not in seen
        assert "Opgave hos Sundhed" in page
        assert "borgerens samtykke dækker det ikke" in page
        health = next(t for t in json.loads(tasks) if t["department"] == "health")
        assert health["withheld"] is True and health["considerations"] == ""

        recorded = await act(as_coordinator, case["id"], "record-consent", **_health_to_social())
        assert "Samtykke (skriftligt)" in recorded["summary"]
        page, tasks, detail = await _what_is_seen(social, case["id"])
        assert HEALTH_SECRET in page and HEALTH_SECRET in tasks
        assert "Psykologisk udredning" in detail  # the timeline line about the health task

        consent_id = _consent_id(await as_coordinator.get(f"/cases/{case['id']}"))
        await act(
            as_coordinator,
            case["id"],
            "withdraw-consent",
            consent_id=consent_id,
            note="Borgeren ringede og trak samtykket tilbage",
        )
        page, tasks, detail = await _what_is_seen(social, case["id"])
        for seen in (page, tasks, detail):
            assert HEALTH_SECRET not in seen

    timeline = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["timeline"]
    kinds = [e["kind"] for e in timeline]
    assert "consent_recorded" in kinds and "consent_withdrawn" in kinds


def _consent_id(page: httpx.Response) -> str:
    marker = 'name="consent_id" value="'
    start = page.text.index(marker) + len(marker)
    return page.text[start : page.text.index('"', start)]


async def test_a_department_with_nothing_on_the_case_cannot_open_it(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.FAMILY)
    async with logged_in(service, worker) as family:
        assert (await family.get(f"/cases/{case['id']}")).status_code == 404
        assert (await family.get(f"/api/cases/{case['id']}")).status_code == 404
        assert (await family.get(f"/api/cases/{case['id']}/tasks")).status_code == 404


async def test_a_department_cannot_act_on_the_case_or_record_consent(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    async with logged_in(service, worker) as social:
        api = await social.post(
            f"/api/cases/{case['id']}/record-consent",
            json=_health_to_social(to_departments=["social"]),
        )
        assert api.status_code == 403
        form = await social.post(
            f"/cases/{case['id']}/record-consent",
            data={"categories": "health", "purpose": "Selv", "valid_until": _in_a_year()},
        )
        assert form.status_code == 403
        assert HEALTH_SECRET not in form.text


async def test_a_manager_sees_the_course_not_what_departments_wrote_and_the_look_is_logged(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    await act(as_coordinator, case["id"], "record-consent", **_health_to_social())
    manager = make_staff(session, Role.MANAGER)
    async with logged_in(service, manager) as lead:
        page = await lead.get(f"/cases/{case['id']}")
        tasks = await lead.get(f"/api/cases/{case['id']}/tasks")
        plan = await lead.get(f"/api/cases/{case['id']}/plan")
    assert page.status_code == 200 and tasks.status_code == 200
    for seen in (page.text, tasks.text):
        assert HEALTH_SECRET not in seen and "Bostøtte" not in seen
    assert "Som leder ser du forløbet" in page.text
    assert plan.status_code == 403
    looks = session.exec(
        select(AccessLogRow.what, AccessLogRow.why).where(AccessLogRow.staff_id == manager.id)
    ).all()
    assert ("Sagsside", "Ledelsesoverblik") in looks


async def test_a_task_needing_information_without_consent_is_refused_unless_a_legal_basis_given(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    refused = await act(
        as_coordinator,
        case["id"],
        "assign-task",
        expect=409,
        department="jobcenter",
        purpose="Praktik med skånehensyn",
        needs=["health"],
    )
    assert "Jobcenter må ikke få oplysninger om helbred uden borgerens samtykke" in str(refused)

    by_law = await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="jobcenter",
        purpose="Praktik med skånehensyn",
        needs=["health"],
        legal_basis="Forvaltningslovens § 28, stk. 2, nr. 4: nødvendigt for afgørelsen",
    )
    assert "gives uden samtykke med hjemmel i: Forvaltningslovens § 28" in by_law["summary"]
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.JOBCENTER)
    async with logged_in(service, worker) as jobcenter:
        page, _, _ = await _what_is_seen(jobcenter, case["id"])
    assert HEALTH_SECRET in page  # the task's legal basis carries the health information
    assert "Bostøtte" not in page  # and nothing else

    await act(
        as_coordinator,
        case["id"],
        "record-consent",
        **_health_to_social(to_departments=["jobcenter"]),
    )
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="jobcenter",
        purpose="Jobsøgning med hensyn",
        needs=["health", "employment"],
    )


async def test_a_consent_must_be_specific_and_an_oral_one_needs_a_note(as_coordinator):
    case = await new_case(as_coordinator)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"categories": []}, "Vælg mindst én slags oplysninger"),
        ({"from_departments": []}, "hvem oplysningerne må komme fra"),
        ({"given_as": "oral"}, "mundtligt samtykke skal have et notat"),
        ({"given_on": _in_a_year(), "valid_until": copenhagen_today().isoformat()}, "udløbe"),
    ]
    for fields, reason in cases:
        answer = await as_coordinator.post(
            f"/api/cases/{case['id']}/record-consent", json=_health_to_social(**fields)
        )
        assert answer.status_code == 422, answer.text
        assert reason in answer.text
    future = await as_coordinator.post(
        f"/api/cases/{case['id']}/record-consent",
        json=_health_to_social(given_on=(copenhagen_today() + timedelta(days=2)).isoformat()),
    )
    assert future.status_code == 422 and "før borgeren har givet det" in future.text


async def test_the_coordinator_records_a_consent_with_the_pages_form(service, coordinator):
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as browser:
        await browser.post("/login", data={"username": coordinator.username, "password": PASSWORD})
        case = await new_case(browser)
        answer = await browser.post(
            f"/cases/{case['id']}/record-consent",
            data={
                "categories": ["health", "social"],
                "from_departments": ["health", "social"],
                "to_departments": "jobcenter",
                "from_outside": "Egen læge",
                "purpose": "Planlægning af praktik",
                "given_as": "oral",
                "note": "Sagt ved samtalen 1. december",
                "given_on": copenhagen_today().isoformat(),
                "valid_until": _in_a_year(),
            },
        )
        assert answer.status_code == 303, answer.text
        page = await browser.get(f"/cases/{case['id']}")
    assert "oplysninger om helbred, sociale forhold" in page.text
    assert "fra Sundhed, Socialforvaltningen, Egen læge" in page.text
    assert str(uuid.UUID(_consent_id(page)))  # a withdraw form for the consent in force


async def test_withdrawal_takes_away_what_only_the_consent_gave_even_beside_a_legal_basis(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    await act(as_coordinator, case["id"], "assign-task", department="social", purpose="Bolig")
    social_note = "Har mistet sin bolig"
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="social",
        purpose="Boligsag",
        considerations=social_note,
    )
    await act(
        as_coordinator,
        case["id"],
        "record-consent",
        **_health_to_social(to_departments=["jobcenter"]),
    )
    # Health by the consent, social by a legal basis, on one jobcenter task.
    task = await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="jobcenter",
        purpose="Praktik",
        needs=["health", "social"],
        legal_basis="Lov om aktiv beskæftigelsesindsats § 21",
    )
    assert "Oplysninger om sociale forhold gives uden samtykke" in task["summary"]
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.JOBCENTER)
    async with logged_in(service, worker) as jobcenter:
        page, _, _ = await _what_is_seen(jobcenter, case["id"])
        assert HEALTH_SECRET in page and social_note in page

        consent_id = _consent_id(await as_coordinator.get(f"/cases/{case['id']}"))
        await act(
            as_coordinator, case["id"], "withdraw-consent", consent_id=consent_id, note="Ringede"
        )
        page, tasks, detail = await _what_is_seen(jobcenter, case["id"])
        assert social_note in page  # still by the legal basis, while the task is open
        for seen in (page, tasks, detail):
            assert HEALTH_SECRET not in seen


async def test_a_milestone_shows_a_department_or_a_manager_none_of_what_the_coordinator_wrote(
    service, session, as_coordinator
):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    receiver = make_staff(session, Role.COORDINATOR)
    secret = "Borgeren har svær angst og misbrug"
    await act(
        as_coordinator,
        case["id"],
        "request-handover",
        to_id=str(receiver.id),
        note={"status": secret},
    )
    await act(as_coordinator, case["id"], "withdraw-handover")
    await act(
        as_coordinator, case["id"], "record-consent", **_health_to_social(note=f"Sagde: {secret}")
    )
    for reader in (
        make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL),
        make_staff(session, Role.MANAGER),
    ):
        async with logged_in(service, reader) as client:
            page = await client.get(f"/cases/{case['id']}")
            detail = await client.get(f"/api/cases/{case['id']}")
        for seen in (page.text, detail.text):
            assert "angst og misbrug" not in seen
        assert "Et samtykke er registreret." in page.text


async def test_the_dashboards_lists_name_no_task_and_a_lead_sees_only_her_department(
    service, session, as_coordinator
):
    weeks_ago = (copenhagen_today() - timedelta(days=21)).isoformat()
    name = "Dorthe Venter" + "".join(random.choices("abcdefghij", k=8))
    citizen = await as_coordinator.post("/api/citizens", json={"cpr": random_cpr(), "name": name})
    case = (
        await as_coordinator.post(
            "/api/cases", json={"citizen_id": citizen.json()["id"], "referred_on": weeks_ago}
        )
    ).json()
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="health",
        purpose="Psykologisk udredning",
        assigned_on=weeks_ago,  # long past its acknowledgement: it waits on Sundhed
    )
    query = {"vis": "venter", "afdeling": "health", "format": "csv"}
    async with logged_in(service, make_staff(session, Role.MANAGER)) as manager:

        async def listed() -> bool:
            answer = await manager.get("/leder/sager", params=query)
            return name in answer.text

        await eventually(listed)
        answer = await manager.get("/leder/sager", params=query)
    assert "Sundhed" in answer.text and "Psykologisk udredning" not in answer.text
    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.FAMILY)
    async with logged_in(service, lead) as family:
        answer = await family.get("/leder/sager", params=query)
    assert answer.status_code == 200 and name not in answer.text


async def test_a_task_or_consent_beyond_what_the_read_model_holds_is_refused_not_stuck(
    as_coordinator,
):
    case = await new_case(as_coordinator)
    for fields, reason in (
        ({"needs": ["employment"] * 12}, "Højst 4"),
        ({"legal_basis": "x" * 1001}, "1000"),
    ):
        answer = await as_coordinator.post(
            f"/api/cases/{case['id']}/assign-task",
            json={"department": "social", "purpose": "Bostøtte", **fields},
        )
        assert answer.status_code == 422 and reason in answer.text, answer.text
    covers_nothing = await as_coordinator.post(
        f"/api/cases/{case['id']}/record-consent",
        json=_health_to_social(from_departments=["social"]),
    )
    assert covers_nothing.status_code == 422
    assert "Oplysninger om helbred kommer fra Sundhed" in covers_nothing.text
    long_ago = await as_coordinator.post(
        f"/api/cases/{case['id']}/record-consent",
        json=_health_to_social(given_on="2001-01-01"),
    )
    assert long_ago.status_code == 422 and "længe før sagen" in long_ago.text


async def test_every_role_sees_what_its_place_on_the_case_allows(service, session, as_coordinator):
    case = await _case_with_health_and_social_tasks(as_coordinator)
    readers = [
        (make_staff(session, Role.DEPARTMENT_LEAD, Department.SOCIAL), 200, False),
        (make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH), 200, True),
        (make_staff(session, Role.DEPARTMENT_LEAD, Department.FAMILY), 404, False),
        (make_staff(session, Role.COORDINATOR), 404, False),  # not on this case
        (make_staff(session, Role.DATA_PROTECTION), 404, False),
        (make_staff(session, Role.ADMIN), 200, True),
    ]
    for reader, status, sees_health in readers:
        async with logged_in(service, reader) as client:
            answer = await client.get(f"/api/cases/{case['id']}/tasks")
        assert answer.status_code == status, (reader.role, reader.department)
        assert (HEALTH_SECRET in answer.text) == sees_health, (reader.role, reader.department)
