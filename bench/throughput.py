"""How fast one human action goes through the whole service, against raw Temporal.

    .venv/bin/python -m bench.throughput [--rounds 3] [--levels 1,8,48]

Starts `forloeb up --demo` in a fresh data directory (Temporal dev server on a SQLite file,
SQLite read model, worker and API, as a user runs it) and, in this process, a worker for a
trivial workflow on the same dev server. Then, in interleaved rounds so that both sides see
the same machine, at each number of requests in flight:

- case creation through the API (`POST /api/cases`) against raw `start_workflow`;
- an action through the API (a department acknowledges a task) against a raw update of an
  idle workflow (and a raw signal, for reference).

Prints rates, p50/p95/max latency, server errors and the ratios. Nothing here is a test: it
prints figures for the README.
"""

import argparse
import asyncio
import os
import statistics
import tempfile
import time
import uuid
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from itertools import zip_longest
from pathlib import Path

import httpx
from temporalio.client import Client
from temporalio.worker import Worker

from bench.idle import Idle
from bench.processes import processes as all_processes
from tests.api.conftest import free_port
from tests.deploy.test_embedded import forloeb_up
from tests.factories import random_cpr

RAW_QUEUE = "bench-raw"


@dataclass
class Figures:
    latencies: list[float] = field(default_factory=list)
    seconds: float = 0.0
    errors: int = 0
    # CPU seconds the service's processes spent meanwhile: temporal, worker, api, and this one.
    cpu: dict[str, float] = field(default_factory=dict)

    @property
    def rate(self) -> float:
        return len(self.latencies) / self.seconds if self.seconds else 0.0

    def line(self, name: str) -> str:
        ordered = sorted(self.latencies)
        p95 = ordered[max(0, int(len(ordered) * 0.95) - 1)]
        per_call = " ".join(
            f"{role} {self.cpu[role] / len(ordered) * 1000:.1f}"
            for role in ("temporal", "worker", "api", "client")
            if role in self.cpu
        )
        return (
            f"  {name:<28} {self.rate:7.1f}/s  p50 {statistics.median(ordered) * 1000:6.0f} ms"
            f"  p95 {p95 * 1000:6.0f} ms  max {ordered[-1] * 1000:6.0f} ms  5xx {self.errors}"
            f"\n  {'':<28} CPU ms per call: {per_call}"
        )


async def timed(
    figures: Figures, count: int, level: int, one: Callable[[int], Awaitable[int]]
) -> None:
    """Run `count` calls with at most `level` in flight; add their latencies to `figures`."""
    gate = asyncio.Semaphore(level)

    async def call(i: int) -> None:
        async with gate:
            started = time.perf_counter()
            status = await one(i)
            figures.latencies.append(time.perf_counter() - started)
            if status >= 500:
                figures.errors += 1

    started, before = time.perf_counter(), service_cpu()
    await asyncio.gather(*(call(i) for i in range(count)))
    figures.seconds += time.perf_counter() - started
    for role, seconds in service_cpu().items():
        figures.cpu[role] = figures.cpu.get(role, 0.0) + seconds - before.get(role, 0.0)


def service_cpu() -> dict[str, float]:
    """CPU seconds so far of the Temporal server, the worker and the API that `forloeb up`
    started (its children, found in /proc), and of this process."""
    ticks = os.sysconf("SC_CLK_TCK")
    found: dict[str, float] = {}
    processes = all_processes()
    # The newest `forloeb up`: the one this benchmark started.
    up = max((p[0] for p in processes if p[2].startswith("-m deploy up")), default=None)
    for pid, ppid, command, used in processes:
        role = None
        if ppid == up:
            role = next((r for r in ("worker", "api") if command.endswith(f" {r}")), "temporal")
        elif pid == os.getpid():
            role = "client"
        if role is not None:
            found[role] = found.get(role, 0.0) + used / ticks
    return found


@contextmanager
def service(data_dir: Path) -> Iterator[tuple[str, str]]:
    """`forloeb up --demo` as the end-to-end test runs it; its base URL and Temporal address."""
    ports = {name: free_port() for name in ("api", "temporal", "ui")}
    with forloeb_up(data_dir, ports) as base_url:
        yield base_url, f"127.0.0.1:{ports['temporal']}"
    text = (data_dir / "up.log").read_text(errors="replace")
    print(f"'database is locked' in the service's log: {text.count('database is locked')} times")


async def login(base_url: str, username: str, limit: int) -> httpx.AsyncClient:
    client = httpx.AsyncClient(
        base_url=base_url, timeout=60, limits=httpx.Limits(max_connections=limit + 4)
    )
    answer = await client.post("/api/session", json={"username": username, "password": "demo"})
    answer.raise_for_status()
    return client


