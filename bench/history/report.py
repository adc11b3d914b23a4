"""The printed report: the course, its history per run, its state's size, the worker's memory
per cached course, and a summary against the goals.

It is a benchmark, not a test: it only prints figures, and says which goals are met.
"""

import json
from collections import Counter
from dataclasses import dataclass

from bench.history.casework import state_bytes
from bench.history.course_figures import CourseFigures
from bench.history.history_figures import RunFigures
from bench.history.memory import SETUP_CONCURRENCY, CacheMeasurement
from models.danish_time import local_date
from models.programme import ProgrammeState


@dataclass(frozen=True)
class Goals:
    state_bytes: int = 24 * 1024
    history_bytes: int = 8 * 1024 * 1024
    events_per_run: int = 4_096
    mib_per_1000_cached: float = 128.0


def kib(size: float) -> str:
    return f"{size / 1024:,.1f} KiB"


def mib(size: float) -> str:
    return f"{size / 1024 / 1024:,.2f} MiB"


def print_course(course: CourseFigures, seconds: float) -> None:
    state = course.final
    print("\nThe course")
    print(
        f"  simulated {local_date(course.started)} to {local_date(course.closed)}"
        f" ({(course.closed - course.started).days} days) in {seconds:.0f} s of wall time,"
        f" {course.steps} steps"
    )
    print(
        f"  decision {state.decision.decided_on if state.decision else '-'}, planned end "
        f"{state.planned_end}, ended {state.ended_on}, follow-up {state.followup_on}: "
        f"{state.followup_status}; final stage {state.stage}, timeline seq {state.seq}"
    )
    # What happened is counted from the timeline: the state may have let go of what finished.
    timeline = course.timeline
    print(
        f"  tasks: {sum(course.tasks.values())} assigned, {timeline['task_escalated']}"
        f" escalations, {timeline['task_reminded']} reminders"
    )
    for fate, count in course.tasks.items():
        print(f"    {count:>2} {fate.value}")
    outcomes = ", ".join(f"{n} {s.value}" for s, n in course.outcomes.items())
    print(
        f"  meetings: {course.meetings_booked} booked, {timeline['meeting_moved']} moved,"
        f" {timeline['meeting_confirmed']} confirmed by the citizen; {outcomes}"
    )
    print(
        f"  messages sent to the citizen: {timeline['message_sent']};"
        f" coordinator at the close: "
        f"{'the second' if state.coordinator_id == course.coordinators[1] else 'the first'}"
    )
    print(
        f"  the final state holds {len(state.tasks)} tasks, {len(state.meetings)} meetings,"
        f" {len(state.sent)} sent messages, {len(state.todos)} to-dos,"
        f" {len(state.efforts)} efforts, {len(state.pauses)} pauses"
    )
    print(f"  updates accepted: {sum(course.sent.values())}")
    for name, count in sorted(course.sent.items(), key=lambda item: -item[1]):
        print(f"    {count:>4} {name}")
    print(f"  timeline events in the read model: {timeline.total()}")
    for kind, count in timeline.most_common():
        print(f"    {count:>4} {kind}")
    print(f"  updates refused: {len(course.refusals)}")
    for reason, count in Counter(course.refusals).most_common():
        print(f"    {count:>4} {reason}")


def print_history(runs: list[RunFigures]) -> None:
    print("\nHistory, per run (continue-as-new followed)")
    print(f"  {'run':>4} {'run id':<38} {'events':>7} {'bytes':>11} {'largest payload':>16}  in")
    for number, run in enumerate(runs, start=1):
        print(
            f"  {number:>4} {run.run_id:<38} {run.events:>7,} {run.history_bytes:>11,}"
            f" {run.largest_payload:>16,}  {run.largest_in}"
        )
    total_events = sum(run.events for run in runs)
    total_bytes = sum(run.history_bytes for run in runs)
    largest = max(runs, key=lambda run: run.largest_payload)
    print(
        f"  {'all':>4} {len(runs):>3} run(s){'':<30} {total_events:>7,} {total_bytes:>11,}"
        f" {largest.largest_payload:>16,}  {largest.largest_in}"
    )
    print(f"  = {mib(total_bytes)} of history over all runs")
    for number, run in enumerate(runs, start=1):
        if run.suggested_at is not None:
            print(
                f"  run {number}: the server suggested continue-as-new at event"
                f" {run.suggested_at:,}; the run ended at event {run.events:,}"
            )
    kinds: Counter[str] = Counter()
    for run in runs:
        kinds.update(run.kinds)
    print("  events by type, all runs:")
    for kind, count in kinds.most_common():
        print(f"    {count:>6,} {kind}")


