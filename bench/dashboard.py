"""Server time of the managers' dashboard (/leder) and the coordinator's board (/board) on a
municipality-sized and a national-sized read model (issue 5). The goal is a p95 under 300 ms
at 20,000 courses on a 2-core machine; this is a benchmark to run by hand, not a timed test.

    .venv/bin/python -m bench.dashboard [--courses 2000 20000] [--requests 50]
                                        [--database-url URL --reset]
                                        [--data-dir DIR [--reuse]] [--no-queries]

Every request goes through the real app, login and database: nothing is cached by the bench.
SQLite files live in a temporary directory (or --data-dir, kept for --reuse); a PostgreSQL
URL is emptied and migrated first. After timing a page, its SQL statements are replayed once
each to show where the database time goes (--no-queries skips that). A page too slow to time
50 times within --budget seconds is timed at least three times; the table shows how many.
"""

import argparse
import os
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator, MutableMapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import Engine, event, func, inspect
from sqlmodel import Session, SQLModel, col, select

from api.app import create_app
from bench.seed import MANAGER, PASSWORD, count_rows, describe, seed
from models.case import Case
from models.db import make_engine, migrate
from models.enums import CourseType, Department, Role, Stage
from models.settings import Settings
from models.staff import Staff

GOAL_MS = 300.0
TYPICAL_CASELOAD = 35
WARM_UP = 3
PROFILED = 5

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]


