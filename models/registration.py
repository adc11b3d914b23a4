"""A course registered as already running, from the municipality's current system.

Its workflow starts at the course's stage with its original dates and its open tasks, so its
timers (the planned end, the follow-up, the six-month effort rule, the health coordinator's
reminder, each task's deadlines) fall where the law puts them. The import (`forloeb import`)
checks a line with `problems` before anything is written; the workflow records the course as
its first event instead of the referral (workflows/registration.py), and applies nothing the
check has not passed, so a line is written whole or not at all.
"""

from collections.abc import Callable, Mapping
from datetime import date

from pydantic import BaseModel

from models.course_types import COURSE_TYPES
from models.danish_time import add_months, add_weeks
from models.enums import PLANNING_STAGES, CourseType, Outcome, Recommendation, Stage
from models.rules import CourseRules
from models.task import AssignTask

# The stages a running course can be registered in, per type: every stage it waits or works
# in, up to the follow-up after its end.
REGISTRABLE = {
    CourseType.RESSOURCEFORLOEB: (
        Stage.REFERRED,
        Stage.PREPARATION,
        Stage.TEAM,
        Stage.RECOMMENDED,
        Stage.ACTIVE,
        Stage.ENDED,
    ),
    CourseType.TVAERFAGLIGT: (
        Stage.REFERRED,
        Stage.DESCRIPTION,
        Stage.HEALTH_ADVICE,
        Stage.DESCRIBED,
        Stage.ACTIVE,
        Stage.ENDED,
    ),
}
# The stages with a decision behind them, and so its date and the planned end.
DECIDED = (Stage.ACTIVE, Stage.ENDED)
# The citizen's situation is followed up this many weeks after the end: the workflow's timer
# (workflows/programme_rules.py), and the import's check that it still lies ahead.
FOLLOWUP_WEEKS = 13
# Reports a field the course's stage needs and the line left empty.
_Missing = Callable[[str, str], None]