def print_state(course: CourseFigures) -> None:
    monthly = course.monthly
    final = state_bytes(course.final)
    print("\nState (UTF-8 bytes of the `current` query's model_dump_json())")
    print(
        f"  {len(monthly)} monthly samples: max {max(monthly):,} B ({kib(max(monthly))}),"
        f" first {monthly[0]:,} B, last {monthly[-1]:,} B"
    )
    print(
        "  by year (max of the monthly samples): "
        + ", ".join(
            f"year {year + 1}: {max(monthly[year * 12 : year * 12 + 12]):,} B"
            for year in range((len(monthly) + 11) // 12)
        )
    )
    print(f"  max over all {course.samples} samples (every step): {course.largest_size:,} B")
    print(f"  final (the workflow's result): {final:,} B ({kib(final)})")
    print("  largest state by field:")
    for name, size in state_breakdown(course.largest)[:10]:
        print(f"    {size:>7,} B {name}")


def state_breakdown(state: ProgrammeState) -> list[tuple[str, int]]:
    """Bytes of each top-level field of the state, largest first."""
    data = state.model_dump(mode="json")
    sizes = [
        (name, len(json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()))
        for name, value in data.items()
    ]
    return sorted(sizes, key=lambda item: -item[1])


def print_memory(cached: CacheMeasurement, control: CacheMeasurement) -> float:
    """Prints both measurements; returns MiB per 1,000 cached courses (the plain growth)."""
    print("\nWorker memory per cached course (each in a subprocess of its own)")
    print_memory_run("cached", cached)
    print_memory_run("control, the same courses on a small cache", control)
    # The control ends with SETUP_CONCURRENCY more cached courses than it began with.
    kept = (cached.growth - control.growth) / max(1, cached.courses - SETUP_CONCURRENCY)
    print(
        f"  held by the cache itself (cached minus control): {kib(kept)} per course"
        f" = {mib(kept * 1000)} per 1,000"
    )
    return cached.growth / cached.courses * 1000 / 1024 / 1024


def print_memory_run(title: str, run: CacheMeasurement) -> None:
    per_1000 = run.growth / run.courses * 1000
    print(
        f"  {title}: cache of {run.cache_size}, {run.courses} idle courses"
        f" (+{run.warmup} warm-up), set up in {run.seconds:.0f} s,"
        f" mean state {run.mean_state_bytes:,.0f} B"
    )
    print(
        f"    VmRSS before {run.rss_before_kib / 1024:,.1f} MiB, after"
        f" {run.rss_after_kib / 1024:,.1f} MiB, after touching all again"
        f" {run.rss_after_second_touch_kib / 1024:,.1f} MiB"
    )
    print(
        f"    growth {mib(run.growth)} = {kib(run.growth / run.courses)} per course"
        f" = {mib(per_1000)} per 1,000 courses"
    )
    if run.refusals:
        print(f"    refusals while setting up: {Counter(run.refusals).most_common(5)}")


def print_summary(
    goals: Goals, course: CourseFigures, runs: list[RunFigures], per_1000: float | None
) -> None:
    largest_state = max([course.largest_size, *course.monthly])
    total = sum(run.history_bytes for run in runs)
    most_events = max(run.events for run in runs)
    memory_goal = (
        f"worker memory at most {goals.mib_per_1000_cached:.0f} MiB per 1,000 cached courses"
    )
    print("\nSummary against the goals")
    print(
        f"  {verdict(largest_state <= goals.state_bytes)}  state never above"
        f" {goals.state_bytes:,} B ({goals.state_bytes // 1024} KB): max {largest_state:,} B"
    )
    print(
        f"  {verdict(total <= goals.history_bytes)}  all runs together at most"
        f" {goals.history_bytes // 1024 // 1024} MiB of history: {mib(total)} in {len(runs)} run(s)"
    )
    print(
        f"  {verdict(most_events <= goals.events_per_run)}  at most"
        f" {goals.events_per_run:,} events per run: largest run {most_events:,} events"
    )
    if per_1000 is None:
        print(f"  (skipped)  {memory_goal}")
    else:
        print(
            f"  {verdict(per_1000 <= goals.mib_per_1000_cached)}  {memory_goal}:"
            f" {per_1000:,.1f} MiB"
        )


def verdict(met: bool) -> str:
    return "met    " if met else "NOT met"
