"""A change may only come from the service's own pages: a strict same-origin check.

Every browser request that would change something (POST, PUT, PATCH, DELETE) says where it
comes from (Sec-Fetch-Site, or at least Origin). One from another site is refused with 403
before any route sees it, so a page elsewhere cannot make a signed-in caseworker's browser
act on a case. Requests without those headers come from no browser (scripts, the API's
clients) and carry no one's cookie by accident. Twilio's webhooks are signed instead.
"""

import json
from urllib.parse import urlsplit

from starlette.types import ASGIApp, Receive, Scope, Send

UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}
SIGNED_INSTEAD = "/webhooks/"
REFUSAL = "Forespørgslen kom fra en anden side og er afvist. Brug tjenestens egne sider."


class SameOrigin:
    def __init__(self, app: ASGIApp, public_url: str) -> None:
        self.app = app
        self.public_origin = _origin_of(public_url)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "http" and not self._allowed(scope):
            body = json.dumps({"detail": REFUSAL}).encode()
            await send(
                {
                    "type": "http.response.start",
                    "status": 403,
                    "headers": [(b"content-type", b"application/json")],
                }
            )
            await send({"type": "http.response.body", "body": body})
            return
        await self.app(scope, receive, send)

    def _allowed(self, scope: Scope) -> bool:
        if scope["method"] not in UNSAFE or scope["path"].startswith(SIGNED_INSTEAD):
            return True
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        site = headers.get("sec-fetch-site")
        if site is not None:
            return site in ("same-origin", "none")
        origin = headers.get("origin")
        if origin is None:
            return True
        own = f"{scope.get('scheme', 'http')}://{headers.get('host', '')}"
        return origin in (own, self.public_origin)


def _origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"
