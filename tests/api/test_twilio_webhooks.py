"""Twilio's webhooks, signed with the SDK's RequestValidator as Twilio signs them, and forged."""

import uuid
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from typing import Any

import httpx
import phonenumbers
import pytest
from sqlmodel import col, select
from temporalio.worker import Worker
from twilio.request_validator import RequestValidator

from api.app import create_app
from deploy.connections import connect_temporal
from deploy.worker import build_worker
from models.danish_time import COPENHAGEN
from models.outbox import OutboxMessage
from tests.api.case_steps import act, eventually, new_case, quiet_hours_elsewhere, sent_messages
from tests.api.conftest import Service, logged_in, serve, settings_for
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER

# The service behind a proxy: Twilio signs the public address, not the one uvicorn sees.
PUBLIC = "https://forloeb.example.dk"


@pytest.fixture
async def webhooks(service, database_url, tmp_path) -> AsyncIterator[httpx.AsyncClient]:
    settings = settings_for(
        tmp_path,
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=service.settings.effective_temporal_address,
        task_queue=service.settings.task_queue,
        public_url=PUBLIC,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=SENDER,
    )
    async with serve(create_app(settings)) as base_url, httpx.AsyncClient(base_url=base_url) as c:
        yield c


async def post_signed(client: httpx.AsyncClient, path: str, form: dict[str, str]) -> httpx.Response:
    signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC}{path}", form)
    return await client.post(path, data=form, headers={"X-Twilio-Signature": signature})


async def case_with_an_agreement(
    client, session, phone: str, channel: str = "sms"
) -> tuple[dict[str, Any], OutboxMessage]:
    case = await new_case(client)
    await act(
        client,
        case["id"],
        "set-contact",
        channels=[channel],
        phone=phone,
        **quiet_hours_elsewhere(),
    )
    starts = (datetime.now(COPENHAGEN) + timedelta(days=2)).replace(hour=13, minute=0)
    await act(
        client,
        case["id"],
        "book-meeting",
        starts_at=starts.isoformat(),
        place="Biblioteket",
        purpose="Praktikken",
    )

    [message] = await sent_messages(session, case["id"], 1)
    assert message.purpose == "meeting_agreement"
    return case, message


def phone_number() -> str:
    """A fresh Danish mobile number that the numbering plan accepts."""
    while True:
        candidate = f"+4520{uuid.uuid4().int % 1_000_000:06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            return candidate


async def test_a_forged_or_missing_signature_is_refused_and_changes_nothing(
    webhooks, session, as_coordinator
):
    case, message = await case_with_an_agreement(as_coordinator, session, phone_number())
    path = f"/webhooks/twilio/status?key={message.key}"
    form = {"MessageSid": "SM1", "MessageStatus": "failed"}
    forged = await webhooks.post(path, data=form, headers={"X-Twilio-Signature": "forfalsket"})
    missing = await webhooks.post(path, data=form)
    assert (forged.status_code, missing.status_code) == (403, 403)
    wrong_url = RequestValidator(AUTH_TOKEN).compute_signature(f"http://andet.dk{path}", form)
    assert (
        await webhooks.post(path, data=form, headers={"X-Twilio-Signature": wrong_url})
    ).status_code == 403
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert all(e["kind"] != "message_failed" for e in detail["timeline"])


async def test_a_signed_failure_moves_on_and_a_repeated_callback_changes_nothing(
    webhooks, session, as_coordinator
):
    case, message = await case_with_an_agreement(as_coordinator, session, phone_number())
    path = f"/webhooks/twilio/status?key={message.key}"
    failed = {"MessageSid": "SM2", "MessageStatus": "failed", "ErrorCode": "30005"}
    assert (await post_signed(webhooks, path, failed)).status_code == 204
    assert (await post_signed(webhooks, path, failed)).status_code == 204
    late = {"MessageSid": "SM2", "MessageStatus": "sent"}
    assert (await post_signed(webhooks, path, late)).status_code == 204

    async def called() -> bool:
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        return any(t["text"].startswith("Ring til borgeren") for t in detail["todos"])

    await eventually(called)
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    failures = [e for e in detail["timeline"] if e["kind"] == "message_failed"]
    assert len(failures) == 1
    # 30005: the number does not exist, so SMS stops for it, and the coordinator reads why.
    assert "nummeret findes ikke eller er ikke i brug" in failures[0]["summary"]
    assert detail["contact"]["sms_unreachable"]
    page = await as_coordinator.get(f"/cases/{case['id']}")
    assert "kan ikke modtage SMS: nummeret findes ikke eller er ikke i brug" in page.text
    session.expire_all()
    assert session.get(OutboxMessage, message.id).status == "failed"


