"""The rules of a ressourceforløb as pure functions on ProgrammeState.

Each action both checks and applies: the update validator runs it on a copy and discards the
result, the handler runs it on the real state. One function per action means the check and the
change can never drift apart. Messages are in Danish because caseworkers read them.
"""

from datetime import date, datetime

from models.danish_time import add_months, add_weeks, local_date, start_of
from models.enums import PRE_DECISION, Recommendation, Stage
from models.programme import (
    CloseEarly,
    DecisionRecord,
    EndProgramme,
    ExtendProgramme,
    ProgrammeState,
    RecommendationRecord,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
    TimelineEvent,
)
from workflows import progression_rules
from workflows.guards import acting, fmt, record, require_stage
from workflows.rejections import invalid, refuse
from workflows.rule import rule

MAX_MONTHS = 60
FOLLOWUP_WEEKS = 13


def refer(state: ProgrammeState) -> TimelineEvent:
    # Dated at the referral, which is earlier than now when an existing case is registered.
    return record(
        state,
        "referred",
        state.referred_at,
        None,
        "Sagen er visiteret til rehabiliteringsteamet, "
        "og en koordinerende sagsbehandler er tildelt.",
    )


@rule("start_preparation")
def start_preparation(state: ProgrammeState, cmd: StartPreparation, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Den forberedende del", Stage.REFERRED)
    started_on = cmd.started_on or local_date(now)
    if started_on > local_date(now):
        raise invalid("Den forberedende del kan ikke starte i fremtiden.")
    if started_on < local_date(state.referred_at):
        raise invalid("Den forberedende del kan ikke starte før visitationen.")
    state.stage = Stage.PREPARATION
    happened = _day_of(started_on, now)
    state.preparation_started_at = happened or now
    progression_rules.begin(state, now)
    return record(
        state,
        "preparation_started",
        now,
        actor,
        "Den forberedende del er startet.",
        happened=happened,
    )


@rule("schedule_team_meeting")
def schedule_team_meeting(
    state: ProgrammeState, cmd: ScheduleTeamMeeting, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Møde i rehabiliteringsteamet", Stage.PREPARATION, Stage.TEAM)
    if cmd.meeting_on < local_date(state.referred_at):
        raise invalid("Mødet i rehabiliteringsteamet kan ikke ligge før visitationen.")
    if cmd.meeting_on > add_months(local_date(now), 12):
        raise invalid("Mødet i rehabiliteringsteamet skal ligge inden for et år.")
    moved = state.stage == Stage.TEAM and state.team_meeting_on is not None
    state.stage = Stage.TEAM
    state.team_meeting_on = cmd.meeting_on
    verb = "flyttet til" if moved else "sat til"
    return record(
        state,
        "team_meeting_scheduled",
        now,
        actor,
        f"Mødet i rehabiliteringsteamet er {verb} {fmt(cmd.meeting_on)}.",
        # A meeting already held, registered after the fact, stands on its day.
        happened=_day_of(cmd.meeting_on, now),
    )


@rule("record_recommendation")
def record_recommendation(
    state: ProgrammeState, cmd: RecordRecommendation, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Teamets indstilling", Stage.TEAM)
    if state.team_meeting_on is None:
        raise refuse(
            "Sæt en dato for mødet i rehabiliteringsteamet, før indstillingen registreres."
        )
    if cmd.kind == Recommendation.RESSOURCEFORLOEB and not cmd.efforts:
        raise invalid("Et ressourceforløb kræver mindst én anbefalet indsats med en afdeling.")
    reconsidered = state.returned_to_team
    state.recommendation = RecommendationRecord(
        kind=cmd.kind, efforts=cmd.efforts, note=cmd.note, given_at=now, reconsidered=reconsidered
    )
    state.returned_to_team = False
    state.stage = Stage.RECOMMENDED
    again = " efter fornyet behandling" if reconsidered else ""
    return record(
        state,
        "recommendation_recorded",
        now,
        actor,
        f"Rehabiliteringsteamet indstiller{again}: {cmd.kind.label}.",
        happened=_day_of(state.team_meeting_on, now),  # given at the team's meeting
    )


@rule("record_decision")
def record_decision(state: ProgrammeState, cmd: RecordDecision, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Afgørelsen", Stage.RECOMMENDED)
    assert state.recommendation is not None  # RECOMMENDED is only reached with one
    today = local_date(now)
    decided_on = cmd.decided_on or today
    if decided_on > today:
        raise invalid("Afgørelsens dato kan ikke ligge i fremtiden.")
    if decided_on < local_date(state.referred_at):
        raise invalid("Afgørelsens dato kan ikke ligge før visitationen.")
    if cmd.kind == Recommendation.RESSOURCEFORLOEB:
        if cmd.duration_months is None:
            raise invalid("Angiv forløbets varighed i måneder (1 til 60).")
        if add_months(decided_on, cmd.duration_months) <= today:
            raise invalid("Med den dato og varighed ville forløbet allerede være slut.")

    follows = cmd.kind == state.recommendation.kind
    if not follows and not state.recommendation.reconsidered:
        # LAB § 25 a, stk. 6: a deviating decision needs the team's renewed recommendation first.
        state.stage = Stage.TEAM
        state.returned_to_team = True
        state.proposed_decision = cmd.kind
        return record(
            state,
            "returned_to_team",
            now,
            actor,
            f"Kommunen påtænker {cmd.kind.label} i stedet for teamets indstilling "
            f"({state.recommendation.kind.label}). Sagen går tilbage til rehabiliteringsteamet "
            "før afgørelsen (LAB § 25 a, stk. 6).",
        )
    if not follows and not cmd.justification:
        raise invalid("Afgørelsen afviger fra teamets indstilling; skriv en begrundelse.")

    state.decision = DecisionRecord(
        kind=cmd.kind,
        decided_on=decided_on,
        follows_recommendation=follows,
        justification=cmd.justification,
    )
    state.proposed_decision = None
    if cmd.kind == Recommendation.RESSOURCEFORLOEB:
        assert cmd.duration_months is not None
        state.stage = Stage.ACTIVE
        state.planned_end = add_months(decided_on, cmd.duration_months)
        state.max_end = add_months(decided_on, MAX_MONTHS)
        return record(
            state,
            "decided",
            now,
            actor,
            f"Afgørelse: ressourceforløb fra {fmt(decided_on)} til {fmt(state.planned_end)}.",
            happened=_day_of(decided_on, now),
        )
    state.stage = Stage.CLOSED
    state.closed_at = now
    state.close_reason = f"Afgørelse: {cmd.kind.label}"
    return record(
        state,
        "decided",
        now,
        actor,
        f"Afgørelse: {cmd.kind.label}. Der iværksættes ikke et ressourceforløb; sagen er lukket.",
        happened=_day_of(decided_on, now),
    )


def _day_of(day: date, now: datetime) -> datetime | None:
    """A day registered after the fact, as the moment the timeline shows it; None for today."""
    return None if day == local_date(now) else start_of(day)


@rule("extend")
def extend(state: ProgrammeState, cmd: ExtendProgramme, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Forlængelse", Stage.ACTIVE)
    assert state.planned_end is not None and state.max_end is not None
    if cmd.new_end <= state.planned_end:
        raise invalid(
            f"Den nye slutdato skal ligge efter den nuværende ({fmt(state.planned_end)})."
        )
    if cmd.new_end > state.max_end:
        raise invalid(
            "Et ressourceforløb kan højst vare 5 år fra afgørelsen, "
            f"dvs. til og med {fmt(state.max_end)}."
        )
    state.planned_end = cmd.new_end
    return record(
        state,
        "extended",
        now,
        actor,
        f"Forløbet er forlænget til {fmt(cmd.new_end)}. Begrundelse: {cmd.reason}",
    )


@rule("end_programme")
def end_programme(state: ProgrammeState, cmd: EndProgramme, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Afslutning af forløbet", Stage.ACTIVE)
    assert state.planned_end is not None
    today = local_date(now)
    early = today < state.planned_end
    if early and not cmd.reason:
        raise invalid("Forløbet afsluttes før den planlagte slutdato; skriv en begrundelse.")
    _end(state, today, cmd.reason)
    state.outcome = state.current_status = cmd.outcome
    when = "før tid" if early else "som planlagt"
    return record(
        state, "ended", now, actor, f"Forløbet er afsluttet {when}. Udfald: {cmd.outcome.label}."
    )


def expire(state: ProgrammeState, now: datetime) -> TimelineEvent:
    """The planned end has passed without the coordinator ending the course."""
    assert state.stage == Stage.ACTIVE and state.planned_end is not None
    _end(state, state.planned_end, "")
    return record(
        state,
        "period_expired",
        now,
        None,
        "Forløbets periode er udløbet. Registrér borgerens situation før opfølgningen.",
    )


def _end(state: ProgrammeState, ended_on: date, reason: str) -> None:
    state.stage = Stage.ENDED
    state.ended_on = ended_on
    state.end_reason = reason
    state.followup_on = add_weeks(ended_on, FOLLOWUP_WEEKS)


@rule("record_status")
def record_status(state: ProgrammeState, cmd: RecordStatus, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Registrering af borgerens situation", Stage.ENDED)
    state.current_status = cmd.status
    if state.outcome is None:
        state.outcome = cmd.status
    return record(
        state, "status_recorded", now, actor, f"Borgerens situation nu: {cmd.status.label}."
    )


def follow_up(state: ProgrammeState, now: datetime) -> TimelineEvent:
    """13 weeks after the end: record where the citizen is, the field's outcome measure."""
    assert state.stage == Stage.ENDED
    state.followup_status = state.current_status
    state.stage = Stage.CLOSED
    state.closed_at = now
    status = state.followup_status.label if state.followup_status else "ikke registreret"
    return record(
        state,
        "followed_up",
        now,
        None,
        f"Opfølgning 13 uger efter afslutningen: {status}. Sagen er lukket.",
    )


@rule("close_early")
def close_early(state: ProgrammeState, cmd: CloseEarly, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Lukning før afgørelsen", *PRE_DECISION)
    state.stage = Stage.CLOSED
    state.closed_at = now
    state.close_reason = cmd.reason
    return record(state, "closed_early", now, actor, f"Sagen er lukket før tid: {cmd.reason}")


def next_deadline(state: ProgrammeState) -> datetime | None:
    """When the workflow must act by itself, if ever, in the current stage."""
    if state.stage == Stage.ACTIVE and state.planned_end:
        return start_of(state.planned_end)
    if state.stage == Stage.ENDED and state.followup_on:
        return start_of(state.followup_on)
    return None


def on_deadline(state: ProgrammeState, now: datetime) -> TimelineEvent:
    return expire(state, now) if state.stage == Stage.ACTIVE else follow_up(state, now)
