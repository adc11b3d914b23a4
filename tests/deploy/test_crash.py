"""A worker killed while an SMS is in flight, then restarted: Twilio gets the message once.

The worker is a real process (`python -m deploy worker`) against the Temporal dev server, the
test database and the fake Twilio; it is killed with SIGKILL, with no chance to clean up.
"""

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import select

from deploy.connections import connect_temporal
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN
from models.meeting import BookMeeting
from models.outbox import OutboxMessage
from tests.api.conftest import TEST_PAYLOAD_KEYS, settings_for
from tests.factories import actor_of
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.workflows.programme_helpers import send, start_programme


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(delay=4).start()
    yield fake
    fake.stop()


def worker(env_vars: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    output = log.open("ab")
    return subprocess.Popen(
        [sys.executable, "-m", "deploy", "worker"],
        env={**os.environ, **env_vars},
        stdout=output,
        stderr=output,
    )


async def test_a_worker_killed_mid_send_sends_no_duplicate(
    dev_env, database_url, session, twilio, tmp_path
):
    task_queue = f"crash-{uuid.uuid4()}"
    env_vars = {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "DATABASE_URL": database_url,
        "FORLOEB_TASK_QUEUE": task_queue,
        "FORLOEB_PUBLIC_URL": "https://forloeb.example.dk",
        "FORLOEB_DATA_DIR": str(tmp_path),
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": SENDER,
        "TWILIO_API_URL": twilio.base_url,
    }
    log = tmp_path / "worker.log"
    # The test speaks to the workflow as the service does: with the worker's payload keys.
    client = await connect_temporal(settings_for(tmp_path, **env_vars))
    first = worker(env_vars, log)
    try:
        running = await start_programme(client, task_queue, session)
        me = actor_of(running.coordinator)
        quiet = datetime.now(COPENHAGEN) + timedelta(hours=12)  # never now
        await send(
            running.handle,
            SetContactPreferences(
                actor=me,
                channels=["sms"],
                phone="20 12 34 56",
                quiet_from=quiet.time().replace(second=0, microsecond=0),
                quiet_to=(quiet + timedelta(hours=1)).time().replace(second=0, microsecond=0),
            ),
        )
        await send(
            running.handle,
            BookMeeting(
                actor=me,
                meeting_id=str(uuid.uuid4()),
                host_name="Mette Jensen",
                starts_at=datetime.now(COPENHAGEN) + timedelta(days=3),
                place="Biblioteket",
                purpose="Praktikken",
            ),
        )
        deadline = time.monotonic() + 30
        while not twilio.messages:  # the send is now in flight: Twilio has it, no answer yet
            assert time.monotonic() < deadline and first.poll() is None, log.read_text()[-2000:]
            await asyncio.sleep(0.05)
        first.send_signal(signal.SIGKILL)
        first.wait()
    finally:
        if first.poll() is None:
            first.kill()

    second = worker(env_vars, log)
    try:
        key_row = None
        deadline = time.monotonic() + 60
        while key_row is None or key_row.provider_id is None:
            assert time.monotonic() < deadline, log.read_text()[-2000:]
            await asyncio.sleep(0.5)
            session.expire_all()
            key_row = session.exec(
                select(OutboxMessage).where(
                    OutboxMessage.address == "+4520123456",
                    OutboxMessage.case_id == uuid.UUID(running.case_id),
                )
            ).first()
        assert len(twilio.messages) == 1
        assert key_row.provider_id == twilio.messages[0]["sid"]
        await running.handle.terminate("test done")
    finally:
        second.send_signal(signal.SIGINT)
        second.wait(timeout=30)
