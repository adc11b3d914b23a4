"""Configuration from the environment. With nothing set, everything runs on one machine.

Here, at the bottom of the layers, so that every layer may read its settings."""

import base64
import os
import secrets
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from models.enums import Channel, Stage
from models.meeting import ReminderRule
from models.rules import DEFAULT_STAGE_LIMITS, CourseRules


@dataclass(frozen=True)
class TwilioSettings:
    account_sid: str
    auth_token: str
    sender: str
    public_url: str
    api_url: str | None = None


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    sender: str
    username: str | None = None
    password: str | None = None
    starttls: bool = True


class ProductionRefused(RuntimeError):
    """Starting in production with something only the embedded default may have."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="FORLOEB_", extra="ignore")

    # "production" closes every test door: no /dev pages, no demo data, no generated key.
    env: Literal["development", "production"] = "development"
    data_dir: Path = Path("data")
    database_url: str | None = Field(
        None, validation_alias=AliasChoices("DATABASE_URL", "FORLOEB_DATABASE_URL")
    )
    temporal_address: str | None = Field(
        None, validation_alias=AliasChoices("TEMPORAL_ADDRESS", "FORLOEB_TEMPORAL_ADDRESS")
    )
    temporal_namespace: str = Field(
        "default", validation_alias=AliasChoices("TEMPORAL_NAMESPACE", "FORLOEB_TEMPORAL_NAMESPACE")
    )
    task_queue: str = "forloeb"
    # Ports of the embedded default; production sets TEMPORAL_ADDRESS and runs `forloeb api`.
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    temporal_port: int = 7233
    temporal_ui_port: int = 8233
    # Where staff reach the service, for links in messages; the API's own address if unset.
    public_url: str | None = None
    secret_key: SecretStr | None = None
    # Keys that encrypt what Temporal stores (deploy/payload_encryption.py), "id:base64,...";
    # the first encrypts. The embedded default keeps one in the data directory.
    payload_keys: SecretStr | None = None
    # Twilio for SMS: with none of these set, citizen messages stay in the local outbox.
    twilio_account_sid: str | None = Field(None, validation_alias="TWILIO_ACCOUNT_SID")
    twilio_auth_token: SecretStr | None = Field(None, validation_alias="TWILIO_AUTH_TOKEN")
    twilio_from: str | None = Field(None, validation_alias="TWILIO_FROM")
    # The municipality's SMTP relay for e-mail; with no host, e-mail stays in the outbox.
    smtp_host: str | None = Field(None, validation_alias="SMTP_HOST")
    smtp_port: int = Field(587, validation_alias="SMTP_PORT")
    smtp_username: str | None = Field(None, validation_alias="SMTP_USERNAME")
    smtp_password: SecretStr | None = Field(None, validation_alias="SMTP_PASSWORD")
    smtp_from: str = Field("Kommunen <ikke-svar@kommune.dk>", validation_alias="SMTP_FROM")
    smtp_starttls: bool = Field(True, validation_alias="SMTP_STARTTLS")
    # Only to reach Twilio through a proxy (or a test double); the SDK's own address otherwise.
    twilio_api_url: str | None = Field(None, validation_alias="TWILIO_API_URL")
    secure_cookies: bool = False
    # The municipality's definitions (models/rules.py). A stretch without activity longer than
    # the threshold is a gap; more efforts at once than the maximum is more than a citizen can
    # carry; no next appointment this many days after a held meeting stalls a course; and
    # stage limits as 'referred=14,preparation=42,team=56,recommended=28' (days).
    gap_threshold_days: int = 14
    max_parallel_efforts: int = 3
    no_next_appointment_days: int = 7
    stage_limits: str = ""
    # Reminders before a meeting: hours, optionally ':call' for an automated call that only
    # citizens who prefer calls get. The default: 24 hours before, and a call 2 hours before.
    reminders: str = "24,2:call"
    # The hour (Copenhagen time) department leads and managers get the daily digest.
    digest_hour: int = Field(7, ge=0, le=23)
    # How long the access log keeps a row; `forloeb audit prune` removes older ones.
    access_log_retention_days: int = Field(5 * 365, ge=180)
    # A signed-in session ends after this long without a request, and after this long in all.
    session_idle_minutes: int = Field(30, ge=1, le=24 * 60)
    session_hours: int = Field(12, ge=1, le=24)
    # Threads for the API's database work (the database pool holds two connections each), and
    # the worker's threads for activities.
    api_threads: int = Field(40, ge=1, le=500)
    worker_threads: int = Field(16, ge=1, le=500)
    # How long the API waits for the worker before telling the user the service is busy.
    update_timeout_seconds: float = 15.0

    @property
    def update_wait(self) -> timedelta:
        return timedelta(seconds=self.update_timeout_seconds)

    @property
    def effective_public_url(self) -> str:
        return self.public_url or f"http://{self.api_host}:{self.api_port}"

    @field_validator("stage_limits")
    @classmethod
    def _stage_limits_parse(cls, value: str) -> str:
        try:
            _parse_stage_limits(value)
        except ValueError as error:
            known = ", ".join(DEFAULT_STAGE_LIMITS)
            raise ValueError(f"skriv fx 'referred=14,team=56' (faser: {known}): {error}") from None
        return value

    @property
    def course_rules(self) -> CourseRules:
        return CourseRules(
            gap_threshold_days=self.gap_threshold_days,
            max_parallel_efforts=self.max_parallel_efforts,
            no_next_appointment_days=self.no_next_appointment_days,
            stage_limit_days={**DEFAULT_STAGE_LIMITS, **_parse_stage_limits(self.stage_limits)},
        )

    @property
    def reminder_rules(self) -> list[ReminderRule]:
        rules = []
        for part in filter(None, (p.strip() for p in self.reminders.split(","))):
            hours, _, channel = part.partition(":")
            rules.append(
                ReminderRule(
                    hours_before=float(hours), channel=Channel(channel) if channel else None
                )
            )
        return rules

    def twilio(self) -> TwilioSettings | None:
        """Twilio's settings when all three are set; None keeps messages in the outbox."""
        if not (self.twilio_account_sid and self.twilio_auth_token and self.twilio_from):
            return None
        return TwilioSettings(
            account_sid=self.twilio_account_sid,
            auth_token=self.twilio_auth_token.get_secret_value(),
            sender=self.twilio_from,
            public_url=self.effective_public_url,
            api_url=self.twilio_api_url,
        )

    def smtp(self) -> SmtpSettings | None:
        if not self.smtp_host:
            return None
        return SmtpSettings(
            host=self.smtp_host,
            port=self.smtp_port,
            sender=self.smtp_from,
            username=self.smtp_username,
            password=self.smtp_password.get_secret_value() if self.smtp_password else None,
            starttls=self.smtp_starttls,
        )

    @property
    def sqlite_url(self) -> str:
        return f"sqlite:///{self.data_dir.resolve() / 'forloeb.db'}"

    @property
    def effective_database_url(self) -> str:
        return self.database_url or self.sqlite_url

    @property
    def effective_temporal_address(self) -> str:
        return self.temporal_address or f"127.0.0.1:{self.temporal_port}"

    def payload_keyring(self) -> list[tuple[str, bytes]]:
        """The keys for Temporal's payloads, the one that encrypts first."""
        if self.payload_keys is not None:
            return _parse_payload_keys(self.payload_keys.get_secret_value())
        if self.production:
            raise ProductionRefused("FORLOEB_PAYLOAD_KEYS skal være sat i produktion.")
        path = self.data_dir / "payload_keys"
        self.data_dir.mkdir(parents=True, exist_ok=True)
        try:
            # Created once, even when the worker and the API start at the same moment.
            handle = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(handle, "w") as file:
                file.write(f"k1:{base64.b64encode(secrets.token_bytes(32)).decode()}")
        return _parse_payload_keys(path.read_text())

    @field_validator("payload_keys")
    @classmethod
    def _payload_keys_parse(cls, value: SecretStr | None) -> SecretStr | None:
        if value is not None:
            _parse_payload_keys(value.get_secret_value())
        return value

    @property
    def production(self) -> bool:
        return self.env == "production"

    @property
    def test_pages(self) -> bool:
        """The pages that play the citizen and the providers (/dev): only where no real
        message can go out, and never in production."""
        return not self.production and self.twilio() is None and self.smtp() is None

    def session_secret(self) -> str:
        """The cookie-signing key; the embedded default keeps one in the data directory."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value()
        if self.production:
            raise ProductionRefused("FORLOEB_SECRET_KEY skal være sat i produktion.")
        path = self.data_dir / "secret_key"
        if not path.exists():
            self.data_dir.mkdir(parents=True, exist_ok=True)
            path.write_text(secrets.token_urlsafe(48))
            path.chmod(0o600)
        return path.read_text().strip()


def _parse_payload_keys(text: str) -> list[tuple[str, bytes]]:
    keys = []
    for part in filter(None, (p.strip() for p in text.split(","))):
        key_id, _, encoded = part.partition(":")
        try:
            key = base64.b64decode(encoded, validate=True)
        except ValueError:
            key = b""
        if not key_id or len(key) not in (16, 24, 32):
            raise ValueError(
                "FORLOEB_PAYLOAD_KEYS skrives som id:base64-nøgle (16, 24 eller 32 byte), "
                "kommasepareret, den nyeste først"
            )
        keys.append((key_id, key))
    return keys


def _parse_stage_limits(text: str) -> dict[Stage, int]:
    limits = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, days = part.partition("=")
        stage = Stage(name.strip())
        if stage not in DEFAULT_STAGE_LIMITS:
            raise ValueError(f"{stage.value} har ingen grænse")
        limits[stage] = int(days)
        if limits[stage] < 1:
            raise ValueError("en grænse er mindst 1 dag")
    return limits
