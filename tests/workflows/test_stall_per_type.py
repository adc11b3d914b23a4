"""Each course type's own stall limits, and the effort rule's wording from its months: judged
on a state alone, as the workflow judges them."""

from datetime import UTC, date, datetime, timedelta

from models.enums import CourseType, Stage
from models.programme import ProgrammeState
from models.rules import DEFAULT_COURSE_TYPES, CourseRules
from workflows import effort_rule, stall

NOW = datetime(2026, 12, 1, 9, tzinfo=UTC)
LEGACY, CROSS = CourseType.RESSOURCEFORLOEB, CourseType.TVAERFAGLIGT


def rules(**per_type: dict[Stage, int]) -> CourseRules:
    return CourseRules(
        gap_threshold_days=365,
        course_types={
            type: DEFAULT_COURSE_TYPES[type].model_copy(
                update={"stage_limit_days": per_type.get(type.value, {})}
            )
            for type in CourseType
        },
    )


def waiting(type: CourseType, stage: Stage, days: int, with_rules: CourseRules) -> ProgrammeState:
    since = NOW - timedelta(days=days)
    return ProgrammeState(
        case_id="c",
        citizen_id="b",
        coordinator_id="k",
        course_type=type,
        stage=stage,
        referred_at=since,
        stage_since=since,
        stage_since_for=stage,
        rules=with_rules,
    )


def stage_stalls(state: ProgrammeState) -> list[str]:
    return [s.reason for s in stall.current(state, NOW) if s.kind == "stage"]


def test_the_same_stage_stands_still_by_its_own_types_limit() -> None:
    limits = rules(ressourceforloeb={Stage.REFERRED: 30}, tvaerfagligt={Stage.REFERRED: 10})
    assert stage_stalls(waiting(LEGACY, Stage.REFERRED, 20, limits)) == []
    assert stage_stalls(waiting(CROSS, Stage.REFERRED, 20, limits)) == [
        "Visiteret i mere end 10 dage"
    ]


def test_a_stage_without_a_limit_in_its_type_never_stalls_by_time() -> None:
    limits = rules(tvaerfagligt={Stage.DESCRIPTION: 42})
    assert stage_stalls(waiting(CROSS, Stage.HEALTH_ADVICE, 400, limits)) == []
    assert stage_stalls(waiting(CROSS, Stage.DESCRIPTION, 43, limits)) == [
        "Samlet beskrivelse i mere end 42 dage"
    ]


def effort_missed(months: int) -> ProgrammeState:
    legacy = DEFAULT_COURSE_TYPES[LEGACY].model_copy(update={"effort_rule_months": months})
    state = waiting(LEGACY, Stage.ACTIVE, 300, CourseRules(course_types={LEGACY: legacy}))
    state.effort_rule_on = date(2026, 11, 30)
    effort_rule.judge(state, NOW)
    return state


def test_the_effort_rule_says_the_months_it_is_set_to() -> None:
    state = effort_missed(9)
    assert "inden for ni måneder efter afgørelsen" in state.team_flag
    missed = effort_rule.stall(state)
    assert missed is not None
    assert missed.reason == "Ingen indsats inden for ni måneder efter afgørelsen"


def test_the_law_s_six_months_keep_the_wording_running_courses_hold() -> None:
    state = effort_missed(6)
    assert state.team_flag == effort_rule.LEGAL_REASON
    assert "inden for seks måneder" in effort_rule.LEGAL_REASON
    # A flag raised before the months were a setting still stalls the course.
    missed = effort_rule.stall(state)
    assert missed is not None
    assert missed.reason == "Ingen indsats inden for seks måneder efter afgørelsen"
    # A flag a person raised is not the rule's.
    state.team_flag = "Borgeren ønsker teamets vurdering"
    assert effort_rule.stall(state) is None
