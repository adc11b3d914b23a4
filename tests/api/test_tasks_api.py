"""Tasks, the continuity plan and handovers through the JSON API, on a real dev server."""

from datetime import datetime, timedelta
from typing import Any

from sqlmodel import select

from models.danish_time import COPENHAGEN
from models.enums import Department, Role
from models.outbox import OutboxMessage
from tests.api.case_steps import (
    act,
    eventually,
    new_case,
    new_legacy_case,
    quiet_hours_elsewhere,
)
from tests.api.conftest import logged_in
from tests.factories import case_messages, copenhagen_today, make_staff


async def assign(client, case_id: str, **fields) -> dict[str, Any]:
    body = {"department": "social", "purpose": "Bostøtte to gange om ugen", **fields}
    answer = await act(client, case_id, "assign-task", **body)
    tasks = (await client.get(f"/api/cases/{case_id}/tasks")).json()
    return {"result": answer, "task": tasks[-1]}


async def task_act(client, task_id: str, slug: str, expect: int = 200, **fields) -> dict[str, Any]:
    answer = await client.post(f"/api/tasks/{task_id}/{slug}", json=fields)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


async def test_a_task_goes_from_assigned_to_done_and_every_step_is_in_the_timeline(
    service, session, as_coordinator, as_department_worker
):
    case = await new_case(as_coordinator)
    assigned = await assign(as_coordinator, case["id"], considerations="Ingen trapper")
    task = assigned["task"]
    assert task["state"] == "assigned" and task["department"] == "social"
    assert task["considerations"] == "Ingen trapper"

    inbox = (await as_department_worker.get("/api/inbox")).json()
    assert task["id"] in [t["id"] for t in inbox]
    mine = next(t for t in inbox if t["id"] == task["id"])
    assert mine["citizen_name"] == "Test Borger"

    first = await task_act(as_department_worker, task["id"], "acknowledge")
    assert first["changed"] and first["task"]["state"] == "acknowledged"
    again = await task_act(as_department_worker, task["id"], "acknowledge")
    assert not again["changed"]
    assert again["summary"] == "Opgaven var allerede kvitteret. Intet er ændret."
    refused = await task_act(as_department_worker, task["id"], "complete", 409, result="Klaret")
    assert "skal være i gang" in refused["detail"]
    await task_act(as_department_worker, task["id"], "start")
    done = await task_act(as_department_worker, task["id"], "complete", result="Bostøtte i gang")
    assert done["task"]["state"] == "done" and done["task"]["result"] == "Bostøtte i gang"

    timeline = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["timeline"]
    kinds = [e["kind"] for e in timeline]
    assert kinds[:4] == ["task_completed", "task_started", "task_acknowledged", "task_assigned"]
    assert timeline[0]["actor"] == "Test Medarbejder i afdeling"
    assert kinds.count("task_acknowledged") == 1


async def test_only_the_assigned_department_acts_on_a_task(
    service, session, as_coordinator, as_department_worker
):
    case = await new_case(as_coordinator)
    task = (await assign(as_coordinator, case["id"], department="health"))["task"]
    assert task["id"] not in [
        t["id"] for t in (await as_department_worker.get("/api/inbox")).json()
    ]
    other = await task_act(as_department_worker, task["id"], "acknowledge", 403)
    assert other["detail"] == "Opgaven er tildelt Sundhed; kun afdelingen kan handle på den."
    coordinator_try = await task_act(as_coordinator, task["id"], "acknowledge", 403)
    assert "kun afdelingen" in coordinator_try["detail"]

    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH)
    async with logged_in(service, lead) as as_lead:
        acknowledged = await task_act(as_lead, task["id"], "acknowledge")
        assert acknowledged["task"]["state"] == "acknowledged"


async def test_decline_needs_a_reason_and_a_cancelled_task_cannot_be_acted_on(
    as_coordinator, as_department_worker
):
    case = await new_case(as_coordinator)
    task = (await assign(as_coordinator, case["id"]))["task"]
    missing = await task_act(as_department_worker, task["id"], "decline", 422)
    assert missing["errors"][0]["field"] == "reason"
    await act(as_coordinator, case["id"], "record-status", expect=409, status="job")

    await task_act(as_coordinator, task["id"], "cancel", reason="Borgeren har fået bostøtte")
    cancelled = await task_act(as_department_worker, task["id"], "acknowledge", 409)
    assert cancelled["detail"] == (
        "Opgaven er annulleret af koordinatoren: Borgeren har fået bostøtte"
    )


async def test_declining_a_recommended_task_flags_the_case(as_coordinator, as_department_worker):
    case = await new_case(as_coordinator)
    task = (await assign(as_coordinator, case["id"], carries_recommendation=True))["task"]
    declined = await task_act(
        as_department_worker, task["id"], "decline", reason="Uden for vores lovgrundlag"
    )
    assert declined["task"]["state"] == "declined"
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["team_flagged"] is True
    resolved = await act(
        as_coordinator, case["id"], "resolve-team-flag", note="Teamet fastholder; ny opgave"
    )
    assert resolved["case"]["team_flagged"] is False


async def test_reassigning_stays_inside_the_department(
    session, as_coordinator, as_department_worker
):
    case = await new_case(as_coordinator)
    task = (await assign(as_coordinator, case["id"]))["task"]
    colleague = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    outsider = make_staff(session, Role.DEPARTMENT_WORKER, Department.FAMILY)
    moved = await task_act(
        as_department_worker,
        task["id"],
        "reassign",
        assignee_id=str(colleague.id),
        note="Du kender familien",
    )
    assert moved["task"]["assignee"] == colleague.full_name
    wrong = await task_act(
        as_department_worker,
        task["id"],
        "reassign",
        422,
        assignee_id=str(outsider.id),
        note="Prøv her",
    )
    assert "kollega i Socialforvaltningen" in wrong["detail"]
    handed = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.staff_id == colleague.id, OutboxMessage.purpose == "task_handed_over"
        )
    ).all()
    assert len(handed) == 1 and "Du kender familien" in handed[0].body