async def test_a_phone_out_of_coverage_fails_this_message_only(webhooks, session, as_coordinator):
    case, message = await case_with_an_agreement(as_coordinator, session, phone_number())
    path = f"/webhooks/twilio/status?key={message.key}"
    failed = {"MessageSid": "SM3", "MessageStatus": "undelivered", "ErrorCode": "30003"}
    assert (await post_signed(webhooks, path, failed)).status_code == 204

    async def told() -> bool:
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        return any(e["kind"] == "message_failed" for e in detail["timeline"])

    await eventually(told)
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    [failure] = [e for e in detail["timeline"] if e["kind"] == "message_failed"]
    assert "telefonen er slukket eller uden dækning" in failure["summary"]
    assert not detail["contact"]["sms_unreachable"]


async def test_an_sms_reply_confirms_once_however_often_it_arrives(
    webhooks, session, as_coordinator
):
    phone = phone_number()
    case, _ = await case_with_an_agreement(as_coordinator, session, phone)
    reply = {"From": phone, "Body": "Ja!", "MessageSid": "SM" + uuid.uuid4().hex}
    for _ in range(2):
        answer = await post_signed(webhooks, "/webhooks/twilio/sms", reply)
        assert answer.status_code == 200 and answer.text.endswith("<Response />")
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["meetings"][0]["status"] == "confirmed"
    assert [e["kind"] for e in detail["timeline"]].count("meeting_confirmed") == 1


async def test_a_reply_that_says_more_reaches_the_coordinator_whole_and_one_click_assigns_it(
    webhooks, session, as_coordinator
):
    phone = phone_number()
    case, _ = await case_with_an_agreement(as_coordinator, session, phone)
    text = "Ja tak, men jeg kan desværre ikke komme på torsdag"
    reply = {"From": phone, "Body": text, "MessageSid": "SM" + uuid.uuid4().hex}
    assert (await post_signed(webhooks, "/webhooks/twilio/sms", reply)).status_code == 200
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["meetings"][0]["status"] == "booked"
    assert f"»{text}«" in detail["timeline"][0]["summary"]
    [todo] = detail["todos"]
    assert todo["reply"] == text and todo["candidates"] == [detail["meetings"][0]["id"]]

    board = await as_coordinator.get("/board")
    assert text in board.text and "Ønsker en ny tid: Praktikken" in board.text
    page = await as_coordinator.post(
        f"/cases/{case['id']}/assign-reply",
        data={"todo_id": todo["id"], "meeting_id": todo["candidates"][0], "answer": "new_time"},
    )
    assert page.status_code == 303
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["meetings"][0]["status"] == "new_time_requested"
    assert all(t["id"] != todo["id"] for t in detail["todos"])


async def test_a_reply_longer_than_an_sms_can_be_is_kept_cut_with_a_mark(
    webhooks, session, as_coordinator
):
    phone = phone_number()
    case, _ = await case_with_an_agreement(as_coordinator, session, phone)
    reply = {"From": phone, "Body": "æ" * 1700, "MessageSid": "SM" + uuid.uuid4().hex}
    answer = await post_signed(webhooks, "/webhooks/twilio/sms", reply)
    assert answer.status_code == 200
    [todo] = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()["todos"]
    assert len(todo["reply"]) == 1600 and todo["reply"].endswith(" [afkortet]")


