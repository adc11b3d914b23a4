"""SMS through Twilio's Messages API, with a status callback for every message."""

from datetime import datetime
from urllib.parse import urlencode

from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.rest import Client

from models.settings import TwilioSettings
from notifications.failures import PermanentDeliveryFailure

# Twilio error codes that no retry will mend: the number is wrong, is a landline, or has
# stopped messages from us. https://www.twilio.com/docs/api/errors
PERMANENT_ERRORS = {21211, 21214, 21408, 21610, 21612, 21614}


class PermanentSmsFailure(PermanentDeliveryFailure):
    """The message can never be delivered to this number by SMS."""


class TwilioSms:
    def __init__(self, settings: TwilioSettings) -> None:
        self._settings = settings
        # A provider that hangs must not hold the activity past its own timeout.
        self._client = Client(
            settings.account_sid, settings.auth_token, http_client=TwilioHttpClient(timeout=10)
        )
        if settings.api_url:
            self._client.api.base_url = settings.api_url

    def status_callback(self, key: str) -> str:
        query = urlencode({"key": key})
        return f"{self._settings.public_url.rstrip('/')}/webhooks/twilio/status?{query}"

    def send(self, *, to: str, body: str, key: str) -> str:
        """Send one SMS; returns Twilio's message SID. A 429 or 5xx raises for a retry."""
        try:
            message = self._client.messages.create(
                to=to,
                from_=self._settings.sender,
                body=body,
                status_callback=self.status_callback(key),
            )
        except TwilioRestException as error:
            if error.code in PERMANENT_ERRORS:
                raise PermanentSmsFailure(
                    f"Twilio {error.code}: {error.msg}", error.code
                ) from error
            raise
        return str(message.sid)

    def already_sent(self, *, to: str, body: str, since: datetime) -> str | None:
        """The SID of this very message if Twilio has it: the send before a crash got through."""
        for message in self._client.messages.list(to=to, date_sent_after=since, limit=50):
            if message.body == body:
                return str(message.sid)
        return None
