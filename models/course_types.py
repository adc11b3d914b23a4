"""The kinds of course a case can be, as data: the path of stages each walks, the decisions
that end its assessment, and which of them carries on into an active course.

The shared machinery (tasks, deadlines, the plan and its gaps, handovers, meetings and
messages, stalls, the end and the 13-week follow-up) is the same for every type; a type only
decides how a case gets to its decision. The municipality's limits per type (durations, the
stages' stall limits) are in models/rules.py.
"""

from dataclasses import dataclass

from models.enums import CourseType, Recommendation, Stage


@dataclass(frozen=True)
class CourseTypeDef:
    type: CourseType
    # The stages in the order a case normally passes them, for the stage path on the pages.
    path: tuple[Stage, ...]
    # The stages a case waits for its decision in.
    deciding: tuple[Stage, ...]
    decisions: tuple[Recommendation, ...]
    # The decision that starts the active course; every other closes the case.
    continues: Recommendation
    # Decisions the law lets the municipality make only with the region's health-professional
    # advice in hand (L 66 2025-26: fleksjob and førtidspension).
    needs_health_advice: tuple[Recommendation, ...] = ()


_ENDING = (Stage.ACTIVE, Stage.ENDED, Stage.CLOSED)

COURSE_TYPES = {
    t.type: t
    for t in (
        CourseTypeDef(
            CourseType.RESSOURCEFORLOEB,
            path=(Stage.REFERRED, Stage.PREPARATION, Stage.TEAM, Stage.RECOMMENDED, *_ENDING),
            deciding=(Stage.RECOMMENDED,),
            decisions=(
                Recommendation.RESSOURCEFORLOEB,
                Recommendation.FLEKSJOB,
                Recommendation.FOERTIDSPENSION,
                Recommendation.OTHER,
            ),
            continues=Recommendation.RESSOURCEFORLOEB,
        ),
        CourseTypeDef(
            CourseType.TVAERFAGLIGT,
            path=(
                Stage.REFERRED,
                Stage.DESCRIPTION,
                Stage.HEALTH_ADVICE,
                Stage.DESCRIBED,
                *_ENDING,
            ),
            deciding=(Stage.DESCRIBED,),
            decisions=(
                Recommendation.COORDINATED,
                Recommendation.FLEKSJOB,
                Recommendation.FOERTIDSPENSION,
                Recommendation.OTHER,
            ),
            continues=Recommendation.COORDINATED,
            needs_health_advice=(Recommendation.FLEKSJOB, Recommendation.FOERTIDSPENSION),
        ),
    )
}


def course_type(type: CourseType) -> CourseTypeDef:
    return COURSE_TYPES[type]
