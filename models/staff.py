"""Staff members: who they are, their role and their department."""

import uuid
from datetime import datetime

from sqlalchemy import Index
from sqlmodel import Column, Field, SQLModel

import models.department  # noqa: F401  (foreign key target)
from models.db import StrEnumType, UtcDateTime
from models.enums import Department, Role


class StaffBase(SQLModel):
    username: str = Field(max_length=50, unique=True, index=True)
    full_name: str = Field(max_length=120)
    role: Role = Field(sa_type=StrEnumType(Role))
    department: Department | None = Field(
        default=None, foreign_key="department.code", sa_type=StrEnumType(Department)
    )


class Staff(StaffBase, table=True):
    # One row per person at the identity provider; local accounts have neither value, and
    # rows with none are not compared.
    __table_args__ = (Index("ix_staff_identity", "issuer", "subject", unique=True),)

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    password_hash: str = Field(max_length=300)
    active: bool = True
    # Work address for the daily digest; without one, a staff member's messages stay in the
    # outbox like every other staff notice.
    email: str | None = Field(default=None, max_length=320)
    # Work phone, shown to the citizens whose coordinator this is.
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))
    # Who the municipality's identity provider says this is (OpenID Connect 'iss' and 'sub'),
    # for staff who sign in there; the subject is unique only within its issuer.
    issuer: str | None = Field(default=None, max_length=300)
    subject: str | None = Field(default=None, max_length=255)


class StaffPublic(StaffBase):
    id: uuid.UUID
