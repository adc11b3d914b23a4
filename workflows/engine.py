"""The rules of a course as one engine: applying an action and firing what has fallen due.

Pure functions over ProgrammeState. The workflow calls them from its update handler and when
its one durable timer fires; the benchmark's simulator (bench/course.py) calls the same ones
on a simulated clock, so there is one set of rules and one order of firing.
"""

from datetime import datetime

from models.actions import action_of
from models.command import Command
from models.programme import ProgrammeState, TimelineEvent
from workflows import deadlines, stall
from workflows.actions import actor_refusal, rule_of
from workflows.rejections import forbidden


def apply(state: ProgrammeState, command: Command, now: datetime) -> TimelineEvent:
    """Who may act is checked first, by the same predicate the API asks; then the action's
    rule checks the command against the state and applies it, or raises the refusal."""
    action = action_of(command)
    refused = actor_refusal(state, action, command)
    if refused is not None:
        raise forbidden(refused)
    return rule_of(action)(state, command, now)


def settle(
    state: ProgrammeState, events: list[TimelineEvent], now: datetime
) -> list[TimelineEvent]:
    """What a change records: its recorded events, and a stall begun or ended by it."""
    recorded = [event for event in events if event.recorded]
    judged = stall.judge(state, now)
    if judged is not None:
        recorded.append(judged)
    return recorded


def fire_due(state: ProgrammeState, now: datetime) -> list[TimelineEvent]:
    """Everything that has fallen due by `now`: the programme's end and follow-up, messages,
    task reminders and escalations."""
    return deadlines.on_deadline(state, now)


def run_until(
    state: ProgrammeState, since: datetime, until: datetime, *, judge_stalls: bool = True
) -> list[TimelineEvent]:
    """Fire every deadline from `since` up to `until` at its own moment, as the workflow's
    timer would. Without judge_stalls, stalls are neither timed nor judged (a simulator judges
    them once, at the end, which is far cheaper over thousands of courses)."""
    events: list[TimelineEvent] = []
    now = since
    for _ in range(100_000):
        due = deadlines.next_deadline(state, now, include_stalls=judge_stalls)
        if due is None or due > until:
            return events
        now = max(now, due)
        fired = fire_due(state, now)
        events += settle(state, fired, now) if judge_stalls else [e for e in fired if e.recorded]
    raise RuntimeError("a course's deadlines never settled")
