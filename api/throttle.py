"""Failed logins, counted per username and per address (models/sign_in.py: LoginThrottle).

For a username, from the fifth failure in a row the next attempt must wait: 1 second, then 2,
4, 8 and 16; from the tenth, 15 minutes. An address (many colleagues behind one office
gateway) gets four times as many. A count starts again 15 minutes after its last failure,
and a username's at its next successful login. An unknown username is counted like a known
one, and a refusal reads the same for both, so neither the answer nor its timing tells
whether a username exists.
"""

from datetime import UTC, datetime, timedelta

from sqlalchemy import case, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col

from models.sign_in import LoginThrottle

FREE_FAILURES = 5
LOCKOUT_FAILURES = 10
LOCKOUT = timedelta(minutes=15)


ADDRESS = "address:"
ADDRESS_SCALE = 4


def keys(username: str, address: str | None) -> list[str]:
    return [f"user:{username}", f"{ADDRESS}{address or 'ukendt'}"]


def wait(session: Session, names: list[str]) -> timedelta | None:
    """How long these must wait before the next attempt, or None."""
    now = datetime.now(UTC)
    until = [
        row.blocked_until
        for row in (session.get(LoginThrottle, name) for name in names)
        if row is not None and row.blocked_until is not None and row.blocked_until > now
    ]
    return max(until) - now if until else None


def failed(session: Session, names: list[str]) -> None:
    now = datetime.now(UTC)
    for name in names:
        row = _counted(session, name, now)
        scale = ADDRESS_SCALE if name.startswith(ADDRESS) else 1
        if row.failures >= LOCKOUT_FAILURES * scale:
            row.blocked_until = now + LOCKOUT
        elif row.failures >= FREE_FAILURES * scale:
            delay = min(2 ** (row.failures - FREE_FAILURES * scale), 16)
            row.blocked_until = now + timedelta(seconds=delay)
        session.add(row)


def _counted(session: Session, name: str, now: datetime) -> LoginThrottle:
    """One more failure for `name`, counted in the database, so failures at the same moment
    add up instead of overwriting each other (the update locks the row)."""
    count = update(LoginThrottle).where(col(LoginThrottle.key) == name)
    again = case(
        (col(LoginThrottle.failed_at) < now - LOCKOUT, 1), else_=LoginThrottle.failures + 1
    )
    if not session.exec(count.values(failures=again, failed_at=now)).rowcount:
        try:
            with session.begin_nested():
                session.add(LoginThrottle(key=name, failures=1, failed_at=now))
        except IntegrityError:  # another request counted the first failure meanwhile
            session.exec(count.values(failures=LoginThrottle.failures + 1, failed_at=now))
    row = session.get(LoginThrottle, name, populate_existing=True)
    assert row is not None  # written above
    return row


def succeeded(session: Session, names: list[str]) -> None:
    """A username's count starts again; an address's only runs out (one colleague signing in
    must not clear what a guesser at the same gateway has tried)."""
    for name in names:
        row = session.get(LoginThrottle, name)
        if row is not None and not name.startswith(ADDRESS):
            session.delete(row)
