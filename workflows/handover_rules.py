"""Handovers between coordinators and the rehabilitation-team flag, as pure functions."""

from datetime import datetime

from models.enums import Recipient
from models.handover import (
    AcceptHandover,
    DeclineHandover,
    Handover,
    RequestHandover,
    ResolveTeamFlag,
    WithdrawHandover,
)
from models.notice import Notice
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record
from workflows.outgoing import queue_note
from workflows.rejections import invalid, refuse
from workflows.rule import rule
from workflows.rule_patches import TRUSTED_MESSAGES, in_effect


def _require_open_case(state: ProgrammeState) -> None:
    if state.closed_at is not None:
        raise refuse("Sagen er lukket og kan ikke overdrages.")


@rule("request_handover")
def request(state: ProgrammeState, cmd: RequestHandover, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    _require_open_case(state)
    if state.handover is not None:
        raise refuse(f"Sagen er allerede ved at blive overdraget til {state.handover.to_name}.")
    if cmd.to_id == state.coordinator_id:
        raise invalid("Sagen kan ikke overdrages til den, der allerede har den.")
    if not cmd.to_is_coordinator:
        raise invalid("Sagen kan kun overdrages til en koordinerende sagsbehandler.")
    state.handover = Handover(
        from_id=state.coordinator_id,
        from_name=cmd.from_name,
        to_id=cmd.to_id,
        to_name=cmd.to_name,
        note=cmd.note,
        requested_at=now,
    )
    return record(
        state,
        "handover_requested",
        now,
        actor,
        f"Overdragelse til {cmd.to_name} er sendt og afventer accept. Status: {cmd.note.status}",
        notices=[
            Notice(
                key=f"handover:{state.case_id}:{state.seq + 1}:requested",
                purpose="handover_requested",
                to=Recipient.STAFF,
                staff_id=cmd.to_id,
                context={"from_name": cmd.from_name},
            )
        ],
    )


def _pending(state: ProgrammeState) -> Handover:
    if state.handover is None:
        raise refuse("Der er ingen overdragelse i gang.")
    return state.handover


@rule("accept_handover")
def accept(state: ProgrammeState, cmd: AcceptHandover, now: datetime) -> TimelineEvent:
    handover = _pending(state)
    actor = acting(cmd)
    state.coordinator_id = handover.to_id
    state.handover = None
    told = {"contact_name": handover.to_name}
    notices = []
    if in_effect(state, TRUSTED_MESSAGES):
        # By the citizen's own channels, outside quiet hours, like every message to them.
        queue_note(state, "new_contact_person", told, now)
    else:
        notices = [
            Notice(
                key=f"handover:{state.case_id}:{state.seq + 1}:new_contact",
                purpose="new_contact_person",
                to=Recipient.CITIZEN,
                context=told,
            )
        ]
    return record(
        state,
        "handover_accepted",
        now,
        actor,
        f"Sagen er overdraget fra {handover.from_name} til {handover.to_name}. "
        "Borgeren får besked om sin nye kontaktperson.",
        notices=notices,
    )


@rule("decline_handover")
def decline(state: ProgrammeState, cmd: DeclineHandover, now: datetime) -> TimelineEvent:
    handover = _pending(state)
    actor = acting(cmd)
    state.handover = None
    return record(
        state,
        "handover_declined",
        now,
        actor,
        f"{handover.to_name} har afvist overdragelsen: {cmd.reason}. "
        f"{handover.from_name} har fortsat sagen.",
    )


@rule("withdraw_handover")
def withdraw(state: ProgrammeState, cmd: WithdrawHandover, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    handover = _pending(state)
    state.handover = None
    return record(
        state,
        "handover_withdrawn",
        now,
        actor,
        f"Overdragelsen til {handover.to_name} er trukket tilbage.",
    )


@rule("resolve_team_flag")
def resolve_team_flag(state: ProgrammeState, cmd: ResolveTeamFlag, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    if not state.team_flag:
        raise refuse("Sagen er ikke markeret til rehabiliteringsteamet.")
    state.team_flag = ""
    return record(
        state,
        "team_flag_resolved",
        now,
        actor,
        f"Markeringen til rehabiliteringsteamet er fjernet: {cmd.note}",
    )
