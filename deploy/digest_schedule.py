"""The Temporal Schedule that starts the daily digest, set up by every worker at start."""

from datetime import timedelta

from temporalio.client import (
    Client,
    Schedule,
    ScheduleActionStartWorkflow,
    ScheduleAlreadyRunningError,
    ScheduleCalendarSpec,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    SchedulePolicy,
    ScheduleRange,
    ScheduleSpec,
    ScheduleUpdate,
    ScheduleUpdateInput,
)

from models.digest import DigestInput
from workflows.digest import DigestWorkflow

SCHEDULE_ID = "daily-digest"


def digest_schedule(task_queue: str, hour: int, settle_seconds: float = 60) -> Schedule:
    """Every day at `hour`:00 in Copenhagen.

    Each run covers its own day, so no run may be dropped: a run due while the previous one
    is still at work (say, the database was away all day) waits for it instead of being
    skipped, and runs missed while Temporal itself was down, up to a week back, are made up.
    """
    return Schedule(
        action=ScheduleActionStartWorkflow(
            DigestWorkflow.run,
            DigestInput(hour=hour, settle_seconds=settle_seconds),
            id=SCHEDULE_ID,
            task_queue=task_queue,
        ),
        spec=ScheduleSpec(
            calendars=[ScheduleCalendarSpec(hour=[ScheduleRange(hour)])],
            time_zone_name="Europe/Copenhagen",
        ),
        policy=SchedulePolicy(
            overlap=ScheduleOverlapPolicy.BUFFER_ALL, catchup_window=timedelta(days=7)
        ),
    )


async def ensure_digest_schedule(
    client: Client, task_queue: str, hour: int, *, settle_seconds: float = 60
) -> ScheduleHandle:
    """Create the schedule, or bring an existing one up to date; a paused one stays paused."""
    wanted = digest_schedule(task_queue, hour, settle_seconds)
    try:
        return await client.create_schedule(SCHEDULE_ID, wanted)
    except ScheduleAlreadyRunningError:
        pass

    def update(current: ScheduleUpdateInput) -> ScheduleUpdate:
        schedule = current.description.schedule
        schedule.action, schedule.spec, schedule.policy = wanted.action, wanted.spec, wanted.policy
        return ScheduleUpdate(schedule=schedule)

    handle = client.get_schedule_handle(SCHEDULE_ID)
    await handle.update(update)
    return handle
