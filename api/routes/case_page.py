"""The case page: the course's likely next step first, then its task board across
departments, the continuity plan, handovers, and a form for every other action."""

import uuid
from datetime import UTC, datetime

from fastapi import APIRouter, Request
from fastapi.responses import RedirectResponse, Response
from pydantic import ValidationError
from sqlmodel import Session, col, select

from api import access_log, case_service
from api.case_actions import CASE_ACTIONS
from api.case_sight import Sight, seen_detail, seen_tasks
from api.case_views import (
    appointments,
    case_detail,
    facts_of,
    messages_of,
    plan_items,
    plan_of,
)
from api.deps import OpenSessionDep, SessionDep, SettingsDep, TemporalDep, UserDep, in_session
from api.errors import Forbidden, NotFound, ServiceError
from api.next_step import CaseNow, next_step
from api.page_helpers import command_fields, error_messages, flash, form_of, page, status_of
from api.permissions import can_drive_case, is_handover_receiver
from api.plan_picture import plan_svg
from api.progression_chart import progression_charts
from api.routes.pages import coordinators
from api.task_views import BOARD_COLUMNS, case_tasks
from models.actions import ACTIONS, NOT_COORDINATOR
from models.case import Case
from models.consent import ConsentForm, InfoCategory
from models.course_types import COURSE_TYPES
from models.danish_time import add_months, local_date
from models.enums import (
    PLANNING_STAGES,
    PRE_DECISION,
    Channel,
    CourseType,
    Department,
    MeetingStatus,
    Outcome,
    PlaceKind,
    PlanItemKind,
)
from models.goals import GoalStatus
from models.settings import Settings
from models.staff import Staff

router = APIRouter(include_in_schema=False)

MESSAGE_PURPOSES = {
    "meeting_agreement": "Aftale",
    "meeting_reminder": "Påmindelse",
    "meeting_moved": "Ny tid",
    "meeting_cancelled": "Aflysning",
    "new_contact_person": "Ny kontaktperson",
    "progression_question": "Spørgsmål om, hvordan det går",
    "sign_in_code": "Kode til borgerens side",
}
MEETING_OUTCOMES = [MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED]
# The fields case.html shows a refusal at, by form: a message for any other field (a hidden one,
# or one this page does not mark) stands at the top of the page instead, so none is lost.
SHOWN_AT_FIELD: dict[str, frozenset[str]] = {
    ACTIONS[name].slug: frozenset(names)
    for name, names in {
        "schedule_team_meeting": ["meeting_on"],
        "record_recommendation": ["kind"],
        "complete_description": ["completed_on", "summary", "citizen_text"],
        "record_health_advice": ["advice", "received_on"],
        "request_health_advice": ["question", "requested_on"],
        "record_decision": ["decided_on", "duration_months"],
        "extend": ["new_end", "reason"],
        "record_status": ["status"],
        "end_programme": ["outcome", "reason"],
        "close_early": ["reason"],
        "book_meeting": ["starts_at", "duration_minutes", "place", "purpose", "bring"],
        "record_goal": ["text", "target_on"],
        "record_progression": ["measured_on"],
        "decline_handover": ["reason"],
        "resolve_team_flag": ["note"],
        "set_contact": ["phone", "email"],
        "record_consent": ["purpose", "note", "given_on", "valid_until"],
        "record_effort": ["title", "citizen_text", "owner", "start", "end"],
    }.items()
}


def staff_choices(session: Session) -> list[Staff]:
    return list(
        session.exec(select(Staff).where(col(Staff.active)).order_by(Staff.full_name)).all()
    )


def visible(session: Session, user: Staff, case_id: str) -> tuple[Case, Sight]:
    try:
        parsed = uuid.UUID(case_id)
    except ValueError:
        raise NotFound("Sagen findes ikke.") from None
    return case_service.open_case(session, user=user, case_id=parsed)


@router.get("/cases/{case_id}")
def case_page(
    request: Request, session: SessionDep, settings: SettingsDep, user: UserDep, case_id: str
) -> Response:
    case, sight = visible(session, user, case_id)
    if not sight.whole:
        return render_limited(request, session, user, case, sight)
    return render_case(request, session, settings, user, case)


def render_limited(
    request: Request, session: Session, user: Staff, case: Case, sight: Sight
) -> Response:
    """A department's or a manager's view: the course, and of each department's work only what
    the reader's department may see (api/case_sight.py)."""
    detail = seen_detail(session, case, sight)
    access_log.record(session, user, [case.id], "Sagsside")
    return page(
        request,
        "case_limited.html",
        user,
        case=detail,
        consents=facts_of(case).consents,
        tasks=seen_tasks(case_tasks(session, case.id), sight),
        columns=BOARD_COLUMNS,
        sight=sight,
        today=local_date(datetime.now(UTC)),
    )


