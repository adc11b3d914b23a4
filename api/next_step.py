"""The one thing a case most likely needs now, so its page can lead with it.

Derived from what the page already knows (the stage, the description, the meetings, the
progression round); the workflow still decides whether the action is allowed.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from api.templating import danish_date, danish_datetime
from models.case import Case
from models.case_view import CaseFacts
from models.enums import Stage
from models.meeting import Meeting

# Within this many days of its planned end a course is extended or ended, not just followed.
END_IN_SIGHT = timedelta(days=30)


class Step(StrEnum):
    """What the card leads with; each names the form the page shows first."""

    ACCEPT_HANDOVER = "accept_handover"
    START_PREPARATION = "start_preparation"
    RECORD_GOAL = "record_goal"
    SCHEDULE_TEAM_MEETING = "schedule_team_meeting"
    RECORD_RECOMMENDATION = "record_recommendation"
    START_DESCRIPTION = "start_description"
    ASK_CONTRIBUTION = "ask_contribution"
    COMPLETE_DESCRIPTION = "complete_description"
    RECORD_HEALTH_ADVICE = "record_health_advice"
    RECORD_DECISION = "record_decision"
    MEETING_OUTCOME = "meeting_outcome"
    BOOK_MEETING = "book_meeting"
    RECORD_PROGRESSION = "record_progression"
    EXTEND_OR_END = "extend_or_end"
    FOLLOW_PLAN = "follow_plan"
    RECORD_STATUS = "record_status"


@dataclass(frozen=True)
class NextStep:
    step: Step
    title: str  # Danish, what to do
    why: str  # Danish, what in the case says so
    meeting: Meeting | None = None  # the meeting a MEETING_OUTCOME is about


@dataclass(frozen=True)
class CaseNow:
    """What the page knows of the case that decides its next step."""

    case: Case
    facts: CaseFacts
    legacy: bool
    meetings: list[Meeting]
    next_meeting: Meeting | None
    # Contributions to the combined description still open, by department label.
    waiting_for: list[str]
    contributions_asked: bool
    today: date
    now: datetime


def next_step(now: CaseNow, *, receives_handover: bool) -> NextStep | None:
    """The likely next action for the reader, or None when the page has none to lead with."""
    if receives_handover and now.facts.handover:
        return NextStep(
            Step.ACCEPT_HANDOVER,
            "Acceptér overdragelsen",
            f"{now.facts.handover.from_name} vil overdrage sagen til dig.",
        )
    stage = now.case.stage
    if stage == Stage.CLOSED:
        return None
    if stage == Stage.ENDED:
        when = now.case.followup_on
        return NextStep(
            Step.RECORD_STATUS,
            "Registrér borgerens situation ved opfølgningen",
            f"Forløbet er afsluttet; opfølgningen efter 13 uger er {danish_date(when)}."
            if when
            else "Forløbet er afsluttet og venter på opfølgningen efter 13 uger.",
        )
    passed = _meeting_without_outcome(now)
    if passed:
        return NextStep(
            Step.MEETING_OUTCOME,
            "Registrér mødets udfald",
            f"Mødet {danish_datetime(passed.starts_at)} skulle være holdt, men udfaldet er "
            "ikke registreret.",
            meeting=passed,
        )
    if stage == Stage.ACTIVE:
        return _active(now)
    return _before_decision(now)


def _meeting_without_outcome(now: CaseNow) -> Meeting | None:
    passed = [m for m in now.meetings if m.status.is_upcoming and m.starts_at <= now.now]
    return min(passed, key=lambda m: m.starts_at) if passed else None


def _before_decision(now: CaseNow) -> NextStep | None:
    case, facts, stage = now.case, now.facts, now.case.stage
    if stage == Stage.REFERRED:
        if now.legacy:
            return NextStep(
                Step.START_PREPARATION,
                "Start den forberedende del",
                "Sagen er visiteret. Den forberedende del skrives sammen med borgeren.",
            )
        return NextStep(
            Step.START_DESCRIPTION,
            "Start den samlede beskrivelse",
            "Sagen er visiteret. Hver afdeling, der kender borgeren, bidrager med sin del.",
        )
    if stage == Stage.PREPARATION and not facts.goals:
        return NextStep(
            Step.RECORD_GOAL,
            "Skriv forløbets mål",
            "Den forberedende del er i gang, men målet er ikke skrevet endnu.",
        )
    if stage in (Stage.PREPARATION, Stage.TEAM) and case.team_meeting_on is None:
        return NextStep(
            Step.SCHEDULE_TEAM_MEETING,
            "Sæt dato for mødet i rehabiliteringsteamet",
            "Sagen skal forelægges rehabiliteringsteamet.",
        )
    if stage in (Stage.PREPARATION, Stage.TEAM):
        return NextStep(
            Step.RECORD_RECOMMENDATION,
            "Registrér teamets indstilling",
            f"Rehabiliteringsteamet holder møde {danish_date(case.team_meeting_on)}.",
        )
    if stage == Stage.DESCRIPTION:
        return _description(now)
    if stage == Stage.HEALTH_ADVICE:
        return NextStep(
            Step.RECORD_HEALTH_ADVICE,
            "Registrér sundhedskoordinatorens rådgivning",
            "Sagen venter på rådgivning fra regionens sundhedskoordinator.",
        )
    if stage in (Stage.RECOMMENDED, Stage.DESCRIBED):
        why = (
            "Teamet har givet sin indstilling."
            if stage == Stage.RECOMMENDED
            else "Den samlede beskrivelse er færdig."
        )
        return NextStep(Step.RECORD_DECISION, "Registrér afgørelsen", why)
    return None


def _description(now: CaseNow) -> NextStep:
    if not now.contributions_asked:
        return NextStep(
            Step.ASK_CONTRIBUTION,
            "Bed afdelingerne om deres bidrag",
            "Den samlede beskrivelse er startet, men ingen afdeling er bedt om sin del endnu.",
        )
    if now.waiting_for:
        names = _and(now.waiting_for)
        return NextStep(
            Step.ASK_CONTRIBUTION,
            "Bed flere afdelinger om deres bidrag, eller vent på dem",
            f"Beskrivelsen venter på bidrag fra {names}.",
        )
    return NextStep(
        Step.COMPLETE_DESCRIPTION,
        "Færdiggør den samlede beskrivelse",
        "Alle bidrag er færdige.",
    )


def _active(now: CaseNow) -> NextStep:
    # A course without a next appointment drifts; that comes before any measurement.
    case, facts = now.case, now.facts
    if now.next_meeting is None:
        return NextStep(
            Step.BOOK_MEETING,
            "Book det næste møde med borgeren",
            "Der er ikke aftalt et møde. Hver samtale slutter med næste aftale.",
        )
    if facts.progression.pending:
        count = len(facts.progression.pending)
        return NextStep(
            Step.RECORD_PROGRESSION,
            "Registrér en progressionsmåling",
            f"Målingen er aktuel; {count} spørgsmål mangler svar.",
        )
    if not facts.goals:
        return NextStep(
            Step.RECORD_GOAL,
            "Skriv forløbets mål",
            "Forløbet er i gang, men målet er ikke skrevet endnu.",
        )
    if case.planned_end and case.planned_end - now.today <= END_IN_SIGHT:
        return NextStep(
            Step.EXTEND_OR_END,
            "Forlæng forløbet, eller gør det klar til at slutte",
            f"Forløbet slutter efter planen {danish_date(case.planned_end)}.",
        )
    meeting = now.next_meeting
    return NextStep(
        Step.FOLLOW_PLAN,
        "Følg planen",
        f"Næste møde er {danish_datetime(meeting.starts_at)}, {meeting.place}.",
    )


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} og {names[-1]}"
