"""The `forloeb` command: `up` runs everything; `worker` and `api` run one part each; `import`
brings the running courses in from the municipality's current system."""

import argparse
import asyncio
import logging
import os
import signal
import sys
from collections.abc import Coroutine
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from pydantic import ValidationError

from deploy.json_logs import configure_logging
from models.enums import Department
from models.settings import ProductionRefused, Settings

if TYPE_CHECKING:
    from temporalio.runtime import Runtime

# `forloeb up`'s metrics ports: the API's, and the worker's Temporal SDK metrics.
EMBEDDED_METRICS_PORT = 9464
EMBEDDED_WORKER_METRICS_PORT = 9465


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="forloeb", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    up = commands.add_parser("up", help="Temporal dev server, worker and web app on this machine")
    up.add_argument("--demo", action="store_true", help="seed a demo municipality")
    commands.add_parser("worker", help="run the Temporal worker")
    commands.add_parser("api", help="run the web app and JSON API")
    commands.add_parser("migrate", help="bring the database up to date")
    commands.add_parser("demo", help="seed the demo municipality into a running service")
    audit = commands.add_parser("audit", help="the access log")
    audit.add_argument(
        "task",
        choices=["verify", "prune"],
        help="verify: check that no row was changed; prune: remove rows past their retention",
    )
    course_import = commands.add_parser(
        "import", help="register running courses from the municipality's current system"
    )
    course_import.add_argument("file", type=Path, help="CSV file; format in api/course_file.py")
    course_import.add_argument(
        "--dry-run", action="store_true", help="check every line and report; write nothing"
    )
    course_import.add_argument(
        "--as",
        dest="username",
        help="the administrator the import acts as; needed when there are several",
    )
    deadlines = commands.add_parser("deadlines", help="show or set a department's task deadlines")
    deadlines.add_argument("department", nargs="?", choices=[d.value for d in Department])
    deadlines.add_argument("--acknowledge-days", type=float, help="working days to acknowledge")
    deadlines.add_argument("--escalation-days", type=float, help="working days between escalations")
    commands.add_parser("check", help="compare every open course's workflow with the read model")
    rebuild = commands.add_parser(
        "rebuild-read-model", help="project every course again from Temporal's histories"
    )
    rebuild.add_argument(
        "--force", action="store_true", help="rebuild even though the read model holds rows"
    )
    commands.add_parser("doctor", help="check each connection and setting, and say what to fix")
    args = parser.parse_args(argv)

    try:
        settings = Settings()
    except ValidationError as error:
        # A setting the municipality got wrong: its name and the reason, not a traceback.
        reasons = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'indstilling'}: {e['msg']}" for e in error.errors()
        )
        sys.exit(f"forloeb: en indstilling er ugyldig. {reasons}")
    configure_logging(settings.log_format)
    try:
        _refuse_test_doors(settings, args.command, demo=getattr(args, "demo", False))
    except ProductionRefused as refused:
        sys.exit(f"forloeb: {refused}")
    if args.command == "up":
        from deploy.binaries import BinaryMissing, require_dev_server
        from deploy.supervisor import run_embedded

        if settings.temporal_address is None:
            try:
                require_dev_server()
            except BinaryMissing as missing:
                sys.exit(f"forloeb: {missing}")

        # The embedded default shows its metrics on loopback; the children read these.
        os.environ.setdefault("FORLOEB_METRICS_PORT", str(EMBEDDED_METRICS_PORT))
        os.environ.setdefault("FORLOEB_WORKER_METRICS_PORT", str(EMBEDDED_WORKER_METRICS_PORT))
        sys.exit(run_embedded(settings, demo=args.demo))
    elif args.command == "worker":
        _start_tracing(settings, "forloeb-worker")
        asyncio.run(run_worker(settings))
    elif args.command == "api":
        _start_tracing(settings, "forloeb-api")
        run_api(settings)
    elif args.command == "migrate":
        from models.db import migrate

        migrate(settings.effective_database_url)
    elif args.command == "deadlines":
        set_deadlines(settings, args.department, args.acknowledge_days, args.escalation_days)
    elif args.command == "audit":
        sys.exit(
            verify_access_log(settings) if args.task == "verify" else prune_access_log(settings)
        )
    elif args.command == "demo":
        from deploy.demo import seed_demo

        asyncio.run(seed_demo(settings))
    elif args.command == "import":
        sys.exit(import_courses(settings, args.file, args.dry_run, args.username))
    elif args.command == "check":
        sys.exit(_unless_unreachable(check_read_model(settings)))
    elif args.command == "rebuild-read-model":
        sys.exit(_unless_unreachable(rebuild_read_model(settings, force=args.force)))
    elif args.command == "doctor":
        from deploy.doctor import run_doctor

        sys.exit(asyncio.run(run_doctor(settings)))


