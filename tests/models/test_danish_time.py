"""Danish dates and times: the calendar, working days and quiet hours."""

from datetime import date, datetime, time

from models.danish_time import (
    COPENHAGEN,
    add_months,
    add_working_time,
    allowed_time,
    is_quiet,
    is_working_day,
    local_date,
    start_of,
    working_days_between,
)


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 22), 60) == date(2031, 11, 22)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_dates_are_copenhagen_dates():
    late_evening_utc = datetime.fromisoformat("2026-06-30T22:30:00+00:00")
    assert local_date(late_evening_utc) == date(2026, 7, 1)
    assert start_of(date(2026, 7, 1)).utcoffset() == COPENHAGEN.utcoffset(datetime(2026, 7, 1))


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


def test_weekends_and_danish_holidays_are_not_working_days():
    assert not is_working_day(date(2027, 3, 27))  # Saturday
    assert not is_working_day(date(2027, 3, 25))  # Skærtorsdag
    assert not is_working_day(date(2027, 3, 26))  # Langfredag
    assert not is_working_day(date(2027, 3, 29))  # 2. påskedag
    assert not is_working_day(date(2026, 12, 24))  # Juleaftensdag
    assert not is_working_day(date(2026, 6, 5))  # Grundlovsdag, a Friday
    assert is_working_day(date(2027, 3, 30))


def test_three_working_days_from_wednesday_before_easter_end_the_next_wednesday():
    # Wed 24 March 2027 10:00; Thu-Mon are Easter holidays and a weekend.
    assert add_working_time(at("2027-03-24T10:00"), 3) == at("2027-04-01T10:00")
    assert add_working_time(at("2027-03-24T10:00"), 1.5) == at("2027-03-30T22:00")


def test_time_assigned_on_a_saturday_starts_counting_on_monday():
    assert add_working_time(at("2026-11-21T15:00"), 1) == at("2026-11-24T00:00")


def test_working_days_between_counts_only_working_time():
    assert working_days_between(at("2027-03-24T10:00"), at("2027-04-01T10:00")) == 3
    assert working_days_between(at("2027-04-01T10:00"), at("2027-03-24T10:00")) == -3


NIGHT, MORNING = time(21, 0), time(9, 0)


def test_quiet_hours_run_across_midnight():
    assert is_quiet(at("2027-03-01T21:00"), NIGHT, MORNING)
    assert is_quiet(at("2027-03-02T08:59"), NIGHT, MORNING)
    assert not is_quiet(at("2027-03-02T09:00"), NIGHT, MORNING)
    assert not is_quiet(at("2027-03-01T20:59"), NIGHT, MORNING)


def test_a_message_in_quiet_hours_waits_for_the_morning():
    assert allowed_time(at("2027-03-01T23:30"), NIGHT, MORNING) == at("2027-03-02T09:00")
    assert allowed_time(at("2027-03-02T06:00"), NIGHT, MORNING) == at("2027-03-02T09:00")
    assert allowed_time(at("2027-03-02T12:00"), NIGHT, MORNING) == at("2027-03-02T12:00")


def test_when_the_morning_is_too_late_the_evening_before_is_used():
    meeting = at("2027-03-02T08:30")
    reminder = at("2027-03-02T06:30")
    assert allowed_time(reminder, NIGHT, MORNING, before=meeting) == at("2027-03-01T20:59")
    assert (
        allowed_time(reminder, NIGHT, MORNING, before=meeting, now=at("2027-03-01T22:00")) is None
    )
