"""Quarters: the period the managers compare ("this quarter against the last")."""

import re
from dataclasses import dataclass
from datetime import date

from activities.case_metrics import quarter_of

_CODE = re.compile(r"^(\d{4})-K([1-4])$")


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
        return cls(int(match[1]), int(match[2]))

    @property
    def code(self) -> str:
        return quarter_of(self.start)

    @property
    def label(self) -> str:
        return f"{self.number}. kvartal {self.year}"

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
