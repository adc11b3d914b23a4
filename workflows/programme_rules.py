"""The rules of a course's own path as pure functions on ProgrammeState: the ressourceforløb's
preparation, team and recommendation, the decision of either type (models/course_types.py),
extension, the end and the follow-up. The cross-department course's assessment is in
workflows/description_rules.py.

Each action both checks and applies: the update validator runs it on a copy and discards the
result, the handler runs it on the real state. One function per action means the check and the
change can never drift apart. Messages are in Danish because caseworkers read them.
"""

from datetime import date, datetime

from models.command import Actor
from models.course_types import course_type
from models.danish_time import add_months, add_weeks, local_date, start_of
from models.enums import PRE_DECISION, CourseType, Recommendation, Role, Stage
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
from models.registration import FOLLOWUP_WEEKS
from workflows import effort_rule, progression_rules
from workflows.guards import (
    acting,
    fmt,
    moment_of,
    record,
    require_stage,
    require_type,
    type_name,
)
from workflows.rejections import invalid, refuse
from workflows.rule import rule
from workflows.rule_patches import DECISION_DATES, LAW_2026, in_effect

# The limit before the law of 2022 reached the rules, for runs begun before LAW_2026.
MAX_MONTHS = 60
# Lov nr. 1160 af 8. juni 2021: a ressourceforløb decided from this day lasts at most 36 months.
LAW_2022 = date(2022, 1, 1)


def refer(state: ProgrammeState) -> TimelineEvent:
    # Dated at the referral, which is earlier than now when an existing case is registered.
    to = (
        "rehabiliteringsteamet"
        if state.course_type == CourseType.RESSOURCEFORLOEB
        else f"et {type_name(state)}"
    )
    return record(
        state,
        "referred",
        state.referred_at,
        None,
        f"Sagen er visiteret til {to}, og en koordinerende sagsbehandler er tildelt.",
    )


@rule("start_preparation")
def start_preparation(state: ProgrammeState, cmd: StartPreparation, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_type(state, "Den forberedende del", CourseType.RESSOURCEFORLOEB)
    require_stage(state, "Den forberedende del", Stage.REFERRED)
    started_on = cmd.started_on or local_date(now)
    if started_on > local_date(now):
        raise invalid("Den forberedende del kan ikke starte i fremtiden.")
    if started_on < local_date(state.referred_at):
        raise invalid("Den forberedende del kan ikke starte før visitationen.")
    state.stage = Stage.PREPARATION
    happened = moment_of(started_on, now)
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
    require_type(state, "Møde i rehabiliteringsteamet", CourseType.RESSOURCEFORLOEB)
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
        happened=moment_of(cmd.meeting_on, now),
    )


@rule("record_recommendation")
def record_recommendation(
    state: ProgrammeState, cmd: RecordRecommendation, now: datetime
) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Teamets indstilling", Stage.TEAM)
    if cmd.kind not in course_type(state.course_type).decisions:
        raise invalid(f"Rehabiliteringsteamet kan ikke indstille til {cmd.kind.label.lower()}.")
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
        happened=moment_of(state.team_meeting_on, now),  # given at the team's meeting
    )


