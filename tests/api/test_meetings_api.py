"""Contact preferences, meetings and the citizen's answers through the API and the outbox page."""

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx

from models.danish_time import COPENHAGEN
from tests.api.case_steps import act, meeting_by_sms, new_case, quiet_hours_elsewhere, sent_messages
from tests.factories import PASSWORD


def in_days(days: int, hour: int = 13) -> datetime:
    today = datetime.now(COPENHAGEN).date()
    return datetime(today.year, today.month, today.day, hour, tzinfo=COPENHAGEN) + timedelta(
        days=days
    )


async def test_contact_preferences_are_validated_in_danish(as_coordinator):
    case = await new_case(as_coordinator)
    bad = await act(as_coordinator, case["id"], "set-contact", 422, channels=["sms"], phone="123")
    assert bad["errors"][0]["field"] == "phone"
    assert "Telefonnummeret findes ikke" in bad["detail"]
    missing = await act(as_coordinator, case["id"], "set-contact", 422, channels=["email"])
    assert "E-mail kræver en e-mailadresse." in missing["detail"]
    saved = await act(
        as_coordinator,
        case["id"],
        "set-contact",
        channels=["sms", "email"],
        phone="20 12 34 56",
        email="Borger@Eksempel.dk",
    )
    contact = saved["case"]["contact"]
    assert contact["phone"] == "+4520123456" and contact["channels"] == ["sms", "email"]
    assert saved["case"]["timeline"][0]["kind"] == "contact_changed"


async def test_a_meeting_must_have_a_zone_and_lie_ahead(as_coordinator):
    case = await new_case(as_coordinator)
    body: dict[str, Any] = {"place": "Jobcenteret, stuen", "purpose": "Første samtale"}
    naive = await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        422,
        starts_at=in_days(2).replace(tzinfo=None).isoformat(),
        **body,
    )
    assert naive["errors"][0]["field"] == "starts_at"
    past = await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        422,
        starts_at=in_days(-1).isoformat(),
        **body,
    )
    assert past["detail"] == "Mødet kan ikke ligge i fortiden."
    booked = await act(
        as_coordinator, case["id"], "book-meeting", starts_at=in_days(2).isoformat(), **body
    )
    [meeting] = booked["case"]["meetings"]
    assert meeting["status"] == "booked" and meeting["place"] == "Jobcenteret, stuen"


async def test_the_citizen_confirms_from_the_outbox_page(
    service, session, coordinator, as_coordinator, admin
):
    case = await meeting_by_sms(
        as_coordinator,
        starts_at=in_days(2).isoformat(),
        place="Café Solsikken",
        purpose="Hvordan går det",
    )

    [message] = await sent_messages(session, case["id"], 1)
    assert message.purpose == "meeting_agreement"
    assert message.channel == "sms"
    async with httpx.AsyncClient(base_url=service.base_url) as browser:
        await browser.post("/login", data={"username": admin.username, "password": PASSWORD})
        answer = await browser.post(f"/dev/outbox/{message.id}/reply", data={"text": "JA"})
        assert answer.status_code == 303
    meetings = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["meetings"]
    assert meetings[0]["status"] == "confirmed"


async def test_invited_staff_see_the_meeting_in_their_inbox(
    service, session, as_coordinator, as_department_worker
):
    me = (await as_department_worker.get("/api/me")).json()
    case = await new_case(as_coordinator)
    await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        starts_at=in_days(4).isoformat(),
        place="Jobcenteret, lokale 2",
        purpose="Fælles møde om bostøtte",
        participant_ids=[me["id"]],
    )
    inbox = await as_department_worker.get("/inbox")
    assert "Møder, du er inviteret til" in inbox.text
    assert "Fælles møde om bostøtte" in inbox.text and "Test Borger" in inbox.text
    unknown = await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        422,
        starts_at=in_days(5).isoformat(),
        place="Jobcenteret",
        purpose="Møde",
        participant_ids=[str(uuid.uuid4())],
    )
    assert unknown["detail"] == "Deltageren findes ikke."


async def test_an_email_citizen_gets_an_invitation_that_a_move_updates(
    service, session, coordinator, as_coordinator, admin
):
    case = await new_case(as_coordinator)
    await act(
        as_coordinator,
        case["id"],
        "set-contact",
        channels=["email"],
        email="a@eksempel.dk",
        **quiet_hours_elsewhere(),
    )
    booked = await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        starts_at=in_days(3).isoformat(),
        place="Café Solsikken",
        purpose="Første samtale",
    )
    meeting_id = booked["case"]["meetings"][0]["id"]

    await sent_messages(session, case["id"], 1)
    await act(
        as_coordinator,
        case["id"],
        "move-meeting",
        meeting_id=meeting_id,
        starts_at=in_days(4).isoformat(),
    )
    first, moved = await sent_messages(session, case["id"], 2)
    assert (first.purpose, moved.purpose) == ("meeting_agreement", "meeting_moved")
    async with httpx.AsyncClient(base_url=service.base_url) as browser:
        await browser.post("/login", data={"username": admin.username, "password": PASSWORD})
        invites = [
            (await browser.get(f"/dev/outbox/{m.id}/aftale.ics")).text for m in (first, moved)
        ]
    assert all(f"UID:{meeting_id}@forloeb" in i for i in invites)
    assert "SEQUENCE:1" in invites[0] and "SEQUENCE:2" in invites[1]
