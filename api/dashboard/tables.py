"""A dashboard table: shown on the page, drilled into by its links, exported as CSV."""

import csv
import io
import uuid
from dataclasses import dataclass, field

Value = str | int | float | None


@dataclass(frozen=True)
class Cell:
    value: Value
    text: str | None = None  # what the page shows, when it differs from the CSV value
    href: str | None = None  # the cases behind the number
    case_id: uuid.UUID | None = None  # the case whose citizen the cell names (access log)

    @property
    def shown(self) -> str:
        if self.text is not None:
            return self.text
        if self.value is None:
            return "–"
        if isinstance(self.value, float):
            return f"{self.value:.1f}".replace(".", ",")
        return str(self.value)


@dataclass
class Table:
    key: str  # its address: /leder/<key>.csv
    title: str
    columns: list[str]
    rows: list[list[Cell]] = field(default_factory=list)
    note: str = ""

    def cases(self) -> set[uuid.UUID]:
        """The cases whose citizens the table names: each is a look at their data."""
        return {cell.case_id for row in self.rows for cell in row if cell.case_id is not None}

    def csv(self) -> str:
        """Semicolon-separated with a decimal comma, as Danish spreadsheets expect."""
        out = io.StringIO()
        writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow([_csv_value(cell.value) for cell in row])
        return out.getvalue()


def _csv_value(value: Value) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.3f}".rstrip("0").rstrip(".").replace(".", ",")
    return str(value)
