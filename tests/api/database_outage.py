"""The database away in the middle of caseworkers' actions: the scenario of
tests/api/test_fault_database_outage.py and bench/database_outage.py.

The API (uvicorn, in-process) and a worker reach PostgreSQL only through a DatabaseProxy; the
check reads the database directly. Caseworkers book meetings on one case, one after another
from a few clients at once, before, during and after the outage, while another reads the
case. Every answer must be a success (200, or 202 when the projection is waiting) or a 503
that says, in Danish, that the database is away. Once it is back, the timeline must hold every
event the workflow recorded, each once, and the outbox every meeting's agreement, once.
"""

import asyncio
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlalchemy.engine import make_url
from sqlmodel import Session, col, select

from api.app import create_app
from deploy.connections import connect_temporal
from deploy.worker import build_worker
from models.case import CaseEvent
from models.danish_time import COPENHAGEN
from models.db import make_engine, session_factory
from models.outbox import OutboxMessage
from models.programme import ProgrammeState, programme_workflow_id
from tests.api.case_steps import act, new_case, quiet_hours_elsewhere
from tests.api.conftest import serve, settings_for
from tests.api.database_proxy import DatabaseProxy
from tests.factories import PASSWORD, make_staff
from workflows.programme import ProgrammeWorkflow

DATABASE_AWAY = "Databasen svarer ikke lige nu. Prøv igen om lidt."
CLIENTS = 4


@dataclass
class OutageFigures:
    # Answers to bookings by HTTP status; a 503 that does not name the database is
    # "503 unconfirmed" (the booking may still be applied) or "503 other".
    answers: Counter[str] = field(default_factory=Counter)
    # Answers to reading the case. A booking in flight when the database goes waits for its
    # projection, and its caseworker with it; a reader meets the outage at once.
    reads: Counter[str] = field(default_factory=Counter)
    # Bookings answered 200 or 202 whose event is not in the timeline once.
    lost: int = 0
    # Timeline events that are there more than once (the same booking at two numbers).
    duplicated: int = 0
    # Numbers missing from the timeline, against the workflow's own count.
    gaps: int = 0
    # Meetings the workflow holds without exactly one agreement in the outbox.
    outbox_faults: int = 0
    # From the database's return until the timeline and the outbox had caught up.
    catch_up_seconds: float = 0
    # Bookings the workflow recorded although their answer was a 503.
    done_despite_503: int = 0
    server_errors: list[str] = field(default_factory=list)


async def database_outage(
    *,
    temporal_address: str,
    database_url: str,
    session: Session,
    folder: Path,
    outage_seconds: float,
    calm_seconds: float = 3,
    hold: bool = False,
) -> OutageFigures:
    """`session` reads the database directly; `database_url` is the real one. With `hold`
    the proxy stalls the connections instead of cutting them (DatabaseProxy)."""
    real = make_url(database_url)
    proxy = DatabaseProxy(real.host or "127.0.0.1", real.port or 5432).start()
    proxied = real.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False)
    settings = settings_for(
        folder,
        DATABASE_URL=proxied,
        TEMPORAL_ADDRESS=temporal_address,
        task_queue=f"outage-{uuid.uuid4()}",
    )
    client = await connect_temporal(settings)
    engine = make_engine(proxied)
    coordinator = make_staff(session)
    figures = OutageFigures()
    try:
        with ThreadPoolExecutor(max_workers=8) as executor:
            async with (
                build_worker(
                    client,
                    task_queue=settings.task_queue,
                    open_session=session_factory(engine),
                    executor=executor,
                    public_url="http://forloeb.test",
                ),
                serve(create_app(settings)) as base_url,
            ):
                # A stalled database holds a request as long as it is away.
                timeout = outage_seconds + 60
                clients = [
                    httpx.AsyncClient(base_url=base_url, timeout=timeout)
                    for _ in range(CLIENTS + 1)
                ]
                try:
                    for c in clients:
                        login = {"username": coordinator.username, "password": PASSWORD}
                        assert (await c.post("/api/session", json=login)).status_code == 200
                    case = await new_case(clients[0])
                    await act(
                        clients[0],
                        case["id"],
                        "set-contact",
                        channels=["sms"],
                        phone="20 12 34 56",
                        **quiet_hours_elsewhere(),
                    )
                    booked = await _book_through(
                        clients, case["id"], proxy, outage_seconds, calm_seconds, figures, hold
                    )
                    restored = time.monotonic()
                    state = await _caught_up(client, session, case["id"])
                    figures.catch_up_seconds = time.monotonic() - restored
                    _judge(session, case["id"], state, booked, figures)
                finally:
                    for c in clients:
                        await c.aclose()
    finally:
        proxy.stop()
        engine.dispose()
    return figures