async def test_the_plan_shows_gaps_and_justified_pauses(as_coordinator):
    case = await new_case(as_coordinator)
    today = copenhagen_today()
    await act(
        as_coordinator,
        case["id"],
        "record-effort",
        kind="treatment",
        title="Behandling",
        owner="Psykiatrien",
        start=today.isoformat(),
        end=(today + timedelta(days=10)).isoformat(),
    )
    await act(
        as_coordinator,
        case["id"],
        "record-effort",
        title="Praktik",
        owner="Jobcenter",
        start=(today + timedelta(days=40)).isoformat(),
        end=(today + timedelta(days=90)).isoformat(),
    )
    plan = (await as_coordinator.get(f"/api/cases/{case['id']}/plan")).json()
    assert [(g["start"], g["justified"]) for g in plan["gaps"]] == [
        ((today + timedelta(days=11)).isoformat(), False)
    ]
    backwards = await act(
        as_coordinator,
        case["id"],
        "justify-pause",
        expect=422,
        reason="Ferie",
        start=(today + timedelta(days=39)).isoformat(),
        end=(today + timedelta(days=11)).isoformat(),
    )
    assert "Slutdatoen kan ikke ligge før startdatoen." in backwards["detail"]
    await act(
        as_coordinator,
        case["id"],
        "justify-pause",
        reason="Borgeren skal hvile efter behandling",
        start=(today + timedelta(days=11)).isoformat(),
        end=(today + timedelta(days=39)).isoformat(),
    )
    plan = (await as_coordinator.get(f"/api/cases/{case['id']}/plan")).json()
    assert [g["justified"] for g in plan["gaps"]] == [True]


async def test_a_handover_moves_the_case_when_the_receiver_accepts(
    service, session, as_coordinator, coordinator
):
    receiver = make_staff(session, Role.COORDINATOR)
    case = await new_case(as_coordinator)
    phone = {"channels": ["sms"], "phone": "20 12 34 56", **quiet_hours_elsewhere()}
    await act(as_coordinator, case["id"], "set-contact", **phone)
    note = {"status": "Afventer teammøde", "citizen_told": "At der kommer en ny kontaktperson"}
    requested = await act(
        as_coordinator, case["id"], "request-handover", to_id=str(receiver.id), note=note
    )
    assert requested["case"]["coordinator"]["id"] == str(coordinator.id)

    async with logged_in(service, receiver) as as_receiver:
        assert (await as_receiver.get(f"/api/cases/{case['id']}")).status_code == 200
        listed = (await as_receiver.get("/api/cases")).json()
        assert [(c["id"], c["handover_to_id"]) for c in listed] == [(case["id"], str(receiver.id))]
        not_sender = await act(as_coordinator, case["id"], "accept-handover", expect=403)
        assert not_sender["detail"] == "Kun modtageren kan svare på overdragelsen."
        accepted = await act(as_receiver, case["id"], "accept-handover")
        assert accepted["case"]["coordinator"]["id"] == str(receiver.id)
        assert [c["id"] for c in (await as_receiver.get("/api/cases")).json()] == [case["id"]]

    gone = await as_coordinator.get(f"/api/cases/{case['id']}")
    assert gone.status_code == 404

    # By the citizen's own channel, SMS, not a message left in the outbox.
    # The receiver is told too, so wait for the citizen's message rather than for any message.
    async def citizen_told() -> bool:
        return any(m.citizen_id is not None for m in case_messages(session, case["id"]))

    await eventually(citizen_told)
    [told] = [m for m in case_messages(session, case["id"]) if m.citizen_id is not None]
    assert (told.purpose, told.channel) == ("new_contact_person", "sms")
    assert told.address == "+4520123456"
    assert receiver.full_name.split()[0] in told.body


async def test_the_changes_token_moves_when_a_task_changes(as_coordinator):
    case = await new_case(as_coordinator)
    before = (await as_coordinator.get("/api/changes")).text
    await assign(as_coordinator, case["id"])
    after = (await as_coordinator.get("/api/changes")).text
    assert before != after


async def test_a_task_registered_after_the_fact_stands_in_the_timeline_when_it_was_given(
    as_coordinator,
):
    today = copenhagen_today()
    case = await new_legacy_case(
        as_coordinator, referred_on=(today - timedelta(days=10)).isoformat()
    )
    given = today - timedelta(days=5)
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="social",
        purpose="Bostøtte",
        assigned_on=given.isoformat(),
    )
    tomorrow = (today + timedelta(days=1)).isoformat()
    await act(as_coordinator, case["id"], "start-preparation", expect=422, started_on=tomorrow)
    started = (today - timedelta(days=7)).isoformat()
    await act(as_coordinator, case["id"], "start-preparation", started_on=started)
    timeline = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["timeline"]
    assert [e["kind"] for e in timeline][-2:] == ["preparation_started", "referred"]
    moments = [datetime.fromisoformat(e["at"]) for e in timeline]
    assert moments == sorted(moments, reverse=True)  # when it happened, newest first
    [assigned] = [m for m, e in zip(moments, timeline, strict=True) if e["kind"] == "task_assigned"]
    assert (assigned.astimezone(COPENHAGEN).date(), assigned.astimezone(COPENHAGEN).hour) == (
        given,
        0,
    )
    assert timeline[0]["kind"] != "task_assigned"