def _start_tracing(settings: Settings, service: str) -> None:
    """The tracer provider, set before the first client or request makes a span."""
    from deploy.tracing import OtlpMissing, configure_tracing

    try:
        configure_tracing(settings, service)
    except OtlpMissing as missing:
        sys.exit(f"forloeb: {missing}")


def _refuse_test_doors(settings: Settings, command: str, *, demo: bool) -> None:
    """In production, refuse demo data at once, and check the running parts' accounts and key
    against the database before they serve anything."""
    if not settings.production:
        return
    from deploy.production import refuse_test_doors
    from models.db import make_engine, session_factory

    if command == "demo" or (command == "up" and demo):
        raise ProductionRefused("Demodata kan ikke indlæses i produktion (FORLOEB_ENV=production).")
    if command in ("worker", "api"):
        engine = make_engine(settings.effective_database_url)
        try:
            refuse_test_doors(settings, session_factory(engine))
        finally:
            engine.dispose()


async def run_worker(settings: Settings) -> None:
    from api.case_service import start_unstarted_workflows
    from deploy.connections import connect_temporal
    from deploy.digest_schedule import ensure_digest_schedule
    from deploy.worker import build_worker
    from models.db import make_engine, session_factory
    from notifications.email import SmtpEmail
    from notifications.sms import TwilioSms
    from notifications.voice import TwilioVoice

    client = await connect_temporal(settings, runtime=_worker_runtime(settings))
    # Every worker sets it up, so a changed digest hour takes effect when workers restart.
    await ensure_digest_schedule(client, settings.task_queue, settings.digest_hour)
    engine = make_engine(
        settings.effective_database_url,
        threads=settings.worker_threads,
        pool_overrides=settings.db_pool(),
    )
    # A case row whose API process died before it started the workflow gets it now.
    started = await start_unstarted_workflows(
        session_factory(engine), client, settings.task_queue, older_than=timedelta(minutes=1)
    )
    if started:
        logging.getLogger("forloeb.worker").info("started %d unstarted case workflows", started)
    # With no provider settings, citizens' messages stay in the local outbox.
    twilio, smtp = settings.twilio(), settings.smtp()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stop.set)
    with ThreadPoolExecutor(max_workers=settings.worker_threads) as executor:
        worker = build_worker(
            client,
            task_queue=settings.task_queue,
            open_session=session_factory(engine),
            executor=executor,
            public_url=settings.effective_public_url,
            sms=TwilioSms(twilio) if twilio else None,
            voice=TwilioVoice(twilio) if twilio else None,
            email=SmtpEmail(smtp) if smtp else None,
            rules=settings.course_rules,
            link_days=settings.citizen_link_days,
            threads=settings.worker_threads,
            cached_courses=settings.worker_cached_courses,
        )
        async with worker:
            logging.getLogger("forloeb.worker").info("worker ready on %s", settings.task_queue)
            await stop.wait()
    engine.dispose()


