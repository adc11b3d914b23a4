"""A small OpenID provider on loopback, standing in for the municipality's login.

A real HTTP server (Starlette under uvicorn, on its own thread) with discovery, published
keys, an authorization endpoint that approves the test's chosen user at once, and a token
endpoint that checks what a real provider checks: the client's secret, the redirect address,
each code used once, and the PKCE verifier against the challenge. Its ID tokens are RS256,
signed with joserfc (the JOSE library authlib itself verifies with) and a key made at start.
A test can make the next answers wrong: a refusal, changed claims, a forged signature.
"""

import base64
import hashlib
import secrets
import socket
import threading
import time
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote_plus, urlencode

import uvicorn
from joserfc import jwt
from joserfc.jwk import KeySet, RSAKey
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, RedirectResponse, Response
from starlette.routing import Route

CLIENT_ID = "forloeb-test"
CLIENT_SECRET = "test-client-secret"
KEY_ID = "forloeb-test-key"


@dataclass
class ProviderUser:
    """The person the provider says is signing in."""

    sub: str
    name: str
    email: str | None = None
    username: str | None = None
    groups: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class _Grant:
    redirect_uri: str
    code_challenge: str
    nonce: str
    user: ProviderUser
    until: float


@dataclass
class FakeOpenIdProvider:
    user: ProviderUser = field(default_factory=lambda: ProviderUser("nobody", "Ingen"))
    # Answer the next authorization with error=access_denied, as when the person cancels.
    deny: bool = False
    # Claims to change in the ID tokens; None removes one.
    token_changes: dict[str, Any] = field(default_factory=dict)
    # Sign with a key under the published key's id that is not the published key.
    forge_signature: bool = False
    redirect_uris: set[str] = field(default_factory=set)
    # Why the token endpoint said no, in order.
    refusals: list[str] = field(default_factory=list)
    codes_redeemed: int = 0
    issuer: str = ""
    _grants: dict[str, _Grant] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _key: RSAKey = field(default_factory=lambda: _new_key())
    _forger: RSAKey = field(default_factory=lambda: _new_key())
    _server: uvicorn.Server | None = None
    _thread: threading.Thread | None = None

    def reset(self, user: ProviderUser) -> None:
        """Approve this user next, with nothing made wrong."""
        self.user = user
        self.deny = False
        self.token_changes = {}
        self.forge_signature = False

    def start(self) -> "FakeOpenIdProvider":
        listening = socket.socket()
        listening.bind(("127.0.0.1", 0))
        self.issuer = f"http://127.0.0.1:{listening.getsockname()[1]}"
        self._server = uvicorn.Server(
            uvicorn.Config(self._app(), log_level="warning", lifespan="off")
        )
        self._thread = threading.Thread(
            target=self._server.run, kwargs={"sockets": [listening]}, daemon=True
        )
        self._thread.start()
        deadline = time.monotonic() + 10
        while not self._server.started:
            if time.monotonic() > deadline or not self._thread.is_alive():
                raise RuntimeError("the fake OpenID provider did not start")
            time.sleep(0.01)
        return self

    def stop(self) -> None:
        if self._server is not None and self._thread is not None:
            self._server.should_exit = True
            self._thread.join(timeout=10)

    def _app(self) -> Starlette:
        return Starlette(
            routes=[
                Route("/.well-known/openid-configuration", self._discovery),
                Route("/jwks", self._jwks),
                Route("/authorize", self._authorize),
                Route("/token", self._token, methods=["POST"]),
            ]
        )

    async def _discovery(self, request: Request) -> Response:
        return JSONResponse(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "jwks_uri": f"{self.issuer}/jwks",
                "response_types_supported": ["code"],
                "subject_types_supported": ["public"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "code_challenge_methods_supported": ["S256"],
                "token_endpoint_auth_methods_supported": [
                    "client_secret_basic",
                    "client_secret_post",
                ],
            }
        )

    async def _jwks(self, request: Request) -> Response:
        return JSONResponse(KeySet([self._key]).as_dict(private=False))

    async def _authorize(self, request: Request) -> Response:
        query = request.query_params
        redirect_uri = query.get("redirect_uri", "")
        # An unknown client or address gets no redirect: that is how codes would be stolen.
        if query.get("client_id") != CLIENT_ID or redirect_uri not in self.redirect_uris:
            return PlainTextResponse("unknown client or redirect_uri", status_code=400)

        def back(**params: str) -> Response:
            params["state"] = query.get("state", "")
            return RedirectResponse(f"{redirect_uri}?{urlencode(params)}", status_code=302)

        complete = (
            query.get("response_type") == "code"
            and "openid" in query.get("scope", "").split()
            and query.get("code_challenge_method") == "S256"
            and query.get("code_challenge")
            and query.get("nonce")
            and query.get("state")
        )
        if not complete:
            return back(error="invalid_request")
        if self.deny:
            return back(error="access_denied")
        code = secrets.token_urlsafe(24)
        with self._lock:
            self._grants[code] = _Grant(
                redirect_uri=redirect_uri,
                code_challenge=query["code_challenge"],
                nonce=query["nonce"],
                user=self.user,
                until=time.time() + 60,
            )
        return back(code=code)

    async def _token(self, request: Request) -> Response:
        form = {key: str(value) for key, value in (await request.form()).items()}
        if _client_of(request, form) != (CLIENT_ID, CLIENT_SECRET):
            return self._refuse("client", "invalid_client", 401)
        if form.get("grant_type") != "authorization_code":
            return self._refuse("grant type", "unsupported_grant_type")
        with self._lock:
            grant = self._grants.pop(form.get("code", ""), None)  # a code works once
        if grant is None or grant.until < time.time():
            return self._refuse("code used or unknown", "invalid_grant")
        if grant.redirect_uri != form.get("redirect_uri"):
            return self._refuse("redirect_uri", "invalid_grant")
        verifier = form.get("code_verifier", "")
        challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest())
        if not verifier or challenge.decode().rstrip("=") != grant.code_challenge:
            return self._refuse("pkce", "invalid_grant")
        self.codes_redeemed += 1
        return JSONResponse(
            {
                "access_token": secrets.token_urlsafe(24),
                "token_type": "Bearer",
                "expires_in": 300,
                "id_token": self._id_token(grant),
            },
            headers={"Cache-Control": "no-store"},
        )

    def _refuse(self, why: str, error: str, status: int = 400) -> Response:
        self.refusals.append(why)
        return JSONResponse({"error": error}, status_code=status)

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        user = grant.user
        claims: dict[str, Any] = {
            "iss": self.issuer,
            "sub": user.sub,
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant.nonce,
            "name": user.name,
            "email": user.email,
            "preferred_username": user.username,
            "groups": user.groups,
        }
        claims.update(self.token_changes)
        claims = {key: value for key, value in claims.items() if value is not None}
        key = self._forger if self.forge_signature else self._key
        return jwt.encode({"alg": "RS256", "kid": KEY_ID}, claims, key)


def _new_key() -> RSAKey:
    return RSAKey.generate_key(2048, parameters={"kid": KEY_ID, "use": "sig", "alg": "RS256"})


def _client_of(request: Request, form: dict[str, str]) -> tuple[str, str]:
    """client_secret_basic (form-encoded id and secret in Basic auth) or client_secret_post."""
    header = request.headers.get("authorization", "")
    if header.lower().startswith("basic "):
        decoded = base64.b64decode(header[6:]).decode()
        client_id, _, secret = decoded.partition(":")
        return unquote_plus(client_id), unquote_plus(secret)
    return form.get("client_id", ""), form.get("client_secret", "")
