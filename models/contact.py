"""How a citizen wants to hear from the municipality: channels in order, number, e-mail, quiet
hours. Held by the programme workflow, which decides every send, and projected for display."""

from datetime import time
from typing import Annotated, Self

import phonenumbers
from email_validator import EmailNotValidError, validate_email
from pydantic import AfterValidator, BaseModel, Field, model_validator

from models.command import Command
from models.enums import Channel


def normalise_phone(raw: str) -> str:
    """A phone number in E.164; Danish unless it says otherwise."""
    try:
        number = phonenumbers.parse(raw, "DK")
    except phonenumbers.NumberParseException:
        raise ValueError("Telefonnummeret kan ikke læses. Skriv fx 20 12 34 56.") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("Telefonnummeret findes ikke. Skriv fx 20 12 34 56.")
    if phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.FIXED_LINE:
        raise ValueError("Nummeret er en fastnettelefon; den kan ikke modtage SMS.")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalise_email(raw: str) -> str:
    try:
        return validate_email(raw, check_deliverability=False).normalized
    except EmailNotValidError:
        raise ValueError("E-mailadressen er ikke gyldig. Skriv fx navn@eksempel.dk.") from None


Phone = Annotated[str, AfterValidator(normalise_phone)]
Email = Annotated[str, AfterValidator(normalise_email)]


class ContactPreferences(BaseModel):
    channels: list[Channel] = [Channel.CASEWORKER_CALLS]
    phone: str | None = None
    email: str | None = None
    # No messages from quiet_from until quiet_to (Europe/Copenhagen), across midnight.
    quiet_from: time = time(21, 0)
    quiet_to: time = time(9, 0)
    # Set when the provider tells us the number cannot take SMS (a landline, say), and why.
    sms_unreachable: bool = False
    sms_stopped_because: str = ""

    def usable(self, channel: Channel) -> bool:
        if channel == Channel.SMS:
            return self.phone is not None and not self.sms_unreachable
        if channel == Channel.CALL:
            return self.phone is not None
        if channel == Channel.EMAIL:
            return self.email is not None
        return True

    def code_channel(self) -> Channel | None:
        """Where a code for the citizen's page goes: the first of SMS and e-mail in the
        citizen's order, else whichever of them is known; None with neither."""
        preferred = [c for c in self.channels if c in (Channel.SMS, Channel.EMAIL)]
        return next((c for c in (*preferred, Channel.SMS, Channel.EMAIL) if self.usable(c)), None)

    def channels_in_order(self) -> list[Channel]:
        """The usable channels, preferred first; the caseworker's call is always the last resort."""
        ordered = [c for c in self.channels if self.usable(c)]
        if Channel.CASEWORKER_CALLS not in ordered:
            ordered.append(Channel.CASEWORKER_CALLS)
        return ordered


class SetContactPreferences(Command):
    channels: list[Channel] = Field(min_length=1, max_length=4)
    phone: Phone | None = None
    email: Email | None = None
    quiet_from: time = time(21, 0)
    quiet_to: time = time(9, 0)

    @model_validator(mode="after")
    def _channels_have_what_they_need(self) -> Self:
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("Hver kanal kan kun stå én gang.")
        needs_phone = {Channel.SMS, Channel.CALL} & set(self.channels)
        if needs_phone and not self.phone:
            raise ValueError("SMS og opkald kræver et mobilnummer.")
        if Channel.EMAIL in self.channels and not self.email:
            raise ValueError("E-mail kræver en e-mailadresse.")
        return self


class ChooseContact(Command):
    """The citizen's own choice on their page: the channels in order, and quiet hours. The
    number and the e-mail are changed by the coordinator, who can check them."""

    channels: list[Channel] = Field(min_length=1, max_length=4)
    quiet_from: time = time(21, 0)
    quiet_to: time = time(9, 0)

    @model_validator(mode="after")
    def _each_once(self) -> Self:
        if len(set(self.channels)) != len(self.channels):
            raise ValueError("Hver kanal kan kun stå én gang.")
        return self


class SendSignInCode(Command):
    """The citizen opened a personal link and asks for the code that opens their page."""

    link_id: str = Field(max_length=40)