async def _book_through(
    clients: list[httpx.AsyncClient],
    case_id: str,
    proxy: DatabaseProxy,
    outage_seconds: float,
    calm_seconds: float,
    figures: OutageFigures,
    hold: bool,
) -> dict[str, str]:
    """Book meetings from every client until the database has been away and back; returns
    each booking's marker with its answer (_status)."""
    booked: dict[str, str] = {}
    numbers = iter(range(1_000_000))
    stop = asyncio.Event()
    first = datetime.now(COPENHAGEN).replace(second=0, microsecond=0) + timedelta(days=2)

    async def reader(c: httpx.AsyncClient) -> None:
        while not stop.is_set():
            answer = await c.get(f"/api/cases/{case_id}")
            figures.reads[_status(answer)] += 1
            await asyncio.sleep(0.2)

    async def caseworker(c: httpx.AsyncClient) -> None:
        while not stop.is_set():
            n = next(numbers)
            marker = f"Samtale nr. {n}"
            answer = await c.post(
                f"/api/cases/{case_id}/book-meeting",
                json={
                    # An hour apart: no booking overlaps another.
                    "starts_at": (first + timedelta(hours=n)).isoformat(),
                    "place": "Biblioteket",
                    "purpose": marker,
                },
            )
            status = _status(answer)
            booked[marker] = status
            if answer.status_code >= 500 and status not in ("503", "503 unconfirmed"):
                figures.server_errors.append(f"{answer.status_code} {answer.text[:200]}")
            figures.answers[status] += 1
            await asyncio.sleep(0.2)

    workers = [asyncio.create_task(caseworker(c)) for c in clients[1:]]
    workers.append(asyncio.create_task(reader(clients[0])))
    await asyncio.sleep(calm_seconds)
    await asyncio.to_thread(proxy.hold if hold else proxy.cut)
    await asyncio.sleep(outage_seconds)
    await asyncio.to_thread(proxy.restore)
    await asyncio.sleep(calm_seconds)
    stop.set()
    await asyncio.gather(*workers)
    return booked


def _status(answer: httpx.Response) -> str:
    if answer.status_code != 503:
        return str(answer.status_code)
    detail = answer.json().get("detail")
    if detail == DATABASE_AWAY:
        return "503"
    # The worker, held up by the database, did not take the booking within the wait: Temporal
    # may still apply it, and the answer says so rather than that it was not done.
    return "503 unconfirmed" if "ikke bekræftet" in detail else "503 other"


async def _caught_up(client: Any, session: Session, case_id: str) -> ProgrammeState:
    """Wait until the timeline holds as many events as the workflow has recorded, and the
    outbox an agreement for each meeting; at most five minutes (the projection's retries are
    at most a minute apart)."""
    handle = client.get_workflow_handle(programme_workflow_id(case_id))
    deadline = time.monotonic() + 300
    while True:
        state: ProgrammeState = await handle.query(ProgrammeWorkflow.current)
        events, agreements = _read(session, case_id)
        done = len(events) >= state.seq and len(agreements) >= len(state.meetings)
        if done or time.monotonic() > deadline:
            return state
        await asyncio.sleep(0.5)


def _read(session: Session, case_id: str) -> tuple[list[CaseEvent], list[OutboxMessage]]:
    session.expire_all()
    case = uuid.UUID(case_id)
    events = session.exec(
        select(CaseEvent).where(CaseEvent.case_id == case).order_by(col(CaseEvent.seq))
    ).all()
    agreements = session.exec(
        select(OutboxMessage).where(
            OutboxMessage.case_id == case, OutboxMessage.purpose == "meeting_agreement"
        )
    ).all()
    return list(events), list(agreements)


def _judge(
    session: Session,
    case_id: str,
    state: ProgrammeState,
    booked: dict[str, str],
    figures: OutageFigures,
) -> None:
    events, agreements = _read(session, case_id)
    seqs = [event.seq for event in events]
    figures.gaps = len(set(range(1, state.seq + 1)) - set(seqs))
    bookings = Counter(
        marker
        for event in events
        if event.kind == "meeting_booked"
        for marker in booked
        if _names(event.summary, marker)
    )
    figures.duplicated = sum(count - 1 for count in bookings.values() if count > 1)
    figures.lost = sum(
        1 for marker, status in booked.items() if status in ("200", "202") and bookings[marker] != 1
    )
    figures.done_despite_503 = sum(
        1 for marker, status in booked.items() if status == "503" and bookings[marker] > 0
    )
    per_meeting = Counter(row.key.split(":")[1] for row in agreements)
    figures.outbox_faults = sum(1 for meeting in state.meetings if per_meeting[meeting] != 1)


def _names(summary: str, marker: str) -> bool:
    # The purpose ends the booking's line: "Samtale nr. 1" must not match "Samtale nr. 12".
    return f": {marker}." in summary
