"""Scale-out: two workers and two API processes on one Temporal server and PostgreSQL, many
courses at once, and one worker killed with SIGKILL in the middle.

    .venv/bin/python -m bench.scale_out [--cases 2000] [--in-flight 64]

Each course goes the way a caseworker, a department and a citizen take it, spread over both
APIs: the citizen and the case are registered, the citizen's phone set, a task assigned and
acknowledged by the department, a meeting booked (the agreement goes by SMS to a fake Twilio on
loopback) and confirmed by the citizen's SMS reply through Twilio's signed webhook. When half
the courses have begun, one worker is killed with SIGKILL and a new one started in its place.

Afterwards it counts what the issue asks to be zero: courses lost (not in the read model, or
not where their actions put them), actions lost (any answer but a success), messages sent twice
at the provider, and drift between each workflow and its read model (`forloeb check`).
tests/deploy/test_scale_out.py runs it with 500 courses; this script prints the figures.
"""

import argparse
import asyncio
import contextlib
import os
import random
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from contextlib import ExitStack
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
from sqlmodel import Session, select
from twilio.request_validator import RequestValidator

from models.case import Case
from models.case_view import CaseMeeting
from models.danish_time import COPENHAGEN
from models.db import make_engine
from models.enums import Department, MeetingStatus, Role, TaskState
from models.task import Task
from tests.api.conftest import TEST_PAYLOAD_KEYS, free_port
from tests.factories import PASSWORD, make_staff
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.own_postgres import own_database
from tests.processes import running
from tests.temporal_servers import dev_server

# Twilio signs the public address, which both APIs answer for behind their proxy.
PUBLIC_URL = "https://forloeb.example.dk"
WORKERS = 2
APIS = 2


@dataclass
class Report:
    cases: int
    seconds: float = 0
    requests: int = 0
    failed_actions: list[str] = field(default_factory=list)
    lost_cases: list[str] = field(default_factory=list)
    duplicate_messages: int = 0
    messages: int = 0
    drift: str = ""
    check_output: str = ""
    killed_at: float = 0

    @property
    def drift_free(self) -> bool:
        return self.drift == "0 afvigelser"

    def lines(self) -> list[str]:
        rate = self.requests / self.seconds if self.seconds else 0
        return [
            f"{self.cases} forløb over {APIS} API'er og {WORKERS} workers "
            f"(én dræbt med SIGKILL efter {self.killed_at:.1f} s)",
            f"  {self.requests} forespørgsler på {self.seconds:.1f} s ({rate:.0f}/s)",
            f"  mistede handlinger: {len(self.failed_actions)}",
            f"  mistede eller ufærdige forløb: {len(self.lost_cases)}",
            f"  SMS hos udbyderen: {self.messages}, heraf sendt to gange: "
            f"{self.duplicate_messages}",
            f"  forloeb check: {self.drift}",
        ]


def environment(
    temporal_address: str, database_url: str, twilio_url: str, data: Path
) -> dict[str, str]:
    """What every API and worker process of the one service is started with."""
    return {
        **os.environ,
        "TEMPORAL_ADDRESS": temporal_address,
        "DATABASE_URL": database_url,
        "FORLOEB_TASK_QUEUE": f"scale-{uuid.uuid4()}",
        "FORLOEB_DATA_DIR": str(data),
        "FORLOEB_SECRET_KEY": "scale-secret-key",
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "FORLOEB_PUBLIC_URL": PUBLIC_URL,
        "FORLOEB_UPDATE_TIMEOUT_SECONDS": "30",
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_FROM": SENDER,
        "TWILIO_API_URL": twilio_url,
    }


def _wait_for_api(base_url: str, log: Path) -> None:
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{base_url}/healthz", timeout=1).status_code == 200:
                return
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(log.read_text()[-2000:])
        time.sleep(0.2)


def _unique_cprs(count: int) -> list[str]:
    found: set[str] = set()
    while len(found) < count:
        born = date(1960, 1, 1) + timedelta(days=random.randrange(0, 40 * 365))
        seventh = "0" if born.year < 2000 else "4"
        found.add(born.strftime("%d%m%y") + seventh + f"{random.randrange(0, 1000):03d}")
    return sorted(found)


def _quiet_hours_elsewhere() -> dict[str, str]:
    quiet = datetime.now(COPENHAGEN) + timedelta(hours=12)
    return {
        "quiet_from": quiet.strftime("%H:%M"),
        "quiet_to": (quiet + timedelta(hours=1)).strftime("%H:%M"),
    }


