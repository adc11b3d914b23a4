"""The continuity plan: every activity of a course on one timeline, its gaps and overlaps.

Pure functions over ProgrammeState, used by the case pages now and by the workflow's stall
timers later. A gap is a stretch longer than the threshold with nothing planned; it is
justified when recorded pauses cover all of it.
"""

from datetime import date, datetime, timedelta

from models.continuity import (
    ContinuityPlan,
    Gap,
    JustifyPause,
    Overlap,
    Pause,
    PlanBar,
    PlanEffort,
    RecordEffort,
    RemovePlanItem,
)
from models.course import CourseRecord, as_course
from models.danish_time import local_date, start_of
from models.enums import MeetingStatus, PlanItemKind, Stage, TaskState
from models.programme import ProgrammeState, TimelineEvent
from workflows.goal_rules import sub_goal
from workflows.guards import acting, fmt, record, require_planning
from workflows.rejections import invalid, refuse
from workflows.rule import rule

TEAM_LANE = "Rehabiliteringsteam"
DONE_LANE = "Afsluttet"
MEETING_LANE = "Møder med borgeren"
_TEAM_KIND = "team"
# How far the finished activity the workflow no longer holds reached: not an effort of its own.
_DONE = "done"


@rule("record_effort")
def record_effort(state: ProgrammeState, cmd: RecordEffort, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "Registrering i kontinuitetsplanen")
    if not cmd.item_id:
        raise invalid("Aktiviteten mangler et id.")
    if cmd.subgoal_id is not None:
        sub_goal(state, cmd.subgoal_id)
    state.efforts.append(
        PlanEffort(
            id=cmd.item_id,
            kind=cmd.kind,
            title=cmd.title,
            owner=cmd.owner,
            department=cmd.department,
            subgoal_id=cmd.subgoal_id,
            citizen_text=cmd.citizen_text,
            start=cmd.start,
            end=cmd.end,
        )
    )
    return record(
        state,
        "plan_effort_recorded",
        now,
        actor,
        f"{cmd.kind.label} i planen: {cmd.title} ({cmd.owner}), {fmt(cmd.start)}–{fmt(cmd.end)}.",
        happened=start_of(cmd.start),  # one registered after the fact stands where it began
    )


@rule("justify_pause")
def justify_pause(state: ProgrammeState, cmd: JustifyPause, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "Registrering af en begrundet pause")
    if not cmd.item_id:
        raise invalid("Pausen mangler et id.")
    state.pauses.append(Pause(id=cmd.item_id, start=cmd.start, end=cmd.end, reason=cmd.reason))
    return record(
        state,
        "pause_justified",
        now,
        actor,
        f"Begrundet pause {fmt(cmd.start)}–{fmt(cmd.end)}: {cmd.reason}",
        happened=start_of(cmd.start),
    )


