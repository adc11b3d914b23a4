"""Checks and records shared by every rule module: who may act, in which stage, and the event."""

from datetime import date, datetime

from models.actions import NO_ACTOR
from models.command import Actor, Command
from models.danish_time import local_date, start_of
from models.enums import PLANNING_STAGES, CourseType, Stage
from models.notice import Notice
from models.programme import ProgrammeState, TimelineEvent
from workflows.rejections import forbidden, refuse

SUMMARY_LIMIT = 2000  # models/case.py: CaseEvent.summary


def record(
    state: ProgrammeState,
    kind: str,
    now: datetime,
    actor: Actor | None,
    summary: str,
    *,
    task_id: str | None = None,
    notices: list[Notice] | None = None,
    happened: datetime | None = None,
) -> TimelineEvent:
    """The timeline's line for what a rule did; `happened`: when what it records took place,
    where that was before it was recorded (a decision registered after the fact)."""
    state.seq += 1
    if len(summary) > SUMMARY_LIMIT:
        # The timeline keeps a line of at most this; what was cut is on the case elsewhere.
        summary = summary[: SUMMARY_LIMIT - 1] + "…"
    if state.stage_since_for != state.stage:
        state.stage_since, state.stage_since_for = now, state.stage
    return TimelineEvent(
        seq=state.seq,
        kind=kind,
        at=min(happened, now) if happened else now,
        actor_id=actor.id if actor else None,
        summary=summary,
        task_id=task_id,
        department=state.tasks[task_id].department if task_id in state.tasks else None,
        notices=notices or [],
    )


def unchanged(state: ProgrammeState, now: datetime, summary: str) -> TimelineEvent:
    """An answer to an action that changes nothing; it is not recorded in the timeline."""
    return TimelineEvent(seq=state.seq, kind="unchanged", at=now, summary=summary, recorded=False)


def acting(cmd: Command) -> Actor:
    """The command's actor; the workflow has already checked that they may act (refusal in
    models/actions.py), so only a command that names no one is refused here."""
    if cmd.actor is None:
        raise forbidden(NO_ACTOR)
    return cmd.actor


def simulated(cmd: Command) -> str:
    """What the citizen or a provider said comes with no actor; with one, it was played on the
    test pages (/dev/outbox) by that member of staff, and the timeline says so."""
    return "Simuleret i udbakken: " if cmd.actor is not None else ""


def require_stage(state: ProgrammeState, what: str, *stages: Stage) -> None:
    if state.stage not in stages:
        expected = " eller ".join(f"»{s.label}«" for s in stages)
        raise refuse(
            f"{what} kan kun ske i fasen {expected}. Sagen er i fasen »{state.stage.label}«."
        )


def require_type(state: ProgrammeState, what: str, *types: CourseType) -> None:
    if state.course_type not in types:
        raise refuse(f"{what} hører ikke til et {type_name(state)}.")


def type_name(state: ProgrammeState) -> str:
    """The course's type as a sentence names it: "et ressourceforløb"'s last word."""
    name = state.rules.of_type(state.course_type).name
    return name[:1].lower() + name[1:]


def moment_of(day: date, now: datetime) -> datetime | None:
    """A day registered after the fact, as the moment the timeline shows it; None for today."""
    return None if day == local_date(now) else start_of(day)


def require_planning(state: ProgrammeState, what: str) -> None:
    if state.stage not in PLANNING_STAGES:
        raise refuse(f"{what} kan ikke ske, når sagen er i fasen »{state.stage.label}«.")


def fmt(day: date) -> str:
    return day.strftime("%d.%m.%Y")
