"""Projects workflow state into the SQL read model that every page and list reads."""

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlmodel import Session, select
from temporalio import activity

from models.case import Case, CaseEvent
from models.db import SessionFactory, transaction
from models.programme import ProgrammeState, ProjectionInput, TimelineEvent, programme_workflow_id


class ProjectionActivities:
    def __init__(self, open_session: SessionFactory) -> None:
        self._open_session = open_session

    @activity.defn
    def project_programme(self, input: ProjectionInput) -> None:
        """Upsert the case row and add the event; replaying an input changes nothing."""
        state = input.state
        with transaction(self._open_session) as session:
            case = session.get(Case, uuid.UUID(state.case_id))
            if case is None:
                # Normally the API wrote the row when it started the workflow.
                case = Case(
                    id=uuid.UUID(state.case_id),
                    citizen_id=uuid.UUID(state.citizen_id),
                    workflow_id=programme_workflow_id(state.case_id),
                    **_case_fields(state),
                )
                session.add(case)
            # Projections can arrive out of order (concurrent updates); the newest state wins.
            elif state.seq >= case.last_seq:
                for name, value in _case_fields(state).items():
                    setattr(case, name, value)
            if input.event is not None:
                _add_event(session, case.id, input.event)


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
            )
        )


def _case_fields(state: ProgrammeState) -> dict[str, Any]:
    return {
        "coordinator_id": uuid.UUID(state.coordinator_id),
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
        "state": state.model_dump(mode="json"),
        "last_seq": state.seq,
        "updated_at": datetime.now(UTC),
    }