async def new_citizens(coordinator: httpx.AsyncClient, count: int) -> list[str]:
    ids = []
    for _ in range(count):
        answer = await coordinator.post(
            "/api/citizens", json={"cpr": random_cpr(), "name": "Bench Borger"}
        )
        answer.raise_for_status()
        ids.append(answer.json()["id"])
    return ids


async def new_tasks(coordinator: httpx.AsyncClient, cases: list[str], count: int) -> list[str]:
    """`count` fresh tasks for the social department, spread over the cases."""
    for i in range(count):
        answer = await coordinator.post(
            f"/api/cases/{cases[i % len(cases)]}/assign-task",
            json={"department": "social", "purpose": f"Bostøtte {i}"},
        )
        answer.raise_for_status()
    by_case = []
    for case in cases:
        listed = (await coordinator.get(f"/api/cases/{case}/tasks")).json()
        by_case.append([t["id"] for t in listed if t["state"] == "assigned"])
    # Taken from the end, one case after the other, as the raw updates go to one idle
    # workflow after the other.
    tasks = [task for row in zip_longest(*by_case) for task in row if task is not None]
    return tasks[:count][::-1]


async def run(rounds: int, levels: list[int]) -> None:
    per_level = {level: max(24, level * 4) for level in levels}
    needed = rounds * sum(per_level.values())
    with tempfile.TemporaryDirectory() as tmp, service(Path(tmp)) as (base_url, address):
        client = await Client.connect(address)
        top = max(levels)
        coordinator = await login(base_url, "koordinator", top)
        social = await login(base_url, "social", top)
        print(f"Preparing {needed} citizens and {needed} tasks ...", flush=True)
        citizens = await new_citizens(coordinator, needed)
        holders = []
        for citizen in await new_citizens(coordinator, top):
            answer = await coordinator.post("/api/cases", json={"citizen_id": citizen})
            answer.raise_for_status()
            holders.append(answer.json()["id"])
        tasks = await new_tasks(coordinator, holders, needed)
        idle = [
            await client.start_workflow(Idle.run, id=f"idle-{uuid.uuid4()}", task_queue=RAW_QUEUE)
            for _ in range(top)
        ]

        kinds = ["create (API)", "start (raw)", "acknowledge (API)", "update (raw)", "signal (raw)"]
        figures = {(kind, level): Figures() for kind in kinds for level in levels}
        async with Worker(client, task_queue=RAW_QUEUE, workflows=[Idle]):

            async def create(i: int) -> int:
                answer = await coordinator.post("/api/cases", json={"citizen_id": citizens.pop()})
                return answer.status_code

            async def start(i: int) -> int:
                await client.start_workflow(
                    Idle.run, id=f"raw-{uuid.uuid4()}", task_queue=RAW_QUEUE
                )
                return 200

            async def acknowledge(i: int) -> int:
                answer = await social.post(f"/api/tasks/{tasks.pop()}/acknowledge", json={})
                return answer.status_code

            async def update(i: int) -> int:
                await idle[i % len(idle)].execute_update(Idle.touch, 1)
                return 200

            async def poke(i: int) -> int:
                await idle[i % len(idle)].signal(Idle.poke, 1)
                return 200

            calls = dict(zip(kinds, [create, start, acknowledge, update, poke], strict=True))
            for round_no in range(1, rounds + 1):
                print(f"Round {round_no} of {rounds}", flush=True)
                for level in levels:
                    for kind in kinds:
                        await timed(figures[kind, level], per_level[level], level, calls[kind])
                        await asyncio.sleep(0.5)  # let the projections behind it settle

        for level in levels:
            print(f"\n{level} in flight ({rounds} × {per_level[level]} each):")
            for kind in kinds:
                print(figures[kind, level].line(kind))
            ratio_create = figures["create (API)", level].rate / figures["start (raw)", level].rate
            ratio_act = (
                figures["acknowledge (API)", level].rate / figures["update (raw)", level].rate
            )
            slow = sum(
                latency > 2
                for kind in ("create (API)", "acknowledge (API)")
                for latency in figures[kind, level].latencies
            )
            print(
                f"  ratio create/start {ratio_create:.2f}, acknowledge/update {ratio_act:.2f}, "
                f"API requests over 2 s: {slow}"
            )
        for http in (coordinator, social):
            await http.aclose()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--levels", default="1,8,48")
    args = parser.parse_args()
    asyncio.run(run(args.rounds, [int(n) for n in args.levels.split(",")]))


if __name__ == "__main__":
    main()
