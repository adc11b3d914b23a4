"""What a reader sees of a case: the whole for its coordinator; for a department, what its own
tasks and invitations need plus what the citizen's consent covers; for a manager, the course
and its figures without what any department wrote.

Information is withheld by the department it came from (models/consent.py): a task's content
belongs to its department, a timeline line to the department it tells of. A withdrawn consent
takes effect on the next read, since every read works this out again from the read model.
"""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlmodel import Session, select

from api.case_views import case_detail, facts_of
from models.actions import DEPARTMENT_ROLES
from models.case import Case, CaseDetail, CaseEventPublic
from models.consent import InfoCategory, departments_seen
from models.danish_time import local_date
from models.enums import Department, Role, TaskState
from models.meeting import MeetingInvite
from models.staff import Staff
from models.task import Task, TaskPublic

# Lines of the timeline about the course itself, which every reader of the case may see; in
# these words, since the lines themselves carry what the coordinator wrote (a reason, a
# handover's status, a consent's purpose).
MILESTONES = {
    "referred": "Borgeren er visiteret.",
    "preparation_started": "Den forberedende del er startet.",
    "team_meeting_scheduled": "Mødet i rehabiliteringsteamet er fastsat.",
    "decided": "Kommunen har truffet afgørelse.",
    "extended": "Forløbet er forlænget.",
    "ended": "Forløbet er afsluttet.",
    "closed_early": "Sagen er lukket før afgørelse.",
    "followed_up": "Borgerens situation 13 uger efter er registreret.",
    "handover_accepted": "Sagen har fået en ny koordinerende sagsbehandler.",
    "consent_recorded": "Et samtykke er registreret.",
    "consent_withdrawn": "Et samtykke er trukket tilbage.",
}


@dataclass(frozen=True)
class Sight:
    whole: bool
    # Whose information the reader sees, when not the whole case.
    departments: frozenset[Department] = frozenset()
    # The reader, for the meetings they are invited to.
    reader_id: uuid.UUID | None = None

    def sees(self, department: Department | None) -> bool:
        return self.whole or department in self.departments


def sight_of(session: Session, user: Staff, case: Case) -> Sight | None:
    """What `user` sees of the case, or None when they may not open it."""
    if user.role == Role.ADMIN or user.id in (case.coordinator_id, case.handover_to_id):
        return Sight(whole=True)
    if user.role == Role.MANAGER:
        return Sight(whole=False, reader_id=user.id)
    if user.role not in DEPARTMENT_ROLES or user.department is None:
        return None
    tasks = session.exec(
        select(Task.by_law, Task.state).where(
            Task.case_id == case.id, Task.department == user.department
        )
    ).all()
    invited = session.exec(
        select(MeetingInvite.meeting_id).where(
            MeetingInvite.case_id == case.id, MeetingInvite.staff_id == user.id
        )
    ).first()
    if not tasks and invited is None:
        return None
    # What an open task of the department has by a legal basis the coordinator wrote.
    by_law = [
        InfoCategory(category)
        for carried, state in tasks
        if TaskState(state).is_open
        for category in carried.split(",")
        if category
    ]
    today = local_date(datetime.now(UTC))
    seen = departments_seen(user.department, facts_of(case).consents, by_law, today)
    return Sight(whole=False, departments=seen, reader_id=user.id)


def seen_tasks(tasks: list[TaskPublic], sight: Sight) -> list[TaskPublic]:
    return [task if sight.sees(task.department) else _withheld(task) for task in tasks]


def _withheld(task: TaskPublic) -> TaskPublic:
    """The task's department and progress, not what it is about."""
    blank = ("purpose", "considerations", "result", "decline_reason", "cancel_reason")
    return task.model_copy(
        update={name: "" for name in blank} | {"needs": [], "legal_basis": "", "withheld": True}
    )


def seen_timeline(events: list[CaseEventPublic], sight: Sight) -> list[CaseEventPublic]:
    if sight.whole:
        return events
    shown = []
    for event in events:
        if event.department in sight.departments:
            shown.append(event)
        elif event.department is None and event.kind in MILESTONES:
            shown.append(event.model_copy(update={"summary": MILESTONES[event.kind]}))
    return shown


def seen_detail(session: Session, case: Case, sight: Sight) -> CaseDetail:
    detail = case_detail(session, case)
    if sight.whole:
        return detail
    reader = str(sight.reader_id)
    return detail.model_copy(
        update={
            "efforts": [e for e in detail.efforts if sight.sees(Department(e["department"]))],
            "contact": None,
            "meetings": [
                m for m in detail.meetings if any(p.staff_id == reader for p in m.participants)
            ],
            "todos": [],
            "timeline": seen_timeline(detail.timeline, sight),
        }
    )
