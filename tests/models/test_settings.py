"""The course types' settings as a municipality sets them: through the environment, as text,
read into each type's rules in one place, and a typo explained in Danish."""

import json
from datetime import date

import pytest
from pydantic import ValidationError

from models.enums import CourseType, Stage
from models.rules import DEFAULT_COURSE_TYPES, CourseRules, months_in_words
from models.settings import Settings

LEGACY, CROSS = CourseType.RESSOURCEFORLOEB, CourseType.TVAERFAGLIGT
COURSE_SETTINGS = (
    "FORLOEB_COURSE_TYPES",
    "FORLOEB_CROSS_COURSE_NAME",
    "FORLOEB_RESSOURCEFORLOEB_CUTOFF",
    "FORLOEB_STAGE_LIMITS",
)


@pytest.fixture(autouse=True)
def nothing_set(monkeypatch: pytest.MonkeyPatch) -> None:
    """Only what a test sets: the machine's own environment must not decide the outcome."""
    for name in COURSE_SETTINGS:
        monkeypatch.delenv(name, raising=False)


def test_with_nothing_set_every_type_has_its_defaults() -> None:
    settings = Settings()
    assert settings.course_rules.course_types == DEFAULT_COURSE_TYPES
    assert settings.ressourceforloeb_cutoff == date(2026, 2, 1)
    assert settings.course_rules.of_type(CROSS).stage_limit_days == {
        Stage.REFERRED: 14,
        Stage.DESCRIPTION: 42,
        Stage.HEALTH_ADVICE: 28,
        Stage.DESCRIBED: 28,
    }


def test_the_course_settings_are_read_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv(
        "FORLOEB_COURSE_TYPES",
        json.dumps(
            {
                "tvaerfagligt": {
                    "max_months": 18,
                    "total_months": 30,
                    "wished_total_months": 30,
                    "stage_limit_days": {"health_advice": 21},
                },
                "ressourceforloeb": {"effort_rule_months": 9, "stage_limit_days": {"team": 70}},
            }
        ),
    )
    monkeypatch.setenv("FORLOEB_CROSS_COURSE_NAME", "Helhedsforløb")
    monkeypatch.setenv("FORLOEB_RESSOURCEFORLOEB_CUTOFF", "2026-03-01")
    monkeypatch.setenv("FORLOEB_STAGE_LIMITS", "referred=10,described=35")

    rules = Settings().course_rules

    assert rules.ressourceforloeb_cutoff == date(2026, 3, 1)
    cross, legacy = rules.of_type(CROSS), rules.of_type(LEGACY)
    assert (cross.name, cross.max_months, cross.total_months) == ("Helhedsforløb", 18, 30)
    # FORLOEB_STAGE_LIMITS is the default for every type that has the stage; a type's own
    # limit wins over it.
    assert cross.stage_limit_days == {
        Stage.REFERRED: 10,
        Stage.DESCRIPTION: 42,
        Stage.HEALTH_ADVICE: 21,
        Stage.DESCRIBED: 35,
    }
    assert legacy.stage_limit_days == {
        Stage.REFERRED: 10,
        Stage.PREPARATION: 42,
        Stage.TEAM: 70,
        Stage.RECOMMENDED: 28,
    }
    assert (legacy.name, legacy.max_months, legacy.effort_rule_months) == (
        "Ressourceforløb",
        36,
        9,
    )
    assert legacy.effort_rule_period == "ni måneder"
    assert legacy.effort_rule_short == "9 mdr."


def test_a_stage_limit_for_every_type_changes_only_the_types_with_that_stage(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FORLOEB_STAGE_LIMITS", "team=30")
    rules = Settings().course_rules
    assert rules.of_type(LEGACY).stage_limit_days[Stage.TEAM] == 30
    assert Stage.TEAM not in rules.of_type(CROSS).stage_limit_days
    assert rules.of_type(CROSS) == DEFAULT_COURSE_TYPES[CROSS]


@pytest.mark.parametrize(
    ("name", "value", "explained"),
    [
        ("FORLOEB_STAGE_LIMITS", "referred=ti", "referred: antal dage skal være et helt tal"),
        ("FORLOEB_STAGE_LIMITS", "visiteret=14", "ukendt fase 'visiteret'"),
        ("FORLOEB_STAGE_LIMITS", "active=14", "active har ingen grænse"),
        ("FORLOEB_STAGE_LIMITS", "team=0", "en grænse er mindst 1 dag"),
        ("FORLOEB_COURSE_TYPES", "{ikke json", "FORLOEB_COURSE_TYPES skal være JSON"),
        ("FORLOEB_COURSE_TYPES", '{"fleksjob": {}}', "ukendt forløbstype 'fleksjob'"),
        (
            "FORLOEB_COURSE_TYPES",
            '{"tvaerfagligt": {"stage_limit_days": {"team": 30}}}',
            "tvaerfagligt har ingen grænse for team",
        ),
        (
            "FORLOEB_COURSE_TYPES",
            '{"ressourceforloeb": {"max_months": 48}}',
            "varighederne skal stige",
        ),
        ("FORLOEB_CROSS_COURSE_NAME", "TF", "FORLOEB_CROSS_COURSE_NAME skal være 3-60 tegn"),
        (
            "FORLOEB_RESSOURCEFORLOEB_CUTOFF",
            "1. februar 2026",
            "FORLOEB_RESSOURCEFORLOEB_CUTOFF skal være en dato skrevet som 2026-02-01",
        ),
    ],
)
def test_a_bad_value_is_refused_in_danish(
    monkeypatch: pytest.MonkeyPatch, name: str, value: str, explained: str
) -> None:
    monkeypatch.setenv(name, value)
    with pytest.raises(ValidationError) as refused:
        Settings()
    assert explained in str(refused.value)


def test_rules_saved_before_the_limits_moved_into_the_types_load_with_their_values() -> None:
    """A running course's state holds its rules; one saved with the limits for every type must
    load with those limits in each type, not the defaults."""
    saved = json.loads(CourseRules().model_dump_json())
    for rules in saved["course_types"].values():
        del rules["stage_limit_days"]
    saved["stage_limit_days"] = {"referred": 10, "team": 50, "description": 9}
    loaded = CourseRules.model_validate(saved)
    assert loaded.of_type(LEGACY).stage_limit_days == {Stage.REFERRED: 10, Stage.TEAM: 50}
    assert loaded.of_type(CROSS).stage_limit_days == {Stage.REFERRED: 10, Stage.DESCRIPTION: 9}
    # Saved before there were types at all: the default types, with the limits saved.
    older = CourseRules.model_validate({"stage_limit_days": {"preparation": 20}})
    assert older.of_type(LEGACY).stage_limit_days == {Stage.PREPARATION: 20}
    # And the new shape round-trips as it is.
    assert CourseRules.model_validate_json(loaded.model_dump_json()) == loaded


@pytest.mark.parametrize(
    ("months", "said"),
    [
        (1, "én måned"),
        (6, "seks måneder"),
        (9, "ni måneder"),
        (12, "tolv måneder"),
        (18, "18 måneder"),
    ],
)
def test_months_are_said_as_danish_prose_says_them(months: int, said: str) -> None:
    assert months_in_words(months) == said
