from datetime import date, datetime

from workflows.calendar import COPENHAGEN
from workflows.working_days import add_working_time, is_working_day, working_days_between


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
