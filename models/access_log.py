"""The log of every look at a citizen's data, and every change: who (staff, role,
department), when, which citizen and case, what was seen or done, and why, where the reader
is not on the case.

Rows are only ever added; nothing in the service updates or deletes one. Each row carries a
hash of its content and of the row before it, so a row changed or removed afterwards breaks
the chain from there on (`forloeb audit verify` names the first broken row).
"""

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import func, update
from sqlmodel import Column, Field, Session, SQLModel, col, select

from models.db import UtcDateTime

GENESIS = "0" * 64


class AccessLogRow(SQLModel, table=True):
    __tablename__ = "access_log"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False, index=True))
    # None where the citizen read their own data (role "citizen").
    staff_id: uuid.UUID | None = Field(default=None, foreign_key="staff.id", index=True)
    role: str = Field(max_length=30)
    department: str | None = Field(default=None, max_length=30)
    citizen_id: uuid.UUID = Field(foreign_key="citizen.id", index=True)
    case_id: uuid.UUID | None = Field(default=None)
    what: str = Field(max_length=200)
    why: str = Field(default="", max_length=500)
    previous_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64)


class AccessLogHead(SQLModel, table=True):
    """The chain's newest hash, in one row: writers take it in turn (its row is locked by the
    update that begins each append)."""

    __tablename__ = "access_log_head"

    id: int = Field(default=1, primary_key=True)
    appended: int = 0
    last_hash: str = Field(default=GENESIS, max_length=64)
    # The hash the oldest kept row builds on: rows past their retention are removed from the
    # start of the chain, and this keeps what they ended with.
    anchor_hash: str = Field(default=GENESIS, max_length=64)


@dataclass(frozen=True)
class Look:
    """One citizen (and case) a reader saw or changed, and how."""

    citizen_id: uuid.UUID
    case_id: uuid.UUID | None
    what: str
    why: str = ""


def row_hash(previous: str, row: AccessLogRow) -> str:
    fields = [
        previous,
        row.at.astimezone(UTC).isoformat(),
        str(row.staff_id),
        row.role,
        row.department or "",
        str(row.citizen_id),
        str(row.case_id or ""),
        row.what,
        row.why,
    ]
    return hashlib.sha256("\x1f".join(fields).encode()).hexdigest()


def append(
    session: Session,
    *,
    staff_id: uuid.UUID | None,
    role: str,
    department: str | None,
    looks: list[Look],
) -> None:
    """Add rows for these looks at the end of the chain, in the caller's transaction."""
    if not looks:
        return
    # The update comes first: it locks the head (SQLite's write lock, PostgreSQL's row lock),
    # so two appends never build on the same hash.
    session.exec(
        update(AccessLogHead)
        .where(col(AccessLogHead.id) == 1)
        .values(appended=AccessLogHead.appended + len(looks))
    )
    head = session.get(AccessLogHead, 1, populate_existing=True)
    assert head is not None  # made by the migration
    previous = head.last_hash
    now = datetime.now(UTC)
    for look in looks:
        row = AccessLogRow(
            at=now,
            staff_id=staff_id,
            role=role,
            department=department,
            citizen_id=look.citizen_id,
            case_id=look.case_id,
            what=look.what[:200],
            why=look.why[:500],
            previous_hash=previous,
            hash="",
        )
        row.hash = previous = row_hash(previous, row)
        session.add(row)
    head.last_hash = previous


def prune(session: Session, before: datetime) -> int:
    """Remove the rows older than `before` from the start of the chain, keeping the hash the
    next row builds on; the only way rows leave the log. Returns how many were removed."""
    # Taking the head first keeps appends out while the start of the chain moves.
    lock = update(AccessLogHead).where(col(AccessLogHead.id) == 1)
    session.exec(lock.values(appended=AccessLogHead.appended))
    head = session.get(AccessLogHead, 1, populate_existing=True)
    assert head is not None  # made by the migration
    # Only a run from the start of the chain: the rows before the first one still kept.
    kept = session.exec(select(func.min(AccessLogRow.id)).where(col(AccessLogRow.at) >= before))
    first_kept = kept.one()
    old = select(AccessLogRow).order_by(col(AccessLogRow.id))
    if first_kept is not None:
        old = old.where(col(AccessLogRow.id) < first_kept)
    rows = session.exec(old).all()
    for row in rows:
        head.anchor_hash = row.hash
        session.delete(row)
    return len(rows)


def first_broken(session: Session) -> int | None:
    """The id of the first row whose content or place in the chain was changed, or None."""
    head = session.get(AccessLogHead, 1, populate_existing=True)
    previous = head.anchor_hash if head is not None else GENESIS
    rows = select(AccessLogRow).order_by(col(AccessLogRow.id))
    # As stored now, not as this session may remember it.
    for row in session.exec(rows.execution_options(populate_existing=True)):
        if row.previous_hash != previous or row_hash(previous, row) != row.hash:
            return row.id
        previous = row.hash
    if head is not None and head.last_hash != previous:
        return -1  # rows at the end were removed
    return None
