"""What operators see: metrics on a port of their own, readiness that names what is down, and
log lines that never hold a citizen's name, CPR number, phone or e-mail address."""

import asyncio
import json
import logging
import random
import re
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import promql_parser
import pytest
import yaml  # type: ignore[import-untyped]
from fastapi import FastAPI
from prometheus_client.metrics_core import Metric
from prometheus_client.parser import text_string_to_metric_families
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.health import DATABASE_DOWN, TEMPORAL_DOWN
from deploy.cli import _worker_runtime
from deploy.connections import connect_temporal
from deploy.json_logs import JsonLines, RequestIdStamp
from deploy.worker import build_worker
from models.contact import normalise_phone
from models.danish_time import COPENHAGEN
from models.enums import Role
from models.settings import Settings, TwilioSettings
from notifications.sms import TwilioSms
from tests.api.case_steps import act, eventually, new_case, quiet_hours_elsewhere, sent_messages
from tests.api.conftest import free_port, serve, settings_for
from tests.factories import PASSWORD, make_staff, random_cpr
from tests.fakes.twilio import ACCOUNT_SID, AUTH_TOKEN, SENDER, FakeTwilio
from tests.workflows.programme_helpers import start_programme

UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def serve_as_in_production(app: FastAPI) -> AbstractAsyncContextManager[str]:
    """Uvicorn as `forloeb api` runs it with JSON logs: its access and error lines go through
    the root logger, where the test reads them."""
    return serve(app, log_level="info", log_config=None)


@dataclass
class Observed:
    base_url: str
    metrics_url: str
    settings: Settings


@pytest.fixture(scope="module")
async def observed(
    dev_env: WorkflowEnvironment, database_url, open_session, executor, tmp_path_factory
) -> AsyncIterator[Observed]:
    metrics_port = free_port()
    settings = settings_for(
        tmp_path_factory.mktemp("observed"),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        task_queue=f"observed-{uuid.uuid4()}",
        metrics_port=metrics_port,
    )
    # SMS through the real twilio SDK to a fake Twilio, so its logging is scanned too.
    twilio = FakeTwilio().start()
    sms = TwilioSms(
        TwilioSettings(
            account_sid=ACCOUNT_SID,
            auth_token=AUTH_TOKEN,
            sender=SENDER,
            public_url="http://forloeb.test",
            api_url=twilio.base_url,
        )
    )
    worker = build_worker(
        await connect_temporal(settings),
        task_queue=settings.task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
        sms=sms,
    )
    try:
        async with worker, serve_as_in_production(create_app(settings)) as base_url:
            yield Observed(base_url, f"http://127.0.0.1:{metrics_port}/metrics", settings)
    finally:
        twilio.stop()


