"""The Temporal server stopped and started again from its store while courses' timers are
pending: every timer fires, and none twice.

A real dev server (`temporal server start-dev --db-filename`, as the embedded default runs it)
on a free loopback port; the worker runs in this process and sends SMS to the fake Twilio.
Each course has a meeting whose reminder falls due a few seconds on: one while the server is
down, the others after it is back. The server is stopped with SIGTERM, and in a second round
with SIGKILL, then started again on the same store and port.
"""

import asyncio
import signal
import subprocess
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from sqlmodel import Session
from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from deploy.binaries import find_binary
from deploy.worker import build_worker
from models.danish_time import COPENHAGEN
from models.db import SessionFactory
from models.meeting import BookMeeting, ReminderRule
from models.search_attributes import dev_server_flags
from models.settings import TwilioSettings
from notifications.sms import TwilioSms
from tests.api.conftest import free_port
from tests.factories import actor_of, case_messages
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.workflows.programme_helpers import Running, send, start_on_sms, timeline

# When each course's reminder falls due, in seconds after its meeting is booked; the server is
# stopped at about 4 s and is back some seconds after 7 s, so the first falls in the outage.
REMINDER_OFFSETS = (6, 14, 18)
STOP_AFTER = 4
DOWN_FOR = 3


class DevServer:
    """`temporal server start-dev` on a store and ports that stay the same across restarts."""

    def __init__(self, store: Path, log: Path) -> None:
        self.port = free_port()
        self._ports = [str(free_port()), str(free_port())]
        self._store = store
        self._log = log
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def address(self) -> str:
        return f"127.0.0.1:{self.port}"

    async def start(self) -> None:
        self._spawn()
        deadline = time.monotonic() + 60
        while True:
            assert self._process is not None and self._process.poll() is None, f"see {self._log}"
            try:
                client = await Client.connect(self.address)
                await client.count_workflows()  # the frontend answers, not only its port
                return
            except Exception:
                assert time.monotonic() < deadline, "the dev server did not come up"
                await asyncio.sleep(0.2)

    def _spawn(self) -> None:
        output = self._log.open("ab")
        self._process = subprocess.Popen(
            [
                find_binary("temporal"),
                "server",
                "start-dev",
                "--db-filename",
                str(self._store),
                "--ip",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--http-port",
                self._ports[0],
                "--metrics-port",
                self._ports[1],
                "--headless",
                "--log-level",
                "error",
                *dev_server_flags(),
            ],
            stdout=output,
            stderr=output,
        )

    def stop(self, how: signal.Signals) -> None:
        assert self._process is not None
        self._process.send_signal(how)
        try:
            self._process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    fake = FakeTwilio().start()
    yield fake
    fake.stop()


async def _book(running: Running, reminder_in: float) -> None:
    await send(
        running.handle,
        BookMeeting(
            actor=actor_of(running.coordinator),
            meeting_id=str(uuid.uuid4()),
            host_name="Mette Jensen",
            starts_at=datetime.now(COPENHAGEN) + timedelta(hours=24, seconds=reminder_in),
            place="Biblioteket",
            purpose="Praktikken",
            reminders=[ReminderRule(hours_before=24)],
        ),
    )


async def _reminders_sent(session: Session, courses: list[Running], seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while True:
        reminders = [
            [m for m in case_messages(session, c.case_id) if m.purpose == "meeting_reminder"]
            for c in courses
        ]
        if all(r and r[0].provider_id for r in reminders) or time.monotonic() > deadline:
            return
        await asyncio.sleep(0.25)


@pytest.mark.parametrize("how", [signal.SIGTERM, signal.SIGKILL], ids=["sigterm", "sigkill"])
async def test_timers_pending_across_a_server_restart_fire_once(
    how: signal.Signals,
    session: Session,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    twilio: FakeTwilio,
    tmp_path: Path,
) -> None:
    server = DevServer(tmp_path / "temporal.db", tmp_path / "temporal.log")
    await server.start()
    client = await Client.connect(server.address, data_converter=pydantic_data_converter)
    task_queue = f"restart-{uuid.uuid4()}"
    settings = TwilioSettings(
        account_sid=ACCOUNT_SID,
        auth_token=AUTH_TOKEN,
        sender=SENDER,
        public_url="https://forloeb.example.dk",
        api_url=twilio.base_url,
    )
    numbers = [f"{20_200_000 + i}" for i in range(len(REMINDER_OFFSETS))]
    try:
        async with build_worker(
            client,
            task_queue=task_queue,
            open_session=open_session,
            executor=executor,
            public_url="https://forloeb.example.dk",
            sms=TwilioSms(settings),
        ):
            courses = [await start_on_sms(client, task_queue, session, n) for n in numbers]
            booked = time.monotonic()
            await asyncio.gather(
                *(_book(c, s) for c, s in zip(courses, REMINDER_OFFSETS, strict=True))
            )
            await asyncio.sleep(max(0, booked + STOP_AFTER - time.monotonic()))
            assert not any(
                m.purpose == "meeting_reminder"
                for c in courses
                for m in case_messages(session, c.case_id)
            ), "a reminder went before the server was stopped: the timers were not pending"
            server.stop(how)
            await asyncio.sleep(DOWN_FOR)
            await server.start()
            await _reminders_sent(session, courses, seconds=90)
            # Time for a timer that fired twice to show itself.
            await asyncio.sleep(3)
            at_twilio = Counter(m["To"] for m in twilio.messages)
            for course, number in zip(courses, numbers, strict=True):
                sent = case_messages(session, course.case_id)
                purposes = [(m.purpose, m.status) for m in sent]
                assert purposes == [("meeting_agreement", "sent"), ("meeting_reminder", "sent")]
                assert at_twilio[f"+45{number}"] == 2, at_twilio
                said = [e.summary for e in timeline(session, course.case_id, "message_sent")]
                assert len(said) == 2 and sum("påmindelsen" in line for line in said) == 1, said
            for course in courses:
                await course.handle.terminate("test done")
    finally:
        server.stop(signal.SIGTERM)