@rule("record_decision")
def record_decision(state: ProgrammeState, cmd: RecordDecision, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    kind = course_type(state.course_type)
    require_stage(state, "Afgørelsen", *kind.deciding)
    if cmd.kind not in kind.decisions:
        raise invalid(f"{cmd.kind.label} er ikke en afgørelse i et {type_name(state)}.")
    today = local_date(now)
    decided_on = cmd.decided_on or today
    if decided_on > today:
        raise invalid("Afgørelsens dato kan ikke ligge i fremtiden.")
    if decided_on < local_date(state.referred_at):
        raise invalid("Afgørelsens dato kan ikke ligge før visitationen.")
    continues = cmd.kind == kind.continues
    if continues:
        months = _duration(state, cmd.duration_months)
        if add_months(decided_on, months) <= today:
            raise invalid("Med den dato og varighed ville forløbet allerede være slut.")
    if state.course_type == CourseType.RESSOURCEFORLOEB:
        if continues:
            _within_cutoff(state, decided_on, today, actor)
        returned = _back_to_team(state, cmd, now)
        if returned is not None:
            return returned
        assert state.recommendation is not None  # RECOMMENDED is only reached with one
        follows = cmd.kind == state.recommendation.kind
    else:
        follows = True
        advice = state.health_advice
        if cmd.kind in kind.needs_health_advice and (advice is None or advice.received_at is None):
            raise refuse(
                f"Før en afgørelse om {cmd.kind.label.lower()} skal kommunen have "
                "sundhedsfaglig rådgivning fra regionens sundhedskoordinator. "
                "Bed om rådgivningen, og registrér den, når den kommer."
            )

    state.decision = DecisionRecord(
        kind=cmd.kind,
        decided_on=decided_on,
        follows_recommendation=follows,
        justification=cmd.justification,
    )
    state.proposed_decision = None
    if continues:
        state.stage = Stage.ACTIVE
        state.planned_end = add_months(decided_on, months)
        state.max_end = add_months(decided_on, _max_months(state))
        effort_rule.arm(state, decided_on)
        return record(
            state,
            "decided",
            now,
            actor,
            f"Afgørelse: {cmd.kind.label.lower()} fra {fmt(decided_on)} "
            f"til {fmt(state.planned_end)}.",
            happened=moment_of(decided_on, now),
        )
    state.stage = Stage.CLOSED
    state.closed_at = now
    state.close_reason = f"Afgørelse: {cmd.kind.label}"
    return record(
        state,
        "decided",
        now,
        actor,
        f"Afgørelse: {cmd.kind.label}. Der iværksættes ikke et {type_name(state)}; "
        "sagen er lukket.",
        happened=moment_of(decided_on, now),
    )


def _duration(state: ProgrammeState, months: int | None) -> int:
    """The course's length in months, within its type's limits."""
    if not in_effect(state, LAW_2026):
        if months is None:
            raise invalid("Angiv forløbets varighed i måneder (1 til 60).")
        return months
    limits = state.rules.of_type(state.course_type)
    span = f"{limits.min_months} til {limits.max_months}"
    if months is None:
        raise invalid(f"Angiv forløbets varighed i måneder ({span}).")
    if not limits.min_months <= months <= limits.max_months:
        law = " (LAB som ændret ved lov nr. 1160 af 8. juni 2021)" if _legacy(state) else ""
        raise invalid(
            f"Et {type_name(state)} kan vare {span} måneder{law}, ikke {months}. "
            "Ønsker borgeren et længere forløb, kan det forlænges senere med ønsket registreret."
        )
    return months


def _max_months(state: ProgrammeState) -> int:
    """How far from the decision the course may be extended without the citizen's wish."""
    if not in_effect(state, LAW_2026):
        return MAX_MONTHS
    return state.rules.of_type(state.course_type).total_months


def _legacy(state: ProgrammeState) -> bool:
    return state.course_type == CourseType.RESSOURCEFORLOEB


def _within_cutoff(state: ProgrammeState, decided_on: date, today: date, actor: Actor) -> None:
    """No new ressourceforløb since the cut-off (lov nr. 1750 af 29. december 2025)."""
    cutoff = state.rules.ressourceforloeb_cutoff
    # A course registered as already running is completed under the former rules.
    if not in_effect(state, LAW_2026) or state.registered:
        return
    if decided_on >= cutoff:
        raise refuse(
            f"Ressourceforløb er afskaffet for nye borgere fra {fmt(cutoff)} (lov nr. 1750 af "
            "29. december 2025). Et ressourceforløb kan kun bevilges ved en afgørelse før den "
            "dato. Afgør sagen på anden vis, eller luk den og opret et tværfagligt forløb."
        )
    if today >= cutoff and in_effect(state, DECISION_DATES) and actor.role != Role.ADMIN:
        # A date before the cut-off typed in today would let any new course through. A course
        # really decided then is brought in with its dates by the import, or an administrator
        # records the decision after the fact; the timeline names who did.
        raise refuse(
            f"Afgørelsen er dateret før {fmt(cutoff)}, men registreres først nu. Ressourceforløb "
            "er afskaffet for nye borgere fra den dato (lov nr. 1750 af 29. december 2025). Var "
            "forløbet allerede bevilget og i gang før, skal det registreres som igangværende "
            "forløb med sine oprindelige datoer: indlæs det med »forloeb import« eller på "
            "administratorens side Indlæs igangværende forløb (/admin/import), eller bed en "
            "administrator registrere afgørelsen."
        )


def adopt_law(state: ProgrammeState, now: datetime) -> None:
    """A run begun before LAW_2026 takes the law from now on (workflows/programme.py).

    A course already decided is judged by the six-month rule as a course registered as
    running is (workflows/effort_rule.py): only if its six months end after today, since no
    effort was asked of it under the former rules. A ressourceforløb decided under the law of
    2022 may from now on be extended beyond 36 months only where the citizen wishes it.
    """
    state.rule_patches += [p for p in (LAW_2026, DECISION_DATES) if p not in state.rule_patches]
    decision = state.decision
    if state.stage == Stage.ACTIVE and decision is not None:
        effort_rule.arm(state, decision.decided_on, registered_on=local_date(now))
        if _legacy(state) and decision.decided_on >= LAW_2022 and state.planned_end:
            limit = add_months(decision.decided_on, _max_months(state))
            state.max_end = max(limit, state.planned_end)


def _back_to_team(
    state: ProgrammeState, cmd: RecordDecision, now: datetime
) -> TimelineEvent | None:
    """LAB § 25 a, stk. 6: a decision that deviates from the team's recommendation needs the
    team's renewed recommendation first; the case goes back to the team."""
    assert state.recommendation is not None
    if cmd.kind == state.recommendation.kind or state.recommendation.reconsidered:
        if cmd.kind != state.recommendation.kind and not cmd.justification:
            raise invalid("Afgørelsen afviger fra teamets indstilling; skriv en begrundelse.")
        return None
    state.stage = Stage.TEAM
    state.returned_to_team = True
    state.proposed_decision = cmd.kind
    return record(
        state,
        "returned_to_team",
        now,
        acting(cmd),
        f"Kommunen påtænker {cmd.kind.label} i stedet for teamets indstilling "
        f"({state.recommendation.kind.label}). Sagen går tilbage til rehabiliteringsteamet "
        "før afgørelsen (LAB § 25 a, stk. 6).",
    )


@rule("extend")
def extend(state: ProgrammeState, cmd: ExtendProgramme, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_stage(state, "Forlængelse", Stage.ACTIVE)
    assert state.planned_end is not None and state.max_end is not None
    if cmd.new_end <= state.planned_end:
        raise invalid(
            f"Den nye slutdato skal ligge efter den nuværende ({fmt(state.planned_end)})."
        )
    wished = ""
    if cmd.new_end > state.max_end:
        if not in_effect(state, LAW_2026):
            raise invalid(
                "Et ressourceforløb kan højst vare 5 år fra afgørelsen, "
                f"dvs. til og med {fmt(state.max_end)}."
            )
        wished = _wished_longer(state, cmd)
    state.planned_end = cmd.new_end
    if wished:
        state.longer_wished = wished
    return record(
        state,
        "extended",
        now,
        actor,
        f"Forløbet er forlænget til {fmt(cmd.new_end)}. Begrundelse: {cmd.reason}"
        + (" Borgeren ønsker selv det længere forløb." if wished else ""),
    )


def _wished_longer(state: ProgrammeState, cmd: ExtendProgramme) -> str:
    """An end beyond the type's limit: only where the citizen wishes it, and within the
    municipality's outer limit. The wish, as recorded."""
    assert state.decision is not None and state.max_end is not None
    limits = state.rules.of_type(state.course_type)
    if not cmd.citizen_wishes_longer:
        raise invalid(
            f"Et {type_name(state)} kan højst vare {limits.total_months} måneder fra afgørelsen, "
            f"dvs. til og med {fmt(state.max_end)}. Et længere forløb kræver, at borgeren "
            "selv ønsker det; sæt kryds ved borgerens ønske og skriv begrundelsen."
        )
    outer = add_months(state.decision.decided_on, limits.wished_total_months)
    if cmd.new_end > outer:
        raise invalid(
            f"Heller ikke på borgerens ønske kan et {type_name(state)} vare ud over "
            f"{limits.wished_total_months} måneder fra afgørelsen, dvs. til og med {fmt(outer)}."
        )
    return f"Borgeren ønsker et længere forløb: {cmd.reason}"


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
