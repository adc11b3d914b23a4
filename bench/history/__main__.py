"""The command: `python -m bench.history [--cached N]` plays the heavy course and prints the
report; with the hidden --memory-child it is instead one memory measurement's subprocess."""

import argparse
import asyncio
from time import perf_counter

import bench.history
from bench.history.casework import hire
from bench.history.course_figures import timeline_kinds
from bench.history.heavy_course import COURSE_TIMEOUT_SECONDS, play_course
from bench.history.history_figures import walk_runs
from bench.history.memory import measure_memory, run_child
from bench.history.report import (
    Goals,
    print_course,
    print_history,
    print_memory,
    print_state,
    print_summary,
)
from bench.history.service import running_service


async def main(cached: int) -> None:
    began = perf_counter()
    print("bench.history: one heavy 5-year course on the time-skipping test server")
    async with running_service() as service:
        staffing = hire(service.open_session)
        course = await asyncio.wait_for(
            play_course(service, staffing), timeout=COURSE_TIMEOUT_SECONDS
        )
        played = perf_counter() - began
        course.timeline = timeline_kinds(service.open_session, course.final.case_id)
        runs = await walk_runs(service.client, course.workflow_id, course.first_run_id)
    print_course(course, played)
    print_history(runs)
    print_state(course)
    per_1000 = None
    if cached > 0:
        print(f"\nMeasuring worker memory with {cached} courses, in two subprocesses...")
        per_1000 = print_memory(*await measure_memory(cached))
    print_summary(Goals(), course, runs, per_1000)
    print(f"\nTook {perf_counter() - began:.0f} s")


def arguments() -> argparse.Namespace:
    summary = (bench.history.__doc__ or "").split("\n\n")[0]
    parser = argparse.ArgumentParser(prog="python -m bench.history", description=summary)
    parser.add_argument(
        "--cached",
        type=int,
        default=200,
        help="idle courses to cache for the memory measurement (0 skips it)",
    )
    # The memory measurement runs this module again in a subprocess of its own (memory.py).
    parser.add_argument("--memory-child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--child-cache", type=int, default=0, help=argparse.SUPPRESS)
    return parser.parse_args()


if __name__ == "__main__":
    args = arguments()
    if args.memory_child is not None:
        run_child(args.memory_child, args.child_cache)
    else:
        asyncio.run(main(args.cached))
