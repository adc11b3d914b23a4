"""Progression measurement (models/progression.py): the round that falls due on the course's
timer, the citizen's answers from their page, and the coordinator's.

A round opens at the start of the course (when the preparation starts) and then every
interval after the last round was done; it is done when every indicator has a score. A course
begun before measuring was introduced starts when the coordinator records a first one.
"""

from datetime import datetime

from models.command import Actor
from models.danish_time import add_months, local_date, start_of
from models.enums import PLANNING_STAGES, Channel
from models.programme import ProgrammeState, TimelineEvent
from models.progression import AnswerProgression, MeasuredBy, Measurement, RecordProgression
from workflows.guards import acting, fmt, record, require_planning
from workflows.outgoing import queue_note
from workflows.rejections import invalid, refuse
from workflows.rule import rule
from workflows.rule_patches import PROGRESSION, in_effect

# The channels that can carry the link to the citizen's page.
_LINKABLE = (Channel.SMS, Channel.EMAIL)


def begin(state: ProgrammeState, now: datetime) -> None:
    """The course starts: its first round is due now."""
    if in_effect(state, PROGRESSION) and state.progression.due_at is None:
        state.progression.due_at = now


def next_due(state: ProgrammeState) -> datetime | None:
    """When the next round opens; None while one is open, or once the course has ended."""
    progression = state.progression
    if progression.pending or state.stage not in PLANNING_STAGES:
        return None
    return progression.due_at


def open_round(state: ProgrammeState, now: datetime) -> TimelineEvent:
    """The round is due: on the coordinator's board, and a link for the citizen to answer."""
    rules = state.rules.progression
    state.progression.pending = rules.keys_for()
    said = "Det er tid til at måle progression."
    channels = [c for c in state.contact.channels_in_order() if c in _LINKABLE]
    asked = len(rules.keys_for(MeasuredBy.CITIZEN))
    if asked and channels:
        queue_note(state, "progression_question", {"count": str(asked)}, now, channels)
        said += f" Borgeren får et link til at svare på sin side ({channels[0].label})."
    elif asked:
        said += " Borgeren får ikke beskeder på SMS eller e-mail: spørg ved næste samtale."
    return record(state, "progression_due", now, None, said)


@rule("record_progression")
def record_progression(
    state: ProgrammeState, cmd: RecordProgression, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "En progressionsmåling")
    measured = cmd.measured_on or local_date(now)
    if measured > local_date(now):
        raise invalid("En måling kan ikke ligge i fremtiden.")
    if measured < local_date(state.referred_at):
        raise invalid("En måling kan ikke ligge før visitationen.")
    # Taken at an earlier conversation: dated that day, so the charts and the next round
    # follow when it was measured, not when it was typed in.
    at = now if measured == local_date(now) else start_of(measured)
    return _measure(state, cmd.scores, MeasuredBy.CASEWORKER, actor, now, at)


@rule("answer_progression")
def answer_progression(
    state: ProgrammeState, cmd: AnswerProgression, now: datetime
) -> TimelineEvent:
    if state.stage not in PLANNING_STAGES:
        raise refuse("Dit forløb er slut, så der er ingen spørgsmål til dig.")
    own = state.rules.progression.keys_for(MeasuredBy.CITIZEN)
    if not any(key in state.progression.pending for key in own):
        due = state.progression.due_at
        later = f" Vi spørger igen omkring {fmt(local_date(due))}." if due and due > now else ""
        raise refuse(f"Der er ingen spørgsmål til dig lige nu.{later}")
    if set(cmd.scores) != set(own):
        raise invalid("Svar på alle spørgsmålene.")
    return _measure(state, cmd.scores, MeasuredBy.CITIZEN, cmd.actor, now, now)


def _measure(
    state: ProgrammeState,
    scores: dict[str, int],
    by: MeasuredBy,
    actor: Actor | None,
    now: datetime,
    at: datetime,
) -> TimelineEvent:
    rules = state.rules.progression
    unknown = sorted(set(scores) - set(rules.keys_for()))
    if unknown:
        raise invalid(f"Målingen kender ikke: {', '.join(unknown)}.")
    if any(not rules.low <= score <= rules.high for score in scores.values()):
        raise invalid(f"Svarene går fra {rules.low} til {rules.high}.")
    progression = state.progression
    progression.measurements.append(Measurement(at=at, by=by, scores=scores))
    was_open = bool(progression.pending)
    progression.pending = [
        k for k in progression.pending if k not in scores and k in rules.keys_for()
    ]
    who = "Borgeren svarede på sin side" if by == MeasuredBy.CITIZEN else "Progression målt"
    said = f"{who} ({len(scores)} af {len(rules.indicators)} spørgsmål)."
    if (was_open and not progression.pending) or progression.due_at is None:
        progression.due_at = start_of(add_months(local_date(at), rules.interval_months))
        said += f" Næste måling {fmt(local_date(progression.due_at))}."
    return record(state, "progression_measured", now, actor, said, happened=at)
