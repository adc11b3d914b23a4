"""A caseworker's request traced into Temporal: a new case's workflow and projection in the
request's trace, an update's handler linked to it, and nothing of the citizen in any span.
The real API, worker and dev server, with spans kept in memory."""

import json
import logging
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import httpx
import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from opentelemetry.trace import ProxyTracerProvider, Status, StatusCode
from temporalio.testing import WorkflowEnvironment

from api.app import create_app
from api.tracing import RequestTracing
from deploy.connections import connect_temporal
from deploy.tracing import WithoutMessages
from deploy.worker import build_worker
from models.enums import Role
from tests.api.case_steps import act, eventually
from tests.api.conftest import serve, settings_for
from tests.deploy.test_observability import JsonLinesKept
from tests.factories import PASSWORD, make_staff, random_cpr


@pytest.fixture(scope="module")
def spans() -> Iterator[InMemorySpanExporter]:
    """Every span the process ends while the module runs. OpenTelemetry takes one global
    provider a process, so a provider already set is given the processor instead."""
    if isinstance(trace.get_tracer_provider(), ProxyTracerProvider):
        trace.set_tracer_provider(TracerProvider())
    provider = trace.get_tracer_provider()
    assert isinstance(provider, TracerProvider)
    exporter = InMemorySpanExporter()
    # As `forloeb api` and `forloeb worker` export them, but at once.
    provider.add_span_processor(SimpleSpanProcessor(WithoutMessages(exporter)))
    yield exporter
    # The provider keeps its processor; a shut exporter keeps nothing more.
    exporter.shutdown()


@pytest.fixture(scope="module")
async def traced(
    spans, dev_env: WorkflowEnvironment, database_url, open_session, executor, tmp_path_factory
) -> AsyncIterator[str]:
    settings = settings_for(
        tmp_path_factory.mktemp("traced"),
        DATABASE_URL=database_url,
        TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
        task_queue=f"traced-{uuid.uuid4()}",
        otel="console",
    )
    worker = build_worker(
        await connect_temporal(settings),
        task_queue=settings.task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    )
    # Uvicorn as `forloeb api` runs it with JSON logs, so its access line is one of ours.
    async with worker, serve(create_app(settings), log_level="info", log_config=None) as url:
        yield url


@pytest.fixture
def log_lines() -> Iterator[list[str]]:
    """Every line logged at INFO and up while the test runs, as JSON; uvicorn's loggers send
    theirs to the root, as with `forloeb api`'s JSON logs, whatever another test's uvicorn
    set them to."""
    root = logging.getLogger()
    handler, level = JsonLinesKept(), root.level
    root.addHandler(handler)
    root.setLevel(logging.INFO)
    uvicorn = [logging.getLogger(n) for n in ("uvicorn", "uvicorn.access", "uvicorn.error")]
    kept = [(each, each.propagate, each.level, each.disabled) for each in uvicorn]
    for each in uvicorn:
        each.propagate, each.disabled = True, False
        each.setLevel(logging.INFO)
    try:
        yield handler.lines
    finally:
        root.removeHandler(handler)
        root.setLevel(level)
        for each, propagate, was, disabled in kept:
            each.propagate, each.disabled = propagate, disabled
            each.setLevel(was)


def trace_of(span: ReadableSpan) -> str:
    assert span.context is not None
    return trace.format_trace_id(span.context.trace_id)


@dataclass
class Citizen:
    cpr: str
    name: str


@asynccontextmanager
async def signed_in(base_url: str, session) -> AsyncIterator[httpx.AsyncClient]:
    coordinator = make_staff(session, Role.COORDINATOR)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        answer = await client.post(
            "/api/session", json={"username": coordinator.username, "password": PASSWORD}
        )
        assert answer.status_code == 200, answer.text
        yield client


async def new_case(client: httpx.AsyncClient, citizen: Citizen) -> str:
    answer = await client.post("/api/citizens", json={"cpr": citizen.cpr, "name": citizen.name})
    assert answer.status_code == 201, answer.text
    case = await client.post(
        "/api/cases", json={"citizen_id": answer.json()["id"], "course_type": "ressourceforloeb"}
    )
    assert case.status_code == 201, case.text
    return str(case.json()["id"])


async def ended(spans: InMemorySpanExporter, name: str, trace_id: str) -> ReadableSpan:
    """The span of that name in that trace, once it has ended (activities end after the
    answer)."""

    async def there() -> bool:
        return any(s.name == name and trace_of(s) == trace_id for s in spans.get_finished_spans())

    await eventually(there)
    return next(s for s in spans.get_finished_spans() if s.name == name and trace_of(s) == trace_id)


