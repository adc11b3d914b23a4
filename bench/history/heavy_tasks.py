"""The heavy course's department tasks: about 40 over five years, each with a fate.

Most are acknowledged, started and completed; some are declined, cancelled, reassigned or left
to escalate, so that the workflow's reminders and escalations fire as they do in life. A
department's action is sent by one of its own staff, as the API would send it.
"""

import uuid
from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bench.history.casework import Staffing
from bench.history.clock import at
from bench.history.material import CONSIDERATIONS, DEPARTMENTS, PURPOSES
from bench.history.player import Player, Step
from models.command import Command
from models.danish_time import local_date
from models.enums import Department
from models.handover import ResolveTeamFlag
from models.staff import Staff
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
)
from tests.factories import actor_of

TASKS = 40


class Fate(StrEnum):
    """What becomes of a department task."""

    DONE = "acknowledged, started and completed in time"
    LATE = "left to escalate, then acknowledged two weeks late and completed"
    DECLINED = "declined by the department"
    CANCELLED = "acknowledged, then cancelled by the coordinator"
    REASSIGNED = "given to a colleague by the lead, then completed"


FATES = {
    **dict.fromkeys((3, 13, 21, 31), Fate.LATE),
    **dict.fromkeys((5, 17, 29), Fate.DECLINED),
    **dict.fromkeys((9, 23, 35), Fate.CANCELLED),
    **dict.fromkeys((15, 27), Fate.REASSIGNED),
}


@dataclass(frozen=True)
class TaskPlan:
    index: int
    task_id: str
    department: Department
    purpose: str
    fate: Fate
    assign_at: datetime
    expected_start: date
    due: date
    carries_recommendation: bool


class DepartmentTasks:
    """Puts every task's life on the agenda on the day of referral, and counts the fates."""

    def __init__(
        self, player: Player, staffing: Staffing, referral_day: date, decision_day: date
    ) -> None:
        self.player = player
        self.staffing = staffing
        self.referral_day = referral_day
        self.decision_day = decision_day
        self.fates: Counter[Fate] = Counter()

    def plan_all(self) -> None:
        for index in range(TASKS):
            self.plan_task(self.task_plan(index))

    def task_plan(self, index: int) -> TaskPlan:
        department = DEPARTMENTS[index % 4]
        if index < 2:  # asked for while the case is prepared for the team
            assign_at = at(self.referral_day, 10, 5 + index)
            expected_start = self.referral_day + timedelta(days=7)
            due = self.referral_day + timedelta(weeks=4)
        else:
            weeks = 1 + int((index - 2) * 6.6)
            assign_at = at(self.decision_day + timedelta(weeks=weeks), 10)
            expected_start = local_date(assign_at) + timedelta(days=7)
            due = expected_start + timedelta(weeks=5)
        return TaskPlan(
            index=index,
            task_id=str(uuid.uuid4()),
            department=department,
            purpose=PURPOSES[department][(index // 4) % 4],
            fate=FATES.get(index, Fate.DONE),
            assign_at=assign_at,
            expected_start=expected_start,
            due=due,
            carries_recommendation=2 <= index <= 6,
        )

    def plan_task(self, task: TaskPlan) -> None:
        plan = self.player.plan
        worker, colleague = self.staffing.workers[task.department]
        lead = self.staffing.leads[task.department]
        assigned = task.assign_at
        first_day = local_date(assigned)
        start_at = at(task.expected_start, 10)
        done_at = max(at(task.due - timedelta(days=2), 14), start_at + timedelta(days=1))
        plan(assigned, f"assign task {task.index}", self.assign_step(task))
        self.fates[task.fate] += 1
        if task.fate == Fate.DECLINED:
            reason = "Ingen ledig kapacitet før om et halvt år; henvis til regionen."
            plan(
                at(first_day + timedelta(days=1), 10),
                "decline",
                self.as_department(DeclineTask(task_id=task.task_id, reason=reason), worker),
            )
            if task.carries_recommendation:
                plan(at(first_day + timedelta(days=7), 10), "team flag", self.resolve_flag)
            return
        if task.fate == Fate.LATE:
            # Nobody acknowledges for two weeks: reminder, escalations every working day.
            late = at(first_day + timedelta(days=14), 11)
            plan(late, "late ack", self.as_department(AcknowledgeTask(), worker, task))
            start_at = late + timedelta(hours=2)
        else:
            acknowledger = worker
            if task.fate == Fate.REASSIGNED:
                acknowledger = colleague
                plan(
                    assigned + timedelta(hours=2),
                    "reassign",
                    self.as_department(
                        ReassignTask(
                            task_id=task.task_id,
                            assignee_id=str(colleague.id),
                            assignee_name=colleague.full_name,
                            assignee_department=colleague.department,
                            note="Du kender borgeren fra sidste forløb.",
                        ),
                        lead,
                    ),
                )
            plan(
                assigned + timedelta(hours=4),
                "ack",
                self.as_department(AcknowledgeTask(), acknowledger, task),
            )
            worker = acknowledger
        if task.fate == Fate.CANCELLED:
            plan(at(first_day + timedelta(days=3), 10), "cancel", self.cancel_step(task))
            return
        plan(start_at, "start", self.as_department(StartTask(), worker, task))
        result = CompleteTask(
            task_id=task.task_id, result="Gennemført som aftalt; borgeren deltog stabilt."
        )
        plan(done_at, "complete", self.as_department(result, worker))

    def assign_step(self, task: TaskPlan) -> Step:
        async def step() -> None:
            await self.player.sender.send(
                AssignTask(
                    actor=self.player.me,
                    task_id=task.task_id,
                    department=task.department,
                    purpose=task.purpose,
                    considerations=CONSIDERATIONS,
                    expected_start=task.expected_start,
                    due=task.due,
                    carries_recommendation=task.carries_recommendation,
                )
            )

        return step

    def as_department(self, command: Command, staff: Staff, task: TaskPlan | None = None) -> Step:
        """A department's action on its task, sent as one of its own staff."""

        async def step() -> None:
            update: dict[str, Any] = {"actor": actor_of(staff)}
            if task is not None:
                update["task_id"] = task.task_id
            await self.player.sender.send(command.model_copy(update=update))

        return step

    def cancel_step(self, task: TaskPlan) -> Step:
        async def step() -> None:
            reason = "Borgeren er startet i et andet tilbud, som dækker behovet."
            await self.player.sender.send(
                CancelTask(actor=self.player.me, task_id=task.task_id, reason=reason)
            )

        return step

    async def resolve_flag(self) -> None:
        """A declined task that carried the team's recommendation flags the case for the team;
        the coordinator resolves the flag."""
        note = "Teamet har drøftet sagen og finder en anden leverandør."
        await self.player.sender.send(ResolveTeamFlag(actor=self.player.me, note=note))
