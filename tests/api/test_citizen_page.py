"""The citizen's own page: a personal link in a message, a one-time code, and only their own
data, with the same effect as an SMS reply when they answer there."""

import uuid
from datetime import UTC, datetime, timedelta

import httpx
from sqlmodel import select

from models.access_log import AccessLogRow
from models.citizen_access import CitizenLink, CitizenSession, digest
from tests.api.case_steps import (
    act,
    carry_out,
    eventually,
    meeting_by_sms,
    new_case,
    quiet_hours_elsewhere,
)
from tests.api.citizen_steps import (
    ask_for_code,
    citizen_signed_in,
    latest_link,
)
from tests.api.test_meetings_api import in_days
from tests.factories import case_messages


async def _citizen_with_meeting(
    client: httpx.AsyncClient, purpose: str = "Hvordan går det", *, cross: bool = False
):
    """A citizen on SMS with a meeting booked, whose course has begun: the progression
    questions that go at the start carry the link to the page (an agreement this long would
    take another SMS segment with it, so it goes without). A running ressourceforløb unless
    `cross`: a cross-department course begins with its description."""
    case = await meeting_by_sms(
        client,
        starts_at=in_days(2).isoformat(),
        place="Café Solsikken",
        purpose=purpose,
        course_type="tvaerfagligt" if cross else "ressourceforloeb",
    )
    await act(client, case["id"], "start-description" if cross else "start-preparation")
    return case


async def test_the_link_asks_for_a_code_and_the_code_opens_the_page(
    service, session, as_coordinator
):
    case = await _citizen_with_meeting(as_coordinator)
    token = await latest_link(session, case["id"])
    async with httpx.AsyncClient(base_url=service.base_url) as phone:
        opened = await phone.get(f"/b/{token}")
        assert opened.status_code == 200
        assert "Send mig en kode" in opened.text and "ender på 56" in opened.text
        # The link alone opens nothing.
        assert (await phone.get("/borger")).headers["location"] == "/borger/log-ind"
        code = await ask_for_code(phone, session, case["id"], token)
        wrong = "000000" if code != "000000" else "111111"
        refused = await phone.post(f"/b/{token}", data={"code": wrong})
        assert refused.status_code == 422
        assert "Koden passer ikke. Du har 4 forsøg tilbage." in refused.text
        opened = await phone.post(f"/b/{token}", data={"code": code})
        assert opened.status_code == 303 and opened.headers["location"] == "/borger"
        page = await phone.get("/borger")
        assert page.status_code == 200, page.text
        assert "Hvordan går det" in page.text and "Café Solsikken" in page.text
        # A code works once.
        again = await phone.post(f"/b/{token}", data={"code": code})
        assert again.status_code == 422

    session.expire_all()
    reads = session.exec(
        select(AccessLogRow).where(
            AccessLogRow.case_id == uuid.UUID(case["id"]), AccessLogRow.role == "citizen"
        )
    ).all()
    assert [r.what for r in reads] == ["Borgerens egen side"]
    assert reads[0].staff_id is None


async def test_a_code_expires_after_ten_minutes_and_allows_five_tries(
    service, session, as_coordinator
):
    case = await _citizen_with_meeting(as_coordinator)
    token = await latest_link(session, case["id"])
    async with httpx.AsyncClient(base_url=service.base_url) as phone:
        code = await ask_for_code(phone, session, case["id"], token)
        wrong = "000000" if code != "000000" else "111111"
        for left in (4, 3, 2, 1):
            answer = await phone.post(f"/b/{token}", data={"code": wrong})
            assert f"{left} forsøg tilbage" in answer.text
        used_up = await phone.post(f"/b/{token}", data={"code": wrong})
        assert used_up.status_code == 429
        # Even the right code is refused now: a new one must be asked for.
        assert (await phone.post(f"/b/{token}", data={"code": code})).status_code == 429
        too_soon = await phone.post(f"/b/{token}/kode")
        assert too_soon.status_code == 429 and "Vent et minut" in too_soon.text

        _set_link(session, token, code_asked_at=datetime.now(UTC) - timedelta(minutes=2))
        code = await ask_for_code(phone, session, case["id"], token)
        _set_link(session, token, code_expires_at=datetime.now(UTC) - timedelta(seconds=1))
        expired = await phone.post(f"/b/{token}", data={"code": code})
        assert expired.status_code == 410 and "10 minutter" in expired.text


def _set_link(session, token: str, **fields) -> None:
    session.expire_all()
    link = session.exec(select(CitizenLink).where(CitizenLink.token_hash == digest(token))).one()
    for name, value in fields.items():
        setattr(link, name, value)
    session.add(link)
    session.commit()


