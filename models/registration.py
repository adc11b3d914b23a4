"""A course registered as already running, from the municipality's current system.

Its workflow starts at the course's stage with its original dates, so its timers (the planned
end, the follow-up, the six-month effort rule) fall where the law puts them. The import
(`forloeb import`) checks a line with `problems` before anything is written; the workflow
records the course as its first event instead of the referral (workflows/registration.py).
"""

from datetime import date

from pydantic import BaseModel

from models.danish_time import add_months
from models.enums import CourseType, Stage
from models.rules import CourseRules

# The stages a running course can be registered in, per type: before the decision, or active.
REGISTRABLE = {
    CourseType.RESSOURCEFORLOEB: (Stage.REFERRED, Stage.PREPARATION, Stage.TEAM, Stage.ACTIVE),
    CourseType.TVAERFAGLIGT: (Stage.REFERRED, Stage.DESCRIPTION, Stage.DESCRIBED, Stage.ACTIVE),
}


class RegisteredCourse(BaseModel):
    stage: Stage
    team_meeting_on: date | None = None
    decided_on: date | None = None
    planned_end: date | None = None

    def problems(
        self, course_type: CourseType, referred_on: date, today: date, rules: CourseRules
    ) -> list[str]:
        """What keeps this course from being registered, in Danish; empty when nothing."""
        found = []
        allowed = REGISTRABLE[course_type]
        if self.stage not in allowed:
            names = ", ".join(f"»{s.label}«" for s in allowed)
            found.append(f"Fasen »{self.stage.label}« kan ikke registreres; brug {names}.")
        for day, what in (
            (self.team_meeting_on, "Teammødet"),
            (self.decided_on, "Afgørelsen"),
        ):
            if day is not None and day < referred_on:
                found.append(f"{what} kan ikke ligge før visitationen.")
            if day is not None and day > today:
                found.append(f"{what} kan ikke ligge i fremtiden.")
        if self.team_meeting_on and course_type != CourseType.RESSOURCEFORLOEB:
            found.append("Kun et ressourceforløb har et møde i rehabiliteringsteamet.")
        if self.stage == Stage.TEAM and self.team_meeting_on is None:
            found.append("Et forløb i fasen »Rehabiliteringsteam« skal have en dato for mødet.")
        if self.stage != Stage.ACTIVE:
            if self.decided_on or self.planned_end:
                found.append("Kun et aktivt forløb har en afgørelse og en planlagt slutdato.")
            return found
        if self.decided_on is None or self.planned_end is None:
            found.append("Et aktivt forløb skal have afgørelsens dato og den planlagte slutdato.")
            return found
        if self.planned_end <= self.decided_on:
            found.append("Den planlagte slutdato skal ligge efter afgørelsen.")
        elif self.planned_end < today:
            found.append("Den planlagte slutdato er passeret; forløbet kører ikke længere.")
        outer = add_months(self.decided_on, rules.of_type(course_type).wished_total_months)
        if self.planned_end > outer:
            found.append(
                f"Den planlagte slutdato ligger efter den yderste grænse ({outer:%d.%m.%Y})."
            )
        return found
