"""The service a benchmark course runs on, as the workflow tests have it.

Temporal's time-skipping test server (the binary installed beside this Python; nothing is
downloaded), a fresh SQLite read model in a temporary folder, and the real worker
(deploy.worker.build_worker) projecting into it, optionally with a workflow cache of a chosen
size for the memory measurement.
"""

import tempfile
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

from temporalio.client import Client
from temporalio.testing import WorkflowEnvironment
from temporalio.worker import Worker

from deploy.worker import build_worker
from models.db import SessionFactory, make_engine, migrate, session_factory
from tests.temporal_servers import time_skipping_server

TASK_QUEUE = "bench-history"
PUBLIC_URL = "http://forloeb.test"


@dataclass(frozen=True)
class Service:
    env: WorkflowEnvironment
    open_session: SessionFactory

    @property
    def client(self) -> Client:
        return self.env.client


@asynccontextmanager
async def running_service(cache_size: int | None = None) -> AsyncIterator[Service]:
    """The test server, a fresh SQLite read model and a real worker, as the workflow tests
    have them (tests/workflows/programme_helpers.worker_for); `cache_size` courses in the
    worker's workflow cache, or the worker's default."""
    with tempfile.TemporaryDirectory(prefix="bench-history-") as folder:
        url = f"sqlite:///{Path(folder) / 'forloeb.db'}"
        migrate(url)
        engine = make_engine(url)
        env = await time_skipping_server()
        try:
            with ThreadPoolExecutor(max_workers=8) as executor:
                open_session = session_factory(engine)
                if cache_size is None:
                    worker = real_worker(env.client, TASK_QUEUE, open_session, executor)
                else:
                    worker = with_cache(env.client, open_session, executor, cache_size)
                # The worker stops before the server: the time-skipping server holds its
                # clock while a task is being worked on.
                async with worker:
                    yield Service(env=env, open_session=open_session)
        finally:
            await env.shutdown()
            engine.dispose()


def real_worker(
    client: Client, task_queue: str, open_session: SessionFactory, executor: ThreadPoolExecutor
) -> Worker:
    return build_worker(
        client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url=PUBLIC_URL,
    )


def with_cache(
    client: Client, open_session: SessionFactory, executor: ThreadPoolExecutor, size: int
) -> Worker:
    """The real worker with a workflow cache of `size` courses.

    build_worker takes no cache size, so its worker is built on a queue of its own, never
    started, and the one that runs is made from its config (Temporal's way to change a
    worker's options). A second worker on the same queue would be refused by the SDK.
    """
    template = real_worker(client, f"{TASK_QUEUE}-template", open_session, executor)
    config = template.config()
    config["task_queue"] = TASK_QUEUE
    config["max_cached_workflows"] = size
    return Worker(**config)