def request_span(spans: InMemorySpanExporter, name: str) -> ReadableSpan:
    [span] = [s for s in spans.get_finished_spans() if s.name == name]
    return span


def assert_nothing_of(citizen: Citizen, spans: InMemorySpanExporter) -> None:
    held = [
        (s.name, str(value))
        for s in spans.get_finished_spans()
        for value in [*(s.attributes or {}).values(), s.name]
    ]
    assert held
    for secret in (citizen.cpr, f"{citizen.cpr[:6]}-{citizen.cpr[6:]}", *citizen.name.split()):
        for name, value in held:
            assert secret.lower() not in value.lower(), f"personal data in span {name}: {value}"


def access_line(lines: list[str], path_ending: str) -> dict[str, object]:
    [line] = [
        json.loads(line)
        for line in lines
        if '"uvicorn.access"' in line and f"{path_ending} HTTP/1.1" in line
    ]
    return dict(line)


def a_citizen() -> Citizen:
    return Citizen(cpr=random_cpr(), name=f"Tove Sporings{uuid.uuid4().hex[:6]}sen")


async def test_creating_a_case_is_one_trace_from_the_request_to_the_projection(
    traced, spans, session, log_lines
):
    citizen = a_citizen()
    spans.clear()
    async with signed_in(traced, session) as client:
        case_id = await new_case(client, citizen)

    request = request_span(spans, "POST /api/cases")
    assert dict(request.attributes or {}) == {
        "http.request.method": "POST",
        "http.route": "/api/cases",
        "http.response.status_code": 201,
    }
    trace_id = trace_of(request)
    start = await ended(spans, "StartWorkflow:ProgrammeWorkflow", trace_id)
    activity = await ended(spans, "RunActivity:project_programme", trace_id)
    assert start.parent is not None and start.parent.span_id == request.context.span_id
    assert str(dict(activity.attributes or {})["temporalWorkflowID"]).endswith(case_id)
    assert access_line(log_lines, "/api/cases")["trace_id"] == trace_id
    assert_nothing_of(citizen, spans)


async def test_an_action_traces_the_request_into_the_update_and_links_the_handler(
    traced, spans, session, log_lines
):
    citizen = a_citizen()
    spans.clear()
    async with signed_in(traced, session) as client:
        case_id = await new_case(client, citizen)
        case_trace = trace_of(request_span(spans, "POST /api/cases"))
        await act(client, case_id, "start-preparation")

    request = request_span(spans, "POST /api/cases/{case_id}/start-preparation")
    trace_id = trace_of(request)
    update = await ended(spans, "StartWorkflowUpdate:start_preparation", trace_id)
    # Temporal runs a handler in its workflow's trace, the one the case's creation began, and
    # links it to the update that asked; the projection it leads to follows in that trace.
    handler = await ended(spans, "HandleUpdate:start_preparation", case_trace)
    assert [link.context.span_id for link in handler.links] == [update.context.span_id]
    await ended(spans, "RunActivity:project_programme", case_trace)
    line = access_line(log_lines, f"/api/cases/{case_id}/start-preparation")
    assert line["trace_id"] == trace_id
    assert_nothing_of(citizen, spans)


async def test_with_tracing_off_neither_the_client_nor_the_app_traces(tmp_path, dev_env):
    settings = settings_for(
        tmp_path, TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host
    )
    assert settings.otel == "off"
    client = await connect_temporal(settings)
    assert client.config()["interceptors"] == []
    app = create_app(settings)
    installed: list[object] = [each.cls for each in app.user_middleware]
    assert RequestTracing not in installed


def test_a_log_line_outside_any_span_has_no_trace_id():
    handler = JsonLinesKept()
    handler.handle(logging.LogRecord("forloeb", logging.INFO, __file__, 1, "hej", None, None))
    assert "trace_id" not in json.loads(handler.lines[0])


def test_an_errors_message_never_leaves_the_process_only_its_type():
    exporter = InMemorySpanExporter()
    # A provider of its own: the global one is this module's, and can be set only once.
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(WithoutMessages(exporter)))
    number = "+4520123456"
    with provider.get_tracer("test").start_as_current_span("RunActivity:deliver") as span:
        span.set_status(Status(StatusCode.ERROR, f"ApplicationError: {number} is not valid"))
        span.record_exception(ValueError(f"{number} is not valid"))
    [exported] = exporter.get_finished_spans()
    assert exported.status.status_code == StatusCode.ERROR
    assert exported.status.description is None
    assert [dict(event.attributes or {}) for event in exported.events] == [
        {"exception.type": "ValueError"}
    ]
