"""Citizens. The CPR number stays in this table: never in Temporal, a message or a log."""

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import AfterValidator, StringConstraints, computed_field
from sqlmodel import Column, Field, SQLModel

from models.cpr import mask_cpr, normalise_cpr
from models.db import UtcDateTime
from models.text import OneLine

Name = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=2, max_length=120), OneLine
]


class CitizenCreate(SQLModel):
    cpr: Annotated[str, AfterValidator(normalise_cpr)]
    name: Name


class Citizen(SQLModel, table=True):
    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    cpr: str = Field(max_length=10, unique=True, index=True)
    name: str = Field(max_length=120)
    # From the contact preferences, projected so a reply by SMS finds its citizen.
    phone: str | None = Field(default=None, max_length=20, index=True)
    email: str | None = Field(default=None, max_length=320)
    created_at: datetime = Field(sa_column=Column(UtcDateTime(), nullable=False))


class CitizenPublic(SQLModel):
    id: uuid.UUID
    name: str
    cpr: str = Field(exclude=True)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def cpr_masked(self) -> str:
        return mask_cpr(self.cpr)
