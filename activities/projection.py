"""Projects workflow state into the SQL read model that every page and list reads."""

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import Session, col, select
from temporalio import activity
from temporalio.common import MetricHistogramTimedelta

from activities import case_view, lost_projection
from activities.case_metrics import first_effort_at, quarter_of, wait_days
from activities.case_metrics import timing as course_timing
from activities.case_view import course_from_rows
from models.case import Case, CaseEvent
from models.case_view import PAUSE, CaseFacts, CaseMessage, PlanItemRow
from models.citizen import Citizen
from models.course import CourseRecord
from models.danish_time import local_date
from models.db import SessionFactory, transaction
from models.enums import PLANNING_STAGES
from models.meeting import MeetingInvite
from models.programme import ProgrammeState, ProjectionInput, TimelineEvent, programme_workflow_id
from models.progression import change
from models.rules import CourseRules
from models.task import Task, TaskBreachRow, TaskRecord
from workflows.continuity import build_plan


class ProjectionActivities:
    def __init__(self, open_session: SessionFactory, rules: CourseRules) -> None:
        self._open_session = open_session
        self._rules = rules

    @activity.defn
    def project_programme(self, input: ProjectionInput) -> CourseRules:
        """Upsert the case row and add the events; replaying an input changes nothing.
        Returns the municipality's current rules, which the workflow judges by from then on.

        A partial input (a run since BOUNDED_STATE) holds only what changed, and a run's
        projections come one at a time. A whole state (older runs) comes from projections that
        can run at once and finish in any order, so the newest must win atomically: the case
        row is updated only where its last_seq is not newer (compare-and-set), and only that
        winner writes the rest. A projection after a lost one finds the read model ahead of
        the history and is refused, and the whole state follows (activities/lost_projection.py).
        """
        state = input.state
        case_id = uuid.UUID(state.case_id)
        with transaction(self._open_session) as session:
            if input.projected_seq is not None and not input.resync:
                lost_projection.refuse_if_ahead(session, case_id, input.projected_seq)
            fields = _case_fields(state, input.waiting_on if input.partial else None)
            # Plain SQL, not the ORM's bulk update: nothing in this session holds the row, and
            # keeping loaded objects in step was most of a projection's cost.
            won = session.exec(
                update(Case)
                .where(col(Case.id) == case_id, col(Case.last_seq) <= state.seq)
                .values(**fields)
                .execution_options(synchronize_session=False)
            ).rowcount
            if won and input.resync and input.projected_seq is not None:
                # Only as the newest: a stale attempt of the same workflow task, still running
                # on an overloaded worker, must not undo what the live one wrote.
                lost_projection.undo_after(session, case_id, state, input.projected_seq)
            if not won and session.get(Case, case_id) is None:
                # Normally the API wrote the row when it started the workflow.
                session.add(
                    Case(
                        id=case_id,
                        citizen_id=uuid.UUID(state.citizen_id),
                        workflow_id=programme_workflow_id(state.case_id),
                        **fields,
                    )
                )
                session.flush()
                won = True
            if won or (input.partial and not input.resync):
                # Row by row, each only over an older one (its seq).
                _write_tasks(session, case_id, state)
                _write_invites(session, case_id, state)
                if input.partial:
                    _write_changes(session, case_id, state, input.gone)
                else:
                    _write_view(session, case_id, state)
                citizen = session.get(Citizen, uuid.UUID(state.citizen_id))
                if citizen is not None and won:
                    citizen.phone = state.contact.phone
                    citizen.email = state.contact.email
                session.flush()
                case = session.get(Case, case_id)
                assert case is not None  # written above
                course = course_from_rows(session, case, self._rules)
                for name, value in course_fields(course, local_date(datetime.now(UTC))).items():
                    setattr(case, name, value)
            for event in input.events:
                _add_event(session, case_id, event)
        if input.events and activity.in_activity():  # not when the read model is rebuilt
            # From the action or deadline in the workflow to the read model: what the pages lag.
            newest = max(event.at for event in input.events)
            _lag_histogram().record(max(datetime.now(UTC) - newest, timedelta(0)))
        return self._rules


def _lag_histogram() -> MetricHistogramTimedelta:
    # Through the worker's Temporal runtime, so it is served beside the SDK's own metrics.
    return activity.metric_meter().create_histogram_timedelta(
        "forloeb_projection_lag",
        "Time from an event in a course's workflow to its commit in the read model.",
        unit="duration",
    )