async def test_a_forwarded_link_or_another_citizens_code_gives_nothing(
    service, session, as_coordinator
):
    first = await _citizen_with_meeting(as_coordinator)
    second = await _citizen_with_meeting(as_coordinator)
    first_token = await latest_link(session, first["id"])
    second_token = await latest_link(session, second["id"])
    async with httpx.AsyncClient(base_url=service.base_url) as phone:
        code = await ask_for_code(phone, session, first["id"], first_token)
        # The first citizen's code does not open the second citizen's link.
        assert (await phone.post(f"/b/{second_token}", data={"code": code})).status_code == 422
        assert (await phone.get("/borger")).status_code == 303
    async with httpx.AsyncClient(base_url=service.base_url) as stranger:
        # A forwarded link shows no personal data and cannot be opened without the code.
        seen = await stranger.get(f"/b/{first_token}")
        assert "Café Solsikken" not in seen.text and "Test Borger" not in seen.text
        assert (await stranger.post(f"/b/{first_token}", data={"code": ""})).status_code == 422
        assert (await stranger.get("/borger")).status_code == 303
        unknown = await stranger.get("/b/AAAAAAAAAAAA")
        assert unknown.status_code == 404 and "virker ikke længere" in unknown.text


async def test_the_session_lasts_thirty_minutes_and_ends_at_logout(
    service, session, as_coordinator
):
    case = await _citizen_with_meeting(as_coordinator)
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        assert (await citizen.get("/borger")).status_code == 200
        session.expire_all()
        row = session.exec(
            select(CitizenSession).where(CitizenSession.case_id == uuid.UUID(case["id"]))
        ).one()
        row.started_at = datetime.now(UTC) - timedelta(minutes=31)
        session.add(row)
        session.commit()
        assert (await citizen.get("/borger")).headers["location"] == "/borger/log-ind"
    # A new code may be asked for a minute after the last.
    token = await latest_link(session, case["id"])
    _set_link(session, token, code_asked_at=datetime.now(UTC) - timedelta(minutes=2))
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        await citizen.post("/borger/log-ud")
        assert (await citizen.get("/borger")).status_code == 303


async def test_confirming_on_the_page_confirms_on_the_board(service, session, as_coordinator):
    case = await _citizen_with_meeting(as_coordinator)
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        meeting_id = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["meetings"][0][
            "id"
        ]
        answer = await citizen.post(
            "/borger/svar", data={"meeting_id": meeting_id, "answer": "confirm"}
        )
        assert answer.status_code == 303
        page = await citizen.get("/borger")
        assert "Tak. Mødet er bekræftet." in page.text
        assert "Du har sagt, at tiden passer." in page.text
        meetings = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["meetings"]
        assert meetings[0]["status"] == "confirmed"

        asked = await citizen.post(
            "/borger/svar", data={"meeting_id": meeting_id, "answer": "new_time"}
        )
        assert asked.status_code == 303
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        assert detail["meetings"][0]["status"] == "new_time_requested"
        assert any("Find en ny tid" in t["text"] for t in detail["todos"])
        timeline = " ".join(e["summary"] for e in detail["timeline"])
        assert "Borgeren svarede på sin side" in timeline

        # Someone else's meeting, or nonsense: refused with a reason, nothing changed.
        other = await citizen.post(
            "/borger/svar", data={"meeting_id": "x" * 40, "answer": "confirm"}
        )
        assert other.status_code == 409 and "ikke længere planlagt" in other.text
        bad = await citizen.post("/borger/svar", data={"meeting_id": meeting_id, "answer": "ja"})
        assert bad.status_code == 422
    session.expire_all()
    logged = session.exec(
        select(AccessLogRow.what).where(
            AccessLogRow.case_id == uuid.UUID(case["id"]), AccessLogRow.role == "citizen"
        )
    ).all()
    assert logged.count("Handling: Svar på mødet") == 3  # two answers, one refused


