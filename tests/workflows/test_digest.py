"""The daily digest workflow: its windows, and the Temporal Schedule that starts it."""

import asyncio
import uuid
from datetime import UTC, date, datetime, timedelta

from sqlmodel import Session, select
from temporalio.client import (
    Client,
    ScheduleActionExecutionStartWorkflow,
    ScheduleHandle,
    ScheduleOverlapPolicy,
    ScheduleRange,
)

from deploy.digest_schedule import SCHEDULE_ID, ensure_digest_schedule
from deploy.worker import build_worker
from models.danish_time import COPENHAGEN, local_date
from models.digest import DigestInput, DigestWindow
from models.enums import Role
from models.outbox import OutboxMessage
from models.staff import Staff
from tests.activities.test_digest import name_of, stalled_case
from tests.factories import make_staff
from workflows.digest import SCHEDULED_START, DigestWorkflow, digest_window


def test_each_window_starts_where_the_one_before_ended_across_summer_time():
    day = date(2026, 1, 1)
    while day.year == 2026:
        moment = datetime(day.year, day.month, day.day, 9, tzinfo=COPENHAGEN)
        today, tomorrow = digest_window(moment, 7), digest_window(moment + timedelta(days=1), 7)
        assert today.end == tomorrow.start
        assert today.end.astimezone(COPENHAGEN).hour == 7
        day += timedelta(days=1)
    spring = digest_window(datetime(2026, 3, 29, 7, tzinfo=COPENHAGEN), 7)
    autumn = digest_window(datetime(2026, 10, 25, 7, tzinfo=COPENHAGEN), 7)
    assert spring.end - spring.start == timedelta(hours=23)
    assert autumn.end - autumn.start == timedelta(hours=25)
    # Just before the hour, the day before's digest is the latest one.
    before = digest_window(datetime(2026, 3, 10, 6, 59, tzinfo=COPENHAGEN), 7)
    assert before.end == datetime(2026, 3, 9, 7, tzinfo=COPENHAGEN)


def far_from(moment: datetime) -> int:
    """A digest hour about 12 hours away, so the window cannot move while a test runs."""
    return (moment.astimezone(COPENHAGEN).hour + 12) % 24


def manager_digests(session: Session, manager: Staff) -> list[OutboxMessage]:
    session.expire_all()
    return list(session.exec(select(OutboxMessage).where(OutboxMessage.staff_id == manager.id)))


async def test_started_by_hand_it_covers_the_latest_day_after_letting_it_settle(
    time_env, task_queue, session, open_session, executor
):
    now = await time_env.get_current_time()
    hour = far_from(now)
    window = digest_window(now, hour)
    manager = make_staff(session, Role.MANAGER, email="leder@kommune.dk")
    case = stalled_case(session, ("stalled", window.start + timedelta(minutes=1)))
    async with build_worker(
        time_env.client,
        task_queue=task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    ):
        # A settling time of a day means a timer; the test server skips it.
        written = await time_env.client.execute_workflow(
            DigestWorkflow.run,
            DigestInput(hour=hour, settle_seconds=24 * 3600),
            id=f"digest-{uuid.uuid4()}",
            task_queue=task_queue,
        )
    assert written >= 1
    [row] = manager_digests(session, manager)
    assert row.key == f"digest:{local_date(window.end).isoformat()}:{manager.id}"
    assert name_of(session, case) in row.body


async def finished_runs(handle: ScheduleHandle, count: int) -> list[str]:
    """Wait until the schedule has started `count` runs and none is running; their ids. Up to
    60 s: each run mails every lead and manager the suite has made so far, on a dev server that
    by then holds the scale-out test's courses too."""
    for _ in range(600):
        info = (await handle.describe()).info
        if len(info.recent_actions) >= count and not info.running_actions:
            started = [result.action for result in info.recent_actions]
            return [
                a.workflow_id
                for a in started
                if isinstance(a, ScheduleActionExecutionStartWorkflow)
            ]
        await asyncio.sleep(0.1)
    raise AssertionError("the schedule's runs did not finish")


async def scheduled_start(client: Client, workflow_id: str) -> datetime | None:
    description = await client.get_workflow_handle(workflow_id).describe()
    return description.typed_search_attributes.get(SCHEDULED_START)


async def test_the_schedule_starts_the_digest_and_a_second_run_writes_nothing_twice(
    dev_env, task_queue, session, open_session, executor
):
    client = dev_env.client
    now = datetime.now(UTC)
    hour = far_from(now)
    window: DigestWindow = digest_window(now, hour)
    manager = make_staff(session, Role.MANAGER, email="leder@kommune.dk")
    case = stalled_case(session, ("stalled", window.end - timedelta(minutes=1)))
    # Set up twice, as every worker start does; the second brings the first up to date.
    await ensure_digest_schedule(client, task_queue, (hour + 1) % 24, settle_seconds=0)
    handle = await ensure_digest_schedule(client, task_queue, hour, settle_seconds=0)
    try:
        description = await handle.describe()
        assert description.id == SCHEDULE_ID
        spec = description.schedule.spec
        assert [list(c.hour) for c in spec.calendars] == [[ScheduleRange(hour, hour, 1)]]
        assert spec.time_zone_name == "Europe/Copenhagen"
        assert description.schedule.policy.overlap == ScheduleOverlapPolicy.BUFFER_ALL
        async with build_worker(
            client,
            task_queue=task_queue,
            open_session=open_session,
            executor=executor,
            public_url="http://forloeb.test",
        ):
            await handle.trigger()
            [first] = await finished_runs(handle, 1)
            [row] = manager_digests(session, manager)
            assert name_of(session, case) in row.body
            assert row.key == f"digest:{local_date(window.end).isoformat()}:{manager.id}"
            # The run knew the time the schedule meant it for.
            assert await scheduled_start(client, first) is not None

            await handle.trigger()
            await finished_runs(handle, 2)
            assert manager_digests(session, manager) == [row]
    finally:
        await handle.delete()
