"""The course's goal and sub-goals (models/goals.py): written, and their status changed."""

from datetime import datetime

from models.danish_time import local_date
from models.goals import ChangeGoal, Goal, RecordGoal
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, fmt, record, require_planning
from workflows.rejections import invalid, refuse
from workflows.rule import rule

MOST_SUB_GOALS = 12


def goal_of(state: ProgrammeState) -> Goal | None:
    return next((g for g in state.goals if g.parent_id is None), None)


def sub_goal(state: ProgrammeState, goal_id: str) -> Goal:
    """A sub-goal of the course, for a task or an effort to be tied to."""
    found = next((g for g in state.goals if g.id == goal_id and g.parent_id), None)
    if found is None:
        raise refuse("Delmålet findes ikke på sagen.")
    return found


@rule("record_goal")
def record_goal(state: ProgrammeState, cmd: RecordGoal, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "Mål for forløbet")
    if not cmd.goal_id:
        raise invalid("Målet mangler et id.")
    if cmd.target_on is not None and cmd.target_on < local_date(now):
        raise invalid("Datoen for målet kan ikke ligge i fortiden.")
    goal = goal_of(state)
    if cmd.sub_goal:
        if goal is None:
            raise refuse("Skriv forløbets mål, før delmålene.")
        if sum(1 for g in state.goals if g.parent_id) >= MOST_SUB_GOALS:
            raise refuse(f"Et forløb har højst {MOST_SUB_GOALS} delmål; afslut eller opgiv et.")
        parent: str | None = goal.id
    else:
        if goal is not None:
            # The course has one goal: written anew, it replaces the text and date.
            goal.text, goal.target_on, goal.changed_at = cmd.text, cmd.target_on, now
            return record(state, "goal_recorded", now, actor, f"Forløbets mål er nu: {cmd.text}")
        parent = None
    state.goals.append(
        Goal(
            id=cmd.goal_id,
            text=cmd.text,
            parent_id=parent,
            target_on=cmd.target_on,
            written_at=now,
            changed_at=now,
        )
    )
    what = "Delmål" if parent else "Forløbets mål"
    when = f" (senest {fmt(cmd.target_on)})" if cmd.target_on else ""
    return record(state, "goal_recorded", now, actor, f"{what}: {cmd.text}{when}")


@rule("change_goal")
def change_goal(state: ProgrammeState, cmd: ChangeGoal, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    goal = next((g for g in state.goals if g.id == cmd.goal_id), None)
    if goal is None:
        raise refuse("Målet findes ikke på sagen.")
    goal.status = cmd.status
    if cmd.target_on is not None:
        goal.target_on = cmd.target_on
    goal.changed_at = now
    what = "Delmålet" if goal.parent_id else "Forløbets mål"
    return record(
        state, "goal_changed", now, actor, f"{what} »{goal.text}«: {cmd.status.label.lower()}."
    )
