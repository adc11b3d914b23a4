"""Readiness: whether this process can serve, asked by the load balancer or Kubernetes. The
database and Temporal are each asked the cheapest question they answer, with a short timeout,
so a check never hangs on the part that is down."""

import asyncio
from datetime import timedelta

import anyio
from fastapi import Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from temporalio.service import RPCError

from api.deps import TemporalConnection, get_open_session
from api.errors import Unavailable

OK = "ok"
DATABASE_DOWN = "Databasen svarer ikke; sager kan hverken læses eller gemmes."
TEMPORAL_DOWN = "Sagsmotoren (Temporal) svarer ikke; handlinger på sager kan ikke udføres."
TIMEOUT_SECONDS = 3


async def readiness(request: Request) -> JSONResponse:
    """200 with "ok" for each part when both answer; 503 naming, in Danish, each that does not."""
    database, temporal = await asyncio.gather(_database(request), _temporal(request))
    parts = {"database": database, "temporal": temporal}
    ready = all(answer == OK for answer in parts.values())
    return JSONResponse(parts, status_code=200 if ready else 503)


async def _database(request: Request) -> str:
    open_session = get_open_session(request)

    def select_one() -> None:
        with open_session() as session:
            session.connection().execute(text("SELECT 1"))

    try:
        with anyio.fail_after(TIMEOUT_SECONDS):
            # Abandoned on timeout: a hung connection must not hold the answer.
            await anyio.to_thread.run_sync(select_one, abandon_on_cancel=True)
    except (SQLAlchemyError, TimeoutError):
        return DATABASE_DOWN
    return OK


async def _temporal(request: Request) -> str:
    connection: TemporalConnection = request.app.state.temporal
    try:
        client = await connection.get()
        healthy = await client.service_client.check_health(
            timeout=timedelta(seconds=TIMEOUT_SECONDS)
        )
    except (Unavailable, RPCError, RuntimeError, OSError, TimeoutError):
        return TEMPORAL_DOWN
    return OK if healthy else TEMPORAL_DOWN
