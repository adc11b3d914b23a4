"""Workers killed while SMS are in flight, then replaced: Twilio gets each message once.

The workers are real processes (`python -m deploy worker`) against the Temporal dev server,
the test database and the fake Twilio; each is killed with SIGKILL, with no chance to clean
up. Twenty trials: four kills, each with five courses' SMS held unanswered by Twilio
(tests/deploy/send_crashes.py; bench/kill_during_send.py runs a hundred).
"""

import uuid
from collections.abc import Iterator

import pytest

from deploy.connections import connect_temporal
from tests.api.conftest import TEST_PAYLOAD_KEYS, settings_for
from tests.deploy.send_crashes import HOLD_SECONDS, kill_during_sends
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio(delay=HOLD_SECONDS).start()
    yield fake
    fake.stop()


async def test_workers_killed_mid_send_lose_no_course_and_send_no_duplicate(
    dev_env, database_url, session, twilio, tmp_path
):
    env = {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "DATABASE_URL": database_url,
        "FORLOEB_TASK_QUEUE": f"crash-{uuid.uuid4()}",
        "FORLOEB_PUBLIC_URL": "https://forloeb.example.dk",
        "FORLOEB_DATA_DIR": str(tmp_path),
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": SENDER,
        "TWILIO_API_URL": twilio.base_url,
    }
    # The test speaks to the workflows as the service does: with the workers' payload keys.
    client = await connect_temporal(settings_for(tmp_path, **env))
    figures = await kill_during_sends(
        client=client,
        env=env,
        session=session,
        twilio=twilio,
        log=tmp_path / "worker.log",
        rounds=4,
        per_round=5,
    )
    log = (tmp_path / "worker.log").read_text()[-3000:]
    assert (figures.lost, figures.duplicates, figures.timeline_faults) == (0, 0, 0), (figures, log)
    # Every SMS went to Twilio exactly once: no retry after a kill sent it again.
    assert len(twilio.messages) == twilio.posts == 20