def render_case(
    request: Request,
    session: Session,
    settings: Settings,
    user: Staff,
    case: Case,
    status: int = 200,
    error: str | None = None,
    form: dict[str, str] | None = None,
    field_errors: dict[str, str] | None = None,
) -> Response:
    """The coordinator's page: the whole case, its likely next step first, and a form for
    every other action. `field_errors` are shown at the fields of the form in `form`."""
    now = datetime.now(UTC)
    today = local_date(now)
    plan = plan_of(case)
    facts = facts_of(case)
    tasks = case_tasks(session, case.id)
    detail = case_detail(session, case)
    waiting, sent = messages_of(session, case.id)
    efforts, pauses = plan_items(session, case.id)
    seen = appointments(detail.meetings, now)
    kind = COURSE_TYPES[case.course_type]
    limits = settings.course_rules.of_type(case.course_type)
    contributions = set(facts.description.contributions) if facts.description else set()
    advice = facts.health_advice
    asked = [t for t in tasks if str(t.id) in contributions]
    receives_handover = is_handover_receiver(user, case)
    step = next_step(
        CaseNow(
            case=case,
            facts=facts,
            legacy=case.course_type == CourseType.RESSOURCEFORLOEB,
            meetings=detail.meetings,
            next_meeting=seen.next_meeting,
            waiting_for=sorted({t.department_label for t in asked if t.state.is_open}),
            contributions_asked=bool(asked),
            today=today,
            now=now,
        ),
        receives_handover=receives_handover,
    )
    can_drive = can_drive_case(user, case)
    access_log.record(session, user, [case.id], "Sagsside")
    return page(
        request,
        "case.html",
        user,
        status=status,
        error=error,
        form=form or {},
        field_errors=field_errors or {},
        # Only the receiver of a handover acts on another's case; the rest read it.
        step=step if can_drive or receives_handover else None,
        case=detail,
        state=facts,
        tasks=tasks,
        columns=BOARD_COLUMNS,
        plan=plan,
        plan_picture=plan_svg(plan, today, facts.goals) if plan else None,
        goal=next((g for g in facts.goals if g.parent_id is None), None),
        sub_goals=[g for g in facts.goals if g.parent_id is not None],
        goal_statuses=list(GoalStatus),
        progression_rules=settings.progression_rules,
        progression_charts=progression_charts(facts.progression, settings.progression_rules),
        efforts=efforts,
        pauses=pauses,
        waiting=waiting,
        sent=sent,
        today=today,
        can_drive=can_drive,
        receives_handover=receives_handover,
        pre_decision=case.stage in PRE_DECISION,
        planning=case.stage in PLANNING_STAGES,
        # The case's own type: its path of stages, its name, its decisions and limits.
        stages=list(kind.path),
        legacy=case.course_type == CourseType.RESSOURCEFORLOEB,
        type_name=limits.name,
        type_limits=limits,
        decisions=list(kind.decisions),
        continues=kind.continues,
        needs_health_advice=list(kind.needs_health_advice),
        contributions=asked,
        advice_waited_days=(today - local_date(advice.requested_at)).days
        if advice and advice.received_at is None
        else None,
        # How far the citizen's own wish for a longer course may extend it.
        wished_end=add_months(case.decided_on, limits.wished_total_months)
        if case.decided_on
        else None,
        outcomes=list(Outcome),
        departments=list(Department),
        categories=list(InfoCategory),
        consent_forms=list(ConsentForm),
        plan_kinds=list(PlanItemKind),
        coordinators=[c for c in coordinators(session) if c.id != case.coordinator_id],
        meetings=detail.meetings[::-1],
        meetings_by_id={m.id: m for m in detail.meetings},
        next_meeting=seen.next_meeting,
        needs_next=seen.needs_next,
        open_todos=detail.todos,
        channels=list(Channel),
        place_kinds=list(PlaceKind),
        outcomes_of_meetings=MEETING_OUTCOMES,
        staff=staff_choices(session),
        purposes=MESSAGE_PURPOSES,
        now=now,
    )


@router.post("/cases/{case_id}/{slug}")
async def case_action(
    request: Request,
    open_session: OpenSessionDep,
    temporal: TemporalDep,
    settings: SettingsDep,
    user: UserDep,
    case_id: str,
    slug: str,
) -> Response:
    action = CASE_ACTIONS.get(slug)
    if action is None:
        raise NotFound("Handlingen findes ikke.")
    form = await form_of(request)
    case, sight = await in_session(open_session, lambda session: visible(session, user, case_id))
    if not sight.whole:
        # Every case action is the coordinator's (or a handover's receiver's, who sees all).
        raise Forbidden(NOT_COORDINATOR)
    try:
        command = action.command.model_validate(command_fields(form))
        event = await case_service.run_case_action(
            open_session,
            temporal,
            user=user,
            case_id=case.id,
            action=action,
            command=command,
            settings=settings,
        )
    except case_service.ActionPending as pending:
        await flash(request, pending.message)
    except (ServiceError, ValidationError) as error:
        # A field's error stands at the field; what no field of the form explains, at the top.
        messages = error_messages(error)
        marked = SHOWN_AT_FIELD.get(slug, frozenset())
        at_fields = {field: text for field, text in messages.items() if field in marked}
        rest = [text for field, text in messages.items() if field not in at_fields]
        status = status_of(error)
        return await in_session(
            open_session,
            lambda session: render_case(
                request,
                session,
                settings,
                user,
                visible(session, user, case_id)[0],
                status=status,
                error=f"{action.label}: {' '.join(rest)}" if rest else None,
                form={"form": slug, **form},
                field_errors=at_fields,
            ),
        )
    else:
        await flash(request, event.summary)
    still_visible = await in_session(
        open_session, lambda session: case_service.can_view(session, user=user, case_id=case.id)
    )
    # After handing a case over, its page is no longer the sender's.
    return RedirectResponse(f"/cases/{case.id}" if still_visible else "/", status_code=303)
