"""What a course lets go of, as pure functions: no Temporal, milliseconds each."""

import uuid
from datetime import date, datetime, timedelta

import pytest

from models.continuity import Pause, PlanEffort
from models.danish_time import start_of
from models.enums import Channel, MeetingStatus, PlaceKind, PlanItemKind, Stage, TaskState
from models.meeting import Meeting, SentMessage, Todo
from models.programme import ProgrammeState
from tests.workflows.test_continuity import REFERRED, course
from workflows import retention, stall
from workflows.projection_delta import ProjectionTracker
from workflows.todos import add_todo

ALL_PROJECTED = lambda key, item: True  # noqa: E731
NOW = start_of(REFERRED + timedelta(days=200)) + timedelta(hours=10)
LONG_AGO = NOW - timedelta(days=31)
LATELY = NOW - timedelta(days=29)


def finished_task(state: ProgrammeState, how: TaskState, at: datetime) -> str:
    """The state's one task, finished `how` at `at`."""
    task = next(iter(state.tasks.values()))
    task.state, task.finished_at = how, at
    return task.id


def meeting(status: MeetingStatus, at: datetime) -> Meeting:
    return Meeting(
        id=str(uuid.uuid4()),
        starts_at=at,
        duration_minutes=60,
        place_kind=PlaceKind.LIBRARY,
        place="Biblioteket",
        purpose="Opfølgning",
        status=status,
        booked_at=at - timedelta(days=7),
    )


@pytest.mark.parametrize(
    ("how", "at", "kept", "reached"),
    [
        (TaskState.DONE, LONG_AGO, False, True),
        (TaskState.DONE, LATELY, True, False),
        (TaskState.DECLINED, LONG_AGO, False, False),
        (TaskState.CANCELLED, LONG_AGO, False, False),
        (TaskState.IN_PROGRESS, None, True, False),
    ],
)
def test_a_task_is_let_go_30_days_after_it_finished(how, at, kept, reached):
    state = course((0, 10))
    task_id = finished_task(state, how, at)

    gone = retention.prune(state, NOW, ALL_PROJECTED)

    assert (task_id in state.tasks) == kept
    assert gone == ([] if kept else [f"task:{task_id}"])
    assert (state.active_until is not None) == reached


@pytest.mark.parametrize(
    ("status", "at", "kept"),
    [
        (MeetingStatus.HELD, LONG_AGO - timedelta(days=5), False),
        (MeetingStatus.NO_SHOW, LONG_AGO, False),
        (MeetingStatus.CANCELLED, LONG_AGO, False),
        (MeetingStatus.HELD, LATELY, True),
        (MeetingStatus.BOOKED, NOW + timedelta(days=3), True),
    ],
)
def test_a_past_meeting_is_let_go_but_the_last_held_stays(status, at, kept):
    state = course()
    last_held = meeting(MeetingStatus.HELD, LONG_AGO)
    other = meeting(status, at)
    state.meetings = {last_held.id: last_held, other.id: other}
    if status == MeetingStatus.HELD and at > LONG_AGO:
        kept = True  # it is now the last held one, and the earlier one goes instead

    retention.prune(state, NOW, ALL_PROJECTED)

    assert (other.id in state.meetings) == kept
    assert (last_held.id in state.meetings) != (status == MeetingStatus.HELD and at > LONG_AGO)


def test_sent_messages_done_todos_and_old_plan_items_are_let_go():
    state = course()
    state.sent = [
        SentMessage(key="old", purpose="meeting_reminder", channel=Channel.SMS, sent_at=LONG_AGO),
        SentMessage(key="new", purpose="meeting_reminder", channel=Channel.SMS, sent_at=LATELY),
    ]
    state.todos = [
        Todo(id="todo-1", text="Ring", created_at=LONG_AGO, done_at=LONG_AGO),
        Todo(id="todo-2", text="Ring igen", created_at=LONG_AGO),
    ]
    ended = (NOW - timedelta(days=45)).date()
    state.efforts = [
        PlanEffort(
            id="e1",
            kind=PlanItemKind.EFFORT,
            title="Praktik",
            owner="Jobcenter",
            start=ended - timedelta(days=60),
            end=ended,
        )
    ]
    state.pauses = [Pause(id="p1", reason="Indlagt", start=ended - timedelta(days=90), end=ended)]

    gone = retention.prune(state, NOW, ALL_PROJECTED)

    assert [m.key for m in state.sent] == ["new"]
    assert [t.id for t in state.todos] == ["todo-2"]
    assert state.efforts == [] and state.active_until == ended
    # The pause ended on the effort's last day: no finished activity came after it, so it
    # could still justify a gap that is open now, and it stays.
    assert [p.id for p in state.pauses] == ["p1"]
    assert sorted(gone) == ["effort:e1", "sent:old", "todo:todo-1"]


def test_a_gap_is_judged_the_same_after_the_finished_task_before_it_is_let_go():
    state = course((100, 150))
    state.stage = Stage.ACTIVE
    state.planned_end = REFERRED + timedelta(days=400)
    finished_task(state, TaskState.DONE, start_of(REFERRED + timedelta(days=150)))
    before = stall.current(state, NOW)

    retention.prune(state, NOW, ALL_PROJECTED)

    assert state.tasks == {}
    assert state.active_until == REFERRED + timedelta(days=150)
    assert [(s.kind, s.since) for s in stall.current(state, NOW)] == [
        (s.kind, s.since) for s in before
    ]
    assert any(s.kind == "gap" for s in before)


def test_the_projection_carries_what_changed_names_what_a_rule_removed_and_not_what_was_let_go():
    state = course((0, 10), (20, 30))
    tracker = ProjectionTracker()
    first = tracker.delta(state, [])
    assert first.partial and len(first.state.tasks) == 2 and first.gone == []

    assert tracker.delta(state, []).state.tasks == {}

    changed = next(iter(state.tasks.values()))
    changed.state = TaskState.IN_PROGRESS
    assert list(tracker.delta(state, []).state.tasks) == [changed.id]

    state.pauses.append(
        Pause(id="p1", reason="Ferie", start=date(2027, 2, 1), end=date(2027, 2, 9))
    )
    tracker.delta(state, [])
    state.pauses.clear()  # removed by the coordinator
    let_go = changed.id
    del state.tasks[let_go]  # let go by retention
    tracker.forget([f"task:{let_go}"])
    assert tracker.delta(state, []).gone == ["pause:p1"]


def test_nothing_is_let_go_before_the_read_model_holds_it_as_it_stands():
    state = course((0, 10))
    task_id = finished_task(state, TaskState.DONE, LONG_AGO)
    tracker = ProjectionTracker()

    assert retention.prune(state, NOW, tracker.projected) == []
    tracker.delta(state, [])
    assert retention.prune(state, NOW, tracker.projected) == [f"task:{task_id}"]


def test_todo_ids_are_never_reused_after_done_todos_are_let_go():
    state = course()
    first = add_todo(state, "Ring", None, LONG_AGO)
    first.done_at = LONG_AGO
    retention.prune(state, NOW, ALL_PROJECTED)
    second = add_todo(state, "Ring igen", None, NOW)
    assert second.id != first.id
