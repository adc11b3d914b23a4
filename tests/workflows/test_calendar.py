from datetime import date, datetime

from workflows.calendar import COPENHAGEN, add_months, local_date, start_of


def test_add_months_clamps_to_the_end_of_the_month():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2026, 11, 22), 60) == date(2031, 11, 22)
    assert add_months(date(2026, 12, 15), 1) == date(2027, 1, 15)


def test_dates_are_copenhagen_dates():
    late_evening_utc = datetime.fromisoformat("2026-06-30T22:30:00+00:00")
    assert local_date(late_evening_utc) == date(2026, 7, 1)
    assert start_of(date(2026, 7, 1)).utcoffset() == COPENHAGEN.utcoffset(datetime(2026, 7, 1))