class Journeys:
    """Drives the courses through the APIs and counts every answer."""

    def __init__(
        self,
        coordinators: list[httpx.AsyncClient],
        departments: list[httpx.AsyncClient],
        twilio: FakeTwilio,
        half: int,
    ) -> None:
        self.coordinators = coordinators
        self.departments = departments
        self.twilio = twilio
        self.requests = 0
        self.failed: list[str] = []
        self.case_ids: list[str] = []
        self.half_begun = asyncio.Event()
        self._half = half

    async def call(self, client: httpx.AsyncClient, path: str, **kwargs: Any) -> httpx.Response:
        self.requests += 1
        try:
            answer = await client.post(path, **kwargs)
        except httpx.HTTPError as error:
            self.failed.append(f"{path}: {type(error).__name__}")
            raise
        # 202: the workflow has the action and the page shows it in a moment; not lost.
        if answer.status_code not in (200, 201, 202, 204):
            self.failed.append(f"{path}: {answer.status_code} {answer.text[:200]}")
            raise RuntimeError(path)
        return answer

    async def course(self, n: int, cpr: str, phone: str) -> None:
        api = self.coordinators[n % len(self.coordinators)]
        # The department answers through the other API: both serve the same cases.
        department = self.departments[(n + 1) % len(self.departments)]
        citizen = await self.call(api, "/api/citizens", json={"cpr": cpr, "name": "Test Borger"})
        case = await self.call(api, "/api/cases", json={"citizen_id": citizen.json()["id"]})
        case_id = case.json()["id"]
        self.case_ids.append(case_id)
        if len(self.case_ids) >= self._half:
            self.half_begun.set()
        act = f"/api/cases/{case_id}"
        contact = {"channels": ["sms"], "phone": phone, **_quiet_hours_elsewhere()}
        await self.call(api, f"{act}/set-contact", json=contact)
        task = {"department": "social", "purpose": "Bostøtte"}
        await self.call(api, f"{act}/assign-task", json=task)
        task_id = await self._task_of(api, case_id)
        await self.call(department, f"/api/tasks/{task_id}/acknowledge", json={})
        starts = (datetime.now(COPENHAGEN) + timedelta(days=3)).replace(hour=13, minute=0)
        meeting = {"starts_at": starts.isoformat(), "place": "Biblioteket", "purpose": "Praktik"}
        await self.call(api, f"{act}/book-meeting", json=meeting)
        await self._agreement_to(phone)
        reply = {"From": phone, "Body": "Ja", "MessageSid": "SM" + uuid.uuid4().hex}
        path = "/webhooks/twilio/sms"
        signature = RequestValidator(AUTH_TOKEN).compute_signature(f"{PUBLIC_URL}{path}", reply)
        await self.call(api, path, data=reply, headers={"X-Twilio-Signature": signature})

    async def _task_of(self, api: httpx.AsyncClient, case_id: str) -> str:
        # After a 202 the task reaches the read model a moment later.
        for _ in range(600):
            tasks = (await api.get(f"/api/cases/{case_id}/tasks")).json()
            if tasks:
                return str(tasks[0]["id"])
            await asyncio.sleep(0.1)
        raise RuntimeError(f"the task of {case_id} never reached the read model")

    async def _agreement_to(self, phone: str) -> None:
        for _ in range(1200):
            if any(m.get("To") == phone for m in list(self.twilio.messages)):
                return
            await asyncio.sleep(0.1)
        self.failed.append(f"no agreement reached {phone}")
        raise RuntimeError(phone)


async def logged_in(
    base_url: str, username: str, *, password: str = PASSWORD, connections: int = 200
) -> httpx.AsyncClient:
    """A client signed in as `username`, with room for `connections` requests at once."""
    client = httpx.AsyncClient(
        base_url=base_url, timeout=120, limits=httpx.Limits(max_connections=connections)
    )
    answer = await client.post("/api/session", json={"username": username, "password": password})
    answer.raise_for_status()
    return client


def _phones(count: int) -> list[str]:
    """Danish mobile numbers that the numbering plan accepts, one per citizen."""
    found: set[str] = set()
    while len(found) < count:
        candidate = f"+4520{random.randrange(1_000_000):06d}"
        if phonenumbers.is_valid_number(phonenumbers.parse(candidate)):
            found.add(candidate)
    return sorted(found)


