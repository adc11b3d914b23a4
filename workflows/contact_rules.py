"""The citizen's contact preferences: channels in order, number, e-mail, quiet hours."""

from datetime import datetime

from models.contact import SetContactPreferences
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, record
from workflows.rule import rule


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
