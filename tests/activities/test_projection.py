"""The projection activity is idempotent and never lets an older state overwrite a newer one."""

import uuid
from datetime import UTC, datetime

from sqlmodel import Session, col, select
from temporalio.testing import ActivityEnvironment

from activities.projection import ProjectionActivities
from models.case import Case, CaseEvent
from models.enums import Department, Stage, TaskState
from models.programme import ProgrammeInput, ProgrammeState, ProjectionInput, TimelineEvent
from models.rules import CourseRules
from models.task import Task, TaskRecord, TaskSla
from tests.factories import make_citizen, make_staff


def _input(session: Session) -> ProgrammeState:
    coordinator, citizen = make_staff(session), make_citizen(session)
    start = ProgrammeInput(
        case_id=str(uuid.uuid4()), citizen_id=str(citizen.id), coordinator_id=str(coordinator.id)
    )
    return start.initial_state(datetime.now(UTC))


def _event(seq: int, kind: str) -> TimelineEvent:
    return TimelineEvent(seq=seq, kind=kind, at=datetime.now(UTC), summary=kind)


def test_replaying_a_projection_changes_nothing(session, open_session):
    project = ActivityEnvironment().run
    activities = ProjectionActivities(open_session, CourseRules())
    state = _input(session)
    state.seq = 1
    first = ProjectionInput(state=state, events=[_event(1, "referred")])

    project(activities.project_programme, first)
    project(activities.project_programme, first)

    case_id = uuid.UUID(state.case_id)
    events = session.exec(select(CaseEvent).where(CaseEvent.case_id == case_id)).all()
    assert [e.kind for e in events] == ["referred"]
    case = session.get(Case, case_id)
    assert case is not None and case.stage == Stage.REFERRED and case.last_seq == 1


def test_an_older_state_arriving_late_does_not_overwrite_a_newer(session, open_session):
    project = ActivityEnvironment().run
    activities = ProjectionActivities(open_session, CourseRules())
    old = _input(session)
    old.seq = 1
    new = old.model_copy(update={"seq": 2, "stage": Stage.PREPARATION})

    newer = ProjectionInput(state=new, events=[_event(2, "prep")])
    older = ProjectionInput(state=old, events=[_event(1, "referred")])
    project(activities.project_programme, newer)
    project(activities.project_programme, older)

    case_id = uuid.UUID(old.case_id)
    case = session.get(Case, case_id)
    assert case is not None
    session.refresh(case)
    assert case.stage == Stage.PREPARATION and case.last_seq == 2
    kinds = session.exec(
        select(CaseEvent.kind).where(CaseEvent.case_id == case_id).order_by(col(CaseEvent.seq))
    ).all()
    assert kinds == ["referred", "prep"]


def test_a_stale_partial_projection_does_not_undo_a_newer_tasks_state(session, open_session):
    # A stale attempt of a workflow task, still running on an overloaded worker, lands after
    # the live one: its tasks are older than the rows it finds.
    project = ActivityEnvironment().run
    activities = ProjectionActivities(open_session, CourseRules())
    state = _input(session)
    task_id = str(uuid.uuid4())
    now = datetime.now(UTC)
    state.tasks[task_id] = TaskRecord(
        id=task_id,
        department=Department.SOCIAL,
        purpose="Bostøtte",
        assigned_at=now,
        assigned_by=state.coordinator_id,
        sla=TaskSla(),
        reminder_at=now,
        acknowledge_by=now,
    )
    state.seq = 1
    project(activities.project_programme, ProjectionInput(state=state))

    def changed(seq: int, task_state: TaskState) -> ProjectionInput:
        partial = state.model_copy(deep=True, update={"seq": seq})
        partial.tasks[task_id].state = task_state
        return ProjectionInput(state=partial, partial=True)

    project(activities.project_programme, changed(3, TaskState.DONE))
    project(activities.project_programme, changed(2, TaskState.ACKNOWLEDGED))

    task = session.get(Task, uuid.UUID(task_id), populate_existing=True)
    assert task is not None and task.state == TaskState.DONE
