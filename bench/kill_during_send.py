"""Workers killed with SIGKILL mid-send, a hundred trials: no course lost, no SMS twice.

    .venv/bin/python -m bench.kill_during_send [--trials 100] [--per-kill 10]

Starts a Temporal dev server, a SQLite read model in a temporary folder and the fake Twilio,
then runs the trials of tests/deploy/test_crash.py (tests/deploy/send_crashes.py): each kill
catches `--per-kill` courses' SMS held unanswered by Twilio; a new worker takes over at once.
Prints the trials, lost courses, duplicates at Twilio, timeline faults and the time taken.
"""

import argparse
import asyncio
import tempfile
import uuid
from pathlib import Path

from deploy.connections import connect_temporal
from models.db import make_engine, migrate, session_factory
from tests.api.conftest import TEST_PAYLOAD_KEYS, settings_for
from tests.deploy.send_crashes import HOLD_SECONDS, Figures, kill_during_sends
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.temporal_servers import dev_server


async def run(trials: int, per_kill: int, folder: Path) -> Figures:
    database_url = f"sqlite:///{folder / 'bench.db'}"
    migrate(database_url)
    engine = make_engine(database_url)
    twilio = FakeTwilio(delay=HOLD_SECONDS).start()
    env = await dev_server()
    try:
        settings = {
            "TEMPORAL_ADDRESS": env.client.service_client.config.target_host,
            "DATABASE_URL": database_url,
            "FORLOEB_TASK_QUEUE": f"kill-{uuid.uuid4()}",
            "FORLOEB_PUBLIC_URL": "https://forloeb.example.dk",
            "FORLOEB_DATA_DIR": str(folder),
            "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
            "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
            "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
            "TWILIO_FROM": SENDER,
            "TWILIO_API_URL": twilio.base_url,
        }
        client = await connect_temporal(settings_for(folder, **settings))
        with session_factory(engine)() as session:
            return await kill_during_sends(
                client=client,
                env=settings,
                session=session,
                twilio=twilio,
                log=folder / "worker.log",
                rounds=-(-trials // per_kill),
                per_round=per_kill,
                settle_seconds=300,
            )
    finally:
        await env.shutdown()
        twilio.stop()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--trials", type=int, default=100)
    parser.add_argument("--per-kill", type=int, default=10, help="courses caught by each kill")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="kill-during-send-") as folder:
        figures = asyncio.run(run(args.trials, args.per_kill, Path(folder)))
    print(f"trials (courses killed mid-send): {figures.trials}")
    print(f"kills (SIGKILL):                  {figures.kills}")
    print(f"lost courses:                     {figures.lost}")
    print(f"duplicates at Twilio:             {figures.duplicates}")
    print(f"timeline faults:                  {figures.timeline_faults}")
    print(f"time:                             {figures.seconds:.0f} s")
    ok = figures.lost == figures.duplicates == figures.timeline_faults == 0
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
