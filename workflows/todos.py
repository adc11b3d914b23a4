"""The coordinator's to-dos: phone the citizen, find a new time, read a reply."""

from datetime import datetime

from models.meeting import (
    CompleteTodo,
    Todo,
)
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, unchanged
from workflows.rejections import refuse
from workflows.rule import rule


def add_todo(state: ProgrammeState, text: str, meeting_id: str | None, now: datetime) -> Todo:
    # Counted, not the list's length: done to-dos are let go (workflows/retention.py).
    state.todos_made = max(state.todos_made, len(state.todos)) + 1
    todo = Todo(id=f"todo-{state.todos_made}", text=text, meeting_id=meeting_id, created_at=now)
    state.todos.append(todo)
    return todo


def close_todos(state: ProgrammeState, meeting_id: str, now: datetime) -> None:
    for todo in state.todos:
        if todo.meeting_id == meeting_id and todo.done_at is None:
            todo.done_at = now


@rule("complete_todo")
def complete_todo(state: ProgrammeState, cmd: CompleteTodo, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    todo = next((t for t in state.todos if t.id == cmd.todo_id), None)
    if todo is None:
        raise refuse("Opgaven findes ikke.")
    if todo.done_at is not None:
        return unchanged(state, now, "Opgaven var allerede klaret.")
    todo.done_at = now
    return record(state, "todo_done", now, actor, f"Klaret: {todo.text}")
