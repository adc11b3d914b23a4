"""The coordinator's board: her cases, each with its tasks by state, overdue marks, pending
handovers and the continuity plan picture."""

from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import Response
from sqlmodel import col, or_, select

from api import access_log
from api.case_views import (
    appointments,
    cases_given_up_on,
    delivery_trouble,
    facts_of,
    meetings_of,
    open_todos,
    plan_of,
)
from api.deps import SessionDep, SettingsDep, UserDep
from api.errors import Forbidden
from api.page_helpers import page
from api.plan_picture import plan_svg
from api.task_views import BOARD_COLUMNS, tasks_of_cases
from models.case import Case
from models.citizen import Citizen
from models.danish_time import local_date
from models.enums import Role, Stage
from models.staff import Staff

router = APIRouter(include_in_schema=False)


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
    case_ids = [case.id for case, _ in rows]
    access_log.record(session, user, case_ids, "Tavle")
    tasks_by_case = tasks_of_cases(session, case_ids)
    meetings_by_case = meetings_of(session, case_ids)
    todos_by_case = open_todos(session, case_ids)
    given_up = cases_given_up_on(session, case_ids)
    trouble = delivery_trouble(session, case_ids, now)
    cases = []
    for case, citizen in rows:
        plan = plan_of(case)
        tasks = tasks_by_case.get(case.id, [])
        seen = appointments(meetings_by_case.get(case.id, []), now)
        cases.append(
            {
                "case": case,
                "citizen": citizen,
                "state": facts_of(case),
                "tasks": tasks,
                "overdue": sum(1 for t in tasks if t.breach),
                "open_gaps": [g for g in plan.gaps if not g.justified] if plan else [],
                "overlaps": plan.overlaps if plan else [],
                "picture": plan_svg(plan, today) if plan else None,
                "incoming": case.handover_to_id == user.id,
                "next_meeting": seen.next_meeting,
                "needs_next": seen.needs_next,
                "unconfirmed_soon": seen.unconfirmed_soon,
                "failed_delivery": case.id in given_up,
                "delivery": trouble.get(case.id),
                "open_todos": todos_by_case.get(case.id, []),
                "progression_due": bool(case.progression_due_at and case.progression_due_at <= now),
                "meetings": {m.id: m for m in meetings_by_case.get(case.id, [])},
                "handover_to": names.get(case.handover_to_id) if case.handover_to_id else None,
            }
        )
    return page(request, "board.html", user, cases=cases, columns=BOARD_COLUMNS, now=now)
