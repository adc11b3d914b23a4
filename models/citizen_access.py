"""The citizen's own way in to their page: a personal link in a message, a one-time code sent
to the citizen's phone or e-mail, and a short session.

The link alone opens nothing: a forwarded link or one read over a shoulder asks for a code
that goes only to the citizen. Only hashes of the link, the code and the session are stored.
A code expires after CODE_MINUTES and allows CODE_TRIES tries; a session lasts
SESSION_MINUTES from sign-in, however active.
"""

import hashlib
import hmac
import secrets
import uuid
from datetime import datetime, timedelta
from enum import StrEnum

from sqlmodel import Column, Field, Session, SQLModel, select

from models.db import UtcDateTime

CODE_MINUTES = 10
CODE_TRIES = 5
SESSION_MINUTES = 30
# A new code may be asked for this long after the last; and at most this many per link.
RESEND_AFTER = timedelta(seconds=60)
MOST_CODES = 10
CODE_DIGITS = 6


class CitizenLink(SQLModel, table=True):
    __tablename__ = "citizen_link"

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", index=True)
    case_id: uuid.UUID = Field(foreign_key="case.id")
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    expires_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # The code last sent for this link, while it lasts.
    code_hash: str | None = Field(default=None, max_length=64)
    code_expires_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    code_tries: int = 0
    code_asked_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    codes_asked: int = 0


class CitizenSession(SQLModel, table=True):
    __tablename__ = "citizen_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", index=True)
    case_id: uuid.UUID = Field(foreign_key="case.id")
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # How the citizen proved who they are: "code", or the identity broker's name.
    how: str = Field(max_length=30)


class CodeCheck(StrEnum):
    ACCEPTED = "accepted"
    WRONG = "wrong"
    EXPIRED = "expired"
    USED_UP = "used_up"  # five wrong tries: a new code must be asked for
    NONE = "none"  # no code was sent


def digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _code_digest(link: CitizenLink, code: str) -> str:
    # The link's id salts the hash: the same code on two links hashes differently.
    return hashlib.sha256(f"{link.id}:{code}".encode()).hexdigest()


def new_link(
    session: Session, citizen_id: uuid.UUID, case_id: uuid.UUID, now: datetime, days: int
) -> str:
    """A new personal link's token, kept as its hash; short enough for an SMS."""
    token = secrets.token_urlsafe(9)  # 12 characters, 72 bits
    session.add(
        CitizenLink(
            token_hash=digest(token),
            citizen_id=citizen_id,
            case_id=case_id,
            created_at=now,
            expires_at=now + timedelta(days=days),
        )
    )
    return token


def open_link(session: Session, token: str, now: datetime) -> CitizenLink | None:
    """The link the token names, while it lasts."""
    if not token or len(token) > 64:
        return None
    link = session.exec(select(CitizenLink).where(CitizenLink.token_hash == digest(token))).first()
    return link if link is not None and link.expires_at > now else None


def may_ask_for_code(link: CitizenLink, now: datetime) -> str | None:
    """Why no new code may be sent now, or None."""
    if link.codes_asked >= MOST_CODES:
        return "Der er bedt om for mange koder til dette link. Ring til din kontaktperson."
    if link.code_asked_at is not None and now - link.code_asked_at < RESEND_AFTER:
        return "Vi har lige sendt en kode. Vent et minut, før du beder om en ny."
    return None


def code_asked(link: CitizenLink, now: datetime) -> None:
    link.code_asked_at = now
    link.codes_asked += 1


def new_code(link: CitizenLink, now: datetime) -> str:
    """A fresh code for the link; the one before it stops working."""
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    link.code_hash = _code_digest(link, code)
    link.code_expires_at = now + timedelta(minutes=CODE_MINUTES)
    link.code_tries = 0
    return code


def check_code(link: CitizenLink, code: str, now: datetime) -> CodeCheck:
    """Whether the code opens the link; a try is counted, and an accepted code is spent."""
    if link.code_hash is None or link.code_expires_at is None:
        return CodeCheck.NONE
    if link.code_tries >= CODE_TRIES:
        return CodeCheck.USED_UP
    if link.code_expires_at <= now:
        return CodeCheck.EXPIRED
    link.code_tries += 1
    typed = "".join(c for c in code if c.isdigit())[:CODE_DIGITS]
    if not hmac.compare_digest(_code_digest(link, typed), link.code_hash):
        return CodeCheck.USED_UP if link.code_tries >= CODE_TRIES else CodeCheck.WRONG
    link.code_hash = link.code_expires_at = None
    return CodeCheck.ACCEPTED


def tries_left(link: CitizenLink) -> int:
    return max(0, CODE_TRIES - link.code_tries)


def start_session(
    session: Session, citizen_id: uuid.UUID, case_id: uuid.UUID, how: str, now: datetime
) -> str:
    """A new session for the citizen; returns the token for the cookie."""
    token = secrets.token_urlsafe(32)
    session.add(
        CitizenSession(
            token_hash=digest(token),
            citizen_id=citizen_id,
            case_id=case_id,
            started_at=now,
            how=how,
        )
    )
    return token


def resume_session(session: Session, token: str, now: datetime) -> CitizenSession | None:
    """The session the token names, while it lasts."""
    row = session.get(CitizenSession, digest(token))
    if row is None or row.ended_at is not None:
        return None
    if now - row.started_at >= timedelta(minutes=SESSION_MINUTES):
        return None
    return row


def end_session(session: Session, token: str, now: datetime) -> None:
    row = session.get(CitizenSession, digest(token))
    if row is not None and row.ended_at is None:
        row.ended_at = now
