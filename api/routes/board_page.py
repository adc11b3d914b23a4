"""The coordinator's board: her cases, each with its tasks by state, overdue marks, pending
handovers and the continuity plan picture."""

from datetime import UTC, datetime, timedelta

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, or_, select

from api.deps import SessionDep, SettingsDep, UserDep
from api.errors import Forbidden
from api.page_helpers import page
from api.plan_picture import plan_svg
from api.task_views import BOARD_COLUMNS, tasks_of_cases
from models.case import Case
from models.citizen import Citizen
from models.danish_time import local_date
from models.enums import MeetingStatus, Role, Stage
from models.programme import ProgrammeState
from models.staff import Staff
from workflows.continuity import build_plan
from workflows.meeting_rules import needs_next_appointment, next_meeting

router = APIRouter(include_in_schema=False)


def appointment_flags(state: ProgrammeState, now: datetime) -> dict[str, object]:
    """The next appointment and what needs the coordinator about it."""
    upcoming = next_meeting(state, now)
    return {
        "next_meeting": upcoming,
        "needs_next": needs_next_appointment(state, now),
        "unconfirmed_soon": upcoming is not None
        and upcoming.status == MeetingStatus.BOOKED
        and upcoming.starts_at - now < timedelta(hours=24),
        "failed_delivery": any(sent.status.failed and not sent.fallback for sent in state.sent),
        "open_todos": [t for t in state.todos if t.done_at is None],
    }


@router.get("/board")
def board(request: Request, session: SessionDep, settings: SettingsDep, user: UserDep) -> Response:
    if user.role != Role.COORDINATOR:
        raise Forbidden("Tavlen er for koordinerende sagsbehandlere.")
    now = datetime.now(UTC)
    today = local_date(now)
    rows = session.exec(
        select(Case, Citizen)
        .join(Citizen, col(Citizen.id) == Case.citizen_id)
        .where(
            or_(Case.coordinator_id == user.id, Case.handover_to_id == user.id),
            Case.stage != Stage.CLOSED,
        )
        .order_by(col(Case.referred_at))
    ).all()
    names = {s.id: s.full_name for s in session.exec(select(Staff)).all()}
    tasks_by_case = tasks_of_cases(session, [case.id for case, _ in rows])
    cases = []
    for case, citizen in rows:
        state = ProgrammeState.model_validate(case.state)
        plan = build_plan(state, today)
        tasks = tasks_by_case.get(case.id, [])
        cases.append(
            {
                "case": case,
                "citizen": citizen,
                "state": state,
                "tasks": tasks,
                "overdue": sum(1 for t in tasks if t.breach),
                "open_gaps": [g for g in plan.gaps if not g.justified],
                "overlaps": plan.overlaps,
                "picture": plan_svg(plan, today),
                "incoming": case.handover_to_id == user.id,
                **appointment_flags(state, now),
                "handover_to": names.get(case.handover_to_id) if case.handover_to_id else None,
            }
        )
    return page(request, "board.html", user, cases=cases, columns=BOARD_COLUMNS)
