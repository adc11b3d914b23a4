"""The cross-department course's assessment, as pure functions on ProgrammeState (see
models/description.py): the combined description with each department's part, and the
health-professional advice from the region's health coordinator.

Each department's part is an ordinary task (workflows/task_rules.py) marked as a contribution,
so it has the task's deadlines, reminders and escalations and its wait counts like any other.
The health coordinator is an outside party: its wait is the stage's, with a reminder to the
coordinator on the course's timer and a stall at the stage's limit (workflows/stall.py).
"""

from datetime import date, datetime, timedelta

from models.danish_time import local_date, start_of
from models.description import (
    CombinedDescription,
    CompleteDescription,
    HealthAdvice,
    RecordHealthAdvice,
    RequestHealthAdvice,
    StartDescription,
)
from models.enums import CourseType, Stage
from models.programme import ProgrammeState, TimelineEvent
from workflows import progression_rules
from workflows.guards import acting, fmt, moment_of, record, require_stage, require_type
from workflows.rejections import invalid, refuse
from workflows.rule import rule
from workflows.todos import add_todo


@rule("start_description")
def start_description(state: ProgrammeState, cmd: StartDescription, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_type(state, "Den samlede beskrivelse", CourseType.TVAERFAGLIGT)
    require_stage(state, "Den samlede beskrivelse", Stage.REFERRED)
    happened = moment_of(_day(cmd.started_on, state, now, "Beskrivelsens start"), now)
    state.stage = Stage.DESCRIPTION
    state.description = CombinedDescription(started_at=happened or now)
    progression_rules.begin(state, now)
    return record(
        state,
        "description_started",
        now,
        actor,
        "Den samlede beskrivelse af borgerens forudsætninger er startet. "
        "Bed hver afdeling, der kender borgeren, om dens del.",
        happened=happened,
    )


def require_describing(state: ProgrammeState) -> None:
    """A task may be assigned as a department's part only while the description is written."""
    require_stage(state, "Et bidrag til den samlede beskrivelse", Stage.DESCRIPTION)


@rule("complete_description")
def complete_description(
    state: ProgrammeState, cmd: CompleteDescription, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Færdiggørelse af den samlede beskrivelse", Stage.DESCRIPTION)
    description = state.description
    assert description is not None
    parts = [state.tasks[t] for t in description.contributions if t in state.tasks]
    if not description.contributions:
        raise refuse("Bed mindst én afdeling om dens del af beskrivelsen, før den færdiggøres.")
    waiting = sorted({t.department.label for t in parts if t.state.is_open})
    if waiting:
        raise refuse(f"Beskrivelsen venter stadig på bidrag fra {', '.join(waiting)}.")
    completed_on = _day(cmd.completed_on, state, now, "Beskrivelsens dato")
    description.completed_on = completed_on
    description.summary = cmd.summary
    description.citizen_text = cmd.citizen_text
    state.stage = Stage.DESCRIBED
    return record(
        state,
        "description_completed",
        now,
        actor,
        f"Den samlede beskrivelse er færdig og dateret {fmt(completed_on)}.",
        happened=moment_of(completed_on, now),
    )


@rule("request_health_advice")
def request_health_advice(
    state: ProgrammeState, cmd: RequestHealthAdvice, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "En anmodning om sundhedsfaglig rådgivning", Stage.DESCRIBED)
    requested_on = _day(cmd.requested_on, state, now, "Anmodningens dato")
    state.health_advice = HealthAdvice(
        requested_at=moment_of(requested_on, now) or now, question=cmd.question
    )
    state.stage = Stage.HEALTH_ADVICE
    return record(
        state,
        "health_advice_requested",
        now,
        actor,
        "Der er bedt om sundhedsfaglig rådgivning fra regionens sundhedskoordinator.",
        happened=moment_of(requested_on, now),
    )


@rule("record_health_advice")
def record_health_advice(
    state: ProgrammeState, cmd: RecordHealthAdvice, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Sundhedskoordinatorens rådgivning", Stage.HEALTH_ADVICE)
    advice = state.health_advice
    assert advice is not None  # HEALTH_ADVICE is only reached with a request
    received_on = _day(cmd.received_on, state, now, "Rådgivningens dato")
    if received_on < local_date(advice.requested_at):
        raise invalid("Rådgivningen kan ikke være kommet, før der blev bedt om den.")
    advice.received_at = moment_of(received_on, now) or now
    advice.advice = cmd.advice
    state.stage = Stage.DESCRIBED
    waited = (local_date(advice.received_at) - local_date(advice.requested_at)).days
    return record(
        state,
        "health_advice_received",
        now,
        actor,
        f"Sundhedskoordinatorens rådgivning er modtaget efter {waited} dage.",
        happened=moment_of(received_on, now),
    )


def next_reminder(state: ProgrammeState) -> datetime | None:
    """When the coordinator is reminded to chase the health coordinator's advice."""
    advice = state.health_advice
    if state.stage != Stage.HEALTH_ADVICE or advice is None or advice.reminded_at is not None:
        return None
    days = state.rules.of_type(state.course_type).health_advice_reminder_days
    return start_of(local_date(advice.requested_at) + timedelta(days=days))


def remind(state: ProgrammeState, now: datetime) -> TimelineEvent:
    advice = state.health_advice
    assert advice is not None
    advice.reminded_at = now
    asked = fmt(local_date(advice.requested_at))
    add_todo(
        state,
        f"Ryk regionens sundhedskoordinator for rådgivningen, der blev bedt om {asked}.",
        None,
        now,
    )
    return record(
        state,
        "health_advice_reminder",
        now,
        None,
        f"Sundhedskoordinatoren har ikke svaret på anmodningen fra {asked}. "
        "Koordinatoren er bedt om at rykke.",
    )


def _day(given: date | None, state: ProgrammeState, now: datetime, what: str) -> date:
    today = local_date(now)
    day = given or today
    if day > today:
        raise invalid(f"{what} kan ikke ligge i fremtiden.")
    if day < local_date(state.referred_at):
        raise invalid(f"{what} kan ikke ligge før visitationen.")
    return day
