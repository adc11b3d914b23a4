"""The cross-department course's assessment: the combined description of the citizen's
circumstances and the health-professional advice from the region's health coordinator.

Since 1 February 2026 (lov nr. 1750 af 29. december 2025) the municipality writes "en samlet
beskrivelse af borgerens forudsætninger" before deciding, with each department's part; before
a decision on fleksjob or førtidspension it must obtain "sundhedsfaglig rådgivning fra
sundhedskoordinator", the region's clinical function, which is an outside party.
"""

from datetime import date, datetime
from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from models.command import Command, Reason, Text
from models.text import Lines

# The description in the citizen's own words on their page: plain, and with no diagnosis.
CitizenSummary = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=10, max_length=1500), Lines
]


class CombinedDescription(BaseModel):
    started_at: datetime
    # The tasks that ask each department for its part.
    contributions: list[str] = []
    completed_on: date | None = None
    # For the case: what the departments' parts add up to.
    summary: str = ""
    # For the citizen's page, in plain words.
    citizen_text: str = ""


class HealthAdvice(BaseModel):
    requested_at: datetime
    question: str
    reminded_at: datetime | None = None
    received_at: datetime | None = None
    advice: str = ""


class StartDescription(Command):
    started_on: date | None = Field(
        None, description="Når en sag registreres efter beskrivelsen er startet; ellers i dag"
    )


class CompleteDescription(Command):
    completed_on: date | None = Field(None, description="Beskrivelsens dato; i dag hvis tom")
    summary: Reason = Field(description="Beskrivelsen af borgerens forudsætninger")
    citizen_text: CitizenSummary = Field(
        description="Sådan står beskrivelsen på borgerens side, i almindelige ord"
    )


class RequestHealthAdvice(Command):
    question: Reason = Field(description="Hvad sundhedskoordinatoren skal rådgive om")
    requested_on: date | None = Field(None, description="Når anmodningen blev sendt; ellers i dag")


class RecordHealthAdvice(Command):
    advice: Reason = Field(description="Sundhedskoordinatorens rådgivning, kort")
    received_on: date | None = Field(None, description="Når rådgivningen kom; ellers i dag")
    note: Text = ""
