"""Logging in and out: local accounts with hashed passwords, a signed session cookie.

With the municipality's identity provider set up (api/routes/openid_sign_in.py), the login
page offers it first; in production it is then the only way in.
"""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, select

from api import sessions, throttle
from api.deps import SessionDep, SettingsDep, UserDep
from api.errors import Forbidden, ServiceError
from api.templating import templates
from models.passwords import hash_password, verify_password
from models.staff import Staff, StaffPublic

router = APIRouter()

WRONG_LOGIN = "Forkert brugernavn eller adgangskode."
LOCAL_REFUSED = "Log ind med kommunens login. Lokale adgangskoder bruges ikke her."


class WrongLogin(ServiceError):
    status_code = 401


class Credentials(BaseModel):
    username: str
    password: str


class TooManyAttempts(ServiceError):
    status_code = 429


# Checked against when the username is unknown, so that takes as long as a known one.
_NOBODY = hash_password(secrets.token_urlsafe(16))


def authenticate(session: Session, request: Request, username: str, password: str) -> Staff:
    """The staff member these credentials belong to; refuses with the same words, in the same
    time, whether or not the username exists, and throttles failures (api/throttle.py)."""
    name = username.strip().lower()
    counted = throttle.keys(name, request.client.host if request.client else None)
    waiting = throttle.wait(session, counted)
    if waiting is not None:
        seconds = max(1, round(waiting.total_seconds()))
        raise TooManyAttempts(f"For mange forkerte forsøg. Vent {seconds} sekunder, og prøv igen.")
    staff = session.exec(select(Staff).where(Staff.username == name)).first()
    matches = verify_password(password, staff.password_hash if staff else _NOBODY)
    if staff is None or not staff.active or not matches:
        throttle.failed(session, counted)
        session.commit()
        raise WrongLogin(WRONG_LOGIN)
    throttle.succeeded(session, counted)
    return staff


def safe_next(target: str | None) -> str:
    # Only paths on this site, so the login page cannot be used to send users elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


def login_form(
    request: Request, *, next: str | None, status: int = 200, error: str = "", username: str = ""
) -> Response:
    """The login page: the municipality's login where it is set up, the local form where
    local passwords are allowed, and why the last attempt failed."""
    settings = request.app.state.settings
    return templates.TemplateResponse(
        request,
        "login.html",
        {
            "next": safe_next(next),
            "openid": settings.openid() is not None,
            "local_login": settings.local_login,
            "error": error,
            "username": username,
        },
        status_code=status,
    )


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return login_form(request, next=next)


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    if not settings.local_login:
        return login_form(request, next=next, status=403, error=LOCAL_REFUSED)
    try:
        staff = authenticate(session, request, username, password)
    except (WrongLogin, TooManyAttempts) as refused:
        return login_form(
            request, next=next, status=refused.status_code, error=refused.message, username=username
        )
    sign_in(request, session, staff)
    return RedirectResponse(safe_next(next), status_code=303)


def sign_in(request: Request, session: Session, staff: Staff) -> None:
    """Start a session for the staff member, however they proved who they are."""
    # A new token at every login: a token someone saw before the login is worth nothing.
    request.session.clear()
    request.session[sessions.TOKEN] = sessions.start(session, staff)
    session.commit()


def _sign_out(request: Request, session: Session) -> None:
    token = request.session.get(sessions.TOKEN)
    if isinstance(token, str):
        sessions.end(session, token)
        session.commit()
    request.session.clear()


@router.post("/logout", include_in_schema=False)
def logout(request: Request, session: SessionDep) -> Response:
    _sign_out(request, session)
    return RedirectResponse("/login", status_code=303)


@router.post("/api/session", response_model=StaffPublic, tags=["login"])
def api_login(
    request: Request, session: SessionDep, settings: SettingsDep, credentials: Credentials
) -> Staff:
    """Log in; the answer sets the session cookie that the other endpoints need."""
    if not settings.local_login:
        raise Forbidden(LOCAL_REFUSED)
    staff = authenticate(session, request, credentials.username, credentials.password)
    sign_in(request, session, staff)
    return staff


@router.delete("/api/session", status_code=204, tags=["login"])
def api_logout(request: Request, session: SessionDep) -> None:
    """Log out: the session ends on the server, wherever its cookie is."""
    _sign_out(request, session)


@router.get("/api/me", response_model=StaffPublic, tags=["login"])
def me(user: UserDep) -> Staff:
    return user
