"""The municipality's definitions of a stalled course and a crowded plan.

Set per municipality in the worker's and the API's environment (deploy/settings.py). The
programme workflow holds the rules it judges by in its state; the projection activity hands
it the worker's current rules at every change, so a new definition reaches a running course
at its next event or timer.
"""

from pydantic import BaseModel, Field

from models.enums import Stage
from models.progression import ProgressionRules

DEFAULT_STAGE_LIMITS = {
    Stage.REFERRED: 14,
    Stage.PREPARATION: 42,
    Stage.TEAM: 56,
    Stage.RECOMMENDED: 28,
}


class CourseRules(BaseModel):
    gap_threshold_days: int = Field(14, ge=1, le=365)
    max_parallel_efforts: int = Field(3, ge=1, le=20)
    no_next_appointment_days: int = Field(7, ge=1, le=365)
    reply_window_hours: int = Field(24, ge=1, le=24 * 14)
    # The longest a stage before the course may last before the case counts as stalled.
    stage_limit_days: dict[Stage, int] = Field(default_factory=lambda: dict(DEFAULT_STAGE_LIMITS))
    progression: ProgressionRules = ProgressionRules()
