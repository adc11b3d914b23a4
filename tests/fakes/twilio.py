"""A small stand-in for Twilio's Messages API on loopback, for the real twilio SDK to talk to.

It checks Basic auth, records the form fields of every message, answers with the JSON Twilio
sends, and can be told to answer the next requests with an error (429, 500, or an error code)
or not in time (`HANG`).
"""

import base64
import contextlib
import json
import threading
import time
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlparse

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-auth-token"
SENDER = "+4570101010"
# A scripted failure that is no answer: Twilio takes the message (or call) but holds its reply
# for `hang_seconds`, longer than the SDK client's 10 s timeout, as an overloaded API does.
HANG = (0, 0)


@dataclass
class FakeTwilio:
    messages: list[dict[str, str]] = field(default_factory=list)
    calls: list[dict[str, str]] = field(default_factory=list)
    # (HTTP status, Twilio error code) to answer the next sends with, in order; or HANG.
    failures: list[tuple[int, int]] = field(default_factory=list)
    refused_auth: int = 0
    # Seconds to wait, after recording a message, before answering: a send "in flight".
    delay: float = 0
    hang_seconds: float = 12
    # Every send asked for (POST), answered or not.
    posts: int = 0
    base_url: str = ""
    _server: ThreadingHTTPServer | None = None

    def start(self) -> "FakeTwilio":
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def _authorised(self) -> bool:
                expected = base64.b64encode(f"{ACCOUNT_SID}:{AUTH_TOKEN}".encode()).decode()
                if self.headers.get("Authorization") != f"Basic {expected}":
                    fake.refused_auth += 1
                    self._json(401, {"code": 20003, "message": "Authenticate", "status": 401})
                    return False
                return True

            def _json(self, status: int, body: dict[str, Any]) -> None:
                raw = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                self.end_headers()
                self.wfile.write(raw)

            def do_POST(self) -> None:
                if not self._authorised():
                    return
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                fake.posts += 1
                wait = fake.delay
                if fake.failures:
                    status, code = fake.failures.pop(0)
                    if (status, code) != HANG:
                        self._json(status, {"code": code, "message": "fejl", "status": status})
                        return
                    wait = fake.hang_seconds
                if self.path.endswith("/Calls.json"):
                    call = {**form, "sid": "CA" + uuid.uuid4().hex, "status": "queued"}
                    fake.calls.append(call)
                    time.sleep(wait)
                    self._answer(201, _call(call))
                    return
                message = {
                    **form,
                    "sid": "SM" + uuid.uuid4().hex,
                    "status": "queued",
                    "date_created": datetime.now(UTC).strftime("%a, %d %b %Y %H:%M:%S +0000"),
                }
                fake.messages.append(message)
                time.sleep(wait)
                self._answer(201, _resource(message))

            def _answer(self, status: int, body: dict[str, Any]) -> None:
                # The client may have given up waiting (a hang) or been killed (a crash).
                with contextlib.suppress(BrokenPipeError, ConnectionResetError):
                    self._json(status, body)

            def do_GET(self) -> None:
                if not self._authorised():
                    return
                query = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                if urlparse(self.path).path.endswith("/Calls.json"):
                    calls = [_call(c) for c in fake.calls if c.get("To") == query.get("To")]
                    self._json(
                        200,
                        {
                            "calls": calls,
                            "next_page_uri": None,
                            "page": 0,
                            "page_size": 20,
                            "uri": urlparse(self.path).path,
                        },
                    )
                    return
                found = [_resource(m) for m in fake.messages if m.get("To") == query.get("To")]
                self._json(
                    200,
                    {
                        "messages": found,
                        "next_page_uri": None,
                        "page": 0,
                        "page_size": 50,
                        "uri": urlparse(self.path).path,
                    },
                )

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.base_url = f"http://127.0.0.1:{self._server.server_address[1]}"
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()


def _resource(message: dict[str, str]) -> dict[str, Any]:
    return {
        "sid": message["sid"],
        "account_sid": ACCOUNT_SID,
        "to": message.get("To"),
        "from": message.get("From"),
        "body": message.get("Body"),
        "status": message["status"],
        "date_created": message["date_created"],
        "date_sent": message["date_created"],
        "num_segments": "1",
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{message['sid']}.json",
    }


def _call(call: dict[str, str]) -> dict[str, Any]:
    return {
        "sid": call["sid"],
        "account_sid": ACCOUNT_SID,
        "to": call.get("To"),
        "from": call.get("From"),
        "status": call["status"],
        "direction": "outbound-api",
        "api_version": "2010-04-01",
        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Calls/{call['sid']}.json",
    }