async def test_an_sms_from_an_unknown_number_gets_a_polite_answer_and_is_kept(webhooks, session):
    stranger = phone_number()
    reply = {"From": stranger, "Body": "Hvem er I?", "MessageSid": "SM" + uuid.uuid4().hex}
    answer = await post_signed(webhooks, "/webhooks/twilio/sms", reply)
    assert answer.status_code == 200
    assert "<Message>Tak for din besked." in answer.text
    kept = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.address == stranger)
        .order_by(col(OutboxMessage.created_at))
    ).all()
    assert [(m.purpose, m.body) for m in kept] == [("inbound_unknown", "Hvem er I?")]


async def test_a_reminder_call_reads_the_message_and_takes_a_key(webhooks, session, as_coordinator):
    case, message = await case_with_an_agreement(
        as_coordinator, session, phone_number(), channel="call"
    )
    assert message.channel == "call"
    answered = await post_signed(
        webhooks, f"/webhooks/twilio/call?key={message.key}", {"CallSid": "CA1"}
    )
    assert answered.status_code == 200
    assert '<Say language="da-DK">Hej ' in answered.text
    assert f'action="{PUBLIC}/webhooks/twilio/gather?key=' in answered.text
    pressed = await post_signed(
        webhooks, f"/webhooks/twilio/gather?key={message.key}", {"CallSid": "CA1", "Digits": "1"}
    )
    assert "Tak. Vi glæder os til at se dig." in pressed.text
    detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
    assert detail["meetings"][0]["status"] == "confirmed"


async def test_an_unanswered_call_moves_on_to_the_next_channel(webhooks, session, as_coordinator):
    case, message = await case_with_an_agreement(
        as_coordinator, session, phone_number(), channel="call"
    )
    ended = await post_signed(
        webhooks,
        f"/webhooks/twilio/call-status?key={message.key}",
        {"CallSid": "CA2", "CallStatus": "no-answer"},
    )
    assert ended.status_code == 204

    async def handed_to_the_caseworker() -> bool:
        detail = (await as_coordinator.get(f"/api/cases/{case['id']}")).json()
        return any(t["text"].startswith("Ring til borgeren") for t in detail["todos"])

    await eventually(handed_to_the_caseworker)


async def test_a_reply_while_no_worker_runs_is_kept_by_temporal_and_applied_when_one_returns(
    dev_env, database_url, open_session, executor, session, coordinator, tmp_path
):
    # Twilio does not send an SMS webhook again, so a reply refused here would be lost.
    task_queue = f"no-worker-{uuid.uuid4()}"
    settings = settings_for(
        tmp_path,
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        task_queue=task_queue,
        public_url=PUBLIC,
        TWILIO_ACCOUNT_SID=ACCOUNT_SID,
        TWILIO_AUTH_TOKEN=AUTH_TOKEN,
        TWILIO_FROM=SENDER,
        update_timeout_seconds=2,
    )
    client = await connect_temporal(settings)

    def worker() -> Worker:
        return build_worker(
            client,
            task_queue=task_queue,
            open_session=open_session,
            executor=executor,
            public_url="http://forloeb.test",
        )

    phone = phone_number()
    async with (
        serve(create_app(settings)) as base_url,
        logged_in(Service(base_url, settings), coordinator) as api,
    ):
        async with worker():
            case, _ = await case_with_an_agreement(api, session, phone)

        reply = {"From": phone, "Body": "JA", "MessageSid": "SM" + uuid.uuid4().hex}
        answer = await post_signed(api, "/webhooks/twilio/sms", reply)
        assert answer.status_code == 200, answer.text

        async def confirmed() -> bool:
            detail = (await api.get(f"/api/cases/{case['id']}")).json()
            return bool(detail["meetings"][0]["status"] == "confirmed")

        assert not await confirmed()
        async with worker():
            await eventually(confirmed, seconds=30)
            # Twilio's retry of the same reply, now answered by the worker, changes nothing.
            assert (await post_signed(api, "/webhooks/twilio/sms", reply)).status_code == 200
        detail = (await api.get(f"/api/cases/{case['id']}")).json()
        assert [e["kind"] for e in detail["timeline"]].count("meeting_confirmed") == 1
