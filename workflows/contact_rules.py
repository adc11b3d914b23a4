"""The citizen's contact preferences: channels in order, number, e-mail, quiet hours."""

from datetime import datetime

from models.contact import ChooseContact, SendSignInCode, SetContactPreferences
from models.enums import Channel
from models.meeting import OutgoingMessage
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record, simulated
from workflows.rejections import refuse
from workflows.rule import rule

_NOT_USABLE = {
    Channel.SMS: "Vi har ikke et mobilnummer, der kan få SMS, til dig.",
    Channel.CALL: "Vi har ikke dit telefonnummer.",
    Channel.EMAIL: "Vi har ikke din e-mailadresse.",
}


@rule("set_contact")
def set_contact(state: ProgrammeState, cmd: SetContactPreferences, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    state.contact = state.contact.model_copy(
        update={
            "channels": cmd.channels,
            "phone": cmd.phone,
            "email": cmd.email,
            "quiet_from": cmd.quiet_from,
            "quiet_to": cmd.quiet_to,
            # A new number may well take SMS again.
            "sms_unreachable": state.contact.sms_unreachable and cmd.phone == state.contact.phone,
        }
    )
    order = ", ".join(channel.label for channel in cmd.channels)
    return record(
        state,
        "contact_changed",
        now,
        actor,
        f"Kontaktønsker ændret: {order}. Ingen beskeder {cmd.quiet_from:%H.%M}-"
        f"{cmd.quiet_to:%H.%M}.",
    )


@rule("choose_contact")
def choose_contact(state: ProgrammeState, cmd: ChooseContact, now: datetime) -> TimelineEvent:
    """The citizen's own choice of channels and quiet hours, from their page."""
    for channel in cmd.channels:
        if not state.contact.usable(channel):
            raise refuse(f"{_NOT_USABLE[channel]} Bed din kontaktperson om at skrive det på.")
    state.contact = state.contact.model_copy(
        update={"channels": cmd.channels, "quiet_from": cmd.quiet_from, "quiet_to": cmd.quiet_to}
    )
    order = ", ".join(channel.label for channel in cmd.channels)
    return record(
        state,
        "contact_changed",
        now,
        cmd.actor,
        simulated(cmd) + f"Borgeren ændrede sine kontaktønsker på sin side: {order}. Ingen "
        f"beskeder {cmd.quiet_from:%H.%M}-{cmd.quiet_to:%H.%M}.",
    )


@rule("send_sign_in_code")
def send_sign_in_code(state: ProgrammeState, cmd: SendSignInCode, now: datetime) -> TimelineEvent:
    """A code for the citizen's page, now (they are waiting for it, quiet hours or not), by
    SMS or e-mail: the first of them in the citizen's order, else whichever is known."""
    channel = state.contact.code_channel()
    if channel is None:
        raise refuse(
            "Vi har hverken et mobilnummer eller en e-mail, vi kan sende koden til. "
            "Ring til din kontaktperson."
        )
    state.outgoing.append(
        OutgoingMessage(
            key=f"code:{cmd.link_id}:{state.seq + 1}",
            purpose="sign_in_code",
            due_at=now,
            channels=[channel],
            context={"link_id": cmd.link_id},
        )
    )
    return record(
        state,
        "sign_in_code",
        now,
        cmd.actor,
        simulated(cmd) + f"Borgeren bad om en kode til sin side ({channel.label}).",
    )