async def drive(
    *,
    cases: int,
    in_flight: int,
    temporal_address: str,
    database_url: str,
    work: Path,
) -> Report:
    """Start the processes on an empty, migrated database, drive `cases` courses with
    `in_flight` at a time, kill a worker when half have begun, then count what was lost,
    duplicated or drifted."""
    engine = make_engine(database_url)
    with Session(engine) as session:
        coordinator = make_staff(session)
        department = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
        usernames = (coordinator.username, department.username)
    twilio = FakeTwilio().start()
    env = environment(temporal_address, database_url, twilio.base_url, work)
    report = Report(cases=cases)
    with ExitStack() as stack:
        workers = [
            stack.enter_context(running("worker", env, work / f"worker{i}.log"))
            for i in range(WORKERS)
        ]
        urls = []
        for i in range(APIS):
            port = free_port()
            log = work / f"api{i}.log"
            stack.enter_context(running("api", {**env, "FORLOEB_API_PORT": str(port)}, log))
            urls.append(f"http://127.0.0.1:{port}")
        for i, url in enumerate(urls):
            await asyncio.to_thread(_wait_for_api, url, work / f"api{i}.log")
        coordinators = [await logged_in(url, usernames[0]) for url in urls]
        departments = [await logged_in(url, usernames[1]) for url in urls]
        journeys = Journeys(coordinators, departments, twilio, half=cases // 2)
        limit = asyncio.Semaphore(in_flight)

        async def one(n: int, cpr: str, phone: str) -> None:
            async with limit:
                # A failure is counted in journeys.failed; the other courses go on.
                with contextlib.suppress(RuntimeError, httpx.HTTPError):
                    await journeys.course(n, cpr, phone)

        began = time.monotonic()

        async def kill_one_worker() -> None:
            await journeys.half_begun.wait()
            report.killed_at = time.monotonic() - began
            workers[0].send_signal(signal.SIGKILL)
            workers[0].wait()
            # As a platform restarts a crashed process: the new worker joins a moment later.
            await asyncio.sleep(2)
            stack.enter_context(running("worker", env, work / "worker0-again.log"))

        killer = asyncio.create_task(kill_one_worker())
        pairs = zip(_unique_cprs(cases), _phones(cases), strict=True)
        await asyncio.gather(*(one(n, cpr, phone) for n, (cpr, phone) in enumerate(pairs)))
        await killer
        report.seconds = time.monotonic() - began
        report.requests = journeys.requests
        report.failed_actions = journeys.failed
        report.lost_cases = await asyncio.to_thread(_unfinished, engine, journeys.case_ids, cases)
        sent = Counter(m.get("StatusCallback", "") for m in twilio.messages)
        report.messages = len(twilio.messages)
        report.duplicate_messages = sum(n - 1 for n in sent.values() if n > 1)
        checked = await asyncio.to_thread(
            subprocess.run,
            [sys.executable, "-m", "deploy", "check"],
            env=env,
            capture_output=True,
            text=True,
            timeout=600,
        )
        report.check_output = checked.stdout + checked.stderr
        summary = [line for line in checked.stdout.splitlines() if "afvigelse" in line]
        report.drift = summary[-1].split(", ")[-1] if summary else report.check_output[-300:]
        for client in coordinators + departments:
            await client.aclose()
    twilio.stop()
    engine.dispose()
    return report


def _unfinished(engine: Any, case_ids: list[str], expected: int) -> list[str]:
    """Every course must be in the read model where its actions put it, within a minute: its
    task acknowledged by the department, its meeting confirmed by the citizen's reply."""
    deadline = time.monotonic() + 60
    while True:
        with Session(engine) as session:
            acknowledged = set(
                session.exec(select(Task.case_id).where(Task.state == TaskState.ACKNOWLEDGED))
            )
            confirmed = set(
                session.exec(
                    select(CaseMeeting.case_id).where(CaseMeeting.status == MeetingStatus.CONFIRMED)
                )
            )
            cases = set(session.exec(select(Case.id)))
        missing = [
            case_id
            for case_id in case_ids
            if not {uuid.UUID(case_id)} <= cases & acknowledged & confirmed
        ]
        missing += ["(aldrig oprettet)"] * (expected - len(case_ids))
        if not missing or time.monotonic() > deadline:
            return missing
        time.sleep(1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cases", type=int, default=2000)
    parser.add_argument("--in-flight", type=int, default=64)
    parser.add_argument("--keep", type=Path, help="keep the processes' logs in this folder")
    args = parser.parse_args()
    url = own_database("forloeb_scale")

    async def run() -> Report:
        env = await dev_server()
        try:
            with tempfile.TemporaryDirectory() as scratch:
                work = args.keep or Path(scratch)
                work.mkdir(parents=True, exist_ok=True)
                return await drive(
                    cases=args.cases,
                    in_flight=args.in_flight,
                    temporal_address=env.client.service_client.config.target_host,
                    database_url=url,
                    work=work,
                )
        finally:
            await env.shutdown()

    report = asyncio.run(run())
    print("\n".join(report.lines()))
    for line in report.failed_actions[:10] + report.lost_cases[:10]:
        print("  ", line)
    if not report.drift_free:
        print(report.check_output[-3000:])


if __name__ == "__main__":
    main()
