"""The dashboard's filters: department, coordinating caseworker, course type and quarter, from
the query string, and back into the links every number carries."""

import uuid
from dataclasses import dataclass, replace
from datetime import date
from typing import Any
from urllib.parse import urlencode

from sqlalchemy import ColumnElement, String, and_, exists, func, literal_column, true
from sqlmodel import col, select

from api.dashboard.period import Quarter
from models.case import Case
from models.enums import CourseType, Department
from models.task import Task


def case_type() -> ColumnElement[str]:
    """The case's type, as an expression that no index answers.

    One type holds most courses (the ressourceforløb now, the cross course in a few years).
    Compared as the bare column, SQLite, which keeps no statistics here, starts a filtered
    query from the type's index and reads the rows of every course of the type, several times
    slower than without the filter. Compared this way, the type is checked only on the rows
    that each section's own index finds.
    """
    # The empty text inlined, not bound: PostgreSQL groups by this expression only when the
    # SELECT and the GROUP BY spell it the same.
    return func.coalesce(col(Case.course_type), literal_column("''", String))


@dataclass(frozen=True)
class Filters:
    quarter: Quarter
    department: Department | None = None
    coordinator_id: uuid.UUID | None = None
    course_type: CourseType | None = None

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
        if value := params.get("forloebstype", "").strip():
            try:
                filters = replace(filters, course_type=CourseType(value))
            except ValueError:
                problems.append("Forløbstypen findes ikke.")
        return filters, problems

    def params(self, **extra: Any) -> dict[str, str]:
        found = {"kvartal": self.quarter.code}
        if self.department:
            found["afdeling"] = self.department.value
        if self.coordinator_id:
            found["koordinator"] = str(self.coordinator_id)
        if self.course_type:
            found["forloebstype"] = self.course_type.value
        found.update({k: str(v) for k, v in extra.items() if v is not None})
        return found

    def link(self, path: str, **extra: Any) -> str:
        return f"{path}?{urlencode(self.params(**extra))}"

    def drill(self, what: str, **extra: Any) -> str:
        """The cases behind a number."""
        return self.link("/leder/sager", vis=what, **extra)

    def of(self, course_type: CourseType | None) -> "Filters":
        """The same filters for one course type (None: every type)."""
        return replace(self, course_type=course_type)

    @property
    def joins_case(self) -> bool:
        """Whether rows that name their case must be joined with it to be filtered."""
        return self.coordinator_id is not None or self.course_type is not None

    def cases(self) -> ColumnElement[bool]:
        """Cases of the chosen coordinator and type, with a task in the chosen department."""
        clauses = self.case_columns()
        if self.department:
            clauses.append(self._has_department_task(Case.id))
        return and_(true(), *clauses)

    def _has_department_task(self, case_id: Any) -> ColumnElement[bool]:
        return exists().where(
            col(Task.case_id) == col(case_id), col(Task.department) == self.department
        )

    def case_ids(self, case_id: Any) -> ColumnElement[bool]:
        """The same cases, for rows that name their case in `case_id` (a meeting, a message),
        with no join with the cases where no coordinator or type is chosen."""
        clauses: list[ColumnElement[bool]] = []
        if self.coordinator_id:
            # A coordinator's cases are few: listed once.
            mine = select(Case.id).where(*self.case_columns())
            clauses.append(col(case_id).in_(mine))
        elif self.course_type:
            # A type's cases are many, so the rows are kept that are not the other types'
            # cases: the database walks the rows by their own index and checks each against
            # that list, read once from the type's index. The list is short for the type that
            # holds most cases, and about 50 ms a query for the other at 20,000 courses in
            # SQLite; looking up each row's case instead costs about 100 ms a quarter, and
            # listing the type's own cases makes SQLite walk the rows case by case, near a
            # second.
            others = [t for t in CourseType if t != self.course_type]
            clauses.append(
                col(case_id).not_in(select(Case.id).where(col(Case.course_type).in_(others)))
            )
        if self.department:
            clauses.append(self._has_department_task(case_id))
        return and_(true(), *clauses)

    def tasks(self) -> ColumnElement[bool]:
        """Tasks of the chosen department, on cases of the chosen coordinator and type (joined
        where `joins_case`)."""
        clauses = self.case_columns()
        if self.department:
            clauses.append(col(Task.department) == self.department)
        return and_(true(), *clauses)

    def case_columns(self) -> list[ColumnElement[bool]]:
        """What the case's own columns must be."""
        clauses = []
        if self.coordinator_id:
            clauses.append(col(Case.coordinator_id) == self.coordinator_id)
        if self.course_type:
            clauses.append(case_type() == self.course_type)
        return clauses
