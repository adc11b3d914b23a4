"""PostgreSQL away for a minute in the middle of caseworkers' actions: what the API answered,
and whether any event was lost or repeated once the database was back.

    url=$(bash deploy/postgres.sh forloeb_outage)
    .venv/bin/python -m bench.database_outage --database-url "$url" [--outage 60]

Starts a Temporal dev server; the API and a worker run in this process and reach the database
only through a proxy that is cut for the outage (tests/api/database_outage.py, the scenario of
tests/api/test_fault_database_outage.py with its full minute). The database is migrated, not
emptied: give it a database of its own.
"""

import argparse
import asyncio
import logging
import tempfile
import time
from pathlib import Path

from models.db import make_engine, migrate, session_factory
from tests.api.database_outage import OutageFigures, database_outage
from tests.temporal_servers import dev_server


async def run(database_url: str, outage: float, hold: bool, folder: Path) -> OutageFigures:
    migrate(database_url)
    engine = make_engine(database_url)
    env = await dev_server()
    try:
        with session_factory(engine)() as session:
            return await database_outage(
                temporal_address=env.client.service_client.config.target_host,
                database_url=database_url,
                session=session,
                folder=folder,
                outage_seconds=outage,
                hold=hold,
            )
    finally:
        await env.shutdown()
        engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    parser.add_argument("--database-url", required=True, help="a PostgreSQL database of its own")
    parser.add_argument("--outage", type=float, default=60, help="seconds the database is away")
    parser.add_argument(
        "--hold",
        action="store_true",
        help="stall the connections (packets dropped) instead of cutting them (host down)",
    )
    args = parser.parse_args()
    # Every refused connection is logged with its traceback by the worker and the API; the
    # figures below say what came of them.
    for name in ("temporalio", "forloeb"):
        logging.getLogger(name).setLevel(logging.CRITICAL)
    started = time.monotonic()
    with tempfile.TemporaryDirectory(prefix="database-outage-") as folder:
        figures = asyncio.run(run(args.database_url, args.outage, args.hold, Path(folder)))
    answers = figures.answers
    how = "connections stalled" if args.hold else "connections cut"
    print(f"outage:                        {args.outage:.0f} s, {how}")
    print(f"bookings answered:             {sum(answers.values())}")
    for status in sorted(answers):
        print(f"  {status:<28}{answers[status]}")
    print(f"reads of the case answered:    {sum(figures.reads.values())}")
    for status in sorted(figures.reads):
        print(f"  {status:<28}{figures.reads[status]}")
    print(f"done although answered 503:    {figures.done_despite_503}")
    print(f"lost events:                   {figures.lost}")
    print(f"duplicated events:             {figures.duplicated}")
    print(f"gaps in the timeline:          {figures.gaps}")
    print(f"outbox faults:                 {figures.outbox_faults}")
    print(f"caught up after the return:    {figures.catch_up_seconds:.1f} s")
    print(f"time:                          {time.monotonic() - started:.0f} s")
    for error in figures.server_errors[:5]:
        print(f"server error: {error}")
    faults = figures.lost + figures.duplicated + figures.gaps + figures.outbox_faults
    ok = (
        faults == 0
        and figures.done_despite_503 == 0
        and set(answers) <= {"200", "202", "503"}
        and set(figures.reads) <= {"200", "503"}
    )
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
