"""The actions on a case and its tasks as the API offers them: path, label and who may act.

Each is a workflow update (workflows/actions.py), named by the command it carries; the
workflow checks every rule again, so these checks decide what is offered, not what is allowed.
"""

from collections.abc import Callable
from dataclasses import dataclass

from api.permissions import can_drive_case, can_work_on_task, is_handover_receiver
from models.case import Case
from models.command import Command
from models.contact import SetContactPreferences
from models.continuity import JustifyPause, RecordEffort, RemovePlanItem
from models.handover import (
    AcceptHandover,
    DeclineHandover,
    RequestHandover,
    ResolveTeamFlag,
    WithdrawHandover,
)
from models.meeting import (
    BookMeeting,
    CancelMeeting,
    CompleteTodo,
    MoveMeeting,
    MoveReply,
    RecordMeetingOutcome,
)
from models.programme import (
    CloseEarly,
    EndProgramme,
    ExtendProgramme,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.staff import Staff
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
    Task,
)

NOT_YOURS = "Kun sagens koordinerende sagsbehandler kan føre sagen videre."


@dataclass(frozen=True)
class CaseAction:
    slug: str
    command: type[Command]
    label: str
    allowed: Callable[[Staff, Case], bool] = can_drive_case
    refusal: str = NOT_YOURS


@dataclass(frozen=True)
class TaskAction:
    slug: str
    command: type[Command]
    label: str
    # Department actions belong to the task's department; the rest to the case's coordinator.
    by_department: bool = True

    def allowed(self, user: Staff, case: Case, task: Task) -> bool:
        return can_work_on_task(user, task) if self.by_department else can_drive_case(user, case)

    def refusal(self, task: Task) -> str:
        if self.by_department:
            return f"Opgaven er tildelt {task.department.label}; kun afdelingen kan handle på den."
        return NOT_YOURS


_RECEIVER = "Kun modtageren kan svare på overdragelsen."

CASE_ACTIONS = {
    action.slug: action
    for action in [
        CaseAction("start-preparation", StartPreparation, "Start den forberedende del"),
        CaseAction(
            "schedule-team-meeting",
            ScheduleTeamMeeting,
            "Sæt dato for møde i rehabiliteringsteamet",
        ),
        CaseAction("record-recommendation", RecordRecommendation, "Registrér teamets indstilling"),
        CaseAction("record-decision", RecordDecision, "Registrér afgørelsen"),
        CaseAction("extend", ExtendProgramme, "Forlæng forløbet"),
        CaseAction("end", EndProgramme, "Afslut forløbet"),
        CaseAction("record-status", RecordStatus, "Registrér borgerens situation"),
        CaseAction("close", CloseEarly, "Luk sagen før afgørelse"),
        CaseAction("assign-task", AssignTask, "Tildel en opgave til en afdeling"),
        CaseAction("record-effort", RecordEffort, "Registrér en aktivitet i kontinuitetsplanen"),
        CaseAction("justify-pause", JustifyPause, "Registrér en begrundet pause"),
        CaseAction("remove-plan-item", RemovePlanItem, "Fjern fra kontinuitetsplanen"),
        CaseAction("request-handover", RequestHandover, "Overdrag sagen"),
        CaseAction("withdraw-handover", WithdrawHandover, "Træk overdragelsen tilbage"),
        CaseAction(
            "accept-handover",
            AcceptHandover,
            "Acceptér overdragelsen",
            allowed=is_handover_receiver,
            refusal=_RECEIVER,
        ),
        CaseAction(
            "decline-handover",
            DeclineHandover,
            "Afvis overdragelsen",
            allowed=is_handover_receiver,
            refusal=_RECEIVER,
        ),
        CaseAction("resolve-team-flag", ResolveTeamFlag, "Fjern markeringen til teamet"),
        CaseAction("set-contact", SetContactPreferences, "Gem borgerens kontaktønsker"),
        CaseAction("book-meeting", BookMeeting, "Book et møde"),
        CaseAction("move-meeting", MoveMeeting, "Flyt mødet"),
        CaseAction("cancel-meeting", CancelMeeting, "Aflys mødet"),
        CaseAction("record-meeting-outcome", RecordMeetingOutcome, "Registrér mødets udfald"),
        CaseAction("complete-todo", CompleteTodo, "Markér som klaret"),
        CaseAction("move-reply", MoveReply, "Flyt borgerens svar til et andet møde"),
    ]
}

TASK_ACTIONS = {
    action.slug: action
    for action in [
        TaskAction("acknowledge", AcknowledgeTask, "Kvittér"),
        TaskAction("start", StartTask, "Start"),
        TaskAction("complete", CompleteTask, "Meld færdig"),
        TaskAction("decline", DeclineTask, "Afvis"),
        TaskAction("reassign", ReassignTask, "Giv videre til en kollega"),
        TaskAction("cancel", CancelTask, "Annullér opgaven", by_department=False),
    ]
}
