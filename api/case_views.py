"""Read-model views of cases for the API and the pages."""

import uuid

from sqlmodel import Session, col, select

from models.case import Case, CaseDetail, CaseEvent, CaseEventPublic, CasePublic, PersonRef
from models.citizen import Citizen
from models.cpr import mask_cpr
from models.programme import ProgrammeState
from models.staff import Staff


def case_public(case: Case, citizen: Citizen, coordinator: Staff) -> CasePublic:
    return CasePublic(
        **case.model_dump(exclude={"citizen_id", "coordinator_id", "state"}),
        citizen=PersonRef(id=citizen.id, name=citizen.name),
        citizen_cpr_masked=mask_cpr(citizen.cpr),
        coordinator=PersonRef(id=coordinator.id, name=coordinator.full_name),
        stage_label=case.stage.label,
    )


def case_detail(session: Session, case: Case) -> CaseDetail:
    citizen = session.get(Citizen, case.citizen_id)
    coordinator = session.get(Staff, case.coordinator_id)
    assert citizen is not None and coordinator is not None  # foreign keys
    state = ProgrammeState.model_validate(case.state)
    return CaseDetail(
        **case_public(case, citizen, coordinator).model_dump(),
        efforts=[e.model_dump(mode="json") for e in state.recommendation.efforts]
        if state.recommendation
        else [],
        contact=state.contact,
        meetings=sorted(state.meetings.values(), key=lambda m: m.starts_at),
        todos=[t for t in state.todos if t.done_at is None],
        timeline=timeline(session, case.id),
    )


def timeline(session: Session, case_id: uuid.UUID) -> list[CaseEventPublic]:
    rows = session.exec(
        select(CaseEvent, Staff.full_name)
        .outerjoin(Staff, col(Staff.id) == CaseEvent.actor_id)
        .where(CaseEvent.case_id == case_id)
        .order_by(col(CaseEvent.seq).desc())
    ).all()
    return [
        CaseEventPublic(seq=e.seq, kind=e.kind, at=e.at, actor=name, summary=e.summary)
        for e, name in rows
    ]
