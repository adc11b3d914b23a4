"""Every refusal becomes a clear HTTP answer in Danish; nothing a user sends causes a 500."""

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from sqlalchemy.exc import DBAPIError
from temporalio.service import RPCError

from api.templating import templates


class ServiceError(Exception):
    """A refusal with an HTTP status and a message a caseworker understands."""

    status_code = 400

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class NotFound(ServiceError):
    status_code = 404


class Conflict(ServiceError):
    status_code = 409


class Invalid(ServiceError):
    status_code = 422


class Forbidden(ServiceError):
    status_code = 403


class Unavailable(ServiceError):
    status_code = 503


class NotLoggedIn(Exception):
    """Pages redirect to the login page; the JSON API answers 401."""


class CitizenSignedOut(Exception):
    """A citizen's page without a session: the sign-in page says how to get in."""


# Pydantic's own checks, said in Danish; our validators already speak Danish (value_error).
DANISH = {
    "missing": "Skal udfyldes.",
    "timezone_aware": "Tidspunktet skal have en tidszone, fx 2026-12-03T10:00:00+01:00.",
    "datetime_parsing": "Tidspunktet kan ikke læses; skriv fx 2026-12-03T10:00:00+01:00.",
    "datetime_from_date_parsing": "Tidspunktet kan ikke læses; skriv fx 2026-12-03T10:00:00+01:00.",
    "date_parsing": "Datoen kan ikke læses; skriv den som ÅÅÅÅ-MM-DD.",
    "date_from_datetime_parsing": "Datoen kan ikke læses; skriv den som ÅÅÅÅ-MM-DD.",
    "time_parsing": "Klokkeslættet kan ikke læses; skriv det som TT:MM.",
    "int_parsing": "Skal være et helt tal.",
    "float_parsing": "Skal være et tal.",
    "bool_parsing": "Skal være ja eller nej.",
    "uuid_parsing": "Ugyldigt id.",
    "enum": "Ugyldigt valg.",
    "string_type": "Skal være tekst.",
    "model_attributes_type": "Forkert opbygning af data.",
    "json_invalid": "Forespørgslen er ikke gyldig JSON.",
}
_LIMITS = {
    "string_too_short": "Skal være mindst {min_length} tegn.",
    "string_too_long": "Må højst være {max_length} tegn.",
    "too_long": "Højst {max_length}.",
    "too_short": "Mindst {min_length}.",
    "greater_than_equal": "Skal være mindst {ge}.",
    "greater_than": "Skal være over {gt}.",
    "less_than_equal": "Må højst være {le}.",
    "less_than": "Skal være under {lt}.",
}


def field_errors(errors: Any) -> list[dict[str, str]]:
    """Pydantic's errors as (field, message) pairs, in Danish."""
    result = []
    for error in errors:
        location = [
            str(part) for part in error.get("loc", ()) if part not in ("body", "query", "path")
        ]
        kind = str(error.get("type", ""))
        message = str(error.get("msg", "Ugyldig værdi"))
        if kind in DANISH:
            message = DANISH[kind]
        elif kind in _LIMITS:
            message = _LIMITS[kind].format(**error.get("ctx", {}))
        for prefix in ("Value error, ", "Assertion failed, "):
            message = message.removeprefix(prefix)
        result.append({"field": ".".join(location) or "forespørgsel", "message": message})
    return result


def _is_api(request: Request) -> bool:
    return request.url.path.startswith("/api/")


UNEXPECTED = "Der opstod en uventet fejl. Den er logget; prøv igen om lidt."
# What a refused page is called, by status; the message under it says why.
HEADINGS = {
    400: "Det kunne ikke lade sig gøre",
    403: "Du har ikke adgang",
    404: "Siden findes ikke",
    409: "Det kunne ikke lade sig gøre",
    422: "Det kunne ikke læses",
    429: "For mange forsøg",
    500: "Der opstod en fejl",
    503: "Tjenesten svarer ikke lige nu",
}


def _answer(request: Request, message: str, status: int) -> Response:
    """A page in Danish for a person in a browser; JSON for the API and everything else."""
    browser = "text/html" in request.headers.get("accept", "")
    if _is_api(request) or request.url.path.startswith("/webhooks/") or not browser:
        return JSONResponse({"detail": message}, status_code=status)
    heading = HEADINGS.get(status, HEADINGS[400])
    return templates.TemplateResponse(
        request, "error.html", {"heading": heading, "message": message}, status_code=status
    )


def install(app: FastAPI) -> None:
    @app.exception_handler(ServiceError)
    async def service_error(request: Request, exc: ServiceError) -> Response:
        return _answer(request, exc.message, exc.status_code)

    @app.exception_handler(RequestValidationError)
    async def invalid_request(request: Request, exc: RequestValidationError) -> Response:
        errors = field_errors(exc.errors())
        summary = "; ".join(f"Feltet '{e['field']}': {e['message']}" for e in errors)
        return JSONResponse({"detail": summary, "errors": errors}, status_code=422)

    @app.exception_handler(NotLoggedIn)
    async def not_logged_in(request: Request, exc: NotLoggedIn) -> Response:
        if _is_api(request):
            return JSONResponse({"detail": "Du skal være logget ind."}, status_code=401)
        return RedirectResponse(f"/login?next={request.url.path}", status_code=303)

    @app.exception_handler(CitizenSignedOut)
    async def citizen_signed_out(request: Request, exc: CitizenSignedOut) -> Response:
        return RedirectResponse("/borger/log-ind", status_code=303)

    @app.exception_handler(DBAPIError)
    async def database_down(request: Request, exc: DBAPIError) -> Response:
        # The statement without its parameters, which may hold personal data: a database
        # that refuses our SQL is a fault to find, not only an outage to wait out.
        logging.getLogger("forloeb.api").error(
            "database error on %s: %s in %s",
            request.url.path,
            type(exc.orig).__name__,
            " ".join(str(exc.statement).split())[:500],
        )
        return _answer(request, "Databasen svarer ikke lige nu. Prøv igen om lidt.", 503)

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> Response:
        # A fault of ours, not the user's: say so plainly; the traceback goes to the log.
        logging.getLogger("forloeb.api").exception("unexpected error on %s", request.url.path)
        return _answer(
            request, "Der opstod en uventet fejl. Den er logget; prøv igen om lidt.", 500
        )

    @app.exception_handler(RPCError)
    async def temporal_down(request: Request, exc: RPCError) -> Response:
        # The status tells an outage (unavailable) from an overloaded server (deadline
        # exceeded, resource exhausted); the message names workflows, never citizens.
        logging.getLogger("forloeb.api").warning(
            "Temporal answered %s on %s: %s", exc.status.name, request.url.path, exc.message
        )
        return _answer(
            request, "Sagsmotoren (Temporal) svarer ikke lige nu. Prøv igen om lidt.", 503
        )
