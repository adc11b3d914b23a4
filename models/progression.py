"""Progression measurement: the indicators that predict a job, measured at the start of the
course and then at an interval (domain brief, section 4).

The citizen answers their own indicators (their belief that they can get and hold a job, how
goal-directed they are, how they cope with their health) on their own page; the coordinator
records the caseworker's belief, and may record the citizen's answers given in a conversation.
A round falls due on a durable timer; it is done when every indicator has an answer.
"""

from datetime import date, datetime
from typing import Self

from pydantic import BaseModel, Field, model_validator

from models.command import Command
from models.enums import Labelled


class MeasuredBy(Labelled):
    CITIZEN = "citizen", "Borgeren"
    CASEWORKER = "caseworker", "Sagsbehandleren"


class Indicator(BaseModel):
    key: str = Field(pattern=r"^[a-z_]{2,30}$")
    # The statement the citizen (or the caseworker) scores, in plain Danish.
    statement: str = Field(min_length=3, max_length=120)
    # The chart's title.
    title: str = Field(min_length=2, max_length=40)
    by: MeasuredBy = MeasuredBy.CITIZEN


DEFAULT_INDICATORS = [
    Indicator(
        key="job_belief",
        statement="Jeg tror på, at jeg kan få et arbejde og blive i det",
        title="Tro på at få og holde et job",
    ),
    Indicator(
        key="direction",
        statement="Jeg ved, hvad jeg vil, og jeg arbejder hen imod det",
        title="Retning og mål",
    ),
    Indicator(
        key="health_coping",
        statement="Jeg kan klare mit helbred i hverdagen",
        title="Mestring af helbred",
    ),
    Indicator(
        key="caseworker_belief",
        statement="Jeg tror på, at borgeren kommer i arbejde",
        title="Sagsbehandlerens tro på job",
        by=MeasuredBy.CASEWORKER,
    ),
]


class ProgressionRules(BaseModel):
    """The municipality's indicators, scale and interval (FORLOEB_PROGRESSION_*)."""

    indicators: list[Indicator] = Field(
        default_factory=lambda: list(DEFAULT_INDICATORS), min_length=1, max_length=12
    )
    low: int = Field(1, ge=0, le=10)
    high: int = Field(10, ge=1, le=100)
    interval_months: int = Field(3, ge=1, le=24)

    @model_validator(mode="after")
    def _sound(self) -> Self:
        if self.high <= self.low:
            raise ValueError("the scale's top must be above its bottom")
        if len({i.key for i in self.indicators}) != len(self.indicators):
            raise ValueError("each indicator's key must be different")
        return self

    def keys_for(self, by: MeasuredBy | None = None) -> list[str]:
        return [i.key for i in self.indicators if by is None or i.by == by]


class Measurement(BaseModel):
    at: datetime
    by: MeasuredBy
    scores: dict[str, int]


class Progression(BaseModel):
    """The measurements and the next round: due at `due_at`; `pending` are the indicators the
    open round still lacks (empty when no round is open)."""

    due_at: datetime | None = None
    pending: list[str] = []
    measurements: list[Measurement] = []


Scores = dict[str, int]


class RecordProgression(Command):
    """The caseworker's scores, and the citizen's when given in a conversation."""

    scores: Scores = Field(min_length=1, max_length=12)
    measured_on: date | None = Field(
        None, description="Når målingen registreres efter samtalen; ellers i dag"
    )


class AnswerProgression(Command):
    """The citizen's own scores, from their page."""

    scores: Scores = Field(min_length=1, max_length=12)


def change(measurements: list[Measurement]) -> float | None:
    """How far the indicators moved from their first score to their latest, on average over
    the indicators scored at least twice; None before any has been."""
    first: dict[str, int] = {}
    latest: dict[str, int] = {}
    for measurement in sorted(measurements, key=lambda m: m.at):
        for key, score in measurement.scores.items():
            first.setdefault(key, score)
            latest[key] = score
    moved = [latest[k] - first[k] for k in first if _times_scored(measurements, k) >= 2]
    return sum(moved) / len(moved) if moved else None


def _times_scored(measurements: list[Measurement], key: str) -> int:
    return sum(1 for m in measurements if key in m.scores)
