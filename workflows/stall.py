"""When a course is stalled: waiting is where courses die, so the workflow watches for it.

A course is stalled while any of these holds (domain brief, section 5):
- it is in an open gap in its continuity plan, longer than the threshold, with no justified
  pause covering it;
- a meeting was held and no next appointment has been booked for more than a week;
- a stage before the course starts (referral, preparation, team, decision; the description
  and the health coordinator's advice) has lasted beyond its course type's limit;
- the effort rule's months (six in the law) passed after the decision without an effort,
  and the flag stands (workflows/effort_rule.py).
Pure functions: the workflow sets a timer for the next moment a stall can begin, and
re-judges whenever anything changes.
"""

from datetime import datetime, timedelta

from models.danish_time import local_date, start_of
from models.enums import PLANNING_STAGES, MeetingStatus, Stage
from models.programme import ProgrammeState, Stall, TimelineEvent
from workflows import effort_rule
from workflows.continuity import build_plan
from workflows.guards import record


def _candidates(state: ProgrammeState, now: datetime) -> list[Stall]:
    """Every stall that holds now or will begin by itself if nothing changes."""
    if state.stage not in PLANNING_STAGES:
        return []
    found = []
    rules = state.rules
    # Each type sets its own stages' limits: the same stage may stand still longer in one.
    limit = rules.of_type(state.course_type).stage_limit_days.get(state.stage)
    if limit is not None and state.stage_since is not None:
        found.append(
            Stall(
                kind="stage",
                reason=f"{state.stage.label} i mere end {limit} dage",
                since=state.stage_since + timedelta(days=limit),
            )
        )
    missed = effort_rule.stall(state)
    if missed is not None:
        found.append(missed)
    held = [m for m in state.meetings.values() if m.status == MeetingStatus.HELD]
    booked = any(m.status.is_upcoming and m.starts_at > now for m in state.meetings.values())
    if held and not booked:
        last = max(m.starts_at for m in held)
        found.append(
            Stall(
                kind="no_next_appointment",
                reason="Intet nyt møde efter et holdt møde",
                since=last + timedelta(days=rules.no_next_appointment_days),
            )
        )
    today = local_date(now)
    plan = build_plan(state, today)
    if state.stage != Stage.ACTIVE:
        # Before the course starts the plan ends today, so the hole after the last activity
        # only appears as the days pass; when it will have become a stall is known now.
        last_activity = max([plan.window_start, *(bar.end for bar in plan.bars)])
        trailing = start_of(last_activity + timedelta(days=rules.gap_threshold_days + 2))
        if trailing > now:
            found.append(
                Stall(kind="gap", reason="Hul i planen efter sidste aktivitet", since=trailing)
            )
    for gap in plan.gaps:
        if gap.justified or gap.end < today:
            continue
        found.append(
            Stall(
                kind="gap",
                reason=f"Hul i planen fra {gap.start:%d.%m.%Y} uden begrundet pause",
                since=start_of(gap.start + timedelta(days=rules.gap_threshold_days + 1)),
            )
        )
    return found


def current(state: ProgrammeState, now: datetime) -> list[Stall]:
    return sorted((s for s in _candidates(state, now) if s.since <= now), key=lambda s: s.since)


def next_change(state: ProgrammeState, now: datetime) -> datetime | None:
    """The next moment a stall would begin by itself: a limit running out, or a justified
    pause ending and leaving its gap open again."""
    moments = [s.since for s in _candidates(state, now)]
    if state.stage in PLANNING_STAGES:
        moments += [start_of(pause.end + timedelta(days=1)) for pause in state.pauses]
    return min((m for m in moments if m > now), default=None)


def judge(state: ProgrammeState, now: datetime) -> TimelineEvent | None:
    """Bring the state's stalls up to date; an event when the course stalls or moves again."""
    stalls = current(state, now)
    before = {s.kind for s in state.stalls}
    state.stalls = stalls
    after = {s.kind for s in stalls}
    if after == before:
        return None
    if not after:
        return record(state, "unstalled", now, None, "Forløbet er i gang igen.")
    reasons = "; ".join(s.reason for s in stalls)
    return record(state, "stalled", now, None, f"Forløbet er gået i stå: {reasons}.")
