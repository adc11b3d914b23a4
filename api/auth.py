"""Logging in and out: local accounts with hashed passwords, a signed session cookie."""

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import BaseModel
from sqlmodel import Session, select

from api.deps import SESSION_KEY, SessionDep, UserDep
from api.errors import ServiceError
from api.templating import templates
from models.passwords import verify_password
from models.staff import Staff, StaffPublic

router = APIRouter()

WRONG_LOGIN = "Forkert brugernavn eller adgangskode."


class WrongLogin(ServiceError):
    status_code = 401


class Credentials(BaseModel):
    username: str
    password: str


def authenticate(session: Session, username: str, password: str) -> Staff | None:
    staff = session.exec(select(Staff).where(Staff.username == username.strip().lower())).first()
    if staff is None or not staff.active or not verify_password(password, staff.password_hash):
        return None
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
    staff = authenticate(session, username, password)
    if staff is None:
        return templates.TemplateResponse(
            request,
            "login.html",
            {"next": _safe_next(next), "error": WRONG_LOGIN, "username": username},
            status_code=401,
        )
    request.session[SESSION_KEY] = str(staff.id)
    return RedirectResponse(_safe_next(next), status_code=303)


@router.post("/logout", include_in_schema=False)
def logout(request: Request) -> Response:
    request.session.clear()
    return RedirectResponse("/login", status_code=303)


@router.post("/api/session", response_model=StaffPublic, tags=["login"])
def api_login(request: Request, session: SessionDep, credentials: Credentials) -> Staff:
    """Log in; the answer sets the session cookie that the other endpoints need."""
    staff = authenticate(session, credentials.username, credentials.password)
    if staff is None:
        raise WrongLogin(WRONG_LOGIN)
    request.session[SESSION_KEY] = str(staff.id)
    return staff


@router.delete("/api/session", status_code=204, tags=["login"])
def api_logout(request: Request) -> None:
    request.session.clear()


@router.get("/api/me", response_model=StaffPublic, tags=["login"])
def me(user: UserDep) -> Staff:
    return user
