"""The daily digest for department leads and managers: the day it covers, and what it found."""

from datetime import datetime
from typing import Self

from pydantic import AwareDatetime, BaseModel, Field, model_validator

from models.enums import Breach, Department


class DigestInput(BaseModel):
    """What the schedule starts the digest workflow with."""

    # The digest's hour in Copenhagen; every window ends at it.
    hour: int = Field(7, ge=0, le=23)
    # How long after the window ends the workflow waits before reading, so that a change
    # the programme workflows made just before the end has reached the read model.
    settle_seconds: float = Field(60, ge=0)


class DigestWindow(BaseModel):
    """[start, end): one day of changes, from one digest hour to the next."""

    start: AwareDatetime
    end: AwareDatetime

    @model_validator(mode="after")
    def _in_order(self) -> Self:
        if self.end <= self.start:
            raise ValueError("a digest window ends after it starts")
        return self


class StalledItem(BaseModel):
    """A case that became stalled in the window."""

    case_id: str
    citizen: str
    # When the workflow found it stalled, and since when it has been, by the rules' measure.
    stalled_at: datetime
    since: datetime
    reason: str
    # Found stalled in the window but already moving again when the digest was written.
    moving_again: bool = False
    # Departments the case waits on or has an open task in: the leads it concerns.
    departments: list[Department] = []


class BreachItem(BaseModel):
    """A task deadline the workflow found passed in the window."""

    case_id: str
    citizen: str
    department: Department
    kind: Breach
    purpose: str
    found_at: datetime
