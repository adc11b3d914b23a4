"""The one timer a programme workflow sleeps on: the earliest of all its deadlines."""

from datetime import datetime

from models.enums import PLANNING_STAGES
from models.programme import ProgrammeState, TimelineEvent
from workflows import (
    description_rules,
    effort_rule,
    outgoing,
    programme_rules,
    progression_rules,
    stall,
    task_rules,
)


def next_deadline(
    state: ProgrammeState, now: datetime, *, include_stalls: bool = True
) -> datetime | None:
    timers = [
        programme_rules.next_deadline(state),
        outgoing.next_send(state),
        progression_rules.next_due(state),
        effort_rule.next_due(state),
        description_rules.next_reminder(state),
    ]
    if include_stalls:
        timers.append(stall.next_change(state, now))
    if state.stage in PLANNING_STAGES:
        timers += [task_rules.next_timer(task) for task in state.tasks.values()]
    return min((t for t in timers if t is not None), default=None)


def on_deadline(state: ProgrammeState, now: datetime) -> list[TimelineEvent]:
    """Everything that has fallen due by `now`, in one pass."""
    events = []
    due = programme_rules.next_deadline(state)
    if due is not None and due <= now:
        events.append(programme_rules.on_deadline(state, now))
    progression_due = progression_rules.next_due(state)
    if progression_due is not None and progression_due <= now:
        events.append(progression_rules.open_round(state, now))
    effort_due = effort_rule.next_due(state)
    if effort_due is not None and effort_due <= now:
        events.append(effort_rule.judge(state, now))
    reminder = description_rules.next_reminder(state)
    if reminder is not None and reminder <= now:
        events.append(description_rules.remind(state, now))
    events += outgoing.send_due(state, now)
    if state.stage in PLANNING_STAGES:
        for task in state.tasks.values():
            timer = task_rules.next_timer(task)
            if timer is not None and timer <= now:
                events += task_rules.on_timer(state, task, now)
    return events