class RegisteredCourse(BaseModel):
    stage: Stage
    team_meeting_on: date | None = None
    # The team's recommendation, in »recommended«: the municipality's decision is pending.
    recommendation: Recommendation | None = None
    # When the region's health coordinator was asked for advice, in »health_advice«.
    health_advice_requested_on: date | None = None
    decided_on: date | None = None
    planned_end: date | None = None
    # In »ended«: when the course ended and where the citizen was then; the 13-week follow-up
    # is counted from the end.
    ended_on: date | None = None
    outcome: Outcome | None = None
    # The open tasks, each given on its own day (AssignTask.assigned_on) with its id and its
    # department's deadlines filled in, so the workflow begins with them. Empty in the
    # registrations recorded before tasks came along, which must replay.
    tasks: list[AssignTask] = []

    def followup_on(self) -> date | None:
        """The day of the 13-week follow-up of a course registered as ended."""
        return add_weeks(self.ended_on, FOLLOWUP_WEEKS) if self.ended_on else None

    def problems(
        self,
        course_type: CourseType,
        referred_on: date,
        today: date,
        rules: CourseRules,
        columns: Mapping[str, str] | None = None,
    ) -> list[str]:
        """What keeps this course from being registered, in Danish; empty when nothing.
        `columns`: where the import's file holds each field, named in what is missing."""
        found: list[str] = []
        allowed = REGISTRABLE[course_type]
        if self.stage not in allowed:
            names = ", ".join(f"»{s.label}«" for s in allowed)
            found.append(f"Fasen »{self.stage.label}« kan ikke registreres; brug {names}.")
            return found

        def missing(field: str, what: str) -> None:
            column = (columns or {}).get(field)
            where = f" (kolonnen »{column}«)" if column else ""
            found.append(f"Et forløb i fasen »{self.stage.label}« skal have {what}{where}.")

        for day, what in (
            (self.team_meeting_on, "Teammødet"),
            (self.health_advice_requested_on, "Anmodningen om sundhedsfaglig rådgivning"),
            (self.decided_on, "Afgørelsen"),
            (self.ended_on, "Afslutningen"),
        ):
            if day is not None and day < referred_on:
                found.append(f"{what} kan ikke ligge før visitationen.")
            if day is not None and day > today:
                found.append(f"{what} kan ikke ligge i fremtiden.")
        found += self._assessment(course_type, missing)
        found += self._tasks(referred_on, today)
        if self.stage not in DECIDED:
            if self.decided_on or self.planned_end or self.ended_on or self.outcome:
                found.append(
                    "Kun et aktivt eller afsluttet forløb har en afgørelse og en slutdato."
                )
            return found
        if self.decided_on is None:
            missing("decided_on", "afgørelsens dato")
        if self.stage == Stage.ACTIVE:
            if self.planned_end is None:
                missing("planned_end", "den planlagte slutdato")
            if self.ended_on or self.outcome:
                found.append(
                    "Et aktivt forløb er ikke afsluttet; udfyld ikke »afsluttet« og »udfald«."
                )
        else:
            if self.ended_on is None:
                missing("ended_on", "datoen for afslutningen")
            if self.outcome is None:
                missing("outcome", "udfaldet ved afslutningen")
        if self.decided_on is None:
            return found
        found += self._course_dates(self.decided_on, course_type, today, rules)
        return found

    def _assessment(self, course_type: CourseType, missing: _Missing) -> list[str]:
        """The stages before the decision: the team's meeting and recommendation, the health
        coordinator's advice."""
        found = []
        if self.team_meeting_on and course_type != CourseType.RESSOURCEFORLOEB:
            found.append("Kun et ressourceforløb har et møde i rehabiliteringsteamet.")
        if self.stage in (Stage.TEAM, Stage.RECOMMENDED) and self.team_meeting_on is None:
            missing("team_meeting_on", "en dato for mødet i rehabiliteringsteamet")
        if self.stage == Stage.RECOMMENDED:
            decisions = COURSE_TYPES[course_type].decisions
            if self.recommendation is None:
                missing("recommendation", "teamets indstilling")
            elif self.recommendation not in decisions:
                names = ", ".join(d.value for d in decisions)
                found.append(
                    f"Rehabiliteringsteamet kan ikke indstille til "
                    f"{self.recommendation.label.lower()}; brug {names}."
                )
        elif self.recommendation is not None:
            found.append(
                f"Kun et forløb i fasen »{Stage.RECOMMENDED.label}« har teamets indstilling."
            )
        if self.stage == Stage.HEALTH_ADVICE:
            if self.health_advice_requested_on is None:
                missing(
                    "health_advice_requested_on",
                    "datoen, hvor der blev bedt om sundhedskoordinatorens rådgivning",
                )
        elif self.health_advice_requested_on is not None:
            found.append(
                f"Kun et forløb i fasen »{Stage.HEALTH_ADVICE.label}« har en anmodning om "
                "rådgivning, der venter på svar."
            )
        return found

    def _tasks(self, referred_on: date, today: date) -> list[str]:
        if self.tasks and self.stage not in PLANNING_STAGES:
            return [
                f"Et forløb i fasen »{self.stage.label}« kan ikke have åbne opgaver; lad "
                "kolonnen »opgaver« være tom."
            ]
        found = []
        for n, task in enumerate(self.tasks, 1):
            given = task.assigned_on
            if given is not None and given > today:
                found.append(f"Opgave {n}: tildelingsdatoen kan ikke ligge i fremtiden.")
            if given is not None and given < referred_on:
                found.append(f"Opgave {n}: tildelingsdatoen kan ikke ligge før visitationen.")
        return found

    def _course_dates(
        self, decided_on: date, course_type: CourseType, today: date, rules: CourseRules
    ) -> list[str]:
        found = []
        if self.planned_end is not None:
            outer = add_months(decided_on, rules.of_type(course_type).wished_total_months)
            if self.planned_end <= decided_on:
                found.append("Den planlagte slutdato skal ligge efter afgørelsen.")
            elif self.stage == Stage.ACTIVE and self.planned_end < today:
                found.append("Den planlagte slutdato er passeret; forløbet kører ikke længere.")
            if self.planned_end > outer:
                found.append(
                    f"Den planlagte slutdato ligger efter den yderste grænse ({outer:%d.%m.%Y})."
                )
        followup = self.followup_on()
        if self.ended_on is not None and followup is not None:
            if self.ended_on < decided_on:
                found.append("Afslutningen kan ikke ligge før afgørelsen.")
            if followup <= today:
                found.append(
                    f"Opfølgningen {FOLLOWUP_WEEKS} uger efter afslutningen var "
                    f"{followup:%d.%m.%Y}; forløbet venter ikke længere på den."
                )
        return found
