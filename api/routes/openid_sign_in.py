"""Signing in with the municipality's login (OpenID Connect, api/openid.py): off to the
provider, back with who it vouches for, and in as the staff member its groups make them.

The provider is the source of who someone is and what they may do: their row is found by
the provider's issuer and subject, made at the first sign-in, and its name, e-mail, role and
department are taken from the provider at every sign-in after. A person in none of the
mapped groups gets no row and no session. A row deactivated here stays shut.
"""

import hashlib
import secrets
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from api.auth import login_form, safe_next, sign_in
from api.deps import OpenSessionDep, SettingsDep, in_session
from api.errors import NotFound
from api.openid import Identity, OpenIdLogin, SignInRefused
from models.department import DepartmentRow
from models.passwords import hash_password
from models.settings import GroupAccess
from models.staff import Staff

router = APIRouter(include_in_schema=False)

CALLBACK = "/login/openid/callback"
NO_ACCESS = (
    "Du har ikke adgang til forløb: du er ikke med i en af de grupper hos kommunens login, "
    "der giver adgang. Kontakt din leder, hvis du skal bruge forløb."
)
CLOSED = "Din adgang til forløb er lukket. Kontakt din leder, hvis det er en fejl."
TRY_AGAIN = "Login kunne ikke gennemføres lige nu. Prøv igen."


def _login(request: Request) -> OpenIdLogin:
    login: OpenIdLogin | None = request.app.state.openid
    if login is None:
        raise NotFound("Kommunens login er ikke sat op.")
    return login


@router.get("/login/openid")
async def start(request: Request, settings: SettingsDep, next: str | None = None) -> Response:
    login = _login(request)
    # Where staff reach the service, as registered at the provider; the request's own
    # address where none is set (the embedded default).
    base = settings.public_url or str(request.base_url)
    try:
        url = await login.start(request, base.rstrip("/") + CALLBACK, safe_next(next))
    except SignInRefused as refused:
        return login_form(request, next=next, status=refused.status_code, error=refused.message)
    return RedirectResponse(url, status_code=303)


@router.get(CALLBACK)
async def finish(request: Request, open_session: OpenSessionDep) -> Response:
    login = _login(request)
    next_page = "/"
    try:
        identity, next_page = await login.finish(request)
        access = login.settings.access_for(identity.groups)
        if access is None:
            raise SignInRefused(NO_ACCESS, 403)
        await in_session(
            open_session,
            lambda session: sign_in(request, session, staff_for(session, identity, access)),
        )
    except SignInRefused as refused:
        return login_form(
            request, next=next_page, status=refused.status_code, error=refused.message
        )
    return RedirectResponse(safe_next(next_page), status_code=303)


def staff_for(session: Session, identity: Identity, access: GroupAccess) -> Staff:
    """The staff member the provider vouches for, made at the first sign-in and brought up to
    date with the provider at every one."""
    staff = _known(session, identity)
    if staff is None:
        staff = Staff(
            username=_free_username(session, identity),
            full_name=identity.name[:120],
            role=access.role,
            # No one knows this password, so the local form never lets them in; a real
            # hash keeps a refusal as slow as anyone else's.
            password_hash=hash_password(secrets.token_urlsafe(32)),
            created_at=datetime.now(UTC),
            issuer=identity.issuer,
            subject=identity.subject,
        )
        try:
            with session.begin_nested():
                session.add(staff)
        except IntegrityError:  # the same person's first sign-in, in another tab, just now
            staff = _known(session, identity)
            if staff is None:
                raise SignInRefused(TRY_AGAIN, 409) from None
    if not staff.active:
        raise SignInRefused(CLOSED, 403)
    if access.department is not None and session.get(DepartmentRow, access.department) is None:
        # The departments are a fixed list; production has no demo to write their rows.
        session.add(DepartmentRow(code=access.department.value, name=access.department.label))
    staff.full_name = identity.name[:120]
    staff.email = identity.email[:320] if identity.email else None
    staff.role = access.role
    staff.department = access.department
    session.add(staff)
    return staff


def _known(session: Session, identity: Identity) -> Staff | None:
    return session.exec(
        select(Staff).where(
            col(Staff.issuer) == identity.issuer, col(Staff.subject) == identity.subject
        )
    ).first()


def _free_username(session: Session, identity: Identity) -> str:
    """The provider's username when no one here has it; else the same with a suffix from the
    identity, so it is the same at every try and never takes over a local account."""
    wanted = ((identity.username or "").strip() or identity.subject).lower()[:50]
    taken = session.exec(select(Staff.id).where(Staff.username == wanted)).first()
    if taken is None:
        return wanted
    digest = hashlib.sha256(f"{identity.issuer} {identity.subject}".encode()).hexdigest()
    return f"{wanted[:41]}-{digest[:8]}"
