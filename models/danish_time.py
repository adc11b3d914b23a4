"""Danish dates and times: the municipality's calendar, working days and quiet hours.

Everything here is in Europe/Copenhagen, whatever the server's zone, and pure: the workflow,
the activities, the API and the benchmark all count days the same way.

Working time runs only on working days, from midnight to midnight in Copenhagen. Weekends and
Danish public holidays (the `holidays` package) are not working days, nor are Juleaftensdag,
Nytårsaftensdag and Grundlovsdag, which municipal staff have off under the public agreements.
A message to a citizen never goes in their quiet hours.
"""

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import holidays

COPENHAGEN = ZoneInfo("Europe/Copenhagen")


def local_date(moment: datetime) -> date:
    return moment.astimezone(COPENHAGEN).date()


def start_of(day: date) -> datetime:
    """Midnight in Copenhagen at the start of `day`, as an aware datetime."""
    return datetime.combine(day, time(0, 0), tzinfo=COPENHAGEN)


def add_months(day: date, months: int) -> date:
    """The same day `months` later, clamped to the month's end (31 Jan + 1 month = 28/29 Feb)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def add_weeks(day: date, weeks: int) -> date:
    return day + timedelta(weeks=weeks)


# Working days: the clock that department deadlines run on.

_DAY = timedelta(days=1)
_DAYS_OFF = ((12, 24), (12, 31), (6, 5))
_YEARS = range(2000, 2101)


def _days_off(years: range) -> frozenset[date]:
    official = holidays.country_holidays("DK", years=years)
    extra = {date(year, month, day) for year in years for month, day in _DAYS_OFF}
    return frozenset(official) | extra


# Computed once, when this module is imported outside the workflow sandbox: the holidays
# package imports modules lazily and reads the local clock as it does, which the sandbox
# forbids, and a workflow should not redo this work on every replay anyway.
_NOT_WORKING = _days_off(_YEARS)


_FIRST = date(_YEARS.start, 1, 1)
# How many working days lie before each day of the calendar: whole-day counts in O(1), for
# the managers' waiting times over thousands of tasks.
_BEFORE = [0]
for _offset in range((date(_YEARS.stop, 1, 1) - _FIRST).days):
    _day = _FIRST + timedelta(days=_offset)
    _BEFORE.append(_BEFORE[-1] + (_day.weekday() < 5 and _day not in _NOT_WORKING))


def working_days_after(start: date, end: date) -> int:
    """Working days after `start` up to and including `end`: assigned on a Monday and
    acknowledged on the Wednesday is 2 working days. Negative if `end` comes first."""
    return _BEFORE[(end - _FIRST).days + 1] - _BEFORE[(start - _FIRST).days + 1]


def is_working_day(day: date) -> bool:
    if day.year not in _YEARS:
        raise ValueError(f"no Danish calendar for {day.year}")
    return day.weekday() < 5 and day not in _NOT_WORKING


def add_working_time(start: datetime, working_days: float) -> datetime:
    """The moment when `working_days` of working time have passed since `start`."""
    remaining = timedelta(days=working_days)
    cursor = start.astimezone(COPENHAGEN)
    while True:
        day = cursor.date()
        next_midnight = start_of(day + _DAY)
        if is_working_day(day):
            available = next_midnight - cursor
            if remaining <= available:
                return cursor + remaining
            remaining -= available
        cursor = next_midnight


def working_days_between(start: datetime, end: datetime) -> float:
    """Working time from `start` to `end`, in days (negative if `end` comes first)."""
    if end < start:
        return -working_days_between(end, start)
    total = timedelta(0)
    cursor = start.astimezone(COPENHAGEN)
    end = end.astimezone(COPENHAGEN)
    while cursor < end:
        next_midnight = start_of(cursor.date() + _DAY)
        if is_working_day(cursor.date()):
            total += min(next_midnight, end) - cursor
        cursor = next_midnight
    return total / _DAY


def end_of_working_day(day: date) -> datetime:
    """Midnight after `day`: a deadline 'on' a date lasts the whole of that date."""
    return start_of(day + _DAY)


# Quiet hours.


def is_quiet(moment: datetime, quiet_from: time, quiet_to: time) -> bool:
    local = moment.astimezone(COPENHAGEN).time()
    if quiet_from > quiet_to:  # across midnight, as 21:00-09:00
        return local >= quiet_from or local < quiet_to
    return quiet_from <= local < quiet_to


def allowed_time(
    moment: datetime,
    quiet_from: time,
    quiet_to: time,
    *,
    before: datetime | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """`moment`, or the morning after if it falls in quiet hours. When the morning is too late
    (at or after `before`, the meeting), the last minute before the quiet hours began instead;
    None when that has already passed (`now`)."""
    if not is_quiet(moment, quiet_from, quiet_to):
        return moment
    local = moment.astimezone(COPENHAGEN)
    morning = datetime.combine(local.date(), quiet_to, tzinfo=COPENHAGEN)
    if morning <= local:
        morning += timedelta(days=1)
    if before is None or morning < before:
        return morning
    evening = datetime.combine(local.date(), quiet_from, tzinfo=COPENHAGEN)
    if evening > local:
        evening -= timedelta(days=1)
    last = evening - timedelta(minutes=1)
    return last if now is None or last >= now else None


# Dates and times in words, as a citizen reads them.

WEEKDAYS = ["mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"]
MONTHS = [
    "januar",
    "februar",
    "marts",
    "april",
    "maj",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "december",
]


def when(moment: datetime) -> str:
    """Danish, as a citizen reads it: tirsdag 24. november kl. 10.00."""
    local = moment.astimezone(COPENHAGEN)
    return (
        f"{WEEKDAYS[local.weekday()]} {local.day}. {MONTHS[local.month - 1]} "
        f"kl. {local.hour:02d}.{local.minute:02d}"
    )
