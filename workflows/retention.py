"""What the workflow lets go of: the state keeps only what its rules still need.

A course runs for years; its finished tasks, past meetings, old messages and done to-dos
live on in the read model, which the projection wrote before they were let go. Each is kept
for RETAIN after it finished, so a late click, a repeated delivery report or a correction
still meets the rules as before; the last held meeting stays (a stall without a next
appointment is judged from it). How far finished activity reached is kept as one date
(`active_until`), so a gap in the continuity plan is judged as if it were all still there.
"""

from collections.abc import Callable
from datetime import date, datetime, timedelta

from pydantic import BaseModel

from models.danish_time import local_date
from models.enums import MeetingStatus, TaskState
from models.programme import ProgrammeState

RETAIN = timedelta(days=30)
_FINISHED_MEETING = (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED)


Projected = Callable[[str, BaseModel], bool]


def prune(state: ProgrammeState, now: datetime, projected: Projected) -> list[str]:
    """Let go of what finished more than RETAIN ago and is in the read model as it stands
    (`projected`: a course registered with past dates, or a clock that jumped, must not lose
    an item before it was ever projected); returns the projection keys let go."""
    before = now - RETAIN
    gone: list[str] = []
    for task in list(state.tasks.values()):
        if not projected(f"task:{task.id}", task):
            continue
        if task.state in (TaskState.DONE, TaskState.DECLINED, TaskState.CANCELLED) and (
            task.finished_at is not None and task.finished_at < before
        ):
            if task.state == TaskState.DONE:
                start = task.expected_start or local_date(task.assigned_at)
                _reached(state, max(start, local_date(task.finished_at)))
            del state.tasks[task.id]
            gone.append(f"task:{task.id}")
    held = [m for m in state.meetings.values() if m.status == MeetingStatus.HELD]
    last_held = max(held, key=lambda m: m.starts_at).id if held else None
    for meeting in list(state.meetings.values()):
        if not projected(f"meeting:{meeting.id}", meeting):
            continue
        if meeting.status in _FINISHED_MEETING and meeting.starts_at < before:
            if meeting.id == last_held:
                continue
            if meeting.status == MeetingStatus.HELD:
                _reached(state, local_date(meeting.starts_at))
            del state.meetings[meeting.id]
            gone.append(f"meeting:{meeting.id}")
    today = local_date(now)
    for effort in list(state.efforts):
        if effort.end < today - RETAIN and projected(f"effort:{effort.id}", effort):
            _reached(state, effort.end)
            state.efforts.remove(effort)
            gone.append(f"effort:{effort.id}")
    for pause in list(state.pauses):
        # A pause followed by finished activity can no longer justify a gap that is open now.
        if not projected(f"pause:{pause.id}", pause):
            continue
        if pause.end < today - RETAIN and state.active_until and pause.end < state.active_until:
            state.pauses.remove(pause)
            gone.append(f"pause:{pause.id}")
    for sent in list(state.sent):
        if sent.sent_at < before and projected(f"sent:{sent.key}", sent):
            state.sent.remove(sent)
            gone.append(f"sent:{sent.key}")
    for todo in list(state.todos):
        if (
            todo.done_at is not None
            and todo.done_at < before
            and projected(f"todo:{todo.id}", todo)
        ):
            state.todos.remove(todo)
            gone.append(f"todo:{todo.id}")
    return gone


def _reached(state: ProgrammeState, day: date) -> None:
    if state.active_until is None or day > state.active_until:
        state.active_until = day
