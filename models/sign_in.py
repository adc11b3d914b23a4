"""Sign-in, kept on the server: sessions and failed-login throttles.

The cookie carries only a random session token; the row holds who is signed in, since when,
when last seen, and the one-line message the next page shows. Logging out ends the row, so a
copied cookie is worth nothing afterwards. Only a hash of the token is stored.
"""

import uuid
from datetime import datetime

from sqlmodel import Column, Field, SQLModel

from models.db import UtcDateTime


class StaffSession(SQLModel, table=True):
    __tablename__ = "staff_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    staff_id: uuid.UUID = Field(foreign_key="staff.id", index=True)
    started_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    seen_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    ended_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    # The message the next page shows ("Sagen er oprettet"), kept here, not in the cookie.
    flash: str | None = Field(default=None, max_length=2000)


class LoginThrottle(SQLModel, table=True):
    """Failed logins for one username or one address, whether or not the username exists."""

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=200)
    failures: int = 0
    failed_at: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
    blocked_until: datetime | None = Field(default=None, sa_column=Column(UtcDateTime()))
