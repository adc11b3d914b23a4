"""The citizen's right to an effort within six months (LAB § 113, stk. 2, as amended from
1 January 2022 and kept for running ressourceforløb after 1 February 2026).

Six months after the decision (the type's effort_rule_months; the texts say the months set),
on the course's one timer: if no task, effort or treatment has started by then, the case is
flagged for the rehabilitation team with the legal reason, and stays stalled until the
coordinator records what the team decided or the special reasons that apply
(resolve_team_flag).
"""

from datetime import date, datetime

from models.danish_time import add_months, local_date, start_of
from models.enums import PlanItemKind, Stage
from models.programme import ProgrammeState, Stall, TimelineEvent
from models.rules import months_in_words
from workflows.guards import fmt, record
from workflows.rule_patches import LAW_2026, in_effect

# The rule came with lov nr. 1160 af 8. juni 2021, for courses decided from this day.
IN_FORCE = date(2022, 1, 1)
# The law's six months; the municipality's setting (effort_rule_months) may say otherwise.
LAW_MONTHS = 6


def legal_reason(months: int) -> str:
    """The flag's wording, with the months the rule is set to."""
    return (
        f"Ingen indsats er startet inden for {months_in_words(months)} efter afgørelsen om "
        "ressourceforløb (LAB § 113, stk. 2). Sagen skal forelægges rehabiliteringsteamet, "
        "medmindre særlige grunde taler imod; registrér teamets behandling eller de særlige "
        "grunde."
    )


def stall_reason(months: int) -> str:
    return f"Ingen indsats inden for {months_in_words(months)} efter afgørelsen"


def met_text(months: int, day: date) -> str:
    return (
        f"{months_in_words(months).capitalize()} efter afgørelsen ({fmt(day)}): en indsats er "
        "startet, som retten til en indsats kræver (LAB § 113, stk. 2)."
    )


def _raised_by_rule(flag: str) -> int | None:
    """The months of the rule that raised this flag; None when a person raised it. Any months
    the setting allows, so a flag stands after the setting changes."""
    return next((m for m in range(1, 25) if flag == legal_reason(m)), None)


def _months(state: ProgrammeState) -> int:
    return state.rules.of_type(state.course_type).effort_rule_months or LAW_MONTHS


LEGAL_REASON = legal_reason(LAW_MONTHS)


def arm(state: ProgrammeState, decided_on: date, registered_on: date | None = None) -> None:
    """The course's decision is made: the rule is judged its months later, where it applies.

    A course registered as running (`registered_on`) after its day has passed is not judged:
    its efforts were recorded in the municipality's former system, not here, so judging it
    would flag every course brought in.
    """
    months = state.rules.of_type(state.course_type).effort_rule_months
    if not in_effect(state, LAW_2026) or months is None or decided_on < IN_FORCE:
        return
    day = add_months(decided_on, months)
    if registered_on is None or day > registered_on:
        state.effort_rule_on = day


def next_due(state: ProgrammeState) -> datetime | None:
    if state.stage != Stage.ACTIVE or state.effort_rule_on is None:
        return None
    return start_of(state.effort_rule_on)


def judge(state: ProgrammeState, now: datetime) -> TimelineEvent:
    assert state.effort_rule_on is not None
    day, state.effort_rule_on = state.effort_rule_on, None
    if effort_started_by(state, day):
        return record(state, "effort_rule_met", now, None, met_text(_months(state), day))
    state.effort_rule_missed_on = day
    state.team_flag = legal_reason(_months(state))
    return record(state, "effort_rule_missed", now, None, state.team_flag)


def effort_started_by(state: ProgrammeState, day: date) -> bool:
    """Whether a task, effort or treatment had started on or before `day`; finished activity
    that the state has let go of (workflows/retention.py) had started too."""
    if state.active_until is not None:
        return True
    return any(
        task.started_at is not None and local_date(task.started_at) <= day
        for task in state.tasks.values()
    ) or any(
        # A meeting in the plan is not an effort.
        effort.start <= day and effort.kind != PlanItemKind.MEETING
        for effort in state.efforts
    )


def stall(state: ProgrammeState) -> Stall | None:
    """While the flag the rule raised stands, the course counts as stalled."""
    months = _raised_by_rule(state.team_flag)
    if state.effort_rule_missed_on is None or months is None:
        return None
    return Stall(
        kind="effort_rule",
        reason=stall_reason(months),
        since=start_of(state.effort_rule_missed_on),
    )
