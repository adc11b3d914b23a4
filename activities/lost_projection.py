"""What a projection wrote when its workflow task was then lost.

The projection is a local activity: it commits inside the workflow task, before the server has
recorded the task's outcome. When that task is lost (its worker killed, or the task timed out
on an overloaded worker), the read model holds an action the workflow's history does not; the
server may then refuse the action, or deliver it again to the next attempt. The workflow tells
each projection the seq its history says the read model holds, so the next projection finds
the read model ahead of it and asks for the whole state instead, which replaces what the lost
one wrote (workflows/programme.py: _project_in_turn).
"""

import uuid

from sqlalchemy import delete
from sqlmodel import Session, col, select
from temporalio.exceptions import ApplicationError

from models.case import Case, CaseEvent
from models.case_view import CaseMeeting, CaseMessage, CaseTodo, PlanItemRow
from models.enums import OPEN_TASK_STATES
from models.meeting import MeetingInvite
from models.programme import ProgrammeState
from models.task import Task

READ_MODEL_AHEAD = "ReadModelAhead"


def refuse_if_ahead(session: Session, case_id: uuid.UUID, projected_seq: int) -> None:
    """Refuse a projection of changes when the read model holds more than the history says."""
    held = session.exec(select(Case.last_seq).where(Case.id == case_id)).first()
    if held is not None and held > projected_seq:
        raise ApplicationError(
            f"the read model holds seq {held}, the history {projected_seq}",
            type=READ_MODEL_AHEAD,
            non_retryable=True,
        )


def undo_after(
    session: Session, case_id: uuid.UUID, state: ProgrammeState, projected_seq: int
) -> None:
    """Remove what was written after `projected_seq` and the whole state does not hold; the
    projection of the whole state then writes everything else again."""
    session.exec(
        delete(CaseEvent).where(
            col(CaseEvent.case_id) == case_id, col(CaseEvent.seq) > projected_seq
        )
    )
    meetings = set(state.meetings)
    lost_meetings = [
        meeting_id
        for meeting_id in session.exec(
            select(CaseMeeting.id).where(
                CaseMeeting.case_id == case_id, col(CaseMeeting.seq) > projected_seq
            )
        )
        if meeting_id not in meetings
    ]
    if lost_meetings:
        session.exec(delete(CaseMeeting).where(col(CaseMeeting.id).in_(lost_meetings)))
        session.exec(delete(MeetingInvite).where(col(MeetingInvite.meeting_id).in_(lost_meetings)))
    written_after = (
        (CaseTodo, CaseTodo.id, {todo.id for todo in state.todos}),
        (PlanItemRow, PlanItemRow.id, {e.id for e in state.efforts} | {p.id for p in state.pauses}),
        (
            CaseMessage,
            CaseMessage.key,
            {m.key for m in state.outgoing} | {m.key for m in state.sent},
        ),
    )
    for table, key, held in written_after:
        session.exec(
            delete(table).where(
                col(table.case_id) == case_id,
                col(table.seq) > projected_seq,
                col(key).not_in(held),
            )
        )
    # The state keeps every open task (workflows/retention.py lets go of finished ones only),
    # so an open task it does not hold was assigned by the lost action.
    tasks = [uuid.UUID(task_id) for task_id in state.tasks]
    session.exec(
        delete(Task).where(
            col(Task.case_id) == case_id,
            col(Task.state).in_(list(OPEN_TASK_STATES)),
            col(Task.id).not_in(tasks),
        )
    )
