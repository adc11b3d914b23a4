"""`forloeb up`: the embedded default. Starts the Temporal dev server (unless TEMPORAL_ADDRESS is
set), migrates the database, then runs the worker and the web app as child processes and stops
them all cleanly on Ctrl-C."""

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import time
from types import FrameType

import httpx

from deploy.binaries import find_binary
from models.db import migrate
from models.search_attributes import dev_server_flags
from models.settings import Settings

log = logging.getLogger("forloeb.up")


class Children:
    """Child processes, stopped in reverse order of start."""

    def __init__(self) -> None:
        self.processes: list[tuple[str, subprocess.Popen[bytes]]] = []

    def start(self, name: str, args: list[str], env: dict[str, str]) -> None:
        log.info("starting %s", name)
        # A session of its own: Ctrl-C reaches only us, and we stop the children in order.
        self.processes.append((name, subprocess.Popen(args, env=env, start_new_session=True)))

    def exited(self) -> str | None:
        for name, process in self.processes:
            if process.poll() is not None:
                return name
        return None

    def stop_all(self) -> None:
        for name, process in reversed(self.processes):
            if process.poll() is None:
                log.info("stopping %s", name)
                process.send_signal(signal.SIGINT)
                try:
                    process.wait(timeout=15)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()


def run_embedded(settings: Settings, *, demo: bool) -> int:
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    stopping = False

    def request_stop(signum: int, frame: FrameType | None) -> None:
        nonlocal stopping
        stopping = True

    signal.signal(signal.SIGINT, request_stop)
    signal.signal(signal.SIGTERM, request_stop)
    children = Children()
    env = {
        **os.environ,
        "FORLOEB_DATA_DIR": str(settings.data_dir),
        "DATABASE_URL": settings.effective_database_url,
        "TEMPORAL_ADDRESS": settings.effective_temporal_address,
    }
    try:
        if settings.temporal_address is None:
            children.start("temporal", _dev_server_args(settings), env)
            _wait_for_port("127.0.0.1", settings.temporal_port, children, "temporal")
        migrate(settings.effective_database_url)
        forloeb = [sys.executable, "-m", "deploy"]
        children.start("worker", [*forloeb, "worker"], env)
        children.start("api", [*forloeb, "api"], env)
        base_url = f"http://{settings.api_host}:{settings.api_port}"
        _wait_for_http(f"{base_url}/healthz", children)
        if demo:
            from deploy.demo import seed_demo

            asyncio.run(seed_demo(settings))
        _banner(settings, base_url, demo)
        while not stopping:
            if (name := children.exited()) is not None:
                log.error("%s stopped unexpectedly; stopping the rest", name)
                return 1
            time.sleep(0.5)
        return 0
    except StartupFailed as failure:
        log.error("%s", failure)
        return 1
    finally:
        children.stop_all()


class StartupFailed(Exception):
    pass


def _dev_server_args(settings: Settings) -> list[str]:
    return [
        find_binary("temporal"),
        "server",
        "start-dev",
        "--db-filename",
        str(settings.data_dir / "temporal.db"),
        "--ip",
        "127.0.0.1",
        "--port",
        str(settings.temporal_port),
        "--ui-port",
        str(settings.temporal_ui_port),
        "--log-level",
        "error",
        *dev_server_flags(),
    ]


def _wait_for_port(
    host: str, port: int, children: Children, name: str, seconds: float = 60
) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if children.exited() == name:
            raise StartupFailed(f"{name} stopped during start-up (is port {port} in use?)")
        with socket.socket() as probe:
            probe.settimeout(0.5)
            if probe.connect_ex((host, port)) == 0:
                return
        time.sleep(0.2)
    raise StartupFailed(f"{name} did not open port {port} within {seconds:.0f} s")


def _wait_for_http(url: str, children: Children, seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if (name := children.exited()) is not None:
            raise StartupFailed(f"{name} stopped during start-up")
        try:
            if httpx.get(url, timeout=1).status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    raise StartupFailed(f"the web app did not answer at {url} within {seconds:.0f} s")


def _banner(settings: Settings, base_url: str, demo: bool) -> None:
    lines = [
        "",
        f"  forløb kører: {base_url}",
        f"  Temporal Web UI: http://127.0.0.1:{settings.temporal_ui_port}"
        if settings.temporal_address is None
        else f"  Temporal: {settings.temporal_address}",
        f"  Data: {settings.data_dir.resolve()}",
    ]
    if demo:
        from deploy.demo import DEMO_PASSWORD, DEMO_STAFF

        lines.append(f"  Demo-logins (adgangskode '{DEMO_PASSWORD}'):")
        lines += [f"    {s.username:<14} {s.role.label}" for s in DEMO_STAFF]
    lines += ["  Stop med Ctrl-C.", ""]
    print("\n".join(lines), flush=True)
