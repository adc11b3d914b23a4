"""Log lines for a log collector: one JSON object a line when FORLOEB_LOG_FORMAT=json, plain text
otherwise. Written with the standard library alone: the five fields need no more than
json.dumps, and a formatter of our own is one dependency fewer in every process.

A line holds what the code logged and nothing more: no request body, no header, no argument
it was not given. Our own log calls name cases by id, never a citizen by name, CPR number,
phone or address (tests/deploy/test_observability.py follows a journey to make sure)."""

import json
import logging
from datetime import UTC, datetime

from opentelemetry import trace

from api.request_id import current_request_id

TEXT_FORMAT = "%(asctime)s %(name)s %(message)s"


class RequestIdStamp(logging.Filter):
    """Notes the request's id, and with tracing on the trace's id, on each record as it is
    logged: handlers run in the logging call's own context, where both are still set; a
    formatter may run later."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = current_request_id.get()
        span = trace.get_current_span().get_span_context()
        # Hex as collectors show it, so a log line leads to its trace and back.
        record.trace_id = trace.format_trace_id(span.trace_id) if span.is_valid else None
        return True


class JsonLines(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        request_id = getattr(record, "request_id", None)
        if request_id is not None:
            line["request_id"] = request_id
        trace_id = getattr(record, "trace_id", None)
        if trace_id is not None:
            line["trace_id"] = trace_id
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            line["stack"] = self.formatStack(record.stack_info)
        return json.dumps(line, ensure_ascii=False, default=str)


def configure_logging(log_format: str) -> None:
    """Every command's logging, once at start: INFO and up to standard error."""
    handler = logging.StreamHandler()
    handler.addFilter(RequestIdStamp())
    handler.setFormatter(JsonLines() if log_format == "json" else logging.Formatter(TEXT_FORMAT))
    logging.basicConfig(level=logging.INFO, handlers=[handler], force=True)
    logging.getLogger("alembic").setLevel(logging.WARNING)
    # The Twilio SDK logs every request's query and headers at INFO, where a citizen's
    # number may be; its warnings and errors still come through.
    logging.getLogger("twilio").setLevel(logging.WARNING)
