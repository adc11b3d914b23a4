"""Driving a case through the JSON API, as a caseworker's client would."""

import asyncio
from datetime import datetime, timedelta
from typing import Any

import httpx
from sqlmodel import Session

from models.danish_time import COPENHAGEN
from models.outbox import OutboxMessage
from tests.factories import case_messages, copenhagen_today, random_cpr


async def new_case(client: httpx.AsyncClient, **case_fields: Any) -> dict[str, Any]:
    citizen = await client.post("/api/citizens", json={"cpr": random_cpr(), "name": "Test Borger"})
    assert citizen.status_code == 201, citizen.text
    case = await client.post("/api/cases", json={"citizen_id": citizen.json()["id"], **case_fields})
    assert case.status_code == 201, case.text
    return dict(case.json())


async def act(
    client: httpx.AsyncClient, case_id: str, slug: str, expect: int = 200, **fields: Any
) -> dict[str, Any]:
    answer = await client.post(f"/api/cases/{case_id}/{slug}", json=fields)
    assert answer.status_code == expect, answer.text
    return dict(answer.json())


async def meeting_by_sms(
    client: httpx.AsyncClient, *, starts_at: str, place: str, purpose: str, **case_fields: Any
) -> dict[str, Any]:
    """A new case whose citizen takes SMS at any hour, with one meeting booked."""
    case = await new_case(client, **case_fields)
    await act(
        client,
        case["id"],
        "set-contact",
        channels=["sms"],
        phone="20 12 34 56",
        **quiet_hours_elsewhere(),
    )
    await act(client, case["id"], "book-meeting", starts_at=starts_at, place=place, purpose=purpose)
    return case


async def to_active(
    client: httpx.AsyncClient, department: httpx.AsyncClient, case_id: str, months: int = 12
) -> dict[str, Any]:
    """A cross-department course (the default type) from referral to its active course; the
    `department` (social) writes its part of the combined description."""
    await act(client, case_id, "start-description")
    await act(
        client,
        case_id,
        "assign-task",
        department="social",
        purpose="Socialafdelingens del af beskrivelsen",
        for_description=True,
    )
    task_id = (await client.get(f"/api/cases/{case_id}/tasks")).json()[-1]["id"]
    await carry_out(department, task_id, "Bostøtte to gange om ugen hjælper")
    await act(
        client,
        case_id,
        "complete-description",
        summary="Borgeren har brug for ro, bostøtte og et praktikforløb",
        citizen_text="Vi har skrevet ned, hvad du har brug for",
    )
    return await act(client, case_id, "record-decision", kind="coordinated", duration_months=months)


async def carry_out(department: httpx.AsyncClient, task_id: str, result: str) -> None:
    """The department acknowledges, starts and completes its task."""
    steps: list[tuple[str, dict[str, str]]] = [
        ("acknowledge", {}),
        ("start", {}),
        ("complete", {"result": result}),
    ]
    for slug, fields in steps:
        answer = await department.post(f"/api/tasks/{task_id}/{slug}", json=fields)
        assert answer.status_code == 200, answer.text


async def new_legacy_case(client: httpx.AsyncClient, **case_fields: Any) -> dict[str, Any]:
    """A ressourceforløb, as the municipality's running courses are until the last ends."""
    return await new_case(client, course_type="ressourceforloeb", **case_fields)


async def to_team(client: httpx.AsyncClient, case_id: str) -> None:
    """A ressourceforløb from referral to its team's recommendation."""
    await act(client, case_id, "start-preparation")
    meeting = (copenhagen_today() + timedelta(days=7)).isoformat()
    await act(client, case_id, "schedule-team-meeting", meeting_on=meeting)
    await act(
        client,
        case_id,
        "record-recommendation",
        kind="ressourceforloeb",
        efforts=[{"department": "health", "description": "Psykologforløb"}],
    )


async def eventually(check: Any, seconds: float = 10) -> None:
    """Projections land a moment after the workflow starts; wait for them, briefly."""
    for _ in range(int(seconds / 0.1)):
        if await check():
            return
        await asyncio.sleep(0.1)
    raise AssertionError("condition not met in time")


def quiet_hours_elsewhere() -> dict[str, Any]:
    """Quiet hours twelve hours from now, so a message may go at once whenever tests run."""
    quiet = datetime.now(COPENHAGEN) + timedelta(hours=12)
    return {
        "quiet_from": quiet.strftime("%H:%M"),
        "quiet_to": (quiet + timedelta(hours=1)).strftime("%H:%M"),
    }


async def sent_messages(session: Session, case_id: str, count: int) -> list[OutboxMessage]:
    """Wait until the case has sent `count` messages (the workflow sends them a moment after the
    action returns); all of them, oldest first."""

    async def enough() -> bool:
        return len(case_messages(session, case_id)) >= count

    await eventually(enough)
    return case_messages(session, case_id)
