"""The dashboard's filters: department, coordinating caseworker and quarter, from the query
string, and back into the links every number carries."""

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, and_, exists, true
from sqlmodel import col, select

from api.dashboard.period import Quarter
from models.case import Case
from models.enums import Department
from models.task import Task


@dataclass(frozen=True)
class Filters:
    quarter: Quarter
    department: Department | None = None
    coordinator_id: uuid.UUID | None = None

    @classmethod
    def parse(cls, params: dict[str, str], today: date) -> tuple["Filters", list[str]]:
        """The filters asked for; what cannot be read is left out, with a reason."""
        problems = []
        filters = cls(quarter=Quarter.of(today))
        if code := params.get("kvartal", "").strip():
            try:
                filters = replace(filters, quarter=Quarter.parse(code))
            except ValueError as error:
                problems.append(str(error))
        if value := params.get("afdeling", "").strip():
            try:
                filters = replace(filters, department=Department(value))
            except ValueError:
                problems.append("Afdelingen findes ikke.")
        if value := params.get("koordinator", "").strip():
            try:
                filters = replace(filters, coordinator_id=uuid.UUID(value))
            except ValueError:
                problems.append("Den koordinerende sagsbehandler findes ikke.")
        return filters, problems

    def params(self, **extra: Any) -> dict[str, str]:
        found = {"kvartal": self.quarter.code}
        if self.department:
            found["afdeling"] = self.department.value
        if self.coordinator_id:
            found["koordinator"] = str(self.coordinator_id)
        found.update({k: str(v) for k, v in extra.items() if v is not None})
        return found

    def link(self, path: str, **extra: Any) -> str:
        return f"{path}?{urlencode(self.params(**extra))}"

    def drill(self, what: str, **extra: Any) -> str:
        """The cases behind a number."""
        return self.link("/leder/sager", vis=what, **extra)

    def cases(self) -> ColumnElement[bool]:
        """Cases of the chosen coordinator, with a task in the chosen department."""
        clauses = []
        if self.coordinator_id:
            clauses.append(col(Case.coordinator_id) == self.coordinator_id)
        if self.department:
            clauses.append(self._has_department_task(Case.id))
        return and_(true(), *clauses)

    def _has_department_task(self, case_id: Any) -> ColumnElement[bool]:
        return exists().where(
            col(Task.case_id) == col(case_id), col(Task.department) == self.department
        )

    def case_ids(self, case_id: Any) -> ColumnElement[bool]:
        """The same cases, for rows that name their case in `case_id` (a meeting, a message),
        with no join with the cases where no coordinator is chosen."""
        clauses: list[ColumnElement[bool]] = []
        if self.coordinator_id:
            mine = select(Case.id).where(col(Case.coordinator_id) == self.coordinator_id)
            clauses.append(col(case_id).in_(mine))
        if self.department:
            clauses.append(self._has_department_task(case_id))
        return and_(true(), *clauses)

    def tasks(self) -> ColumnElement[bool]:
        """Tasks of the chosen department, on cases of the chosen coordinator (joined)."""
        clauses = []
        if self.department:
            clauses.append(col(Task.department) == self.department)
        if self.coordinator_id:
            clauses.append(col(Case.coordinator_id) == self.coordinator_id)
        return and_(true(), *clauses)
