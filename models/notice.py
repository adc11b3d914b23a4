"""A notice the workflow wants sent: who, about what, and a key that makes it exactly once."""

from datetime import datetime

from pydantic import BaseModel

from models.enums import Channel, Department, Recipient


class Notice(BaseModel):
    key: str
    purpose: str  # the template's name in notifications/templates
    to: Recipient
    department: Department | None = None
    staff_id: str | None = None
    # For the citizen: the channel chosen by the workflow and the number or address it uses.
    channel: Channel | None = None
    address: str | None = None
    context: dict[str, str] = {}
    # When the citizen's message fell due: the moment the provider should have it by.
    due_at: datetime | None = None


class DeliveryResult(BaseModel):
    written: int = 0
    # Keys of citizen messages the provider refused for good (a landline, a wrong number),
    # and the provider's error code where it gave one.
    failed: list[str] = []
    codes: dict[str, int] = {}


class Delivery(BaseModel):
    """The notices of one workflow step, with the case they concern."""

    case_id: str
    citizen_id: str
    coordinator_id: str
    notices: list[Notice]