def _write_changes(
    session: Session, case_id: uuid.UUID, state: ProgrammeState, gone: list[str]
) -> None:
    seq = state.seq
    case_view.write_meetings(session, case_id, state.meetings.values(), seq)
    case_view.write_todos(session, case_id, state.todos, seq)
    case_view.write_plan_items(session, case_id, state.efforts, state.pauses, seq)
    case_view.write_messages(session, case_id, state.outgoing, state.sent, seq)
    case_view.remove(session, case_id, gone, seq)


def _write_view(session: Session, case_id: uuid.UUID, state: ProgrammeState) -> None:
    """A whole state: write every item, and remove what it no longer holds."""
    _write_changes(session, case_id, state, [])
    # Everything the state no longer holds of these was removed by a rule.
    known = {f"effort:{e.id}" for e in state.efforts} | {f"pause:{p.id}" for p in state.pauses}
    known |= {f"waiting:{m.key}" for m in state.outgoing}
    stored = [
        f"{'pause' if kind == PAUSE else 'effort'}:{item_id}"
        for item_id, kind in session.exec(
            select(PlanItemRow.id, PlanItemRow.kind).where(PlanItemRow.case_id == case_id)
        )
    ]
    stored += [
        f"waiting:{key}"
        for key in session.exec(
            select(CaseMessage.key).where(
                CaseMessage.case_id == case_id, col(CaseMessage.sent_at).is_(None)
            )
        )
    ]
    case_view.remove(session, case_id, [key for key in stored if key not in known], state.seq)


def course_fields(course: CourseRecord, today: date) -> dict[str, Any]:
    """What the case row holds that is judged over the whole course: the continuity plan
    and the dashboard's figures."""
    timing = course_timing(course)
    return {
        "plan": build_plan(course, today).model_dump(mode="json"),
        "first_effort_at": first_effort_at(course),
        "activity_count": timing.activity_count,
        "first_fifth_share": timing.first_fifth_share,
        "last_fifth_share": timing.last_fifth_share,
        "timing_profile": timing.profile,
    }


def _add_event(session: Session, case_id: uuid.UUID, event: TimelineEvent) -> None:
    exists = session.exec(
        select(CaseEvent.id).where(CaseEvent.case_id == case_id, CaseEvent.seq == event.seq)
    ).first()
    if exists is None:
        session.add(
            CaseEvent(
                case_id=case_id,
                seq=event.seq,
                kind=event.kind,
                at=event.at,
                actor_id=uuid.UUID(event.actor_id) if event.actor_id else None,
                summary=event.summary,
                department=event.department,
            )
        )


_TASK_FIELDS = {
    "department",
    "purpose",
    "considerations",
    "expected_start",
    "due",
    "carries_recommendation",
    "legal_basis",
    "subgoal_id",
    "citizen_text",
    "state",
    "assigned_at",
    "acknowledge_by",
    "acknowledged_at",
    "started_at",
    "finished_at",
    "breach",
    "escalations",
    "result",
    "decline_reason",
    "cancel_reason",
}


def _write_tasks(session: Session, case_id: uuid.UUID, state: ProgrammeState) -> None:
    """Write every task of the state (of a partial one, the changed); unchanged rows cost no
    UPDATE."""
    if not state.tasks:
        return
    ids = [uuid.UUID(task_id) for task_id in state.tasks]
    existing = {t.id: t for t in session.exec(select(Task).where(col(Task.id).in_(ids)))}
    for record in state.tasks.values():
        fields = _task_fields(record)
        task = existing.get(uuid.UUID(record.id))
        if task is None:
            task = Task(id=uuid.UUID(record.id), case_id=case_id, seq=state.seq, **fields)
            task.updated_at = datetime.now(UTC)
            session.add(task)
        elif task.seq <= state.seq:
            for name, value in fields.items():
                if getattr(task, name) != value:
                    setattr(task, name, value)
                    task.updated_at = datetime.now(UTC)
                    task.seq = state.seq
        _write_breaches(session, case_id, record)


def _write_breaches(session: Session, case_id: uuid.UUID, record: TaskRecord) -> None:
    """A breach is never unmade, so rows are only added."""
    if not record.breaches:
        return
    task_id = uuid.UUID(record.id)
    known = set(session.exec(select(TaskBreachRow.kind).where(TaskBreachRow.task_id == task_id)))
    for mark in record.breaches:
        if mark.kind not in known:
            session.add(
                TaskBreachRow(
                    task_id=task_id,
                    case_id=case_id,
                    department=record.department,
                    kind=mark.kind,
                    since=mark.since,
                    found_at=mark.found_at,
                )
            )


