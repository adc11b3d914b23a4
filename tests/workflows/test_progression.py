"""Progression measurement on the time-skipping server: a round falls due when the preparation
starts and again an interval after the last was done, on the course's one timer; the citizen
answers their own indicators from their page and the coordinator the rest."""

import uuid
from datetime import datetime, timedelta

from temporalio.exceptions import ApplicationError

from models.command import Actor
from models.contact import SetContactPreferences
from models.danish_time import COPENHAGEN, add_months, local_date, start_of
from models.enums import Channel, Department, Outcome, Recommendation, Role, Stage
from models.programme import (
    Effort,
    EndProgramme,
    ProgrammeInput,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.progression import (
    AnswerProgression,
    MeasuredBy,
    Measurement,
    ProgressionRules,
    RecordProgression,
    change,
)
from models.refusals import INVALID_INPUT, INVALID_TRANSITION
from models.rules import CourseRules
from tests.factories import actor_of, case_messages
from tests.workflows.meeting_steps import at, state_of
from tests.workflows.programme_helpers import (
    RUNNING_AT_REFERRAL,
    expect_rejection,
    send,
    start_programme,
    timeline,
    travel_to,
    worker_for,
)
from workflows import deadlines, engine
from workflows.rule_patches import PROGRESSION

RULES = ProgressionRules()
ALL_KEYS = RULES.keys_for()
CITIZEN_KEYS = RULES.keys_for(MeasuredBy.CITIZEN)
CASEWORKER_KEYS = RULES.keys_for(MeasuredBy.CASEWORKER)
EFFORTS = [Effort(department=Department.JOBCENTER, description="Virksomhedspraktik med mentor")]


def scores(keys: list[str], score: int = 5) -> dict[str, int]:
    return dict.fromkeys(keys, score)


def _date(moment: datetime) -> str:
    return local_date(moment).strftime("%d.%m.%Y")


async def test_a_round_opens_at_the_start_and_again_three_months_after_it_was_done(
    time_env, session, course
):
    me = actor_of(course.coordinator)
    await send(course.handle, StartPreparation(actor=me))
    await time_env.sleep(timedelta(minutes=1))

    state = await state_of(course)
    assert state.progression.pending == ALL_KEYS
    [due] = timeline(session, course.case_id, "progression_due")
    assert due.summary == (
        "Det er tid til at måle progression. Borgeren får et link til at svare på sin side (SMS)."
    )
    # The question goes by SMS, the citizen's first choice, with the link to their page.
    [question] = case_messages(session, course.case_id)
    assert (question.channel, question.purpose) == ("sms", "progression_question")
    assert "http://forloeb.test/b/" in question.body
    assert [(s.purpose, s.channel) for s in state.sent] == [("progression_question", Channel.SMS)]

    # The citizen answers their own questions, every one of them, on the scale.
    await expect_rejection(
        send(course.handle, AnswerProgression(scores=scores(CITIZEN_KEYS[:1]))),
        INVALID_INPUT,
        "Svar på alle spørgsmålene.",
    )
    await expect_rejection(
        send(course.handle, AnswerProgression(scores=scores(CITIZEN_KEYS + CASEWORKER_KEYS))),
        INVALID_INPUT,
        "Svar på alle spørgsmålene.",
    )
    await expect_rejection(
        send(course.handle, AnswerProgression(scores={**scores(CITIZEN_KEYS), "direction": 11})),
        INVALID_INPUT,
        "Svarene går fra 1 til 10.",
    )
    answered = await send(course.handle, AnswerProgression(scores=scores(CITIZEN_KEYS, 4)))
    assert answered.summary == "Borgeren svarede på sin side (3 af 4 spørgsmål)."
    assert (await state_of(course)).progression.pending == CASEWORKER_KEYS
    # Answered once, the round has no more questions for the citizen.
    await expect_rejection(
        send(course.handle, AnswerProgression(scores=scores(CITIZEN_KEYS))),
        INVALID_TRANSITION,
        "Der er ingen spørgsmål til dig lige nu.",
    )

    # The coordinator's part: unknown indicators and scores off the scale are refused.
    await expect_rejection(
        send(course.handle, RecordProgression(actor=me, scores={"mood": 5})),
        INVALID_INPUT,
        "Målingen kender ikke: mood.",
    )
    await expect_rejection(
        send(course.handle, RecordProgression(actor=me, scores=scores(CASEWORKER_KEYS, 0))),
        INVALID_INPUT,
        "Svarene går fra 1 til 10.",
    )
    now = await time_env.get_current_time()
    next_round = start_of(add_months(local_date(now), 3))
    done = await send(course.handle, RecordProgression(actor=me, scores=scores(CASEWORKER_KEYS)))
    assert done.summary == f"Progression målt (1 af 4 spørgsmål). Næste måling {_date(next_round)}."
    state = await state_of(course)
    assert state.progression.pending == []
    assert state.progression.due_at == next_round
    assert [(m.by, m.scores) for m in state.progression.measurements] == [
        (MeasuredBy.CITIZEN, scores(CITIZEN_KEYS, 4)),
        (MeasuredBy.CASEWORKER, scores(CASEWORKER_KEYS)),
    ]
    await expect_rejection(
        send(course.handle, AnswerProgression(scores=scores(CITIZEN_KEYS))),
        INVALID_TRANSITION,
        f"Vi spørger igen omkring {_date(next_round)}.",
    )

    # The next round opens at midnight on the day, by the timer; its question waits for the
    # end of the citizen's quiet hours.
    await travel_to(time_env, next_round - timedelta(minutes=1))
    assert (await state_of(course)).progression.pending == []
    assert len(timeline(session, course.case_id, "progression_due")) == 1
    await travel_to(time_env, next_round + timedelta(minutes=1))
    assert (await state_of(course)).progression.pending == ALL_KEYS
    second = timeline(session, course.case_id, "progression_due")[1]
    assert timedelta(0) <= second.at - next_round < timedelta(seconds=1)
    asked = [m for m in case_messages(session, course.case_id) if m.purpose.startswith("progr")]
    assert len(asked) == 1
    await travel_to(time_env, at(local_date(next_round), 9, 1))
    asked = [m for m in case_messages(session, course.case_id) if m.purpose.startswith("progr")]
    assert [m.channel for m in asked] == ["sms", "sms"]
    assert asked[1].due_at == at(local_date(next_round), 9)


async def test_a_citizen_reached_only_by_calls_is_asked_at_the_next_conversation(
    time_env, session, course
):
    me = actor_of(course.coordinator)
    await send(
        course.handle,
        SetContactPreferences(actor=me, channels=[Channel.CALL], phone="20 12 34 56"),
    )
    await send(course.handle, StartPreparation(actor=me))
    await time_env.sleep(timedelta(minutes=1))

    [due] = timeline(session, course.case_id, "progression_due")
    assert due.summary.endswith(
        "Borgeren får ikke beskeder på SMS eller e-mail: spørg ved næste samtale."
    )
    # A link cannot be heard: no call, no message at all.
    assert case_messages(session, course.case_id) == []
    state = await state_of(course)
    assert state.outgoing == [] and state.sent == []
    assert state.progression.pending == ALL_KEYS


async def test_no_round_falls_due_once_the_course_has_ended(
    time_env, task_queue, session, open_session, executor
):
    # A month between rounds, so the next would fall due well before the follow-up.
    rules = CourseRules(progression=ProgressionRules(interval_months=1))
    async with worker_for(time_env.client, task_queue, open_session, executor, rules=rules):
        # A ressourceforløb running since before the cut-off, so it may still be granted.
        running = await start_programme(
            time_env.client, task_queue, session, registered=RUNNING_AT_REFERRAL
        )
        me = actor_of(running.coordinator)
        today = local_date(await time_env.get_current_time())
        await send(running.handle, StartPreparation(actor=me))
        await time_env.sleep(timedelta(minutes=1))
        # The citizen's answers given in a conversation, and the caseworker's own.
        measured = await send(running.handle, RecordProgression(actor=me, scores=scores(ALL_KEYS)))
        assert f"Næste måling {add_months(today, 1):%d.%m.%Y}." in measured.summary

        await send(
            running.handle, ScheduleTeamMeeting(actor=me, meeting_on=today + timedelta(days=14))
        )
        await send(
            running.handle,
            RecordRecommendation(actor=me, kind=Recommendation.RESSOURCEFORLOEB, efforts=EFFORTS),
        )
        await send(
            running.handle,
            RecordDecision(actor=me, kind=Recommendation.RESSOURCEFORLOEB, duration_months=24),
        )
        await send(
            running.handle,
            EndProgramme(actor=me, outcome=Outcome.JOB, reason="Borgeren har fået et job"),
        )
        await time_env.sleep(timedelta(days=45))

        state = await state_of(running)
        assert state.stage == Stage.ENDED
        assert state.progression.pending == []
        assert len(timeline(session, running.case_id, "progression_due")) == 1
        await expect_rejection(
            send(running.handle, AnswerProgression(scores=scores(CITIZEN_KEYS))),
            INVALID_TRANSITION,
            "Dit forløb er slut, så der er ingen spørgsmål til dig.",
        )
        await expect_rejection(
            send(running.handle, RecordProgression(actor=me, scores=scores(CASEWORKER_KEYS))),
            INVALID_TRANSITION,
            "En progressionsmåling kan ikke ske, når sagen er i fasen »Afsluttet",
        )


# The rules alone, for what a run on the server cannot be made to be: a course begun before
# the PROGRESSION patch.

COORDINATOR = Actor(id="k", role=Role.COORDINATOR)
MORNING = datetime(2027, 3, 1, 10, tzinfo=COPENHAGEN)


def _preparing(*patches: str) -> ProgrammeState:
    """A course whose preparation started this morning, in a run with these patches."""
    state = ProgrammeInput(
        case_id=str(uuid.uuid4()), citizen_id="c", coordinator_id="k"
    ).initial_state(MORNING)
    state.rule_patches = list(patches)
    engine.apply(state, StartPreparation(actor=COORDINATOR), MORNING)
    return state


def test_with_the_patch_the_first_round_is_due_when_the_preparation_starts():
    state = _preparing(PROGRESSION)
    assert state.progression.due_at == MORNING
    assert deadlines.next_deadline(state, MORNING, include_stalls=False) == MORNING


def test_a_course_begun_before_the_patch_is_measured_from_the_coordinators_first_measurement():
    state = _preparing()
    assert state.progression.due_at is None
    assert deadlines.next_deadline(state, MORNING, include_stalls=False) is None

    later = MORNING + timedelta(days=10)
    measured = engine.apply(
        state, RecordProgression(actor=COORDINATOR, scores=scores(CASEWORKER_KEYS, 7)), later
    )
    next_round = start_of(add_months(local_date(later), 3))
    assert next_round == datetime(2027, 6, 11, tzinfo=COPENHAGEN)
    assert measured.summary.endswith("Næste måling 11.06.2027.")
    assert deadlines.next_deadline(state, later, include_stalls=False) == next_round

    events = engine.run_until(state, later, next_round + timedelta(hours=1), judge_stalls=False)
    assert [(e.kind, e.at) for e in events] == [("progression_due", next_round)]
    assert state.progression.pending == ALL_KEYS
    # A round that is open waits for its answers; the timer asks nothing more meanwhile.
    assert deadlines.next_deadline(state, next_round, include_stalls=False) is None


def test_a_measurement_from_an_earlier_conversation_dates_the_next_round_from_that_day():
    state = _preparing()
    later = MORNING + timedelta(days=40)
    measured_on = local_date(MORNING) + timedelta(days=5)
    engine.apply(
        state,
        RecordProgression(actor=COORDINATOR, scores=scores(ALL_KEYS), measured_on=measured_on),
        later,
    )
    [measurement] = state.progression.measurements
    assert measurement.at == start_of(measured_on)
    assert state.progression.due_at == start_of(add_months(measured_on, 3))
    for day, why in (
        (local_date(later) + timedelta(days=1), "fremtiden"),
        (local_date(MORNING) - timedelta(days=1), "før visitationen"),
    ):
        try:
            engine.apply(
                state,
                RecordProgression(actor=COORDINATOR, scores=scores(ALL_KEYS), measured_on=day),
                later,
            )
        except ApplicationError as refused:
            assert refused.type == INVALID_INPUT and why in refused.message
        else:
            raise AssertionError(f"a measurement dated {day} was taken")


def test_change_is_the_average_move_of_the_indicators_scored_more_than_once():
    def measured(day: int, **scored: int) -> Measurement:
        return Measurement(
            at=MORNING + timedelta(days=day), by=MeasuredBy.CITIZEN, scores=dict(scored)
        )

    assert change([]) is None
    assert change([measured(0, job_belief=3, direction=5)]) is None
    # In any order: first and latest go by the time of the measurement.
    found = change(
        [
            measured(180, job_belief=7, health_coping=4),
            measured(0, job_belief=3, direction=6),
            measured(90, job_belief=5, direction=4),
        ]
    )
    # job_belief 3 -> 7, direction 6 -> 4; health_coping was scored once and does not count.
    assert found == 1.0
