"""Quarters: the period the managers compare ("this quarter against the last")."""

import re
from dataclasses import dataclass
from datetime import UTC, date, datetime

from activities.case_metrics import quarter_of
from api.errors import Invalid

_CODE = re.compile(r"^(\d{4})-K([1-4])$")
# The years the service counts in (the Danish working-day calendar covers them).
FIRST_DAY, LAST_DAY = date(2000, 1, 1), date(2100, 1, 1)


YEARS = f"{FIRST_DAY.year}-{LAST_DAY.year - 1}"
# Before any moment the service records. "Set" written as a range from here, not IS NOT NULL,
# lets the database find the few rows with a moment by that column's index: SQLite, keeping no
# statistics, otherwise reads every open case's row to find the stalled ones (16 ms against
# under 1 ms at 20,000 courses).
SINCE_EVER = datetime(FIRST_DAY.year, 1, 1, tzinfo=UTC)


def parse_day(text: str) -> date:
    """A date from the address, within the years the service counts in."""
    try:
        day = date.fromisoformat(text.strip())
    except ValueError:
        raise Invalid("Skriv datoen som ÅÅÅÅ-MM-DD.") from None
    if not FIRST_DAY <= day < LAST_DAY:
        raise Invalid(f"Datoen skal ligge i årene {YEARS}.")
    return day


@dataclass(frozen=True, order=True)
class Quarter:
    year: int
    number: int

    @classmethod
    def of(cls, day: date) -> "Quarter":
        return cls(day.year, (day.month - 1) // 3 + 1)

    @classmethod
    def parse(cls, code: str) -> "Quarter":
        match = _CODE.match(code.strip())
        if match is None:
            raise ValueError("Skriv kvartalet som fx 2026-K3.")
        if not FIRST_DAY.year <= int(match[1]) < LAST_DAY.year:
            raise ValueError(f"Kvartalet skal ligge i årene {YEARS}.")
        return cls(int(match[1]), int(match[2]))

    @property
    def code(self) -> str:
        return quarter_of(self.start)

    @property
    def label(self) -> str:
        return f"{self.number}. kvartal {self.year}"

    @property
    def short(self) -> str:
        return f"{self.number}. kvt. {self.year}"

    @property
    def start(self) -> date:
        return date(self.year, 3 * self.number - 2, 1)

    @property
    def end(self) -> date:
        """The first day after the quarter."""
        return self.next().start

    def next(self) -> "Quarter":
        return Quarter(self.year + self.number // 4, self.number % 4 + 1)

    def previous(self) -> "Quarter":
        return Quarter(self.year - (self.number == 1), (self.number - 2) % 4 + 1)

    def back(self, count: int) -> list["Quarter"]:
        """This quarter and the `count - 1` before it, oldest first."""
        quarters = [self]
        while len(quarters) < count:
            quarters.insert(0, quarters[0].previous())
        return quarters
