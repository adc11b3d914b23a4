"""Prometheus metrics of the web app, served on a port of their own (FORLOEB_METRICS_PORT) so
that the public address never exposes them.

Labels carry no personal data and stay few: a request is labelled by its route's template
(/api/cases/{case_id}, never the id), an action by its name, a message by channel and
status. The read model's figures are counted when Prometheus scrapes, by a GROUP BY each, so
nothing is kept in step by hand and every API process reports the same.
"""

import logging
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from threading import Thread
from wsgiref.simple_server import WSGIServer

from prometheus_client import CollectorRegistry, Counter, Histogram, start_http_server
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.metrics_core import Metric
from prometheus_client.registry import Collector
from sqlalchemy import func
from sqlalchemy.exc import SQLAlchemyError
from sqlmodel import col, select
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from models.case import Case
from models.db import SessionFactory
from models.enums import Stage
from models.outbox import OutboxMessage

# Created unregistered and added to each app's registry: one process serves one app, and the
# tests' several apps in one process each scrape their own registry without clashing.
REQUEST_SECONDS = Histogram(
    "forloeb_http_request_duration_seconds",
    "Time to answer a request, by route template, method and status class.",
    ["route", "method", "status"],
    registry=None,
)
ACTIONS = Counter(
    "forloeb_actions",
    "Actions sent to a course's workflow, by action and outcome "
    "(done, refused, invalid, pending, unavailable, error; signalled: a citizen's or a "
    "provider's message sent as a signal after the update was not taken).",
    ["action", "outcome"],
    registry=None,
)

log = logging.getLogger("forloeb.metrics")
# Any other method a client makes up is one label, so no one can grow the series without end.
METHODS = frozenset({"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})


def count_action(action: str, outcome: str) -> None:
    ACTIONS.labels(action=action, outcome=outcome).inc()


class RequestMetrics:
    """Times every request; the route is read after routing, when the scope names it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        began = time.perf_counter()
        answered = ResponseStatus(send)
        try:
            await self.app(scope, receive, answered)
        finally:
            method = scope["method"] if scope["method"] in METHODS else "other"
            REQUEST_SECONDS.labels(
                route=route_template(scope), method=method, status=f"{answered.code // 100}xx"
            ).observe(time.perf_counter() - began)


class ResponseStatus:
    """Passes an app's answer on and keeps its status: 500 until it answers, as a request
    that fails before answering is answered with."""

    def __init__(self, send: Send) -> None:
        self.code = 500
        self._send = send

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self.code = message["status"]
        await self._send(message)


def route_template(scope: Scope) -> str:
    # An address no route matched is one label, whatever was asked for.
    route = scope.get("route")
    template = getattr(route, "path_format", None) or getattr(route, "path", None)
    return template if isinstance(template, str) and template else "unmatched"


class ReadModelCollector(Collector):
    """Open courses by stage, messages by channel and status, and courses whose workflow has
    not projected its referral yet, read from the database on each scrape."""

    def __init__(self, open_session: SessionFactory) -> None:
        self.open_session = open_session

    def collect(self) -> Iterator[Metric]:
        up = GaugeMetricFamily(
            "forloeb_read_model_up", "1 when the last scrape could read the read model."
        )
        try:
            stages, messages, unprojected = self._read()
        except SQLAlchemyError as error:
            # The type only: a database error's text may quote a row.
            log.warning("metrics could not read the database: %s", type(error).__name__)
            up.add_metric([], 0)
            yield up
            return
        up.add_metric([], 1)
        yield up
        courses = GaugeMetricFamily(
            "forloeb_open_courses", "Courses not closed, by stage.", labels=["stage"]
        )
        for stage in Stage:
            if stage != Stage.CLOSED:
                courses.add_metric([stage.value], stages.get(stage, 0))
        yield courses
        outbox = GaugeMetricFamily(
            "forloeb_messages",
            "Messages in the outbox, by channel and delivery status.",
            labels=["channel", "status"],
        )
        for (channel, status), count in sorted(messages.items()):
            outbox.add_metric([channel, status], count)
        yield outbox
        count, oldest = unprojected
        yield GaugeMetricFamily(
            "forloeb_unprojected_courses",
            "Case rows whose workflow has not yet projected the referral.",
            value=count,
        )
        age = (datetime.now(UTC) - oldest).total_seconds() if oldest is not None else 0.0
        yield GaugeMetricFamily(
            "forloeb_oldest_unprojected_course_seconds",
            "Age of the oldest case row whose workflow has not yet projected the referral.",
            value=max(age, 0.0),
        )

    def _read(
        self,
    ) -> tuple[dict[Stage, int], dict[tuple[str, str], int], tuple[int, datetime | None]]:
        with self.open_session() as session:
            stages = session.exec(
                select(Case.stage, func.count())
                .where(Case.stage != Stage.CLOSED)
                .group_by(Case.stage)
            ).all()
            messages = session.exec(
                select(OutboxMessage.channel, OutboxMessage.status, func.count()).group_by(
                    OutboxMessage.channel, OutboxMessage.status
                )
            ).all()
            count, oldest = session.exec(
                select(func.count(), func.min(Case.updated_at)).where(
                    col(Case.last_seq) == 0, Case.stage != Stage.CLOSED
                )
            ).one()
        return (
            {Stage(stage): n for stage, n in stages},
            {(channel, status): n for channel, status, n in messages},
            (count, oldest),
        )


def registry_for(open_session: SessionFactory) -> CollectorRegistry:
    registry = CollectorRegistry()
    registry.register(REQUEST_SECONDS)
    registry.register(ACTIONS)
    registry.register(ReadModelCollector(open_session))
    return registry


def serve_metrics(
    registry: CollectorRegistry, *, host: str, port: int
) -> tuple[WSGIServer, Thread] | None:
    """The metrics on their own port, in a thread of their own: a scrape's database reads
    never wait on, or hold up, the event loop. A port in use leaves the app serving without
    them: Prometheus then reports the target down, which is the alarm for it."""
    try:
        return start_http_server(port, addr=host, registry=registry)
    except OSError as error:
        log.error("metrics not served on %s:%d: %s", host, port, error.strerror or error)
        return None
