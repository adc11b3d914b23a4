"""The caseworker's actions on a case, each a workflow update, named once for API and pages."""

from dataclasses import dataclass
from typing import Any

from models.programme import (
    CloseEarly,
    Command,
    EndProgramme,
    ExtendProgramme,
    RecordDecision,
    RecordRecommendation,
    RecordStatus,
    ScheduleTeamMeeting,
    StartPreparation,
)
from workflows.programme import ProgrammeWorkflow


@dataclass(frozen=True)
class CaseAction:
    slug: str
    update: Any  # the ProgrammeWorkflow update method
    command: type[Command]
    label: str


ACTIONS = {
    action.slug: action
    for action in [
        CaseAction(
            "start-preparation",
            ProgrammeWorkflow.start_preparation,
            StartPreparation,
            "Start den forberedende del",
        ),
        CaseAction(
            "schedule-team-meeting",
            ProgrammeWorkflow.schedule_team_meeting,
            ScheduleTeamMeeting,
            "Sæt dato for møde i rehabiliteringsteamet",
        ),
        CaseAction(
            "record-recommendation",
            ProgrammeWorkflow.record_recommendation,
            RecordRecommendation,
            "Registrér teamets indstilling",
        ),
        CaseAction(
            "record-decision",
            ProgrammeWorkflow.record_decision,
            RecordDecision,
            "Registrér afgørelsen",
        ),
        CaseAction("extend", ProgrammeWorkflow.extend, ExtendProgramme, "Forlæng forløbet"),
        CaseAction("end", ProgrammeWorkflow.end_programme, EndProgramme, "Afslut forløbet"),
        CaseAction(
            "record-status",
            ProgrammeWorkflow.record_status,
            RecordStatus,
            "Registrér borgerens situation",
        ),
        CaseAction("close", ProgrammeWorkflow.close_early, CloseEarly, "Luk sagen før afgørelse"),
    ]
}
