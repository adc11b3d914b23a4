"""Figures the managers' dashboard reads, worked out by the projection once per change of a
case rather than on every page view: when the first effort started, the quarter the course
ended in, and how its activity is spread over its length (the timing profile).

Municipalities that start many measures, but only at the start and the end of a course, are
in effect passive in between (domain brief, section 5); the profile makes that visible.
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime

from models.course import CourseRecord, as_course
from models.danish_time import local_date, start_of, working_days_after
from models.enums import MeetingStatus, Recommendation, TaskState, TimingProfile
from models.programme import ProgrammeState

# Half of a course's activities in one fifth of it is front- or back-loaded; four fifths in the
# first and last fifth together leaves the middle passive. Fewer than three says nothing.
LOADED_SHARE = 0.5
ENDS_SHARE = 0.8
MIN_ACTIVITIES = 3


@dataclass(frozen=True)
class Timing:
    activity_count: int
    first_fifth_share: float | None
    last_fifth_share: float | None
    profile: TimingProfile | None


def quarter_of(day: date) -> str:
    """'2026-K3': sorts in time order, and reads as a Danish quarter."""
    return f"{day.year}-K{(day.month - 1) // 3 + 1}"


def wait_days(start: datetime | None, end: datetime | None) -> tuple[int | None, int | None]:
    """Calendar and working days between two moments' Copenhagen dates."""
    if start is None or end is None:
        return None, None
    if start.tzinfo is None or end.tzinfo is None:  # SQLite hands back naive UTC
        start, end = (
            start.replace(tzinfo=start.tzinfo or UTC),
            end.replace(tzinfo=end.tzinfo or UTC),
        )
    first, last = local_date(start), local_date(end)
    return (last - first).days, working_days_after(first, last)


def first_effort_at(source: CourseRecord | ProgrammeState) -> datetime | None:
    """When a department first started a task after the decision on a ressourceforløb."""
    course = as_course(source)
    decision = course.decision
    if decision is None or decision.kind != Recommendation.RESSOURCEFORLOEB:
        return None
    decided = start_of(decision.decided_on)
    started = [t.started_at for t in course.tasks if t.started_at and t.started_at >= decided]
    return min(started, default=None)


def course_span(course: CourseRecord) -> tuple[date, date] | None:
    """From the decision to the end (or the planned end, while it runs)."""
    decision = course.decision
    if decision is None or decision.kind != Recommendation.RESSOURCEFORLOEB:
        return None
    end = course.ended_on or course.planned_end
    if end is None or end <= decision.decided_on:
        return None
    return decision.decided_on, end


def activity_days(course: CourseRecord) -> list[date]:
    """The day each task, meeting and recorded effort begins."""
    days = [
        t.expected_start or local_date(t.assigned_at)
        for t in course.tasks
        if t.state not in (TaskState.DECLINED, TaskState.CANCELLED)
    ]
    days += [
        local_date(m.starts_at) for m in course.meetings if m.status != MeetingStatus.CANCELLED
    ]
    days += [effort.start for effort in course.efforts]
    return days


def timing(source: CourseRecord | ProgrammeState) -> Timing:
    course = as_course(source)
    span = course_span(course)
    if span is None:
        return Timing(0, None, None, None)
    start, end = span
    days = [d for d in activity_days(course) if start <= d <= end]
    if not days:
        return Timing(0, None, None, None)
    fifth = (end - start).days / 5
    first = sum(1 for d in days if (d - start).days < fifth) / len(days)
    last = sum(1 for d in days if (end - d).days < fifth) / len(days)
    profile = None
    if len(days) >= MIN_ACTIVITIES:
        if first >= LOADED_SHARE:
            profile = TimingProfile.FRONT
        elif last >= LOADED_SHARE:
            profile = TimingProfile.BACK
        elif first + last >= ENDS_SHARE:
            profile = TimingProfile.ENDS
        else:
            profile = TimingProfile.EVEN
    return Timing(len(days), round(first, 3), round(last, 3), profile)
