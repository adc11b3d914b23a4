"""The declared actions (models/actions.py) as the API offers them, and who may take them.

The workflow asks the same predicate again, so these checks decide what is offered and
refuse early with the same wording; they are not the only guard.
"""

from api.permissions import actor
from models.actions import Action, case_actions, refusal, task_actions
from models.case import Case
from models.staff import Staff
from models.task import Task

CASE_ACTIONS = case_actions()
TASK_ACTIONS = task_actions()


def refusal_for(action: Action, user: Staff, case: Case, task: Task | None = None) -> str | None:
    """Why this user may not take the action on this case (or task), or None."""
    return refusal(
        action.who,
        actor(user),
        coordinator_id=str(case.coordinator_id),
        handover_to_id=str(case.handover_to_id) if case.handover_to_id else None,
        task_department=task.department if task else None,
    )
