"""Automated phone reminders through Twilio's Calls API: Danish speech, one key to answer."""

from datetime import datetime
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client
from twilio.twiml.voice_response import Gather, VoiceResponse

from models.settings import TwilioSettings
from notifications.failures import PermanentDeliveryFailure
from notifications.sms import PERMANENT_ERRORS

NO_ANSWER = "Vi hørte ikke noget svar. Du kan også kontakte din kontaktperson. Farvel."
AGAIN = "Beskeden igen."
THANKS = {
    "1": "Tak. Vi glæder os til at se dig. Farvel.",
    "2": "Tak. Din kontaktperson finder en ny tid og kontakter dig. Farvel.",
}


class PermanentCallFailure(PermanentDeliveryFailure):
    """The number can never be called (it does not exist, say)."""


class TwilioVoice:
    def __init__(self, settings: TwilioSettings) -> None:
        self._settings = settings
        # A provider that hangs must not hold the activity past its own timeout.
        self._client = Client(
            settings.account_sid, settings.auth_token, http_client=TwilioHttpClient(timeout=10)
        )
        if settings.api_url:
            self._client.api.base_url = settings.api_url

    def _url(self, path: str, key: str) -> str:
        return f"{self._settings.public_url.rstrip('/')}/webhooks/twilio/{path}?" + urlencode(
            {"key": key}
        )

    def call(self, *, to: str, key: str) -> str:
        """Place the call; Twilio asks us what to say when the citizen answers."""
        try:
            call = self._client.calls.create(
                to=to,
                from_=self._settings.sender,
                url=self._url("call", key),
                method="POST",
                status_callback=self._url("call-status", key),
                status_callback_method="POST",
            )
        except TwilioRestException as error:
            if error.code in PERMANENT_ERRORS:
                raise PermanentCallFailure(
                    f"Twilio {error.code}: {error.msg}", error.code
                ) from error
            raise
        return str(call.sid)

    def already_called(self, *, to: str, since: datetime) -> str | None:
        for call in self._client.calls.list(to=to, start_time_after=since, limit=20):
            return str(call.sid)
        return None


def spoken(text: str, gather_url: str | None) -> str:
    """TwiML that reads the message in Danish, and reads it once more if no key is pressed.
    The message itself says which keys to press (notifications/templates); one with nothing
    to answer (`gather_url` None) is read twice and the call ends."""
    response = VoiceResponse()
    for time in (1, 2):
        said = text if time == 1 else f"{AGAIN} {text}"
        if gather_url is None:
            response.say(said, language="da-DK")
            continue
        gather = Gather(num_digits=1, action=gather_url, method="POST", timeout=8)
        gather.say(said, language="da-DK")
        response.append(gather)
    response.say(NO_ANSWER if gather_url else "Farvel.", language="da-DK")
    return str(response)


def thanks(digit: str) -> str:
    response = VoiceResponse()
    response.say(THANKS.get(digit, "Tak for dit svar. Farvel."), language="da-DK")
    return str(response)