def _write_invites(session: Session, case_id: uuid.UUID, state: ProgrammeState) -> None:
    """One row per invited staff member and meeting, as the meetings stand now."""
    if not state.meetings:
        return
    existing = {
        (i.meeting_id, i.staff_id): i
        for i in session.exec(
            select(MeetingInvite).where(col(MeetingInvite.meeting_id).in_(list(state.meetings)))
        )
    }
    for meeting in state.meetings.values():
        for participant in meeting.participants:
            staff_id = uuid.UUID(participant.staff_id)
            fields: dict[str, Any] = {
                "case_id": case_id,
                "starts_at": meeting.starts_at,
                "duration_minutes": meeting.duration_minutes,
                "place": meeting.place,
                "purpose": meeting.purpose,
                "status": meeting.status,
            }
            invite = existing.get((meeting.id, staff_id))
            if invite is None:
                session.add(
                    MeetingInvite(meeting_id=meeting.id, staff_id=staff_id, seq=state.seq, **fields)
                )
            elif invite.seq <= state.seq:
                for name, value in {**fields, "seq": state.seq}.items():
                    setattr(invite, name, value)


def _task_fields(record: TaskRecord) -> dict[str, Any]:
    current = [mark.since for mark in record.breaches if mark.kind == record.breach]
    acknowledge = wait_days(record.assigned_at, record.acknowledged_at)
    start = wait_days(record.acknowledged_at, record.started_at)
    return {
        "acknowledge_wait": acknowledge[0],
        "acknowledge_wait_working": acknowledge[1],
        "start_wait": start[0],
        "start_wait_working": start[1],
        **record.model_dump(include=_TASK_FIELDS),
        "needs": ",".join(record.needs),
        "by_law": ",".join(record.by_law),
        "waiting_since": current[0] if record.breach and current else None,
        "assignee_id": uuid.UUID(record.assignee_id) if record.assignee_id else None,
    }


def _case_fields(state: ProgrammeState, waiting_on: list[str] | None = None) -> dict[str, Any]:
    advice = state.health_advice
    return {
        "coordinator_id": uuid.UUID(state.coordinator_id),
        "course_type": state.course_type,
        "registered": state.registered,
        "stage": state.stage,
        "referred_at": state.referred_at,
        "team_meeting_on": state.team_meeting_on,
        "recommendation": state.recommendation.kind if state.recommendation else None,
        "returned_to_team": state.returned_to_team,
        "decision": state.decision.kind if state.decision else None,
        "decided_on": state.decision.decided_on if state.decision else None,
        "planned_end": state.planned_end,
        "max_end": state.max_end,
        "ended_on": state.ended_on,
        "outcome": state.outcome,
        "followup_on": state.followup_on,
        "followup_status": state.followup_status,
        "closed_at": state.closed_at,
        "handover_to_id": uuid.UUID(state.handover.to_id) if state.handover else None,
        "team_flagged": bool(state.team_flag),
        "effort_rule_missed_on": state.effort_rule_missed_on,
        "health_advice_requested_at": advice.requested_at if advice else None,
        "health_advice_received_at": advice.received_at if advice else None,
        "stalled_since": state.stalls[0].since if state.stalls else None,
        "stall_reason": "; ".join(s.reason for s in state.stalls),
        "waiting_on": ",".join(state.waiting_on() if waiting_on is None else waiting_on),
        "ended_quarter": quarter_of(state.ended_on) if state.ended_on else None,
        "facts": CaseFacts(
            recommendation=state.recommendation,
            decision=state.decision,
            end_reason=state.end_reason,
            close_reason=state.close_reason,
            team_flag=state.team_flag,
            handover=state.handover,
            stalls=state.stalls,
            contact=state.contact,
            consents=state.consents,
            goals=state.goals,
            progression=state.progression,
            description=state.description,
            health_advice=state.health_advice,
            longer_wished=state.longer_wished,
        ).model_dump(mode="json"),
        "progression_due_at": (
            state.progression.due_at if state.stage in PLANNING_STAGES else None
        ),
        "progression_change": change(state.progression.measurements),
        "last_seq": state.seq,
        "updated_at": datetime.now(UTC),
    }
