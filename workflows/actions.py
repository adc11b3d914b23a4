"""Every human action on a programme: its update name, its command type and its rule.

The workflow dispatches updates through this table, and clients name the update by the
command they send, so an action is declared in exactly one place.
"""

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

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
    CitizenReply,
    CompleteTodo,
    DeliveryReport,
    MoveMeeting,
    MoveReply,
    RecordMeetingOutcome,
)
from models.programme import (
    CloseEarly,
    EndProgramme,
    ExtendProgramme,
    ProgrammeState,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
    TimelineEvent,
)
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
)
from workflows import continuity, handover_rules, meeting_rules, programme_rules, task_rules

Rule = Callable[[ProgrammeState, Any, datetime], TimelineEvent]


@dataclass(frozen=True)
class WorkflowAction:
    name: str
    command: type[Command]
    rule: Rule


ACTIONS = {
    action.name: action
    for action in [
        WorkflowAction("start_preparation", StartPreparation, programme_rules.start_preparation),
        WorkflowAction(
            "schedule_team_meeting", ScheduleTeamMeeting, programme_rules.schedule_team_meeting
        ),
        WorkflowAction(
            "record_recommendation", RecordRecommendation, programme_rules.record_recommendation
        ),
        WorkflowAction("record_decision", RecordDecision, programme_rules.record_decision),
        WorkflowAction("extend", ExtendProgramme, programme_rules.extend),
        WorkflowAction("end_programme", EndProgramme, programme_rules.end_programme),
        WorkflowAction("record_status", RecordStatus, programme_rules.record_status),
        WorkflowAction("close_early", CloseEarly, programme_rules.close_early),
        WorkflowAction("assign_task", AssignTask, task_rules.assign),
        WorkflowAction("acknowledge_task", AcknowledgeTask, task_rules.acknowledge),
        WorkflowAction("start_task", StartTask, task_rules.start),
        WorkflowAction("complete_task", CompleteTask, task_rules.complete),
        WorkflowAction("decline_task", DeclineTask, task_rules.decline),
        WorkflowAction("cancel_task", CancelTask, task_rules.cancel),
        WorkflowAction("reassign_task", ReassignTask, task_rules.reassign),
        WorkflowAction("record_effort", RecordEffort, continuity.record_effort),
        WorkflowAction("justify_pause", JustifyPause, continuity.justify_pause),
        WorkflowAction("remove_plan_item", RemovePlanItem, continuity.remove_plan_item),
        WorkflowAction("request_handover", RequestHandover, handover_rules.request),
        WorkflowAction("accept_handover", AcceptHandover, handover_rules.accept),
        WorkflowAction("decline_handover", DeclineHandover, handover_rules.decline),
        WorkflowAction("withdraw_handover", WithdrawHandover, handover_rules.withdraw),
        WorkflowAction("resolve_team_flag", ResolveTeamFlag, handover_rules.resolve_team_flag),
        WorkflowAction("set_contact", SetContactPreferences, meeting_rules.set_contact),
        WorkflowAction("book_meeting", BookMeeting, meeting_rules.book),
        WorkflowAction("move_meeting", MoveMeeting, meeting_rules.move),
        WorkflowAction("cancel_meeting", CancelMeeting, meeting_rules.cancel),
        WorkflowAction(
            "record_meeting_outcome", RecordMeetingOutcome, meeting_rules.record_outcome
        ),
        WorkflowAction("citizen_reply", CitizenReply, meeting_rules.citizen_reply),
        WorkflowAction("move_reply", MoveReply, meeting_rules.move_reply),
        WorkflowAction("delivery_report", DeliveryReport, meeting_rules.delivery_report),
        WorkflowAction("complete_todo", CompleteTodo, meeting_rules.complete_todo),
    ]
}

_NAME_OF = {action.command: action.name for action in ACTIONS.values()}


def update_name(command: Command) -> str:
    """The update that carries this command."""
    return _NAME_OF[type(command)]
