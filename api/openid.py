"""The municipality's identity provider, spoken to with OpenID Connect through authlib: the
authorization code flow with PKCE (S256), `state` and `nonce`, and an ID token whose
signature (the provider's published keys), issuer, audience, expiry and nonce authlib checks.

What the flow must remember while the browser is away at the provider (state, nonce, the
PKCE verifier, where to go afterwards) waits in the session cookie the app already signs
(Starlette's SessionMiddleware, api/app.py): HttpOnly and SameSite=Lax, so it comes back with
the provider's redirect, a top-level GET. That binds the answer to the browser that asked,
with no table to clean up for values that live ten minutes. They are random and say nothing
about anyone, and the only browser that can read them is the one whose flow they are. One
flow per browser at a time: starting another replaces the first.

authlib reaches the provider with httpx, the project's HTTP client (it would prefer httpx2,
which the project does not install); the test with the provider down proves that the errors
caught here are the ones it raises.
"""

import logging
import secrets
import time
from dataclasses import dataclass
from typing import Any

import httpx
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.starlette_client import OAuth
from fastapi import Request
from joserfc.errors import JoseError

from api.errors import ServiceError
from models.settings import OpenIdSettings

log = logging.getLogger("forloeb.openid")

PENDING = "openid"
# Time enough to sign in at the provider; a flow begun earlier must start again.
PENDING_SECONDS = 10 * 60

START_AGAIN = "Login-forsøget er udløbet eller ugyldigt. Prøv igen."
NOT_CONFIRMED = "Kommunens login kunne ikke bekræfte, hvem du er. Prøv igen."
CANCELLED = "Du blev ikke logget ind: kommunens login afviste det, eller det blev afbrudt."
UNREACHABLE = "Kommunens login svarer ikke lige nu. Prøv igen om lidt."

# The provider down, or answering without what discovery promised (authlib raises
# RuntimeError for a missing endpoint or key set): not the person's fault, so 503.
PROVIDER_FAULTS = (httpx.HTTPError, RuntimeError)


class SignInRefused(ServiceError):
    """A sign-in that did not go through, said so the person knows what to do."""

    def __init__(self, message: str, status_code: int = 400) -> None:
        super().__init__(message)
        self.status_code = status_code


@dataclass(frozen=True)
class Identity:
    """Who the provider vouches for, as far as this service needs to know."""

    issuer: str
    subject: str
    name: str
    email: str | None
    username: str | None
    groups: list[str]


class OpenIdLogin:
    """The provider's client, made once per app; its discovery document and keys are fetched
    on first use and kept (a key it has not seen makes authlib fetch the keys again)."""

    def __init__(self, settings: OpenIdSettings) -> None:
        self.settings = settings
        self._client: Any = OAuth().register(
            name="kommune",
            client_id=settings.client_id,
            client_secret=settings.client_secret,
            server_metadata_url=settings.discovery_url,
            client_kwargs={
                "scope": settings.scopes,
                "code_challenge_method": "S256",
                "timeout": 10,
            },
        )

    async def start(self, request: Request, redirect_uri: str, next_page: str) -> str:
        """The provider's address to send the browser to; the flow waits in its cookie."""
        try:
            found = await self._client.create_authorization_url(redirect_uri)
        except (*PROVIDER_FAULTS, ValueError) as error:  # ValueError: no JSON where expected
            log.warning("identity provider unusable: %r", error)
            raise SignInRefused(UNREACHABLE, 503) from None
        request.session[PENDING] = {
            "state": found["state"],
            "nonce": found["nonce"],
            "verifier": found["code_verifier"],
            "redirect_uri": redirect_uri,
            "next": next_page,
            "until": time.time() + PENDING_SECONDS,
        }
        return str(found["url"])

    async def finish(self, request: Request) -> tuple[Identity, str]:
        """Who the provider sent back, and the page they were on their way to."""
        # Taken at once: a flow is finished at most once, whatever the outcome.
        pending = request.session.pop(PENDING, None)
        query = request.query_params
        if query.get("error"):
            log.info("identity provider refused: %s", query.get("error"))
            raise SignInRefused(CANCELLED, 403 if query["error"] == "access_denied" else 400)
        if (
            not isinstance(pending, dict)
            or pending.get("until", 0) < time.time()
            # As bytes: compare_digest refuses text that is not ASCII, and anyone can send it.
            or not secrets.compare_digest(
                str(pending.get("state")).encode(), query.get("state", "").encode()
            )
            or not query.get("code")
        ):
            raise SignInRefused(START_AGAIN)
        try:
            token = await self._client.fetch_access_token(
                code=query["code"],
                redirect_uri=pending["redirect_uri"],
                code_verifier=pending["verifier"],
            )
            claims = await self._client.parse_id_token(
                token, nonce=pending["nonce"], claims_options=self._expected(pending["nonce"])
            )
        except PROVIDER_FAULTS as error:
            log.warning("identity provider unusable: %r", error)
            raise SignInRefused(UNREACHABLE, 503) from None
        except (AuthlibBaseError, JoseError, ValueError) as error:
            # The code was refused (used before, expired, another's) or the ID token was not
            # the one we asked for: no one is signed in, and the log says why.
            log.warning("sign-in through the identity provider refused: %r", error)
            raise SignInRefused(NOT_CONFIRMED) from None
        if claims is None:  # a token answer without an ID token
            raise SignInRefused(NOT_CONFIRMED)
        return self._identity(claims), str(pending["next"])

    def _expected(self, nonce: str) -> dict[str, dict[str, Any]]:
        # authlib checks signature, expiry and nonce on its own, but the audience only when
        # asked: an ID token issued to another of the provider's clients is not ours.
        return {
            "iss": {"essential": True, "value": self.settings.issuer},
            "aud": {"essential": True, "value": self.settings.client_id},
            "sub": {"essential": True},
            "nonce": {"essential": True, "value": nonce},
        }

    def _identity(self, claims: dict[str, Any]) -> Identity:
        groups = claims.get(self.settings.groups_claim) or []
        if isinstance(groups, str):  # one group, as some providers send it
            groups = [groups]
        username = claims.get("preferred_username") or claims.get("email")
        name = claims.get("name") or " ".join(
            part for part in (claims.get("given_name"), claims.get("family_name")) if part
        )
        return Identity(
            issuer=str(claims["iss"]),
            subject=str(claims["sub"]),
            name=str(name or username or claims["sub"]),
            email=str(claims["email"]) if claims.get("email") else None,
            username=str(username) if username else None,
            groups=[str(group) for group in groups if isinstance(group, str)],
        )
