"""A TCP proxy on loopback in front of the database, which a test can cut and restore.

Cut, it closes every connection it carries and stops listening, so the API and the worker
meet a database that resets what they had and refuses what they ask, as when its host is
down, without stopping the PostgreSQL server that other tests share. Restored, it listens
again on the same port. Held instead, it stalls every byte both ways and holds new
connections unanswered, as a network that drops packets does: nothing is reset, and nothing
arrives until it is restored. It runs its own event loop on a thread of its own, so whatever blocks
the test's loop cannot hold the bytes in between.
"""

import asyncio
import contextlib
import threading
from concurrent.futures import Future
from typing import Any


class DatabaseProxy:
    def __init__(self, target_host: str, target_port: int) -> None:
        self._target = (target_host, target_port)
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._server: asyncio.Server | None = None
        self._writers: set[asyncio.StreamWriter] = set()
        self._flowing = asyncio.Event()
        self.port = 0
        # Connections accepted since the start: the clients did reconnect after a cut.
        self.accepted = 0

    def start(self) -> "DatabaseProxy":
        self._thread.start()
        self._call(self._listen())
        return self

    def cut(self) -> None:
        self._call(self._cut())

    def hold(self) -> None:
        self._call(self._hold())

    def restore(self) -> None:
        self._call(self._restore())

    def stop(self) -> None:
        self._call(self._shut())
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=5)

    def _call(self, coroutine: Any) -> None:
        done: Future[None] = asyncio.run_coroutine_threadsafe(coroutine, self._loop)
        done.result(timeout=10)

    async def _hold(self) -> None:
        self._flowing.clear()

    async def _restore(self) -> None:
        if self._server is None:
            await self._listen()
        self._flowing.set()

    async def _listen(self) -> None:
        self._flowing.set()
        self._server = await asyncio.start_server(
            self._carry, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]

    async def _cut(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
        for writer in list(self._writers):
            writer.close()
        self._writers.clear()

    async def _shut(self) -> None:
        await self._cut()
        # Their sockets are closed, so the pipes end by themselves; cancelled instead, they
        # trip asyncio's stream callback into printing a CancelledError.
        carrying = [t for t in asyncio.all_tasks() if t is not asyncio.current_task()]
        if carrying:
            await asyncio.wait(carrying, timeout=5)

    async def _carry(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.accepted += 1
        await self._flowing.wait()
        try:
            upstream_reader, upstream_writer = await asyncio.open_connection(*self._target)
        except OSError:
            writer.close()
            return
        self._writers |= {writer, upstream_writer}
        await asyncio.gather(
            _pipe(reader, upstream_writer, self._writers, self._flowing),
            _pipe(upstream_reader, writer, self._writers, self._flowing),
        )


async def _pipe(
    reader: asyncio.StreamReader,
    writer: asyncio.StreamWriter,
    open_: set[asyncio.StreamWriter],
    flowing: asyncio.Event,
) -> None:
    with contextlib.suppress(OSError, asyncio.IncompleteReadError):
        while data := await reader.read(65536):
            await flowing.wait()
            writer.write(data)
            await writer.drain()
    writer.close()
    open_.discard(writer)
