"""How fast `forloeb import` brings the running courses in: a 5,000-line file against the
embedded stack.

    .venv/bin/python -m bench.import_rows [--rows 5000] [--concurrency 24] [--tasks 0.2]

Starts `forloeb up --demo` in a fresh data directory (Temporal dev server on a SQLite file,
SQLite read model, worker and API, as a user runs it), writes a file of running courses in
every stage a course can be registered in, for the demo's coordinators, with open tasks on a
share of the lines. Then, in this process as `forloeb import` does it: the dry run, the
import, and the wait until the worker has projected every course into the read model.
Prints the times and rates. Nothing here is a test: it prints figures for the README.
"""

import argparse
import asyncio
import random
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from sqlalchemy import func
from sqlmodel import col, select

from api.course_file import LineStatus
from api.course_import import check_file, import_file, importer
from bench.throughput import service_cpu
from deploy.connections import connect_temporal
from models.case import Case
from models.danish_time import local_date
from models.db import SessionFactory, make_engine, session_factory
from models.settings import Settings
from tests.api.conftest import free_port
from tests.deploy.test_embedded import forloeb_up

HEADER = "cpr;navn;koordinator;type;fase;visiteret;teammoede;afgoerelse;planlagt_slut;opgaver"
COORDINATORS = ("koordinator", "koordinator2")  # the demo's
TASKS = ("health:Samtaleforløb hos psykolog", "social:Bostøtte", "jobcenter:Virksomhedspraktik")


def course_line(rng: random.Random, cpr: str, n: int, today: date, with_tasks: bool) -> str:
    """One running course, in a stage and with dates its type's rules accept."""

    def ago(low: int, high: int) -> date:
        return today - timedelta(days=rng.randint(low, high))

    coordinator = rng.choice(COORDINATORS)
    kind = rng.choice(["ressourceforloeb", "tvaerfagligt"])
    team = decided = planned = None
    if kind == "ressourceforloeb":
        stage = rng.choice(["referred", "preparation", "team", "active", "active", "active"])
        referred = ago(120, 1200) if stage == "active" else ago(10, 100)
        if stage in ("team", "active"):
            team = referred + timedelta(days=rng.randint(0, (today - referred).days // 2))
    else:
        stage = rng.choice(["referred", "description", "described", "active", "active"])
        referred = ago(120, 500) if stage == "active" else ago(5, 60)
    if stage == "active":
        decided = referred + timedelta(days=rng.randint(30, 90))
        planned = today + timedelta(days=rng.randint(30, 500))
    tasks = "|".join(rng.sample(TASKS, rng.randint(1, 2))) if with_tasks else ""
    cells = [cpr, f"Borger {n}", coordinator, kind, stage, f"{referred:%d-%m-%Y}"]
    cells += [f"{d:%Y-%m-%d}" if d else "" for d in (team, decided, planned)] + [tasks]
    return ";".join(cells)


def course_file(rows: int, share_with_tasks: float, seed: int = 12) -> bytes:
    rng = random.Random(seed)
    today = local_date(datetime.now(UTC))
    seen: set[str] = set()
    lines = [HEADER]
    while len(lines) <= rows:
        born = date(1965, 1, 1) + timedelta(days=rng.randrange(0, 35 * 365))
        seventh = "0" if born.year < 2000 else "4"
        cpr = born.strftime("%d%m%y") + seventh + f"{rng.randrange(1000):03d}"
        if cpr in seen:
            continue
        seen.add(cpr)
        lines.append(course_line(rng, cpr, len(lines), today, rng.random() < share_with_tasks))
    # As Danish Excel saves it: semicolons, a BOM, Windows line ends.
    return ("\ufeff" + "\r\n".join(lines) + "\r\n").encode()


def projected(open_session: SessionFactory) -> int:
    with open_session() as session:
        query = select(func.count()).where(col(Case.registered), Case.last_seq >= 1)
        return int(session.exec(query).one())


async def run(rows: int, concurrency: int, share_with_tasks: float) -> None:
    data = course_file(rows, share_with_tasks)
    with tempfile.TemporaryDirectory() as tmp:
        ports = {name: free_port() for name in ("api", "temporal", "ui")}
        with forloeb_up(Path(tmp), ports):
            settings = Settings(data_dir=Path(tmp), temporal_port=ports["temporal"])
            engine = make_engine(
                settings.effective_database_url, threads=concurrency, off_event_loop=True
            )
            open_session = session_factory(engine)
            client = await connect_temporal(settings)
            user = await asyncio.to_thread(importer, open_session, "admin")

            started = time.perf_counter()
            checked = await check_file(open_session, data=data, rules=settings.course_rules)
            check_seconds = time.perf_counter() - started
            assert checked.clean, list(checked.problems())[:5]
            print(
                f"File: {rows} lines, {len(data) / 1024:.0f} KB, {share_with_tasks:.0%} with tasks"
            )
            print(f"  dry run   {check_seconds:6.1f} s  {rows / check_seconds:8.0f} lines/s")

            started, cpu = time.perf_counter(), service_cpu()
            report = await import_file(
                open_session,
                client,
                data=data,
                user=user,
                settings=settings,
                concurrency=concurrency,
            )
            import_seconds = time.perf_counter() - started
            created = report.count(LineStatus.CREATED)
            print(
                f"  import    {import_seconds:6.1f} s  {created / import_seconds:8.1f} courses/s"
                f"  (all {rows} lines checked again first; {concurrency} at a time)"
            )
            problems = list(report.problems())
            print(
                f"  created {created}, refused {report.count(LineStatus.REFUSED)}, "
                f"problems {len(problems)}"
            )
            for problem in problems[:5]:
                print(f"    {problem}")
            while (done := await asyncio.to_thread(projected, open_session)) < created:
                if time.perf_counter() - started > 1800:
                    print(f"  gave up waiting: {done} of {created} projected")
                    break
                await asyncio.sleep(0.5)
            total = time.perf_counter() - started
            print(
                f"  projected {total:6.1f} s  {created / total:8.1f} courses/s"
                "  (from the start of the import until the worker wrote the last case)"
            )
            used = {role: seconds - cpu.get(role, 0.0) for role, seconds in service_cpu().items()}
            print(
                "  CPU ms per course: "
                + "  ".join(
                    f"{role} {seconds / created * 1000:.0f}" for role, seconds in used.items()
                )
            )
            engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=5000)
    parser.add_argument("--concurrency", type=int, default=24)
    parser.add_argument("--tasks", type=float, default=0.2, help="share of lines with tasks")
    args = parser.parse_args()
    asyncio.run(run(args.rows, args.concurrency, args.tasks))


if __name__ == "__main__":
    main()
