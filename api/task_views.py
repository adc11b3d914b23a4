"""Read-model views of tasks: a case's task board, a department's inbox and its lead's queue."""

import uuid
from datetime import UTC, datetime

from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from models.case import Case
from models.citizen import Citizen
from models.consent import InfoCategory
from models.enums import OPEN_TASK_STATES, Department, MeetingStatus, TaskState
from models.meeting import MeetingInvite
from models.staff import Staff
from models.task import InboxTask, Task, TaskPublic

UPCOMING = [s for s in MeetingStatus if s.is_upcoming]
BOARD_COLUMNS = [
    TaskState.ASSIGNED,
    TaskState.ACKNOWLEDGED,
    TaskState.IN_PROGRESS,
    TaskState.DECLINED,
    TaskState.DONE,
]


def task_public(task: Task, assignee: str | None) -> TaskPublic:
    return TaskPublic(
        **task.model_dump(exclude={"assignee_id", "updated_at", "needs", "by_law"}),
        needs=[InfoCategory(n) for n in task.needs.split(",") if n],
        department_label=task.department.label,
        state_label=task.state.label,
        breach_label=task.breach.label if task.breach else None,
        assignee=assignee,
    )


_Assignee = aliased(Staff)


def case_tasks(session: Session, case_id: uuid.UUID) -> list[TaskPublic]:
    return tasks_of_cases(session, [case_id]).get(case_id, [])


def tasks_of_cases(
    session: Session, case_ids: list[uuid.UUID]
) -> dict[uuid.UUID, list[TaskPublic]]:
    """The tasks of several cases in one query (the board), each case's oldest first."""
    found: dict[uuid.UUID, list[TaskPublic]] = {}
    rows = session.exec(
        select(Task, _Assignee.full_name)
        .outerjoin(_Assignee, col(_Assignee.id) == Task.assignee_id)
        .where(col(Task.case_id).in_(case_ids))
        .order_by(col(Task.assigned_at))
    )
    for task, assignee in rows:
        found.setdefault(task.case_id, []).append(task_public(task, assignee))
    return found


def department_tasks(
    session: Session, department: Department, *, open_only: bool = True
) -> list[InboxTask]:
    """A department's tasks, oldest first, with whose course each belongs to."""
    coordinator = aliased(Staff)
    query = (
        select(Task, _Assignee.full_name, Citizen.name, coordinator.full_name)
        .join(Case, col(Case.id) == Task.case_id)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .join(coordinator, col(coordinator.id) == Case.coordinator_id)
        .outerjoin(_Assignee, col(_Assignee.id) == Task.assignee_id)
        .where(Task.department == department)
        .order_by(col(Task.assigned_at))
    )
    if open_only:
        query = query.where(col(Task.state).in_(OPEN_TASK_STATES))
    return [
        InboxTask(
            **task_public(task, assignee).model_dump(),
            citizen_name=citizen,
            coordinator_name=coordinator_name,
        )
        for task, assignee, citizen, coordinator_name in session.exec(query).all()
    ]


def colleagues(session: Session, department: Department) -> list[Staff]:
    return list(
        session.exec(
            select(Staff)
            .where(Staff.department == department, col(Staff.active))
            .order_by(Staff.full_name)
        ).all()
    )


def upcoming_invites(session: Session, user: Staff) -> list[tuple[MeetingInvite, str]]:
    """Meetings with citizens that this member of staff is invited to, soonest first."""
    rows = session.exec(
        select(MeetingInvite, Citizen.name)
        .join(Case, col(Case.id) == MeetingInvite.case_id)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .where(
            MeetingInvite.staff_id == user.id,
            col(MeetingInvite.starts_at) > datetime.now(UTC),
            col(MeetingInvite.status).in_(UPCOMING),
        )
        .order_by(col(MeetingInvite.starts_at))
    ).all()
    return [(invite, citizen) for invite, citizen in rows]