def _worker_runtime(settings: Settings) -> "Runtime | None":
    """With FORLOEB_WORKER_METRICS_PORT set, a runtime whose telemetry serves the Temporal
    SDK's own metrics (task slots, poll and schedule-to-start latencies, activity failures)
    to Prometheus; with JSON logs, one that hands the SDK core's warnings to our logging, so
    they are JSON lines too. Otherwise the SDK's default runtime."""
    json_logs = settings.log_format == "json"
    if settings.worker_metrics_port is None and not json_logs:
        return None
    from temporalio.runtime import (
        LogForwardingConfig,
        LoggingConfig,
        PrometheusConfig,
        Runtime,
        TelemetryConfig,
    )

    logs = LoggingConfig.default
    if json_logs:
        core = logging.getLogger("temporalio.core")
        logs = LoggingConfig(filter=logs.filter, forwarding=LogForwardingConfig(logger=core))
    metrics = None
    if settings.worker_metrics_port is not None:
        address = f"{settings.metrics_host}:{settings.worker_metrics_port}"
        metrics = PrometheusConfig(bind_address=address)
    try:
        return Runtime(telemetry=TelemetryConfig(logging=logs, metrics=metrics))
    except ValueError as error:
        # A port in use: the worker runs without its metrics, and Prometheus reports the
        # target down, rather than no worker at all.
        logging.getLogger("forloeb.worker").error("metrics not served: %s", error)
        return None


def set_deadlines(
    settings: Settings,
    department: str | None,
    acknowledge_days: float | None,
    escalation_days: float | None,
) -> None:
    """New tasks get the new deadlines; tasks already assigned keep theirs."""
    from models.db import make_engine, session_factory, transaction
    from models.department import DepartmentRow
    from models.task import TaskSla

    with transaction(session_factory(make_engine(settings.effective_database_url))) as session:
        rows = [session.get(DepartmentRow, department)] if department else None
        for row in rows or session.query(DepartmentRow).order_by(DepartmentRow.code).all():
            if row is None:
                sys.exit(f"{department} is not set up yet; run forloeb up or migrate first")
            if acknowledge_days is not None or escalation_days is not None:
                try:
                    sla = TaskSla(
                        acknowledge_days=_given(acknowledge_days, row.acknowledge_days),
                        escalation_interval_days=_given(
                            escalation_days, row.escalation_interval_days
                        ),
                    )
                except ValidationError as error:
                    sys.exit(f"Invalid deadline: {error.errors()[0]['msg']}")
                row.acknowledge_days = sla.acknowledge_days
                row.escalation_interval_days = sla.escalation_interval_days
            print(
                f"{row.code:<10} acknowledge within {row.acknowledge_days:g} working days, "
                f"escalate every {row.escalation_interval_days:g}"
            )


def verify_access_log(settings: Settings) -> int:
    """0 when every row of the access log is as it was written; 1, naming the first changed
    or missing row, when not."""
    from models.access_log import first_broken
    from models.db import make_engine, session_factory

    engine = make_engine(settings.effective_database_url)
    with session_factory(engine)() as session:
        broken = first_broken(session)
    engine.dispose()
    if broken is None:
        print("Adgangsloggen er hel: ingen række er ændret eller fjernet.")
        return 0
    where = "rækker i enden er fjernet" if broken == -1 else f"række {broken} er ændret"
    print(f"Adgangsloggen er brudt: {where}.", file=sys.stderr)
    return 1


def prune_access_log(settings: Settings) -> int:
    """Remove the access log's rows older than FORLOEB_ACCESS_LOG_RETENTION_DAYS."""
    from datetime import UTC, datetime

    from models.access_log import prune
    from models.db import make_engine, session_factory, transaction

    before = datetime.now(UTC) - timedelta(days=settings.access_log_retention_days)
    engine = make_engine(settings.effective_database_url)
    with transaction(session_factory(engine)) as session:
        removed = prune(session, before)
    engine.dispose()
    print(f"Fjernede {removed} rækker ældre end {before:%d.%m.%Y} fra adgangsloggen.")
    return 0


def import_courses(settings: Settings, path: Path, dry_run: bool, username: str | None) -> int:
    """0 when every line was imported (or, in a dry run, could be) or existed already; 1 when
    some line or the file has a problem, each printed with its line number."""
    try:
        data = path.read_bytes()
    except OSError:
        print(f"Filen {path} findes ikke eller kan ikke læses.", file=sys.stderr)
        return 1
    return _unless_unreachable(_import_courses(settings, data, dry_run, username))


