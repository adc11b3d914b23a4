"""Tracing for `forloeb api` and `forloeb worker`: with FORLOEB_OTEL set, a tracer provider
whose spans go to standard output or to an OpenTelemetry collector; off, none, and the
OpenTelemetry API's no-op tracer makes the request middleware and Temporal's interceptor
record nothing.

The OpenTelemetry SDK because it is the one implementation of the API that Temporal's
TracingInterceptor and every collector speak; the OTLP exporter is an optional extra
(`pip install forloeb[otlp]`), so a municipality that traces nothing installs none of its
protobuf and HTTP dependencies."""

from collections.abc import Sequence

from opentelemetry import trace
from opentelemetry.sdk.resources import SERVICE_NAME, Resource
from opentelemetry.sdk.trace import Event, ReadableSpan, TracerProvider
from opentelemetry.sdk.trace.export import (
    BatchSpanProcessor,
    ConsoleSpanExporter,
    SpanExporter,
    SpanExportResult,
)
from opentelemetry.trace import Status

from models.settings import Settings


class OtlpMissing(RuntimeError):
    """FORLOEB_OTEL=otlp without the exporter installed."""


def configure_tracing(settings: Settings, service: str) -> None:
    """Set the process's tracer provider once at start, before any span is made."""
    if settings.otel == "off":
        return
    # Batched: a span is handed to the exporter off the request's path.
    provider = TracerProvider(resource=Resource.create({SERVICE_NAME: service}))
    provider.add_span_processor(BatchSpanProcessor(WithoutMessages(_exporter(settings.otel))))
    trace.set_tracer_provider(provider)


class WithoutMessages(SpanExporter):
    """Hands spans on without errors' messages and stack traces: Temporal's interceptor puts
    an error's message in a span's status and events, and an error from Twilio or the SMTP
    relay may quote a citizen's number or address. The error's type and the span's status
    code stay, which is what finding the failing step needs."""

    def __init__(self, exporter: SpanExporter) -> None:
        self.exporter = exporter

    def export(self, spans: Sequence[ReadableSpan]) -> SpanExportResult:
        return self.exporter.export([_without_messages(span) for span in spans])

    def shutdown(self) -> None:
        self.exporter.shutdown()

    def force_flush(self, timeout_millis: int = 30000) -> bool:
        return self.exporter.force_flush(timeout_millis)


def _without_messages(span: ReadableSpan) -> ReadableSpan:
    events = [
        Event(
            event.name,
            {
                key: value
                for key, value in (event.attributes or {}).items()
                if key == "exception.type"
            },
            event.timestamp,
        )
        for event in span.events
    ]
    return ReadableSpan(
        name=span.name,
        context=span.context,
        parent=span.parent,
        resource=span.resource,
        attributes=span.attributes,
        events=events,
        links=span.links,
        kind=span.kind,
        status=Status(span.status.status_code),
        start_time=span.start_time,
        end_time=span.end_time,
        instrumentation_scope=span.instrumentation_scope,
    )


def _exporter(kind: str) -> SpanExporter:
    if kind == "console":
        return ConsoleSpanExporter()
    try:
        from opentelemetry.exporter.otlp.proto.http.trace_exporter import (  # type: ignore[import-not-found,unused-ignore]
            OTLPSpanExporter,
        )
    except ImportError:
        raise OtlpMissing(
            "FORLOEB_OTEL=otlp kræver OTLP-eksportøren: pip install 'forloeb[otlp]'."
        ) from None
    # The collector's address and headers come from OTEL_EXPORTER_OTLP_* as the SDK reads them.
    exporter: SpanExporter = OTLPSpanExporter()
    return exporter
