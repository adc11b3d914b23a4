"""A request id for every answer, so one request's log lines can be found together and a user's
report ("X-Request-Id: ...") leads to them. An id the reverse proxy already set is kept when it
has the form proxies give one (32 hex digits, as nginx's $request_id, or a UUID); anything else
is replaced, so a header cannot carry a CPR number or a name into the logs."""

import re
import uuid
from contextvars import ContextVar

from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = b"x-request-id"
_WELL_FORMED = re.compile(rb"[0-9a-fA-F]{32}|[0-9a-fA-F]{8}(-[0-9a-fA-F]{4}){3}-[0-9a-fA-F]{12}")

current_request_id: ContextVar[str | None] = ContextVar("current_request_id", default=None)


class RequestId:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        given = dict(scope["headers"]).get(HEADER, b"")
        request_id = given.decode() if _WELL_FORMED.fullmatch(given) else uuid.uuid4().hex
        token = current_request_id.set(request_id)

        async def with_id(message: Message) -> None:
            if message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (HEADER, request_id.encode())]
            await send(message)

        try:
            await self.app(scope, receive, with_id)
        finally:
            current_request_id.reset(token)
