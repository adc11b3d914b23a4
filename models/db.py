"""Engine, sessions and migrations of the read model. Nothing is created at import time."""

import asyncio
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from sqlalchemy import DateTime, Engine, String, event
from sqlalchemy.types import TypeDecorator
from sqlmodel import Session, create_engine

MIGRATIONS = Path(__file__).parent / "migrations"

SessionFactory = Callable[[], Session]
E = TypeVar("E", bound=StrEnum)


class UtcDateTime(TypeDecorator[datetime]):
    """Timezone-aware timestamps on SQLite too: stored as UTC, read back as aware UTC."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a timezone-aware column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class StrEnumType(TypeDecorator[E]):
    """An enum stored as its value in a plain string column: portable, and new values need no
    migration of a database type."""

    impl = String(30)
    cache_ok = True

    def __init__(self, enum: type[E]) -> None:
        super().__init__()
        self.enum = enum

    def process_bind_param(self, value: E | str | None, dialect: Any) -> str | None:
        return None if value is None else self.enum(value).value

    def process_result_value(self, value: str | None, dialect: Any) -> E | None:
        return None if value is None else self.enum(value)


# A connection is waited for this long at most; then the request fails with a clear 503
# instead of hanging.
POOL_TIMEOUT_SECONDS = 10


def make_engine(
    url: str,
    *,
    threads: int = 5,
    off_event_loop: bool = False,
    pool_overrides: Mapping[str, Any] | None = None,
) -> Engine:
    """An engine for SQLite (the embedded default) or PostgreSQL.

    The pool holds two connections for each thread that may use it at once, so a thread never
    waits for a connection that another waiting thread holds. With off_event_loop, a
    connection asked for on a thread that runs an event loop is refused: blocking there stalls
    every request in flight, and the refusal makes such code fail its tests at once.
    pool_overrides (Settings.db_pool()) replaces the derived sizes where the database server
    allows fewer connections than the threads would take.
    """
    pool = {"pool_size": threads, "max_overflow": threads, "pool_timeout": POOL_TIMEOUT_SECONDS}
    pool |= pool_overrides or {}
    if url.startswith("sqlite"):
        # The busy timeout lets a writer wait its turn for SQLite's one write lock; writers
        # hold it only for their own short transaction, never across a network call.
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 30},
            # A statement's parameters may hold personal data: never in an error's text.
            hide_parameters=True,
            **pool,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
    else:
        engine = create_engine(url, pool_pre_ping=True, hide_parameters=True, **pool)
    if off_event_loop:
        event.listen(engine, "checkout", _refuse_on_event_loop)
    return engine


class BlockingOnEventLoop(RuntimeError):
    """Database work was attempted on the event loop's thread."""


def _refuse_on_event_loop(*_args: Any) -> None:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return  # a worker thread: as it should be
    raise BlockingOnEventLoop("database work on the event loop; run it in the thread pool")


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    # WAL lets the API read while the worker's projections write.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def session_factory(engine: Engine) -> SessionFactory:
    def open_session() -> Session:
        return Session(engine, expire_on_commit=False)

    return open_session


@contextmanager
def transaction(open_session: SessionFactory) -> Iterator[Session]:
    """A session that commits when the block ends, and rolls back if it raises."""
    with open_session() as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise


def migrate(url: str) -> None:
    """Bring the database up to the newest migration."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    command.upgrade(config, "head")