class ServerTimer:
    """Wraps the app: the time from a request reaching it until its last body message, which
    leaves out the test client's own work."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.last = 0.0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()

        async def timed(message: Message) -> None:
            if message["type"] == "http.response.body" and not message.get("more_body"):
                self.last = time.perf_counter() - started
            await send(message)

        await self.app(scope, receive, timed)


@dataclass
class QueryLog:
    """The SQL statements a page runs, each replayed once afterwards with its rows fetched:
    SQLite does most of a query's work while the rows are fetched, after the execute events
    that SQLAlchemy reports, so timing those would hide the slow queries."""

    counts: dict[str, int] = field(default_factory=dict)
    parameters: dict[str, Any] = field(default_factory=dict)

    @contextmanager
    def listening(self) -> Iterator[None]:
        def before(conn: Any, cursor: Any, statement: str, parameters: Any, *args: Any) -> None:
            self.counts[statement] = self.counts.get(statement, 0) + 1
            self.parameters.setdefault(statement, parameters)

        event.listen(Engine, "before_cursor_execute", before)
        try:
            yield
        finally:
            event.remove(Engine, "before_cursor_execute", before)

    def top(self, url: str, requests: int, n: int = 3) -> list[str]:
        """The statements that cost most per request, by their replayed time."""
        engine = make_engine(url)
        costs = []
        try:
            connection = engine.raw_connection()
            try:
                cursor = connection.cursor()
                for statement, count in self.counts.items():
                    started = time.perf_counter()
                    cursor.execute(statement, self.parameters[statement])
                    cursor.fetchall()
                    took = time.perf_counter() - started
                    costs.append((took * count / requests, count // requests, statement))
            finally:
                connection.close()
        finally:
            engine.dispose()
        total = sum(cost for cost, _, _ in costs) * 1000
        statements = sum(self.counts.values()) // requests
        lines = [f"SQL about {total:.1f} ms in {statements} statements; the costliest:"]
        for cost, count, statement in sorted(costs, key=lambda c: -c[0])[:n]:
            lines.append(f"{cost * 1000:9.1f} ms {count:4d}x  {' '.join(statement.split())[:150]}")
        return lines


@dataclass(frozen=True)
class Result:
    scale: int
    page: str
    times: list[float]  # seconds
    status: str = "ok"

    def percentile(self, share: float) -> float:
        ordered = sorted(self.times)
        rank = max(1, -(-int(share * 100) * len(ordered) // 100))  # nearest rank
        return ordered[rank - 1] * 1000


@dataclass(frozen=True)
class Page:
    label: str
    path: str
    user: str


def typical_coordinator(engine: Engine) -> tuple[Staff, int]:
    """The active coordinator whose open cases (her own and those handed to her) number
    closest to a typical caseload: the board she sees."""
    with Session(engine) as session:
        own = dict(
            session.exec(
                select(col(Case.coordinator_id), func.count())
                .where(col(Case.stage) != Stage.CLOSED)
                .group_by(col(Case.coordinator_id))
            ).all()
        )
        incoming = dict(
            session.exec(
                select(col(Case.handover_to_id), func.count())
                .where(col(Case.stage) != Stage.CLOSED, col(Case.handover_to_id).is_not(None))
                .group_by(col(Case.handover_to_id))
            ).all()
        )
        staff = session.exec(
            select(Staff).where(Staff.role == Role.COORDINATOR, col(Staff.active))
        ).all()

    def load(s: Staff) -> int:
        return int(own.get(s.id, 0)) + int(incoming.get(s.id, 0))

    chosen = min(staff, key=lambda s: (abs(load(s) - TYPICAL_CASELOAD), s.username))
    return chosen, load(chosen)


def login(client: TestClient, username: str) -> None:
    client.post("/logout", follow_redirects=False)
    answer = client.post(
        "/login",
        data={"username": username, "password": PASSWORD, "next": "/"},
        follow_redirects=False,
    )
    if answer.status_code != 303:
        raise RuntimeError(f"login as {username} failed: {answer.status_code}")


def time_page(
    client: TestClient, timer: ServerTimer, path: str, requests: int, budget: float
) -> list[float]:
    """Warm-up requests, then up to `requests` timed ones; a page too slow for the whole run
    within `budget` seconds is timed fewer times (at least three), and the table says so."""
    slow = timer.last > 1.0  # the first request, made by the caller
    for _ in range(0 if slow else WARM_UP - 1):
        client.get(path)
    times: list[float] = []
    started = time.perf_counter()
    while len(times) < requests and (len(times) < 3 or time.perf_counter() - started < budget):
        client.get(path).raise_for_status()
        times.append(timer.last)
    return times


def measure(
    url: str, data_dir: Path, scale: int, pages: list[Page], args: argparse.Namespace
) -> list[Result]:
    settings = Settings.model_validate(
        {"data_dir": data_dir, "secret_key": "bench-secret-key", "DATABASE_URL": url}
    )
    timer = ServerTimer(create_app(settings))
    results = []
    with TestClient(timer) as client:
        user = ""
        for page in pages:
            if page.user != user:
                login(client, page.user)
                user = page.user
            first = client.get(page.path, follow_redirects=False)
            if first.status_code != 200:
                why = "not there yet" if first.status_code == 404 else "failed"
                results.append(Result(scale, page.label, [], f"{first.status_code} ({why})"))
                continue
            times = time_page(client, timer, page.path, args.requests, args.budget)
            results.append(Result(scale, page.label, times))
            if args.queries:
                profiled = PROFILED if max(times) < 1.0 else 1
                log = QueryLog()
                with log.listening():
                    for _ in range(profiled):
                        client.get(page.path)
                print(f"  {page.label}:")
                print("\n".join(f"    {line}" for line in log.top(url, profiled)))
    return results


def prepare(url: str, reset: bool) -> None:
    """An empty database at the newest migration; an existing one only with --reset."""
    engine = make_engine(url)
    try:
        if inspect(engine).get_table_names():
            if not reset:
                raise SystemExit(f"{url} is not empty; pass --reset to empty it for the bench")
            SQLModel.metadata.drop_all(engine)
            with engine.begin() as connection:
                connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    finally:
        engine.dispose()
    migrate(url)


def run_scale(args: argparse.Namespace, scale: int, data_dir: Path, now: datetime) -> list[Result]:
    path = data_dir / f"forloeb-{scale}.db"
    url = args.database_url or f"sqlite:///{path}"
    reuse = args.reuse and not args.database_url and path.exists()
    if not reuse:
        prepare(url, reset=args.reset or args.database_url is None)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        if not reuse:
            seed(engine, scale, args.seed, now, args.workers)
        seconds = time.perf_counter() - started
        counts = count_rows(engine)
        done = "reused (seeded earlier)" if reuse else f"seeded in {seconds:.1f} s"
        print(f"\n{scale:,} courses {done} ({url.split('://')[0]})")
        print("  rows: " + ", ".join(f"{name} {n:,}" for name, n in counts.items()))
        for name, text in describe(engine).items():
            print(f"  {name}: {text}")
        if url.startswith("sqlite"):
            size = Path(url.removeprefix("sqlite:///")).stat().st_size
            print(f"  database file: {size / 1e6:.0f} MB")
        coordinator, caseload = typical_coordinator(engine)
    finally:
        engine.dispose()
    pages = [
        Page("/leder", "/leder", MANAGER),
        Page("/leder?afdeling=health", f"/leder?afdeling={Department.HEALTH.value}", MANAGER),
        Page("/leder?koordinator=…", f"/leder?koordinator={coordinator.id}", MANAGER),
        # A type chosen: every section reads the type beside the columns its indexes cover.
        Page(
            "/leder?forloebstype=ressourceforloeb",
            f"/leder?forloebstype={CourseType.RESSOURCEFORLOEB.value}",
            MANAGER,
        ),
        Page(f"/board ({caseload} cases)", "/board", coordinator.username),
    ]
    return measure(url, data_dir, scale, pages, args)


def report(results: list[Result]) -> None:
    print(f"\n{'scale':>8}  {'page':<36} {'n':>4} {'p50 ms':>8} {'p95 ms':>8} {'max ms':>8}")
    for r in results:
        if not r.times:
            print(f"{r.scale:>8,}  {r.page:<36} {r.status}")
            continue
        p95 = r.percentile(0.95)
        mark = "" if p95 < GOAL_MS else f"  over the {GOAL_MS:.0f} ms goal"
        print(
            f"{r.scale:>8,}  {r.page:<36} {len(r.times):4d} {r.percentile(0.5):8.1f} {p95:8.1f} "
            f"{max(r.times) * 1000:8.1f}{mark}"
        )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--courses", type=int, nargs="+", default=[2000, 20000])
    parser.add_argument("--requests", type=int, default=50, help="timed requests per page")
    parser.add_argument(
        "--budget", type=float, default=120, help="seconds per page before timing fewer requests"
    )
    parser.add_argument(
        "--reuse", action="store_true", help="measure SQLite files already in --data-dir"
    )
    parser.add_argument("--database-url", help="PostgreSQL to seed instead of a SQLite file")
    parser.add_argument("--reset", action="store_true", help="empty a non-empty --database-url")
    parser.add_argument("--seed", type=int, default=5, help="random seed of the municipality")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    parser.add_argument(
        "--data-dir", type=Path, help="keep the SQLite files here (a temporary directory if unset)"
    )
    parser.add_argument(
        "--no-queries", dest="queries", action="store_false", help="skip the SQL profile"
    )
    args = parser.parse_args(argv)
    now = datetime.now(UTC)
    results: list[Result] = []
    with tempfile.TemporaryDirectory(prefix="forloeb-bench-") as tmp:
        data_dir = args.data_dir or Path(tmp)
        data_dir.mkdir(parents=True, exist_ok=True)
        for n, scale in enumerate(args.courses):
            if n and args.database_url:
                args.reset = True  # the bench's own data from the scale before
            results += run_scale(args, scale, data_dir, now)
    report(results)
    return 0


if __name__ == "__main__":
    sys.exit(main())
