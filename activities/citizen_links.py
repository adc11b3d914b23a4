"""The personal link to the citizen's page in their messages, and the one-time code that
opens it (models/citizen_access.py), made as the message is written to the outbox.

An SMS carries the link only where it adds no segment (issue: every message to a citizen
stays one segment at typical lengths where it can); an e-mail always does, and so does a
message whose point is the page (the progression questions). A call never: a link cannot
be heard.
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import Session

from models.citizen_access import CitizenLink, new_code, new_link
from models.enums import Channel
from notifications.messages import Message
from notifications.sms_length import segments

# Messages that are about the page itself.
ALWAYS_LINKED = ("progression_question",)
LINK_PATH = "/b/"
_TOKEN_LENGTH = 12  # models/citizen_access.py: new_link


def with_page_link(
    session: Session,
    render: Callable[[str], Message],
    *,
    purpose: str,
    channel: Channel | None,
    public_url: str,
    citizen_id: uuid.UUID,
    case_id: uuid.UUID,
    days: int,
) -> Message:
    """The message, rendered with a new personal link where it should carry one."""
    without = render("")
    if channel not in (Channel.SMS, Channel.EMAIL):
        return without
    if channel == Channel.SMS and purpose not in ALWAYS_LINKED:
        # Measured with a link of the real length, so no link is made that is then not sent.
        sample = render(f"{public_url}{LINK_PATH}{'x' * _TOKEN_LENGTH}")
        if segments(sample.body) > segments(without.body):
            return without
    token = new_link(session, citizen_id, case_id, datetime.now(UTC), days)
    return render(f"{public_url}{LINK_PATH}{token}")


def sign_in_code(session: Session, link_id: str) -> str | None:
    """A new code for the link, or None where the link is gone."""
    try:
        link = session.get(CitizenLink, uuid.UUID(link_id))
    except ValueError:
        return None
    return new_code(link, datetime.now(UTC)) if link is not None else None
