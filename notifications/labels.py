"""The Danish names staff read for a message's purpose, channel and delivery status.

The outbox stores these as code words (a template's name, a channel's value, the provider's
status); a page or an export shows the names here instead, and a code word without a name is
shown as a neutral Danish fallback rather than as itself.
"""

from models.enums import Channel, DeliveryStatus

# One per template in notifications/templates, by its name.
PURPOSES = {
    "daily_digest": "Dagens overblik",
    "handover_requested": "Anmodning om overdragelse",
    # Not a template: an SMS from a number the service does not know, kept for staff.
    "inbound_unknown": "SMS fra et ukendt nummer",
    "meeting_agreement": "Mødeaftale",
    "meeting_cancelled": "Aflyst aftale",
    "meeting_moved": "Flyttet aftale",
    "meeting_reminder": "Påmindelse om aftale",
    "new_contact_person": "Ny kontaktperson",
    "progression_question": "Spørgsmål om, hvordan det går",
    "sign_in_code": "Kode til borgerens side",
    "task_escalation": "Eskalering af opgave",
    "task_handed_over": "Opgave givet videre",
    "task_reminder": "Påmindelse om opgave",
}

# A member of staff without an e-mail address reads their messages in the service itself.
CHANNELS = {
    **{channel.value: channel.label for channel in Channel},
    "outbox": "Besked i tjenesten",
}

STATUSES = {
    **{status.value: status.label for status in DeliveryStatus},
    "outbox": "i udbakken",
    "sending": "sendes",
    # A citizen's SMS the service could not place, kept for staff.
    "received": "modtaget",
}


def purpose_label(purpose: str) -> str:
    """The purpose's Danish name."""
    return PURPOSES.get(purpose, "Besked")


def channel_label(channel: str) -> str:
    """The channel's Danish name."""
    return CHANNELS.get(channel, "Anden kanal")


def status_label(status: str) -> str:
    """The delivery status's Danish name."""
    return STATUSES.get(status, "ukendt status")
