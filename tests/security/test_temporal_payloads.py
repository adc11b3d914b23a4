"""Temporal sees no personal data: every payload is encrypted before it leaves the service."""

import base64
import uuid

import pytest
from temporalio.api.common.v1 import Payload

from deploy.payload_encryption import ENCODING, EncryptionCodec
from models.programme import programme_workflow_id
from models.settings import ProductionRefused
from tests.api.case_steps import act, quiet_hours_elsewhere
from tests.api.conftest import settings_for
from tests.factories import random_cpr

OLD, NEW = ("k1", bytes(32)), ("k2", bytes(range(32)))


async def test_the_raw_history_holds_no_name_phone_or_e_mail(service, dev_env, as_coordinator):
    name = f"Birthe {uuid.uuid4().hex[:6]}"
    citizen = await as_coordinator.post("/api/citizens", json={"cpr": random_cpr(), "name": name})
    case = (
        await as_coordinator.post("/api/cases", json={"citizen_id": citizen.json()["id"]})
    ).json()
    email = f"birthe.{uuid.uuid4().hex[:6]}@eksempel.dk"
    await act(
        as_coordinator,
        case["id"],
        "set-contact",
        channels=["sms", "email"],
        phone="+4520987654",
        email=email,
        **quiet_hours_elsewhere(),
    )
    # Read as Temporal stores it, with no key.
    workflow_id = programme_workflow_id(case["id"])
    history = await dev_env.client.get_workflow_handle(workflow_id).fetch_history()
    raw = history.to_json()
    for secret in (name, email, "20987654", "Birthe"):
        assert secret not in raw
    accepted = [
        event.workflow_execution_update_accepted_event_attributes.accepted_request.input
        for event in history.events
        if event.HasField("workflow_execution_update_accepted_event_attributes")
    ]
    started = history.events[0].workflow_execution_started_event_attributes.input
    payloads = [*started.payloads, *(p for update in accepted for p in update.args.payloads)]
    encodings = {payload.metadata.get("encoding") for payload in payloads}
    assert encodings == {ENCODING}


async def test_a_rotated_key_still_reads_old_payloads_and_plain_ones_pass():
    before = EncryptionCodec([OLD])
    after = EncryptionCodec([NEW, OLD])
    plain = Payload(metadata={"encoding": b"json/plain"}, data=b'{"phone": "+4520987654"}')

    [sealed_before] = await before.encode([plain])
    [sealed_after] = await after.encode([plain])

    assert sealed_after.metadata["encryption-key-id"] == b"k2"
    assert b"4520987654" not in sealed_before.data + sealed_after.data
    assert await after.decode([sealed_before, sealed_after, plain]) == [plain, plain, plain]
    with pytest.raises(ValueError, match="unknown payload key k2"):
        await before.decode([sealed_after])


def test_production_needs_its_payload_keys_and_bad_ones_are_refused(tmp_path):
    with pytest.raises(ProductionRefused, match="FORLOEB_PAYLOAD_KEYS"):
        settings_for(tmp_path, env="production", payload_keys=None).payload_keyring()
    with pytest.raises(ValueError, match="id:base64-nøgle"):
        settings_for(tmp_path, payload_keys="k1:" + base64.b64encode(b"short").decode())
    generated = settings_for(tmp_path, payload_keys=None)
    assert generated.payload_keyring() == generated.payload_keyring()  # made once, then kept
