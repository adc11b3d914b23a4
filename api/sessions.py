"""Sessions kept on the server (models/sign_in.py): started at login with a new token, ended at
logout or after 30 idle minutes or 12 hours, whichever comes first.

The cookie holds only the random token, signed; no name, no message, nothing personal.
"""

import hashlib
import secrets
from datetime import UTC, datetime, timedelta

from sqlalchemy import Update, update
from sqlmodel import Session, col

from models.settings import Settings
from models.sign_in import StaffSession
from models.staff import Staff

TOKEN = "sid"
# How often a session's last-seen time is written: not on every request.
SEEN_EVERY = timedelta(minutes=1)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _of(token: str) -> Update:
    """An update of the session the token names."""
    return update(StaffSession).where(col(StaffSession.token_hash) == _hash(token))


def start(session: Session, staff: Staff) -> str:
    """A new session for the staff member; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    now = datetime.now(UTC)
    session.add(
        StaffSession(token_hash=_hash(token), staff_id=staff.id, started_at=now, seen_at=now)
    )
    return token


def resume(session: Session, token: str, settings: Settings) -> tuple[Staff, str | None] | None:
    """Who the token's session belongs to, and the message waiting for the next page (left in
    place: only a page takes it, never a background poll), or None when the session has
    ended, was never started, or has run out."""
    row = session.get(StaffSession, _hash(token))
    now = datetime.now(UTC)
    if row is None or row.ended_at is not None:
        return None
    idle = now - row.seen_at > timedelta(minutes=settings.session_idle_minutes)
    if idle or now - row.started_at > timedelta(hours=settings.session_hours):
        row.ended_at = now
        return None
    staff = session.get(Staff, row.staff_id)
    if staff is None or not staff.active:
        return None
    if now - row.seen_at > SEEN_EVERY:
        row.seen_at = now
    return staff, row.flash


def end(session: Session, token: str) -> None:
    session.exec(_of(token).values(ended_at=datetime.now(UTC)))


def take_message(session: Session, token: str) -> None:
    """The waiting message has been shown."""
    session.exec(_of(token).values(flash=None))


def keep_message(session: Session, token: str, message: str) -> None:
    """The one-line message the next page of this session shows."""
    session.exec(_of(token).values(flash=message[:2000]))
