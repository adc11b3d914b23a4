"""Logging in and out: local accounts with hashed passwords, a signed session cookie."""

import secrets
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, select

from api import sessions, throttle
from api.deps import SessionDep, UserDep
from api.errors import ServiceError
from api.templating import templates
from models.passwords import hash_password, verify_password
from models.staff import Staff, StaffPublic

router = APIRouter()

WRONG_LOGIN = "Forkert brugernavn eller adgangskode."


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


def _safe_next(target: str | None) -> str:
    # Only paths on this site, so the login page cannot be used to send users elsewhere.
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return "/"


@router.get("/login", include_in_schema=False)
def login_page(request: Request, next: str | None = None) -> Response:
    return templates.TemplateResponse(request, "login.html", {"next": _safe_next(next)})


@router.post("/login", include_in_schema=False)
def login(
    request: Request,
    session: SessionDep,
    username: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
) -> Response:
    try:
        staff = authenticate(session, request, username, password)
    except (WrongLogin, TooManyAttempts) as refused:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": refused.message, "username": username},
            status_code=refused.status_code,
        )
    _sign_in(request, session, staff)
    return RedirectResponse(_safe_next(next), status_code=303)


def _sign_in(request: Request, session: Session, staff: Staff) -> None:
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
def api_login(request: Request, session: SessionDep, credentials: Credentials) -> Staff:
    """Log in; the answer sets the session cookie that the other endpoints need."""
    staff = authenticate(session, request, credentials.username, credentials.password)
    _sign_in(request, session, staff)
    return staff


@router.delete("/api/session", status_code=204, tags=["login"])
def api_logout(request: Request, session: SessionDep) -> None:
    """Log out: the session ends on the server, wherever its cookie is."""
    _sign_out(request, session)


@router.get("/api/me", response_model=StaffPublic, tags=["login"])
def me(user: UserDep) -> Staff:
    return user
