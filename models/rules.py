"""The municipality's definitions: of a stalled course, a crowded plan, and each course type's
limits.

Set per municipality in the worker's and the API's environment (models/settings.py), and shown
as they are on the dashboard's definitions. The programme workflow holds the rules it judges
by in its state; the projection activity hands it the worker's current rules at every change,
so a new definition reaches a running course at its next event or timer.
"""

from datetime import date

from pydantic import BaseModel, Field, model_validator

from models.enums import CourseType, Stage
from models.progression import ProgressionRules

DEFAULT_STAGE_LIMITS = {
    Stage.REFERRED: 14,
    Stage.PREPARATION: 42,
    Stage.TEAM: 56,
    Stage.RECOMMENDED: 28,
    Stage.DESCRIPTION: 42,
    # The region's health coordinator is an outside party: its wait stalls the case like a
    # department's would.
    Stage.HEALTH_ADVICE: 28,
    Stage.DESCRIBED: 28,
}

# Since 1 February 2026 (lov nr. 1750 af 29. december 2025) no new ressourceforløb is granted.
RESSOURCEFORLOEB_CUTOFF = date(2026, 2, 1)


class CourseTypeRules(BaseModel):
    """One course type's limits, as the municipality sets them."""

    name: str = Field(min_length=3, max_length=60)
    # The length the decision may give the course, in months.
    min_months: int = Field(1, ge=1, le=60)
    max_months: int = Field(ge=1, le=60)
    # How far from the decision an extension may reach; and how far when the citizen wishes a
    # longer course and the wish is recorded.
    total_months: int = Field(ge=1, le=60)
    wished_total_months: int = Field(ge=1, le=120)
    # The right to an effort within this many months of the decision (LAB § 113, stk. 2, in
    # the former rules); None where the type has no such rule.
    effort_rule_months: int | None = Field(None, ge=1, le=24)
    # A reminder to the coordinator when the health coordinator's advice has waited this long;
    # the stall comes at the stage's limit.
    health_advice_reminder_days: int = Field(14, ge=1, le=365)

    @model_validator(mode="after")
    def _in_order(self) -> "CourseTypeRules":
        if not self.min_months <= self.max_months <= self.total_months:
            raise ValueError("varighederne skal stige: min_months ≤ max_months ≤ total_months")
        if self.wished_total_months < self.total_months:
            raise ValueError("wished_total_months kan ikke være kortere end total_months")
        return self


DEFAULT_COURSE_TYPES = {
    # The law as amended from 1 January 2022: at most three years per course, longer only
    # where the citizen wishes it; an effort within six months.
    CourseType.RESSOURCEFORLOEB: CourseTypeRules(
        name=CourseType.RESSOURCEFORLOEB.label,
        max_months=36,
        total_months=36,
        wished_total_months=60,
        effort_rule_months=6,
    ),
    CourseType.TVAERFAGLIGT: CourseTypeRules(
        name=CourseType.TVAERFAGLIGT.label, max_months=24, total_months=36, wished_total_months=36
    ),
}


class CourseRules(BaseModel):
    gap_threshold_days: int = Field(14, ge=1, le=365)
    max_parallel_efforts: int = Field(3, ge=1, le=20)
    no_next_appointment_days: int = Field(7, ge=1, le=365)
    reply_window_hours: int = Field(24, ge=1, le=24 * 14)
    # The longest a stage before the course may last before the case counts as stalled.
    stage_limit_days: dict[Stage, int] = Field(default_factory=lambda: dict(DEFAULT_STAGE_LIMITS))
    progression: ProgressionRules = ProgressionRules()
    course_types: dict[CourseType, CourseTypeRules] = Field(
        default_factory=lambda: dict(DEFAULT_COURSE_TYPES)
    )
    # No ressourceforløb is granted by a decision on or after this day, unless the course was
    # registered as already running.
    ressourceforloeb_cutoff: date = RESSOURCEFORLOEB_CUTOFF

    def of_type(self, type: CourseType) -> CourseTypeRules:
        return self.course_types.get(type) or DEFAULT_COURSE_TYPES[type]
