"""Request dependencies: settings, database sessions, the Temporal client and the current user."""

import asyncio
from collections.abc import Callable, Iterator
from typing import Annotated, TypeVar

from fastapi import Depends, Request
from sqlmodel import Session
from starlette.concurrency import run_in_threadpool
from temporalio.client import Client

from api import sessions
from api.errors import NotLoggedIn, Unavailable
from deploy.connections import connect_temporal
from models.db import SessionFactory, transaction
from models.settings import Settings
from models.staff import Staff

T = TypeVar("T")


class TemporalConnection:
    """Connects on first use, so the API starts (and explains itself) while Temporal is down."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self._client: Client | None = None
        self._lock = asyncio.Lock()

    async def get(self) -> Client:
        async with self._lock:
            if self._client is None:
                try:
                    self._client = await asyncio.wait_for(
                        connect_temporal(self._settings), timeout=5
                    )
                except (OSError, RuntimeError, TimeoutError):
                    raise Unavailable(
                        "Sagsmotoren (Temporal) svarer ikke lige nu. Prøv igen om lidt."
                    ) from None
            return self._client


def get_settings(request: Request) -> Settings:
    settings: Settings = request.app.state.settings
    return settings


def get_open_session(request: Request) -> SessionFactory:
    open_session: SessionFactory = request.app.state.open_session
    return open_session


async def in_session(open_session: SessionFactory, work: Callable[[Session], T]) -> T:
    """Database work for an async route: on a worker thread, in a session of its own that is
    closed before the route awaits anything else."""

    def run() -> T:
        with open_session() as session:
            return work(session)

    return await run_in_threadpool(run)


def get_session(request: Request) -> Iterator[Session]:
    with get_open_session(request)() as session:
        yield session


async def get_temporal(request: Request) -> Client:
    connection: TemporalConnection = request.app.state.temporal
    return await connection.get()


def current_user(request: Request) -> Staff:
    """The signed-in staff member, from the server-side session the cookie's token names,
    read in a session of its own that is closed at once: a request that goes on to wait for
    Temporal must not hold a database connection meanwhile."""
    token = request.session.get(sessions.TOKEN)
    found = None
    if isinstance(token, str):
        with transaction(get_open_session(request)) as session:
            found = sessions.resume(session, token, get_settings(request))
    if found is None:
        raise NotLoggedIn()
    staff, request.state.flash = found
    return staff


SettingsDep = Annotated[Settings, Depends(get_settings)]
SessionDep = Annotated[Session, Depends(get_session)]
OpenSessionDep = Annotated[SessionFactory, Depends(get_open_session)]
TemporalDep = Annotated[Client, Depends(get_temporal)]
UserDep = Annotated[Staff, Depends(current_user)]