async def _import_courses(
    settings: Settings, data: bytes, dry_run: bool, username: str | None
) -> int:
    from api.course_import import CONCURRENCY, check_file, import_file, importer
    from api.errors import ServiceError
    from deploy.connections import connect_temporal
    from models.db import make_engine, session_factory

    # The API's guard too: the import's database work belongs on the thread pool.
    engine = make_engine(settings.effective_database_url, threads=CONCURRENCY, off_event_loop=True)
    open_session = session_factory(engine)
    try:
        if dry_run:
            report = await check_file(open_session, data=data, rules=settings.course_rules)
        else:
            try:
                user = await asyncio.to_thread(importer, open_session, username)
            except ServiceError as error:
                print(error.message, file=sys.stderr)
                return 1
            client = await connect_temporal(settings)
            done = 0

            def progress(_: object) -> None:
                nonlocal done
                done += 1
                if done % 250 == 0:
                    print(f"… {done} linjer skrevet", file=sys.stderr, flush=True)

            report = await import_file(
                open_session, client, data=data, user=user, settings=settings, progress=progress
            )
    finally:
        engine.dispose()
    for problem in report.problems():
        print(problem)
    print(report.summary())
    return 0 if report.clean else 1


def _unless_unreachable(command: Coroutine[None, None, int]) -> int:
    """Run a maintenance command; a database or Temporal that cannot be reached is explained
    in one line, not a traceback."""
    from sqlalchemy.exc import DBAPIError

    try:
        return asyncio.run(command)
    except DBAPIError as error:
        print(f"Databasen svarer ikke ({error.orig}); er `forloeb migrate` kørt?", file=sys.stderr)
        return 1
    except RuntimeError as error:
        # The Temporal client's way of saying it found no server at the address.
        print(f"Sagsmotoren (Temporal) svarer ikke: {error}", file=sys.stderr)
        return 1


async def check_read_model(settings: Settings) -> int:
    """0 when the read model says what every open course's workflow says; 1, with each
    difference, when not."""
    from deploy.connections import connect_temporal
    from deploy.read_model_check import CONCURRENCY, check
    from models.db import make_engine, session_factory

    client = await connect_temporal(settings)
    engine = make_engine(settings.effective_database_url, threads=CONCURRENCY)
    try:
        report = await check(client, session_factory(engine))
    finally:
        engine.dispose()
    for difference in report.differences:
        print(difference)
    print(report.summary())
    return 1 if report.differences else 0


async def rebuild_read_model(settings: Settings, *, force: bool) -> int:
    """Project every course again from its history in Temporal; refused while the read model
    holds projected rows, unless forced."""
    import time

    from deploy.connections import connect_temporal
    from deploy.read_model_rebuild import RebuildReport, ReplayFailed, projected_rows, rebuild
    from models.db import make_engine, session_factory

    engine = make_engine(settings.effective_database_url)
    open_session = session_factory(engine)
    try:
        held = await asyncio.to_thread(projected_rows, open_session)
        if held and not force:
            print(
                f"Læsemodellen er ikke tom ({held} projicerede rækker). Kør med --force for at "
                "tømme den for forløbene i Temporal og bygge den op igen.",
                file=sys.stderr,
            )
            return 1
        client = await connect_temporal(settings)
        began = time.monotonic()

        def progress(report: RebuildReport, total: int) -> None:
            if report.courses % 100 == 0 or report.courses == total:
                print(f"… {report.courses} af {total} forløb", file=sys.stderr, flush=True)

        try:
            report = await rebuild(
                client, open_session, settings.course_rules, force=force, progress=progress
            )
        except ReplayFailed as failed:
            print(
                f"{failed} Genopbygningen er standset; kør den igen med --force.", file=sys.stderr
            )
            return 1
    finally:
        engine.dispose()
    print(
        f"{report.courses} forløb genopbygget ({report.runs} kørsler, "
        f"{report.projections} projektioner) på {time.monotonic() - began:.1f} s."
    )
    return 0


def _given(value: float | None, current: float) -> float:
    return current if value is None else value


def run_api(settings: Settings) -> None:
    import uvicorn

    from api.app import KEEP_ALIVE_SECONDS, create_app

    uvicorn.run(
        create_app(settings),
        host=settings.api_host,
        port=settings.api_port,
        log_level="info",
        proxy_headers=True,
        timeout_keep_alive=KEEP_ALIVE_SECONDS,
        # JSON lines: uvicorn's own loggers go through ours rather than its text formatters.
        log_config=None if settings.log_format == "json" else uvicorn.config.LOGGING_CONFIG,
    )
