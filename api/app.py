"""The FastAPI application: JSON API, pages and their shared wiring."""

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from anyio import to_thread
from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles
from starlette.middleware.sessions import SessionMiddleware

from api import auth, errors, metrics
from api.deps import TemporalConnection
from api.health import readiness
from api.openid import OpenIdLogin
from api.request_id import RequestId
from api.routes import (
    board_page,
    case_page,
    cases_api,
    citizen_link,
    citizen_page,
    dashboard_page,
    data_protection,
    department_pages,
    dev_pages,
    import_page,
    openid_sign_in,
    pages,
    twilio_webhooks,
)
from api.same_origin import SameOrigin
from api.security_headers import SecurityHeaders
from api.tracing import RequestTracing
from models.db import make_engine, session_factory
from models.settings import Settings

# How long the server keeps an idle connection: longer than the clients and proxies in front
# keep theirs (httpx 5 s, a load balancer typically 60 s). At uvicorn's 5 s a client can send a
# request on a connection the server is closing at that moment, and the request is lost to it.
KEEP_ALIVE_SECONDS = 75


def create_app(settings: Settings) -> FastAPI:
    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Every request's database work runs on these threads, never on the event loop;
        # the pool has room for each of them, so none waits for a connection another holds.
        to_thread.current_default_thread_limiter().total_tokens = settings.api_threads
        engine = make_engine(
            settings.effective_database_url,
            threads=settings.api_threads,
            off_event_loop=True,
            pool_overrides=settings.db_pool(),
        )
        app.state.open_session = session_factory(engine)
        app.state.temporal = TemporalConnection(settings)
        served = None
        if settings.metrics_port is not None:
            served = metrics.serve_metrics(
                metrics.registry_for(app.state.open_session),
                host=settings.metrics_host,
                port=settings.metrics_port,
            )
        yield
        if served is not None:
            server, thread = served
            server.shutdown()
            server.server_close()
            thread.join()
        engine.dispose()

    app = FastAPI(
        title="forløb",
        description="Koordinering af ressourceforløb på tværs af forvaltninger.",
        lifespan=lifespan,
        # FastAPI's own telemetry records the raw path and query (a case id, a search for a
        # name) and exception messages; api/tracing.py's span records the route's template.
        telemetry={
            "tracing": False,
            "metrics": False,
            "logs": False,
            "operation_spans": False,
            "auto_configure": False,
        },
    )
    app.state.settings = settings
    openid = settings.openid()
    app.state.openid = OpenIdLogin(openid) if openid is not None else None
    app.add_middleware(
        SessionMiddleware,
        secret_key=settings.session_secret(),
        session_cookie="forloeb_session",
        max_age=settings.session_hours * 3600,
        same_site="lax",
        https_only=settings.secure_cookies,
    )
    # Outermost last: every answer gets the headers, and a cross-site change is refused before
    # the session is even read.
    app.add_middleware(SameOrigin, public_url=settings.effective_public_url)
    app.add_middleware(SecurityHeaders)
    if settings.otel != "off":
        # Around every middleware that may answer (a refused cross-site change too), so each
        # answer has its span and the trace starts here.
        app.add_middleware(RequestTracing)
    # Outermost of all: every request is timed, and every log line of it carries its id.
    app.add_middleware(metrics.RequestMetrics)
    app.add_middleware(RequestId)
    errors.install(app)
    app.include_router(auth.router)
    if openid is not None:
        app.include_router(openid_sign_in.router)
    app.include_router(cases_api.router)
    app.include_router(pages.router)
    app.include_router(board_page.router)
    app.include_router(case_page.router)
    app.include_router(department_pages.router)
    app.include_router(dashboard_page.router)
    app.include_router(data_protection.router)
    app.include_router(import_page.router)
    app.include_router(citizen_link.router)
    app.include_router(citizen_page.router)
    if settings.test_pages:
        app.include_router(dev_pages.router)
    app.include_router(twilio_webhooks.router)
    app.mount("/static", StaticFiles(directory=Path(__file__).parent / "static"), name="static")

    # Liveness: the process answers; it touches nothing, so a slow database never gets a
    # healthy process restarted.
    @app.get("/healthz", include_in_schema=False)
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    # Readiness: the database and Temporal answer; until they do, the proxy sends no one here.
    app.add_api_route("/readyz", readiness, include_in_schema=False)

    return app
