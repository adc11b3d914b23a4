"""Every human action on a course, declared once: its name, command, label, who may do it.

The workflow dispatches updates by the name (workflows/actions.py attaches each rule), the API
derives its JSON routes and page forms from the same declarations, and both ask `refusal`
whether the actor may act, so a refusal has one wording wherever it is given.
"""

from dataclasses import dataclass
from enum import StrEnum

from models.command import Actor, Command
from models.consent import RecordConsent, WithdrawConsent
from models.contact import ChooseContact, SendSignInCode, SetContactPreferences
from models.continuity import JustifyPause, RecordEffort, RemovePlanItem
from models.description import (
    CompleteDescription,
    RecordHealthAdvice,
    RequestHealthAdvice,
    StartDescription,
)
from models.enums import Department, Role
from models.goals import ChangeGoal, RecordGoal
from models.handover import (
    AcceptHandover,
    DeclineHandover,
    RequestHandover,
    ResolveTeamFlag,
    WithdrawHandover,
)
from models.meeting import (
    AnswerMeeting,
    AssignReply,
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
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
)
from models.progression import AnswerProgression, RecordProgression
from models.task import (
    AcknowledgeTask,
    AssignTask,
    CancelTask,
    CompleteTask,
    DeclineTask,
    ReassignTask,
    StartTask,
)

DEPARTMENT_ROLES = (Role.DEPARTMENT_WORKER, Role.DEPARTMENT_LEAD)


class Who(StrEnum):
    """Who may perform an action. An administrator may perform every one, for corrections."""

    COORDINATOR = "coordinator"  # the case's coordinating caseworker
    RECEIVER = "receiver"  # the one a pending handover is addressed to
    DEPARTMENT = "department"  # the workers and the lead of the task's department
    CITIZEN = "citizen"  # the citizen or a provider, through a verified webhook


NO_ACTOR = "Handlingen mangler en bruger."
NOT_COORDINATOR = "Kun sagens koordinerende sagsbehandler kan føre sagen videre."
NOT_RECEIVER = "Kun modtageren kan svare på overdragelsen."


def not_department(department: Department) -> str:
    return f"Opgaven er tildelt {department.label}; kun afdelingen kan handle på den."


@dataclass(frozen=True)
class Action:
    name: str  # the update's name
    command: type[Command]
    label: str  # Danish, as on the button
    who: Who = Who.COORDINATOR
    on_task: bool = False  # addressed to one task (/tasks/{id}/...) rather than the case
    path: str = ""  # the last part of its URL, when it is not the name with dashes

    @property
    def slug(self) -> str:
        return self.path or self.name.replace("_", "-")


def refusal(
    who: Who,
    actor: Actor | None,
    *,
    coordinator_id: str,
    handover_to_id: str | None = None,
    task_department: Department | None = None,
) -> str | None:
    """Why this actor may not act, or None when they may. Where the action's subject is
    missing (no pending handover, no such task) the rule itself gives the reason."""
    if who == Who.CITIZEN:
        return None
    if actor is None:
        return NO_ACTOR
    if actor.role == Role.ADMIN:
        return None
    if who == Who.COORDINATOR:
        mine = actor.role == Role.COORDINATOR and actor.id == coordinator_id
        return None if mine else NOT_COORDINATOR
    if who == Who.RECEIVER:
        return None if handover_to_id in (None, actor.id) else NOT_RECEIVER
    if task_department is None:
        return None
    ours = actor.role in DEPARTMENT_ROLES and actor.department == task_department
    return None if ours else not_department(task_department)


def _task(name: str, command: type[Command], label: str, who: Who = Who.DEPARTMENT) -> Action:
    return Action(name, command, label, who, on_task=True, path=name.removesuffix("_task"))


