"""The municipality's departments."""

from sqlmodel import Field, SQLModel


class DepartmentRow(SQLModel, table=True):
    __tablename__ = "department"

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
    # Deadlines for the department's tasks, in Danish working days.
    acknowledge_days: float = 3
    escalation_interval_days: float = 1
