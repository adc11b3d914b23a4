"""Dates as the municipality sees them: Europe/Copenhagen, whatever the server's zone."""

from calendar import monthrange
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

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
