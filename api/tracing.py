"""A server span for every request, the root of the trace that the Temporal client's start or
update continues (deploy/connections.py). A new case's workflow and its activities join that
trace; an update's handler runs in its workflow's trace and links back to the request's.

Our own middleware rather than FastAPI's built-in telemetry or opentelemetry-instrumentation-
asgi: both record the raw path and the query string, where a case id, a search for a name or a
citizen's link token may be, and trust a traceparent header from anyone. Here a span holds the
method, the route's template and the status, the labels the metrics carry; a trace starts at
our edge. The middleware is installed only with FORLOEB_OTEL set."""

from opentelemetry import trace
from opentelemetry.trace import SpanKind, Status, StatusCode
from starlette.types import ASGIApp, Receive, Scope, Send

from api.metrics import METHODS, ResponseStatus, route_template


class RequestTracing:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        # A proxy until a provider is set, so the order of start-up does not matter.
        self.tracer = trace.get_tracer("forloeb.api")

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        method = scope["method"] if scope["method"] in METHODS else "other"
        # The route is known only after routing, so the span is renamed when the answer is.
        with self.tracer.start_as_current_span(
            method,
            kind=SpanKind.SERVER,
            attributes={"http.request.method": method},
            # An exception's message may quote what was asked for; the status says enough.
            record_exception=False,
            set_status_on_exception=False,
        ) as span:
            answered = ResponseStatus(send)
            try:
                await self.app(scope, receive, answered)
            finally:
                route = route_template(scope)
                span.update_name(f"{method} {route}")
                span.set_attribute("http.route", route)
                span.set_attribute("http.response.status_code", answered.code)
                if answered.code >= 500:
                    span.set_status(Status(StatusCode.ERROR))
