"""One long-running workflow per ressourceforløb, from referral to the 13-week follow-up.

Tasks and meetings (later issues) will hang on this workflow; the course itself is state inside
it, because every transition needs the whole state to be judged and there is one writer.
"""

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import TypeVar

from temporalio import workflow
from temporalio.common import RetryPolicy

with workflow.unsafe.imports_passed_through():
    from activities.projection import ProjectionActivities
    from models.enums import Stage
    from models.programme import (
        CloseEarly,
        Command,
        EndProgramme,
        ExtendProgramme,
        ProgrammeInput,
        ProgrammeState,
        ProjectionInput,
        RecordDecision,
        RecordRecommendation,
        RecordStatus,
        ScheduleTeamMeeting,
        StartPreparation,
        TimelineEvent,
    )
    from workflows import programme_rules as rules

C = TypeVar("C", bound=Command)
Action = Callable[[ProgrammeState, C, datetime], TimelineEvent]

PROJECTION_TIMEOUT = timedelta(seconds=30)
# The read model must catch up eventually, however long the database is away.
PROJECTION_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


@workflow.defn
class ProgrammeWorkflow:
    @workflow.init
    def __init__(self, input: ProgrammeInput) -> None:
        self.state = input.state or input.initial_state(workflow.now())

    @workflow.run
    async def run(self, input: ProgrammeInput) -> ProgrammeState:
        if input.state is None:
            await self._project(rules.refer(self.state))
        while self.state.stage != Stage.CLOSED:
            await self._wait_for_change_or_deadline()
            if workflow.info().is_continue_as_new_suggested():
                await workflow.wait_condition(workflow.all_handlers_finished)
                workflow.continue_as_new(
                    ProgrammeInput(
                        case_id=self.state.case_id,
                        citizen_id=self.state.citizen_id,
                        coordinator_id=self.state.coordinator_id,
                        state=self.state,
                    )
                )
        await workflow.wait_condition(workflow.all_handlers_finished)
        return self.state

    async def _wait_for_change_or_deadline(self) -> None:
        seen = self.state.seq
        deadline = rules.next_deadline(self.state)
        timeout = None
        if deadline is not None:
            timeout = max(deadline - workflow.now(), timedelta(0))
        try:
            await workflow.wait_condition(
                lambda: self.state.seq != seen or workflow.info().is_continue_as_new_suggested(),
                timeout=timeout,
            )
        except TimeoutError:
            await self._project(rules.on_deadline(self.state, workflow.now()))

    async def _project(self, event: TimelineEvent | None) -> None:
        await workflow.execute_activity_method(
            ProjectionActivities.project_programme,
            ProjectionInput(state=self.state, event=event),
            start_to_close_timeout=PROJECTION_TIMEOUT,
            retry_policy=PROJECTION_RETRY,
        )

    def _check(self, action: Action[C], cmd: C) -> None:
        action(self.state.model_copy(deep=True), cmd, workflow.now())

    async def _act(self, action: Action[C], cmd: C) -> TimelineEvent:
        # Applied before the first await, so concurrent updates cannot interleave on the state;
        # a race lost since validation raises here and fails only this update.
        event = action(self.state, cmd, workflow.now())
        await self._project(event)
        return event

    @workflow.query
    def current(self) -> ProgrammeState:
        return self.state

    @workflow.update
    async def start_preparation(self, cmd: StartPreparation) -> TimelineEvent:
        return await self._act(rules.start_preparation, cmd)

    @start_preparation.validator
    def _check_start_preparation(self, cmd: StartPreparation) -> None:
        self._check(rules.start_preparation, cmd)

    @workflow.update
    async def schedule_team_meeting(self, cmd: ScheduleTeamMeeting) -> TimelineEvent:
        return await self._act(rules.schedule_team_meeting, cmd)

    @schedule_team_meeting.validator
    def _check_schedule_team_meeting(self, cmd: ScheduleTeamMeeting) -> None:
        self._check(rules.schedule_team_meeting, cmd)

    @workflow.update
    async def record_recommendation(self, cmd: RecordRecommendation) -> TimelineEvent:
        return await self._act(rules.record_recommendation, cmd)

    @record_recommendation.validator
    def _check_record_recommendation(self, cmd: RecordRecommendation) -> None:
        self._check(rules.record_recommendation, cmd)

    @workflow.update
    async def record_decision(self, cmd: RecordDecision) -> TimelineEvent:
        return await self._act(rules.record_decision, cmd)

    @record_decision.validator
    def _check_record_decision(self, cmd: RecordDecision) -> None:
        self._check(rules.record_decision, cmd)

    @workflow.update
    async def extend(self, cmd: ExtendProgramme) -> TimelineEvent:
        return await self._act(rules.extend, cmd)

    @extend.validator
    def _check_extend(self, cmd: ExtendProgramme) -> None:
        self._check(rules.extend, cmd)

    @workflow.update
    async def end_programme(self, cmd: EndProgramme) -> TimelineEvent:
        return await self._act(rules.end_programme, cmd)

    @end_programme.validator
    def _check_end_programme(self, cmd: EndProgramme) -> None:
        self._check(rules.end_programme, cmd)

    @workflow.update
    async def record_status(self, cmd: RecordStatus) -> TimelineEvent:
        return await self._act(rules.record_status, cmd)

    @record_status.validator
    def _check_record_status(self, cmd: RecordStatus) -> None:
        self._check(rules.record_status, cmd)

    @workflow.update
    async def close_early(self, cmd: CloseEarly) -> TimelineEvent:
        return await self._act(rules.close_early, cmd)

    @close_early.validator
    def _check_close_early(self, cmd: CloseEarly) -> None:
        self._check(rules.close_early, cmd)
