"""The daily digest: started each morning by a Temporal Schedule (deploy/digest_schedule.py).

Its window is the day before the digest hour it belongs to, in Copenhagen time, so consecutive
digests tile the timeline: 23 or 25 hours across a change to or from summer time. The window
comes from the schedule's own time for this run, not from when the run got to a worker, so a
late or caught-up run covers the same day it would have on time. A run started by hand (or
triggered) belongs to the latest digest hour before it: it covers that day again, and the
outbox keys make it write only what that day's run did not.
"""

from datetime import UTC, datetime, time, timedelta

from temporalio import workflow
from temporalio.common import RetryPolicy, SearchAttributeKey

with workflow.unsafe.imports_passed_through():
    from activities.digest import DigestActivities
    from models.danish_time import COPENHAGEN
    from models.digest import DigestInput, DigestWindow

# Set by Temporal on every run a schedule starts: the time the schedule meant it for.
SCHEDULED_START = SearchAttributeKey.for_datetime("TemporalScheduledStartTime")
# One call per recipient to the SMTP relay, each given 10 seconds.
SEND_TIMEOUT = timedelta(minutes=5)
SEND_RETRY = RetryPolicy(maximum_interval=timedelta(minutes=1))


def digest_window(moment: datetime, hour: int) -> DigestWindow:
    """The day that ends at the latest digest hour at or before `moment`."""
    local = moment.astimezone(COPENHAGEN)
    end_day = local.date() if local.time() >= time(hour) else local.date() - timedelta(days=1)
    end = datetime.combine(end_day, time(hour), tzinfo=COPENHAGEN)
    start = datetime.combine(end_day - timedelta(days=1), time(hour), tzinfo=COPENHAGEN)
    # In UTC: arithmetic on two times in the same zone ignores a change of offset between them.
    return DigestWindow(start=start.astimezone(UTC), end=end.astimezone(UTC))


@workflow.defn
class DigestWorkflow:
    @workflow.run
    async def run(self, input: DigestInput) -> int:
        scheduled = workflow.info().typed_search_attributes.get(SCHEDULED_START)
        window = digest_window(scheduled or workflow.now(), input.hour)
        settled = window.end + timedelta(seconds=input.settle_seconds)
        if settled > workflow.now():
            await workflow.sleep(settled - workflow.now())
        return await workflow.execute_activity_method(
            DigestActivities.send_digests,
            window,
            start_to_close_timeout=SEND_TIMEOUT,
            retry_policy=SEND_RETRY,
        )