ACTIONS = {
    action.name: action
    for action in [
        Action("start_preparation", StartPreparation, "Start den forberedende del"),
        Action(
            "schedule_team_meeting",
            ScheduleTeamMeeting,
            "Sæt dato for møde i rehabiliteringsteamet",
        ),
        Action("record_recommendation", RecordRecommendation, "Registrér teamets indstilling"),
        Action("start_description", StartDescription, "Start den samlede beskrivelse"),
        Action("complete_description", CompleteDescription, "Færdiggør beskrivelsen"),
        Action(
            "request_health_advice",
            RequestHealthAdvice,
            "Bed sundhedskoordinatoren om rådgivning",
        ),
        Action("record_health_advice", RecordHealthAdvice, "Registrér rådgivningen"),
        Action("record_decision", RecordDecision, "Registrér afgørelsen"),
        Action("extend", ExtendProgramme, "Forlæng forløbet"),
        Action("end_programme", EndProgramme, "Afslut forløbet", path="end"),
        Action("record_status", RecordStatus, "Registrér borgerens situation"),
        Action("close_early", CloseEarly, "Luk sagen før afgørelse", path="close"),
        Action("assign_task", AssignTask, "Tildel en opgave til en afdeling"),
        _task("acknowledge_task", AcknowledgeTask, "Kvittér"),
        _task("start_task", StartTask, "Start"),
        _task("complete_task", CompleteTask, "Meld færdig"),
        _task("decline_task", DeclineTask, "Afvis"),
        _task("reassign_task", ReassignTask, "Giv videre til en kollega"),
        _task("cancel_task", CancelTask, "Annullér opgaven", Who.COORDINATOR),
        Action("record_effort", RecordEffort, "Registrér en aktivitet i kontinuitetsplanen"),
        Action("justify_pause", JustifyPause, "Registrér en begrundet pause"),
        Action("remove_plan_item", RemovePlanItem, "Fjern fra kontinuitetsplanen"),
        Action("request_handover", RequestHandover, "Overdrag sagen"),
        Action("withdraw_handover", WithdrawHandover, "Træk overdragelsen tilbage"),
        Action("accept_handover", AcceptHandover, "Acceptér overdragelsen", Who.RECEIVER),
        Action("decline_handover", DeclineHandover, "Afvis overdragelsen", Who.RECEIVER),
        Action("resolve_team_flag", ResolveTeamFlag, "Fjern markeringen til teamet"),
        Action("set_contact", SetContactPreferences, "Gem borgerens kontaktønsker"),
        Action("record_consent", RecordConsent, "Registrér borgerens samtykke"),
        Action("withdraw_consent", WithdrawConsent, "Træk samtykket tilbage"),
        Action("record_goal", RecordGoal, "Skriv et mål"),
        Action("change_goal", ChangeGoal, "Skift målets status"),
        Action("book_meeting", BookMeeting, "Book et møde"),
        Action("move_meeting", MoveMeeting, "Flyt mødet"),
        Action("cancel_meeting", CancelMeeting, "Aflys mødet"),
        Action("record_meeting_outcome", RecordMeetingOutcome, "Registrér mødets udfald"),
        Action("complete_todo", CompleteTodo, "Markér som klaret"),
        Action("move_reply", MoveReply, "Flyt borgerens svar til et andet møde"),
        Action("assign_reply", AssignReply, "Henfør borgerens svar til et møde"),
        Action("record_progression", RecordProgression, "Registrér progressionsmåling"),
        Action("citizen_reply", CitizenReply, "Borgerens svar", Who.CITIZEN),
        # The citizen on their own page (api/routes/citizen_page.py).
        Action("answer_meeting", AnswerMeeting, "Svar på mødet", Who.CITIZEN),
        Action("choose_contact", ChooseContact, "Gem mine ønsker", Who.CITIZEN),
        Action("answer_progression", AnswerProgression, "Send mine svar", Who.CITIZEN),
        Action("send_sign_in_code", SendSignInCode, "Send mig en kode", Who.CITIZEN),
        Action("delivery_report", DeliveryReport, "Leveringsstatus", Who.CITIZEN),
    ]
}

_BY_COMMAND = {action.command: action for action in ACTIONS.values()}

# What a citizen or a provider tells the course through a webhook, where nobody waits for an
# answer: when the update carrying it is not taken (no worker free, the course's task
# failing), it goes as a signal, which Temporal keeps in the course's history until a worker
# applies it. The rules drop one already had, by its reply id or its status rank.
HEARD = frozenset({"citizen_reply", "delivery_report"})


def action_of(command: Command) -> Action:
    return _BY_COMMAND[type(command)]


def update_name(command: Command) -> str:
    """The update that carries this command."""
    return action_of(command).name


def case_actions() -> dict[str, Action]:
    """What caseworkers do to a case through /cases/{id}/{slug}, by slug."""
    return {a.slug: a for a in ACTIONS.values() if not a.on_task and a.who != Who.CITIZEN}


def task_actions() -> dict[str, Action]:
    """What is done to one task through /tasks/{id}/{slug}, by slug."""
    return {a.slug: a for a in ACTIONS.values() if a.on_task}
