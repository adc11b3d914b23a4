"""What keeps a running course from being registered (models/registration.py), in Danish."""

from datetime import date, timedelta

from models.danish_time import add_weeks
from models.enums import CourseType, Department, Outcome, Recommendation, Stage
from models.registration import RegisteredCourse
from models.rules import CourseRules
from models.task import AssignTask

TODAY = date(2026, 12, 2)
REFERRED = TODAY - timedelta(days=400)
COLUMNS = {"recommendation": "indstilling", "health_advice_requested_on": "raadgivning_anmodet"}


def problems(course: RegisteredCourse, type: CourseType = CourseType.RESSOURCEFORLOEB) -> list[str]:
    return course.problems(type, REFERRED, TODAY, CourseRules(), COLUMNS)


def test_a_recommended_course_needs_the_meeting_and_a_recommendation_its_type_knows():
    assert problems(RegisteredCourse(stage=Stage.RECOMMENDED)) == [
        "Et forløb i fasen »Indstillet, afventer afgørelse« skal have en dato for mødet i "
        "rehabiliteringsteamet.",
        "Et forløb i fasen »Indstillet, afventer afgørelse« skal have teamets indstilling "
        "(kolonnen »indstilling«).",
    ]
    coordinated = RegisteredCourse(
        stage=Stage.RECOMMENDED,
        team_meeting_on=TODAY - timedelta(days=10),
        recommendation=Recommendation.COORDINATED,
    )
    assert problems(coordinated)[0].startswith(
        "Rehabiliteringsteamet kan ikke indstille til koordineret indsats med en plan"
    )
    good = coordinated.model_copy(update={"recommendation": Recommendation.FLEKSJOB})
    assert problems(good) == []
    assert (
        "Kun et forløb i fasen »Indstillet"
        in problems(RegisteredCourse(stage=Stage.REFERRED, recommendation=Recommendation.FLEKSJOB))[
            0
        ]
    )


def test_the_health_coordinators_wait_needs_the_day_it_was_asked_and_a_cross_department_course():
    waiting = RegisteredCourse(stage=Stage.HEALTH_ADVICE)
    assert problems(waiting, CourseType.TVAERFAGLIGT) == [
        "Et forløb i fasen »Afventer sundhedskoordinator« skal have datoen, hvor der blev bedt "
        "om sundhedskoordinatorens rådgivning (kolonnen »raadgivning_anmodet«)."
    ]
    assert problems(waiting)[0].startswith("Fasen »Afventer sundhedskoordinator« kan ikke")
    future = RegisteredCourse(
        stage=Stage.HEALTH_ADVICE, health_advice_requested_on=TODAY + timedelta(days=1)
    )
    assert problems(future, CourseType.TVAERFAGLIGT) == [
        "Anmodningen om sundhedsfaglig rådgivning kan ikke ligge i fremtiden."
    ]


def test_an_ended_course_needs_its_end_and_outcome_and_a_follow_up_still_ahead():
    decided = TODAY - timedelta(days=300)
    assert problems(RegisteredCourse(stage=Stage.ENDED, decided_on=decided)) == [
        "Et forløb i fasen »Afsluttet, afventer opfølgning« skal have datoen for afslutningen.",
        "Et forløb i fasen »Afsluttet, afventer opfølgning« skal have udfaldet ved afslutningen.",
    ]
    ended = TODAY - timedelta(weeks=13)
    late = RegisteredCourse(
        stage=Stage.ENDED, decided_on=decided, ended_on=ended, outcome=Outcome.JOB
    )
    assert problems(late) == [
        f"Opfølgningen 13 uger efter afslutningen var {add_weeks(ended, 13):%d.%m.%Y}; "
        "forløbet venter ikke længere på den."
    ]
    in_time = late.model_copy(update={"ended_on": ended + timedelta(days=1)})
    assert problems(in_time) == []
    task = AssignTask(department=Department.SOCIAL, purpose="Bostøtte")
    assert problems(in_time.model_copy(update={"tasks": [task]})) == [
        "Et forløb i fasen »Afsluttet, afventer opfølgning« kan ikke have åbne opgaver; lad "
        "kolonnen »opgaver« være tom."
    ]


def test_a_task_is_given_between_the_referral_and_today():
    tasks = [
        AssignTask(department=Department.HEALTH, purpose="Samtale", assigned_on=day)
        for day in (TODAY + timedelta(days=1), REFERRED - timedelta(days=1), REFERRED)
    ]
    assert problems(RegisteredCourse(stage=Stage.REFERRED, tasks=tasks)) == [
        "Opgave 1: tildelingsdatoen kan ikke ligge i fremtiden.",
        "Opgave 2: tildelingsdatoen kan ikke ligge før visitationen.",
    ]
