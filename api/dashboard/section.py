"""One part of the dashboard: a definition in words, a picture and the table behind it."""

import uuid
from dataclasses import dataclass, field

from markupsafe import Markup

from api.dashboard.tables import Cell, Table

# Drill-down lists are the cases behind one number; beyond this the CSV has the rest.
DRILL_LIMIT = 500


@dataclass
class Section:
    table: Table
    definition: str = ""
    chart: Markup = field(default_factory=lambda: Markup(""))
    headline: str = ""


def citizen_cell(case_id: uuid.UUID, name: str) -> Cell:
    return Cell(name, href=f"/cases/{case_id}", case_id=case_id)
