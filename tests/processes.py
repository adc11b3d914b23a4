"""The service as production runs it, for tests: `forloeb api` and `forloeb worker` as real
processes on the test's Temporal dev server and database. Afterwards their logs must show no
traceback and no "database is locked"."""

import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx

from tests.api.conftest import TEST_PAYLOAD_KEYS, free_port


@contextmanager
def running(command: str, env: dict[str, str], log: Path) -> Iterator[subprocess.Popen[bytes]]:
    with log.open("ab") as output:
        process = subprocess.Popen(
            [sys.executable, "-m", "deploy", command], env=env, stdout=output, stderr=output
        )
        try:
            yield process
        finally:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()


@contextmanager
def api_and_worker(dev_env: Any, database_url: str, tmp_path: Path) -> Iterator[str]:
    """Yields the API's base URL."""
    port = free_port()
    env = {
        **os.environ,
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "DATABASE_URL": database_url,
        "FORLOEB_TASK_QUEUE": f"processes-{uuid.uuid4()}",
        "FORLOEB_DATA_DIR": str(tmp_path),
        "FORLOEB_SECRET_KEY": "test-secret-key",
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
        "FORLOEB_API_PORT": str(port),
        "FORLOEB_UPDATE_TIMEOUT_SECONDS": "30",
    }
    with running("worker", env, tmp_path / "worker.log"), running("api", env, tmp_path / "api.log"):
        base_url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while True:
            try:
                httpx.get(f"{base_url}/healthz", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, (tmp_path / "api.log").read_text()[-2000:]
                time.sleep(0.1)
        yield base_url
    for name in ("api.log", "worker.log"):
        log = (tmp_path / name).read_text()
        assert "database is locked" not in log, log[-3000:]
        assert "Traceback" not in log, log[-3000:]
