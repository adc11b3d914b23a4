from datetime import datetime, time

from workflows.calendar import COPENHAGEN
from workflows.quiet_hours import allowed_time, is_quiet

NIGHT, MORNING = time(21, 0), time(9, 0)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=COPENHAGEN)


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
