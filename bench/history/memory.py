"""Worker memory per cached course, each measurement in a Python process of its own.

A fresh process (`python -m bench.history --memory-child N --child-cache M`, see __main__.py)
counts nothing of the long heavy course. It starts N idle courses on a worker whose cache
holds M, touches each, and compares the process's VmRSS before and after. A control does the
same on a small cache, which tells what the cache itself holds from what the process grows
anyway. The child prints its figures as one JSON line, which the parent reads.
"""

import asyncio
import gc
import json
import sys
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from time import perf_counter

from bench.history.casework import ProgrammeHandle, hire, state_bytes
from bench.history.idle_course import open_idle_course
from bench.history.service import running_service
from workflows.programme import ProgrammeWorkflow

PROJECT_ROOT = Path(__file__).resolve().parents[2]
CHILD_TIMEOUT_SECONDS = 900
# Courses started before the "before" reading: the first ones load modules and warm caches.
WARMUP_COURSES = 10
# Courses set up at once; the worker takes them one task at a time.
SETUP_CONCURRENCY = 8
# The control's cache: the warm-up courses and those being set up. Smaller would evict courses
# with a projection (a local activity) in flight, which then waits to be run again.
CONTROL_CACHE = WARMUP_COURSES + SETUP_CONCURRENCY


@dataclass(frozen=True)
class CacheMeasurement:
    courses: int
    cache_size: int
    warmup: int
    rss_before_kib: int
    rss_after_kib: int
    rss_after_second_touch_kib: int
    mean_state_bytes: float
    refusals: list[str]
    seconds: float

    @property
    def growth(self) -> int:
        """Bytes the process grew by while the measured courses were set up and touched."""
        return (self.rss_after_kib - self.rss_before_kib) * 1024


async def measure_memory(courses: int) -> tuple[CacheMeasurement, CacheMeasurement]:
    """The measurement on a cache that holds every course (with room to spare), then its
    control on a small cache."""
    cached = await measure_in_child(courses, courses + WARMUP_COURSES + 10)
    control = await measure_in_child(courses, CONTROL_CACHE)
    return cached, control


async def measure_in_child(courses: int, cache_size: int) -> CacheMeasurement:
    """Run the measurement in a fresh Python process, so its RSS holds only that."""
    child = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "bench.history",
        "--memory-child",
        str(courses),
        "--child-cache",
        str(cache_size),
        cwd=PROJECT_ROOT,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
    )
    try:
        out, err = await asyncio.wait_for(child.communicate(), CHILD_TIMEOUT_SECONDS)
    except TimeoutError:
        child.kill()
        await child.wait()
        raise RuntimeError("the memory measurement did not finish in time") from None
    lines = [line for line in out.decode().splitlines() if line.startswith("{")]
    if child.returncode != 0 or not lines:
        tail = err.decode()[-3000:]
        raise RuntimeError(f"the memory measurement failed ({child.returncode}):\n{tail}")
    return CacheMeasurement(**json.loads(lines[-1]))


def run_child(courses: int, cache_size: int) -> None:
    """The child's whole work: measure, and print the figures for the parent."""
    print(json.dumps(asdict(asyncio.run(measure_cache(courses, cache_size)))))


async def measure_cache(courses: int, cache_size: int) -> CacheMeasurement:
    """In this (child) process: RSS before and after `courses` more idle courses, on a worker
    whose workflow cache holds `cache_size` courses."""
    began = perf_counter()
    async with running_service(cache_size) as service:
        staffing = hire(service.open_session)
        now = await service.env.get_current_time()
        gate = asyncio.Semaphore(SETUP_CONCURRENCY)
        refusals: list[str] = []

        async def one() -> ProgrammeHandle:
            async with gate:
                handle, refused = await open_idle_course(service, staffing, now)
                refusals.extend(refused)
                return handle

        async def touch(handles: Sequence[ProgrammeHandle]) -> list[int]:
            # A query is answered from the worker's cache; each course is in it afterwards.
            sizes = []
            for handle in handles:
                sizes.append(state_bytes(await handle.query(ProgrammeWorkflow.current)))
            return sizes

        warm = await asyncio.gather(*(one() for _ in range(WARMUP_COURSES)))
        await touch(warm)
        before = await settled_rss_kib()
        handles = await asyncio.gather(*(one() for _ in range(courses)))
        sizes = await touch(handles)
        after = await settled_rss_kib()
        # Touch them all again: had any been evicted, the replays would show here.
        await touch([*warm, *handles])
        again = await settled_rss_kib()
    return CacheMeasurement(
        courses=courses,
        cache_size=cache_size,
        warmup=WARMUP_COURSES,
        rss_before_kib=before,
        rss_after_kib=after,
        rss_after_second_touch_kib=again,
        mean_state_bytes=sum(sizes) / len(sizes) if sizes else 0,
        refusals=refusals,
        seconds=perf_counter() - began,
    )


async def settled_rss_kib() -> int:
    """RSS once the worker has finished what the last commands started."""
    await asyncio.sleep(2)
    gc.collect()
    return rss_kib()


def rss_kib() -> int:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")
