"""The municipality's departments."""

from sqlmodel import Field, SQLModel


class DepartmentRow(SQLModel, table=True):
    __tablename__ = "department"

    code: str = Field(primary_key=True, max_length=20)
    name: str = Field(max_length=100)
