"""The caseworker's actions on a case, each a workflow update, named once for API and pages."""

from dataclasses import dataclass

from models.command import Command
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


@dataclass(frozen=True)
class CaseAction:
    slug: str
    command: type[Command]
    label: str


ACTIONS = {
    action.slug: action
    for action in [
        CaseAction(
            "start-preparation",
            StartPreparation,
            "Start den forberedende del",
        ),
        CaseAction(
            "schedule-team-meeting",
            ScheduleTeamMeeting,
            "Sæt dato for møde i rehabiliteringsteamet",
        ),
        CaseAction(
            "record-recommendation",
            RecordRecommendation,
            "Registrér teamets indstilling",
        ),
        CaseAction(
            "record-decision",
            RecordDecision,
            "Registrér afgørelsen",
        ),
        CaseAction("extend", ExtendProgramme, "Forlæng forløbet"),
        CaseAction("end", EndProgramme, "Afslut forløbet"),
        CaseAction(
            "record-status",
            RecordStatus,
            "Registrér borgerens situation",
        ),
        CaseAction("close", CloseEarly, "Luk sagen før afgørelse"),
    ]
}
