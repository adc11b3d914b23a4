"""The rule of every declared action (models/actions.py), for the workflow's dispatch.

Each rule module marks its rules with @rule(name); importing them here fills the registry,
and a declared action without a rule (or a rule without a declaration) fails at import.
"""

from models.actions import ACTIONS, Action, refusal
from models.command import Command
from models.programme import ProgrammeState

# Imported for their @rule marks, which fill the registry.
from workflows import (  # noqa: F401
    consent_rules,
    contact_rules,
    continuity,
    description_rules,
    goal_rules,
    handover_rules,
    meeting_rules,
    outgoing,
    programme_rules,
    progression_rules,
    replies,
    task_rules,
    todos,
)
from workflows.rule import RULES, Rule

if set(RULES) != set(ACTIONS):
    raise LookupError(f"actions without a rule: {sorted(set(ACTIONS) - set(RULES))}")


def rule_of(action: Action) -> Rule:
    return RULES[action.name]


def actor_refusal(state: ProgrammeState, action: Action, command: Command) -> str | None:
    """Why the command's actor may not perform the action on this course, or None."""
    task_id = getattr(command, "task_id", None) if action.on_task else None
    task = state.tasks.get(task_id) if task_id else None
    return refusal(
        action.who,
        command.actor,
        coordinator_id=state.coordinator_id,
        handover_to_id=state.handover.to_id if state.handover else None,
        task_department=task.department if task else None,
    )