async def test_the_page_shows_only_what_is_meant_for_the_citizen(
    service, session, as_coordinator, as_department_worker
):
    case = await _citizen_with_meeting(as_coordinator, cross=True)
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="health",
        purpose="Udredning af angst hos psykiater",
        considerations="Borgeren har svært ved telefoner; intern note om misbrug",
        citizen_text="Samtaler om at få det bedre",
    )
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="social",
        purpose="Bostøtte efter udsættelse",
        for_description=True,
    )
    await act(as_coordinator, case["id"], "record-goal", text="At komme i praktik i en butik")
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        before = (await citizen.get("/borger")).text
        assert "Det har vi skrevet om din situation" not in before

        # Social writes its part; the coordinator completes the combined description.
        part = (await as_coordinator.get(f"/api/cases/{case['id']}/tasks")).json()[-1]
        await carry_out(as_department_worker, part["id"], "Skrevet")
        await act(
            as_coordinator,
            case["id"],
            "complete-description",
            summary="Angst og misbrug; bostøtte efter udsættelse af lejligheden",
            citizen_text="Du vil gerne arbejde med hænderne og har brug for faste aftaler",
        )
        page = (await citizen.get("/borger")).text
    assert "Samtaler om at få det bedre" in page
    assert "At komme i praktik i en butik" in page
    assert "Du vil gerne arbejde med hænderne og har brug for faste aftaler" in page
    for hidden in ("psykiater", "angst", "misbrug", "Bostøtte", "udsættelse", "Sundhed", "Social"):
        assert hidden not in page, hidden


async def test_the_citizen_changes_their_contact_preferences(service, session, as_coordinator):
    case = await new_case(as_coordinator)
    await act(
        as_coordinator,
        case["id"],
        "set-contact",
        channels=["sms"],
        phone="20 12 34 56",
        email="borger@eksempel.dk",
        **quiet_hours_elsewhere(),
    )
    await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        starts_at=in_days(3).isoformat(),
        place="Biblioteket",
        purpose="Kaffe og plan",
    )
    await act(as_coordinator, case["id"], "start-description")
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        saved = await citizen.post(
            "/borger/kontakt",
            data={
                "channel_1": "email",
                "channel_2": "sms",
                "quiet_from": "20:00",
                "quiet_to": "10:00",
            },
        )
        assert saved.status_code == 303
        refused = await citizen.post(
            "/borger/kontakt", data={"channel_1": "sms", "channel_2": "sms"}
        )
        assert refused.status_code == 422 and "kun stå én gang" in refused.text

    async def changed() -> bool:
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        return bool(detail["contact"]["channels"] == ["email", "sms"])

    await eventually(changed)
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["contact"]["quiet_from"] == "20:00:00"
    assert any("Borgeren ændrede sine kontaktønsker" in e["summary"] for e in detail["timeline"])


async def test_a_code_goes_by_e_mail_when_that_is_the_channel(service, session, as_coordinator):
    case = await new_case(as_coordinator)
    await act(
        as_coordinator,
        case["id"],
        "set-contact",
        channels=["email"],
        email="borger@eksempel.dk",
        **quiet_hours_elsewhere(),
    )
    await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        starts_at=in_days(3).isoformat(),
        place="Biblioteket",
        purpose="Kaffe og plan",
    )
    token = await latest_link(session, case["id"])
    async with httpx.AsyncClient(base_url=service.base_url) as phone:
        assert "din e-mail b…@eksempel.dk" in (await phone.get(f"/b/{token}")).text
        await ask_for_code(phone, session, case["id"], token)
    [code] = [m for m in case_messages(session, case["id"]) if m.purpose == "sign_in_code"]
    assert code.channel == "email" and code.address == "borger@eksempel.dk"


async def test_the_citizen_answers_the_progression_questions_on_the_page(
    service, session, as_coordinator
):
    case = await _citizen_with_meeting(as_coordinator)
    async with citizen_signed_in(service.base_url, session, case["id"]) as citizen:
        page = (await citizen.get("/borger")).text
        assert "Jeg tror på, at jeg kan få et arbejde og blive i det" in page
        assert "borgeren kommer i arbejde" not in page  # the caseworker's own question
        partial = await citizen.post("/borger/progression", data={"score_job_belief": "4"})
        assert partial.status_code == 422 and "Svar på alle spørgsmålene." in partial.text
        answered = await citizen.post(
            "/borger/progression",
            data={"score_job_belief": "4", "score_direction": "6", "score_health_coping": "5"},
        )
        assert answered.status_code == 303
        page = (await citizen.get("/borger")).text
        assert "Tak for dine svar." in page
        assert "4 ved første måling" in page and "Send mine svar" not in page
        again = await citizen.post(
            "/borger/progression",
            data={"score_job_belief": "4", "score_direction": "6", "score_health_coping": "5"},
        )
        assert again.status_code == 409 and "ingen spørgsmål til dig lige nu" in again.text
    coordinators_page = (await as_coordinator.get(f"/cases/{case['id']}")).text
    assert "1 spørgsmål mangler svar" in coordinators_page  # the caseworker's belief
