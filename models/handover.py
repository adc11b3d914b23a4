"""Handing a case to another coordinator: a note that loses nothing, accepted by the receiver."""

from datetime import datetime

from pydantic import BaseModel, Field

from models.command import Command, Directory, Reason, Text
from models.enums import Role


class HandoverNote(BaseModel):
    status: Reason = Field(description="Hvor står sagen nu")
    open_tasks: Text = Field("", description="Åbne opgaver og hvem der venter på hvad")
    agreements: Text = Field("", description="Aftaler med borgeren og andre")
    citizen_told: Text = Field("", description="Hvad borgeren har fået at vide")


class Handover(BaseModel):
    from_id: str
    from_name: str
    to_id: str
    to_name: str
    note: HandoverNote
    requested_at: datetime


class RequestHandover(Command):
    to_id: str
    note: HandoverNote
    to_name: str = Field("", description="Udfyldes af serveren")
    to_is_coordinator: bool = Field(False, description="Udfyldes af serveren")
    from_name: str = Field("", description="Udfyldes af serveren")

    def complete(self, directory: Directory) -> None:
        receiver = directory.person(self.to_id, "Modtageren findes ikke.")
        self.to_name = receiver.name
        self.to_is_coordinator = receiver.role == Role.COORDINATOR
        self.from_name = directory.coordinator_name()


class AcceptHandover(Command):
    pass


class WithdrawHandover(Command):
    pass


class DeclineHandover(Command):
    reason: Reason


class ResolveTeamFlag(Command):
    note: Reason