@asynccontextmanager
async def signed_in(observed: Observed, session) -> AsyncIterator[httpx.AsyncClient]:
    coordinator = make_staff(session, Role.COORDINATOR)
    async with httpx.AsyncClient(base_url=observed.base_url, timeout=30) as client:
        answer = await client.post(
            "/api/session", json={"username": coordinator.username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        yield client


def in_days(days: int) -> str:
    today = datetime.now(COPENHAGEN).date()
    return (
        datetime(today.year, today.month, today.day, 13, tzinfo=COPENHAGEN) + timedelta(days=days)
    ).isoformat()


class JsonLinesKept(logging.Handler):
    """The handler `forloeb api` and `forloeb worker` log through, keeping its lines."""

    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.addFilter(RequestIdStamp())
        self.setFormatter(JsonLines())
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line logged while the test runs, at every level, as JSON."""
    root = logging.getLogger()
    handler, level = JsonLinesKept(), root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    # Another test's uvicorn may have given its loggers handlers of their own that stop lines
    # short of the root; `forloeb api` with JSON logs does not, so neither does this test.
    uvicorn_loggers = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.access", "uvicorn.error")]
    kept = [(each, each.propagate, each.level) for each in uvicorn_loggers]
    for each in uvicorn_loggers:
        each.propagate = True
        each.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for each, propagate, was in kept:
            each.propagate = propagate
            each.setLevel(was)


def _mobile_number() -> str:
    """A Danish mobile number unlike any other in the logs; not every eight digits from 2 are
    one in the numbering plan."""
    while True:
        digits = f"2{random.randrange(0, 10**7):07d}"
        try:
            normalise_phone(digits)
        except ValueError:
            continue
        return digits


async def test_a_journey_leaves_no_personal_data_in_any_log_line(observed, session, log_lines):
    cpr = random_cpr()
    name = f"Ingeborg Observa{uuid.uuid4().hex[:6]}sen"
    local_number = _mobile_number()
    email = f"borger.{uuid.uuid4().hex[:8]}@eksempel.dk"

    async with signed_in(observed, session) as client:
        citizen = await client.post("/api/citizens", json={"cpr": cpr, "name": name})
        assert citizen.status_code == 201, citizen.text
        again = await client.post("/api/citizens", json={"cpr": cpr, "name": name})
        assert again.status_code == 409
        case = await client.post("/api/cases", json={"citizen_id": citizen.json()["id"]})
        assert case.status_code == 201, case.text
        case_id = case.json()["id"]
        await act(
            client,
            case_id,
            "set-contact",
            channels=["sms", "email"],
            phone=f"{local_number[:2]} {local_number[2:4]} {local_number[4:6]} {local_number[6:]}",
            email=email,
            **quiet_hours_elsewhere(),
        )
        place: dict[str, Any] = {"place": "Jobcenteret, stuen", "purpose": "Første samtale"}
        await act(client, case_id, "book-meeting", starts_at=in_days(2), **place)
        await act(client, case_id, "book-meeting", 422, starts_at=in_days(-1), **place)
        [message] = await sent_messages(session, case_id, 1)

        async def handed_to_twilio() -> bool:
            session.refresh(message)
            return message.provider_id is not None

        await eventually(handed_to_twilio)
        for page in (f"/api/cases/{case_id}", "/api/cases", f"/cases/{case_id}", "/cases"):
            answer = await client.get(page)
            assert answer.status_code == 200, page

    lines = list(log_lines)
    assert lines, "the journey logged nothing at all, so the scan proves nothing"
    secrets = [
        cpr,
        f"{cpr[:6]}-{cpr[6:]}",
        name,
        *name.split(),
        local_number,
        f"+45{local_number}",
        email,
        email.split("@")[0],
    ]
    for line in lines:
        for secret in secrets:
            assert secret.lower() not in line.lower(), f"personal data in a log line: {line}"
    api_lines = [json.loads(line) for line in lines if "request_id" in line]
    assert api_lines, "no line carried a request id"
    assert {"time", "level", "logger", "message"} <= set(api_lines[0])


def scrape(text: str) -> dict[str, list[tuple[dict[str, str], float]]]:
    """Samples by sample name (a counter's forloeb_actions_total, a histogram's _count)."""
    samples: dict[str, list[tuple[dict[str, str], float]]] = {}
    for family in families(text):
        for sample in family.samples:
            samples.setdefault(sample.name, []).append((sample.labels, sample.value))
    return samples


def families(text: str) -> list[Metric]:
    return list(text_string_to_metric_families(text))


async def test_metrics_count_requests_by_route_actions_by_outcome_and_courses_by_stage(
    observed, session
):
    async with signed_in(observed, session) as client:
        case = await new_case(client, course_type="ressourceforloeb")
        await act(client, case["id"], "start-preparation")
        await act(client, case["id"], "start-preparation", expect=409)
        await client.get(f"/api/cases/{case['id']}")
        await client.get("/ingen/side/her")
        answer = await client.get(observed.metrics_url)
    assert answer.status_code == 200
    metrics = scrape(answer.text)
    assert not UUID.search(answer.text), "an id in a metric's labels"

    requests = metrics["forloeb_http_request_duration_seconds_count"]
    routes = {(labels["route"], labels["method"], labels["status"]) for labels, _ in requests}
    assert ("/api/cases/{case_id}", "GET", "2xx") in routes
    assert ("/api/cases", "POST", "2xx") in routes
    assert ("unmatched", "GET", "4xx") in routes

    actions = {
        (labels["action"], labels["outcome"]): value
        for labels, value in metrics["forloeb_actions_total"]
    }
    assert actions[("start_preparation", "done")] >= 1, actions
    assert actions[("start_preparation", "refused")] >= 1, actions

    stages = {labels["stage"]: value for labels, value in metrics["forloeb_open_courses"]}
    assert stages["preparation"] >= 1 and "closed" not in stages
    assert metrics["forloeb_read_model_up"] == [({}, 1.0)]
    assert "forloeb_messages" in metrics and "forloeb_unprojected_courses" in metrics


async def test_ready_when_the_database_and_temporal_answer(observed):
    async with httpx.AsyncClient(base_url=observed.base_url) as client:
        ready = await client.get("/readyz")
        alive = await client.get("/healthz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "temporal": "ok"}
    assert alive.status_code == 200
    assert ready.headers["x-request-id"]


async def test_not_ready_says_in_danish_that_the_database_is_down(observed, tmp_path):
    settings = settings_for(
        tmp_path,
        DATABASE_URL=f"sqlite:///{tmp_path}/mangler/forloeb.db",
        TEMPORAL_ADDRESS=observed.settings.effective_temporal_address,
    )
    async with serve_as_in_production(create_app(settings)) as base_url:
        answer = await httpx.AsyncClient(base_url=base_url).get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"database": DATABASE_DOWN, "temporal": "ok"}


async def test_not_ready_says_in_danish_that_temporal_is_down(database_url, tmp_path):
    settings = settings_for(
        tmp_path, DATABASE_URL=database_url, TEMPORAL_ADDRESS=f"127.0.0.1:{free_port()}"
    )
    async with serve_as_in_production(create_app(settings)) as base_url:
        answer = await httpx.AsyncClient(base_url=base_url, timeout=30).get("/readyz")
    assert answer.status_code == 503
    assert answer.json() == {"database": "ok", "temporal": TEMPORAL_DOWN}


async def test_the_worker_serves_the_temporal_sdks_metrics_and_the_projection_lag(
    dev_env: WorkflowEnvironment, open_session, executor, session, tmp_path
):
    served = await worker_metrics(dev_env, open_session, executor, session, tmp_path)
    assert "temporal_worker" in served
    # The referral's projection was timed.
    assert PROJECTION_LAGS.search(served), served


async def test_every_metric_an_alert_reads_is_served(
    observed, dev_env: WorkflowEnvironment, open_session, executor, session, tmp_path
):
    async with signed_in(observed, session) as client:
        case = await new_case(client, course_type="ressourceforloeb")
        await act(client, case["id"], "start-preparation")
        api = (await client.get(observed.metrics_url)).text
    worker = await worker_metrics(dev_env, open_session, executor, session, tmp_path)
    # A gauge is declared before it has a sample (no message sent yet); up is Prometheus's own.
    declared = {family.name for text in (api, worker) for family in families(text)}
    served = set(scrape(api)) | set(scrape(worker)) | declared | {"up"}
    rules = [
        rule for group in yaml.safe_load(ALERTS.read_text())["groups"] for rule in group["rules"]
    ]
    assert rules
    for rule in rules:
        promql_parser.parse(rule["expr"])  # raises on a malformed expression
        named = metrics_read_by(rule["expr"])
        assert named and named <= served, (rule["alert"], named - served)
        assert rule["labels"]["severity"] in ("page", "ticket")
        assert rule["annotations"]["summary"] and rule["annotations"]["runbook"]


ALERTS = Path(__file__).parents[2] / "deploy" / "prometheus" / "alerts.yaml"
METRIC_NAME = re.compile(r"[a-z_][a-z0-9_]*")
PROJECTION_LAGS = re.compile(r"^forloeb_projection_lag_count\{[^}]*\} ([1-9]\d*)$", re.MULTILINE)


def metrics_read_by(expr: str) -> set[str]:
    """The metrics an expression reads: ours, the Temporal SDK's, and Prometheus's `up`; not
    PromQL's functions, keywords or label names."""
    names = {n for n in METRIC_NAME.findall(expr) if n.startswith(("forloeb_", "temporal_"))}
    return names | ({"up"} if re.match(r"\s*up\b", expr) else set())


async def worker_metrics(
    dev_env: WorkflowEnvironment, open_session, executor, session, tmp_path
) -> str:
    """What a worker with its metrics port serves once it has run a course's first steps."""
    port = free_port()
    settings = settings_for(
        tmp_path,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        worker_metrics_port=port,
    )
    client = await connect_temporal(settings, runtime=_worker_runtime(settings))
    task_queue = f"metrics-{uuid.uuid4()}"
    worker = build_worker(
        client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    )
    async with worker, httpx.AsyncClient() as http:
        await start_programme(client, task_queue, session)
        for _ in range(100):
            answer = await http.get(f"http://127.0.0.1:{port}/metrics")
            if "temporal_worker" in answer.text and PROJECTION_LAGS.search(answer.text):
                break
            await asyncio.sleep(0.1)
    return answer.text


async def test_a_metrics_port_in_use_leaves_the_app_serving(observed, database_url, tmp_path):
    taken = int(observed.metrics_url.split(":")[2].split("/")[0])
    settings = settings_for(
        tmp_path,
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=observed.settings.effective_temporal_address,
        metrics_port=taken,
    )
    async with serve_as_in_production(create_app(settings)) as base_url:
        answer = await httpx.AsyncClient(base_url=base_url).get("/readyz")
    assert answer.status_code == 200


async def test_a_proxys_request_id_is_kept_and_anything_else_replaced(observed):
    proxy_id = uuid.uuid4().hex
    cpr = random_cpr()
    async with httpx.AsyncClient(base_url=observed.base_url) as client:
        kept = await client.get("/healthz", headers={"X-Request-Id": proxy_id})
        replaced = await client.get("/healthz", headers={"X-Request-Id": cpr})
    assert kept.headers["x-request-id"] == proxy_id
    assert replaced.headers["x-request-id"] != cpr
    assert re.fullmatch(r"[0-9a-f]{32}", replaced.headers["x-request-id"])
