"""The course's goal and sub-goals on the time-skipping server: written with the citizen, tasks
and efforts tied to a sub-goal, and their status changed."""

from datetime import timedelta

from models.command import new_id
from models.continuity import RecordEffort
from models.enums import Department, PlanItemKind
from models.goals import ChangeGoal, GoalStatus, RecordGoal
from models.programme import StartPreparation
from models.refusals import INVALID_INPUT, INVALID_TRANSITION
from models.task import AssignTask
from tests.factories import actor_of
from tests.workflows.programme_helpers import expect_rejection, send, start_programme, worker_for
from workflows.programme import ProgrammeWorkflow


def goal(me, text: str, **fields) -> RecordGoal:
    return RecordGoal(actor=me, text=text, goal_id=new_id(), **fields)


async def test_a_goal_its_sub_goals_and_what_works_towards_them(
    time_env, task_queue, session, open_session, executor
):
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        me = actor_of(running.coordinator)
        today = (await time_env.get_current_time()).date()
        await send(running.handle, StartPreparation(actor=me))

        await expect_rejection(
            send(running.handle, goal(me, "Overskud til hverdagen", sub_goal=True)),
            INVALID_TRANSITION,
            "Skriv forløbets mål, før delmålene",
        )
        await expect_rejection(
            send(running.handle, goal(me, "Et job", target_on=today - timedelta(days=1))),
            INVALID_INPUT,
            "fortiden",
        )
        main = await send(
            running.handle, goal(me, "Et job i en butik", target_on=today + timedelta(days=700))
        )
        assert main.summary.startswith("Forløbets mål: Et job i en butik (senest")
        sub = goal(me, "Kunne møde tre timer om dagen", sub_goal=True)
        await send(running.handle, sub)
        # Written anew, the goal replaces its text; there is still one.
        await send(running.handle, goal(me, "Et job i en genbrugsbutik"))

        await send(
            running.handle,
            AssignTask(
                actor=me,
                task_id=new_id(),
                department=Department.JOBCENTER,
                purpose="Praktik med få timer",
                subgoal_id=sub.goal_id,
            ),
        )
        await send(
            running.handle,
            RecordEffort(
                actor=me,
                item_id=new_id(),
                kind=PlanItemKind.EFFORT,
                title="Mentor",
                owner="Jobcenter",
                start=today,
                end=today + timedelta(days=60),
                subgoal_id=sub.goal_id,
            ),
        )
        await expect_rejection(
            send(
                running.handle,
                AssignTask(
                    actor=me,
                    task_id=new_id(),
                    department=Department.SOCIAL,
                    purpose="Bostøtte",
                    subgoal_id="no-such-goal",
                ),
            ),
            INVALID_TRANSITION,
            "Delmålet findes ikke",
        )
        changed = await send(
            running.handle,
            ChangeGoal(actor=me, goal_id=sub.goal_id or "", status=GoalStatus.UNDER_WAY),
        )
        assert changed.summary == "Delmålet »Kunne møde tre timer om dagen«: i gang."

        state = await running.handle.query(ProgrammeWorkflow.current)
        assert [(g.text, g.parent_id is None, g.status) for g in state.goals] == [
            ("Et job i en genbrugsbutik", True, GoalStatus.NOT_STARTED),
            ("Kunne møde tre timer om dagen", False, GoalStatus.UNDER_WAY),
        ]
        assert [t.subgoal_id for t in state.tasks.values()] == [sub.goal_id]
        assert [e.subgoal_id for e in state.efforts] == [sub.goal_id]