@rule("remove_plan_item")
def remove_plan_item(state: ProgrammeState, cmd: RemovePlanItem, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    require_planning(state, "Ændring af kontinuitetsplanen")
    what = None
    for effort in state.efforts:
        if effort.id == cmd.item_id:
            state.efforts.remove(effort)
            what = effort.title
            break
    for pause in state.pauses:
        if pause.id == cmd.item_id:
            state.pauses.remove(pause)
            what = f"pausen ({pause.reason})"
            break
    if what is not None:
        return record(state, "plan_item_removed", now, actor, f"Fjernet fra planen: {what}.")
    raise refuse(
        "Aktiviteten findes ikke i planen, eller den sluttede for mere end 30 dage siden og "
        "kan ikke længere ændres."
    )


def plan_bars(course: CourseRecord) -> list[PlanBar]:
    """Everything planned or done, as bars: tasks, the team meeting, recorded efforts."""
    bars = []
    if course.active_until is not None:
        day = course.active_until
        bars.append(PlanBar(start=day, end=day, label="Afsluttet", lane=DONE_LANE, kind=_DONE))
    for task in course.tasks:
        if task.state in (TaskState.DECLINED, TaskState.CANCELLED):
            continue
        start = task.expected_start or local_date(task.assigned_at)
        end = task.due or start
        if task.state == TaskState.DONE and task.finished_at is not None:
            end = local_date(task.finished_at)  # what was done, not what was planned
        bars.append(
            PlanBar(
                start=start,
                end=max(start, end),
                label=task.purpose,
                lane=task.department.label,
                kind=task.state.value,
                overdue=task.breach is not None,
            )
        )
    if course.team_meeting_on is not None:
        day = course.team_meeting_on
        bars.append(
            PlanBar(start=day, end=day, label="Møde i teamet", lane=TEAM_LANE, kind=_TEAM_KIND)
        )
    for meeting in course.meetings:
        if meeting.status in (MeetingStatus.CANCELLED, MeetingStatus.NO_SHOW):
            continue
        day = local_date(meeting.starts_at)
        bars.append(
            PlanBar(
                start=day,
                end=day,
                label=meeting.purpose,
                lane=MEETING_LANE,
                kind=PlanItemKind.MEETING.value,
            )
        )
    for effort in course.efforts:
        bars.append(
            PlanBar(
                start=effort.start,
                end=effort.end,
                label=effort.title,
                lane=effort.owner,
                kind=effort.kind.value,
            )
        )
    return sorted(bars, key=lambda bar: (bar.start, bar.end))


def _window(course: CourseRecord, bars: list[PlanBar], today: date) -> tuple[date, date]:
    start = local_date(course.referred_at)
    if course.stage == Stage.ACTIVE and course.planned_end:
        end = course.planned_end
    elif course.ended_on is not None:
        end = course.ended_on
    else:
        ends = [bar.end for bar in bars] + [pause.end for pause in course.pauses]
        end = max([today, *ends])
    return start, max(start, end)


def build_plan(source: CourseRecord | ProgrammeState, today: date) -> ContinuityPlan:
    """The plan as of today, judged by the course's rules."""
    course = as_course(source)
    gap_threshold_days = course.rules.gap_threshold_days
    max_parallel = course.rules.max_parallel_efforts
    bars = plan_bars(course)
    start, end = _window(course, bars, today)
    days = (end - start).days + 1
    active = [0] * days
    parallel = [0] * days
    paused: list[str | None] = [None] * days
    for bar in bars:
        for i in _indexes(bar.start, bar.end, start, days):
            active[i] += 1
            if bar.kind not in (_TEAM_KIND, _DONE, PlanItemKind.MEETING.value):
                parallel[i] += 1
    for pause in course.pauses:
        for i in _indexes(pause.start, pause.end, start, days):
            paused[i] = pause.reason

    gaps = [
        Gap(
            start=start + timedelta(days=a),
            end=start + timedelta(days=b),
            justified=all(paused[i] for i in range(a, b + 1)),
            reason="; ".join(dict.fromkeys(r for r in paused[a : b + 1] if r)),
        )
        for a, b in _runs([n == 0 for n in active])
        if b - a + 1 > gap_threshold_days
    ]
    overlaps = [
        Overlap(
            start=start + timedelta(days=a),
            end=start + timedelta(days=b),
            count=max(parallel[a : b + 1]),
        )
        for a, b in _runs([n > max_parallel for n in parallel])
    ]
    return ContinuityPlan(
        window_start=start,
        window_end=end,
        bars=bars,
        pauses=list(course.pauses),
        gaps=gaps,
        overlaps=overlaps,
        gap_threshold_days=gap_threshold_days,
        max_parallel=max_parallel,
    )


def _indexes(first: date, last: date, window_start: date, days: int) -> range:
    return range(max(0, (first - window_start).days), min(days, (last - window_start).days + 1))


def _runs(flags: list[bool]) -> list[tuple[int, int]]:
    """Index ranges (first, last) of consecutive True values."""
    runs, begin = [], None
    for i, flag in enumerate([*flags, False]):
        if flag and begin is None:
            begin = i
        elif not flag and begin is not None:
            runs.append((begin, i - 1))
            begin = None
    return runs
