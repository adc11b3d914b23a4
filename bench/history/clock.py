"""Simulated time: moments in Copenhagen, and moving the test server's clock to them.

The rules count in Copenhagen time (working days, quiet hours); so does the simulated week.
The clock moves with `env.sleep`, so the workflow's own timers (messages, reminders,
escalations, stalls, the planned end, the follow-up) fire on the way, as in life.
"""

from datetime import date, datetime, time, timedelta

from temporalio.testing import WorkflowEnvironment

from models.danish_time import COPENHAGEN


def at(day: date, hour: int, minute: int = 0) -> datetime:
    return datetime.combine(day, time(hour, minute), tzinfo=COPENHAGEN)


def weekday_from(day: date) -> date:
    """The day itself, or the Monday after when it falls in a weekend."""
    return day + timedelta(days=max(0, 7 - day.weekday())) if day.weekday() >= 5 else day


async def travel_to(env: WorkflowEnvironment, moment: datetime) -> None:
    """On to `moment`; a moment already past is reached at once (steps may share a moment)."""
    now = await env.get_current_time()
    if moment > now:
        await env.sleep(moment - now)
