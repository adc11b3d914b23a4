"""The municipality's definitions: of a stalled course, a crowded plan, and each course type's
limits (durations, the stages' stall limits, deadlines), each type's in one place.

Set per municipality in the worker's and the API's environment (models/settings.py), and shown
as they are on the dashboard's definitions. The programme workflow holds the rules it judges
by in its state; the projection activity hands it the worker's current rules at every change,
so a new definition reaches a running course at its next event or timer.
"""

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any

from pydantic import BaseModel, Field, model_validator

from models.course_types import course_type
from models.enums import CourseType, Stage
from models.progression import ProgressionRules

# The stall limits a type has where the municipality sets none for it (FORLOEB_STAGE_LIMITS
# overrides these for every type, FORLOEB_COURSE_TYPES for one).
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

# Small numbers in words, as Danish prose writes them (and as the law writes "seks måneder").
_NUMBER_WORDS = (
    "én",
    "to",
    "tre",
    "fire",
    "fem",
    "seks",
    "syv",
    "otte",
    "ni",
    "ti",
    "elleve",
    "tolv",
)


def months_in_words(n: int) -> str:
    """A number of months as a sentence says it: "én måned", "seks måneder", "18 måneder"."""
    number = _NUMBER_WORDS[n - 1] if 1 <= n <= len(_NUMBER_WORDS) else str(n)
    return f"{number} {'måned' if n == 1 else 'måneder'}"


def stage_limits_on_path(type: CourseType, limits: Mapping[Stage, int]) -> dict[Stage, int]:
    """Of the limits given, those of the stages the type passes, in the order it passes them."""
    return {stage: limits[stage] for stage in course_type(type).path if stage in limits}


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
    # The longest each stage before the course may last, in days, before the case counts as
    # stalled; a stage not named has no limit. Filled per type by CourseRules, which knows the
    # type's stages and the limits set for every type.
    stage_limit_days: dict[Stage, Annotated[int, Field(ge=1, le=3650)]] = Field(
        default_factory=dict
    )

    @property
    def effort_rule_period(self) -> str | None:
        """The effort rule's months in words, "seks måneder"; None where the type has none."""
        months = self.effort_rule_months
        return None if months is None else months_in_words(months)

    @property
    def effort_rule_short(self) -> str | None:
        """The same, abbreviated for a badge: "6 mdr.", "1 md."."""
        months = self.effort_rule_months
        return None if months is None else f"{months} {'md.' if months == 1 else 'mdr.'}"

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
        stage_limit_days=stage_limits_on_path(CourseType.RESSOURCEFORLOEB, DEFAULT_STAGE_LIMITS),
    ),
    CourseType.TVAERFAGLIGT: CourseTypeRules(
        name=CourseType.TVAERFAGLIGT.label,
        max_months=24,
        total_months=36,
        wished_total_months=36,
        stage_limit_days=stage_limits_on_path(CourseType.TVAERFAGLIGT, DEFAULT_STAGE_LIMITS),
    ),
}


class CourseRules(BaseModel):
    gap_threshold_days: int = Field(14, ge=1, le=365)
    max_parallel_efforts: int = Field(3, ge=1, le=20)
    no_next_appointment_days: int = Field(7, ge=1, le=365)
    reply_window_hours: int = Field(24, ge=1, le=24 * 14)
    progression: ProgressionRules = ProgressionRules()
    course_types: dict[CourseType, CourseTypeRules] = Field(
        default_factory=lambda: dict(DEFAULT_COURSE_TYPES)
    )
    # No ressourceforløb is granted by a decision on or after this day, unless the course was
    # registered as already running.
    ressourceforloeb_cutoff: date = RESSOURCEFORLOEB_CUTOFF

    @model_validator(mode="before")
    @classmethod
    def _stage_limits_per_type(cls, data: Any) -> Any:
        """Give every type its stall limits: its own where set, else the limits given for every
        type (`stage_limit_days`), else the defaults. The shared field is how rules were shaped
        before the limits moved into the types: a running course's state holds it, so it must
        still load with the values it had."""
        if not isinstance(data, dict):
            return data
        data = dict(data)
        shared = data.pop("stage_limit_days", None)
        given = data.get("course_types")
        if given is None:
            if shared is None:
                return data
            given = {
                t: rules.model_dump(exclude={"stage_limit_days"})
                for t, rules in DEFAULT_COURSE_TYPES.items()
            }
        every = {Stage(stage): days for stage, days in (shared or DEFAULT_STAGE_LIMITS).items()}
        data["course_types"] = {
            t: _with_stage_limits(CourseType(t), rules, every) for t, rules in given.items()
        }
        return data

    def of_type(self, type: CourseType) -> CourseTypeRules:
        return self.course_types.get(type) or DEFAULT_COURSE_TYPES[type]


def _with_stage_limits(type: CourseType, rules: Any, every: Mapping[Stage, int]) -> Any:
    """A type's rules as given, with the limits for every type where it has none of its own."""
    limits = stage_limits_on_path(type, every)
    if isinstance(rules, CourseTypeRules):
        if "stage_limit_days" in rules.model_fields_set:
            return rules
        return rules.model_copy(update={"stage_limit_days": limits})
    if isinstance(rules, dict) and "stage_limit_days" not in rules:
        return {**rules, "stage_limit_days": limits}
    return rules
