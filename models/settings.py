"""Configuration from the environment. With nothing set, everything runs on one machine.

Here, at the bottom of the layers, so that every layer may read its settings."""

import base64
import ipaddress
import json
import os
import secrets
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any, Literal, Self
from urllib.parse import urlsplit

from pydantic import AliasChoices, BaseModel, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from models.danish_time import local_date
from models.enums import Channel, CourseType, Department, Role, Stage
from models.meeting import ReminderRule
from models.progression import DEFAULT_INDICATORS, Indicator, ProgressionRules
from models.rules import (
    DEFAULT_COURSE_TYPES,
    DEFAULT_STAGE_LIMITS,
    RESSOURCEFORLOEB_CUTOFF,
    CourseRules,
    CourseTypeRules,
    stage_limits_on_path,
)


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


# Roles that work inside one department, so a group that grants them must name it.
DEPARTMENT_ROLES = (Role.DEPARTMENT_WORKER, Role.DEPARTMENT_LEAD)


class GroupAccess(BaseModel):
    """What membership of one of the identity provider's groups gives: a role, and for the
    roles inside a department, which department."""

    role: Role
    department: Department | None = None

    @field_validator("role", mode="before")
    @classmethod
    def _known_role(cls, value: Any) -> Any:
        if value not in Role._value2member_map_:
            raise ValueError(f"ukendt rolle {value!r}; vælg en af: {', '.join(Role)}")
        return value

    @field_validator("department", mode="before")
    @classmethod
    def _known_department(cls, value: Any) -> Any:
        if value is not None and value not in Department._value2member_map_:
            known = ", ".join(Department)
            raise ValueError(f"ukendt afdeling {value!r}; vælg en af: {known}")
        return value

    @model_validator(mode="after")
    def _department_where_needed(self) -> Self:
        if self.role in DEPARTMENT_ROLES and self.department is None:
            raise ValueError(f"rollen {self.role.value} skal have en afdeling ('department')")
        return self


@dataclass(frozen=True)
class OpenIdSettings:
    issuer: str
    client_id: str
    client_secret: str
    scopes: str
    groups: dict[str, GroupAccess]
    groups_claim: str

    @property
    def discovery_url(self) -> str:
        return f"{self.issuer.rstrip('/')}/.well-known/openid-configuration"

    def access_for(self, groups: list[str]) -> GroupAccess | None:
        """The access of the first mapped group, in the settings' order, that the person is
        in; None when none of their groups is mapped. The settings' order, not the
        provider's, so the same person always gets the same role whatever order the
        provider lists their groups in: put the group that should win first."""
        return next((access for name, access in self.groups.items() if name in groups), None)


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
    # stall limits as 'referred=14,preparation=42,team=56,recommended=28' (days): the default
    # for every course type that has the stage, before a type's own (FORLOEB_COURSE_TYPES).
    gap_threshold_days: int = 14
    max_parallel_efforts: int = 3
    no_next_appointment_days: int = 7
    # A reply concerns the meeting of the latest message sent to the citizen's number within
    # this many hours; two meetings messaged in that time make a short answer ambiguous.
    reply_window_hours: int = Field(24, ge=1, le=24 * 14)
    stage_limits: str = ""
    # Reminders before a meeting: hours, optionally ':call' for an automated call that only
    # citizens who prefer calls get. The default: 24 hours before, and a call 2 hours before.
    reminders: str = "24,2:call"
    # Progression measurement (models/progression.py): every this many months; the scale as
    # 'low-high'; the municipality's own indicators as JSON, e.g. '[{"key": "job_belief",
    # "statement": "Jeg tror på, at jeg kan få et arbejde", "title": "Tro på job",
    # "by": "citizen"}]' (by: citizen or caseworker); empty for the four of the domain brief.
    progression_interval_months: int = Field(3, ge=1, le=24)
    progression_scale: str = Field("1-10", pattern=r"^\d{1,2}-\d{1,3}$")
    progression_indicators: Annotated[list[Indicator], NoDecode] = Field(
        default_factory=lambda: list(DEFAULT_INDICATORS)
    )
    # Course types (models/rules.py, models/course_types.py): no ressourceforløb is granted by
    # a decision on or after the cut-off unless the course was registered as running; the
    # name of the municipality's cross-department course; and each type's limits as JSON over
    # the defaults, e.g. '{"tvaerfagligt": {"max_months": 18, "total_months": 30,
    # "stage_limit_days": {"health_advice": 21}}}' (fields: min_months, max_months,
    # total_months, wished_total_months, effort_rule_months, health_advice_reminder_days, and
    # stage_limit_days: the stall limits of the type's own stages, in days, over
    # FORLOEB_STAGE_LIMITS).
    ressourceforloeb_cutoff: date = RESSOURCEFORLOEB_CUTOFF
    cross_course_name: str = CourseType.TVAERFAGLIGT.label
    course_types: Annotated[dict[CourseType, dict[str, Any]], NoDecode] = Field(
        default_factory=dict
    )
    # How long the personal link in a message to the citizen opens their page (with a code).
    citizen_link_days: int = Field(30, ge=1, le=365)
    # The municipality's telephone, on the citizen's page beside the coordinator's name.
    municipality_phone: str = "70 10 20 30"
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
    # Courses a worker keeps in memory (about 0.26 MiB each, bench/history). A course not held
    # is replayed from its history when its next action or deadline comes: a few tens of
    # milliseconds of CPU each (bench/national_scale).
    worker_cached_courses: int = Field(1000, ge=10, le=200_000)
    # How long the API waits for the worker before telling the user the service is busy.
    update_timeout_seconds: float = 15.0
    # Sign-in through the municipality's identity provider (OpenID Connect), on when the
    # issuer is set; the provider is found from its /.well-known/openid-configuration. The
    # provider sends staff back to {public_url}/login/openid/callback. Groups map to role and
    # department as JSON: '{"forloeb-koordinator": {"role": "coordinator"},
    # "forloeb-sundhed": {"role": "department_worker", "department": "health"}}'; the first
    # group in this order that a person is in decides. In production, with this set, local
    # passwords are refused.
    oidc_issuer: str | None = None
    oidc_client_id: str | None = None
    oidc_client_secret: SecretStr | None = None
    oidc_scopes: str = "openid profile email"
    oidc_groups: Annotated[dict[str, GroupAccess], NoDecode] = Field(default_factory=dict)
    # The ID token's claim that lists the person's groups.
    oidc_groups_claim: str = "groups"
    # Observability: Prometheus metrics on ports of their own, off unless a port is set (the
    # API's on METRICS_PORT, the worker's Temporal SDK metrics on WORKER_METRICS_PORT), on
    # loopback unless METRICS_HOST says otherwise; and log lines as "text" or "json".
    metrics_host: str = "127.0.0.1"
    metrics_port: int | None = Field(None, ge=1, le=65535)
    worker_metrics_port: int | None = Field(None, ge=1, le=65535)
    log_format: Literal["text", "json"] = "text"
    # A real Temporal cluster (deploy/connections.py): TLS, with the server's CA when it is not
    # publicly trusted, a client certificate and key for mutual TLS, and the name the server's
    # certificate carries when the address's host differs (SNI). A Temporal Cloud API key, a
    # CA or a client certificate turns TLS on by itself. The files are read when connecting.
    temporal_tls: bool = False
    temporal_tls_ca: Path | None = None
    temporal_tls_cert: Path | None = None
    temporal_tls_key: Path | None = None
    temporal_tls_server_name: str | None = None
    temporal_api_key: SecretStr | None = None
    # The database pool, when the size derived from the threads does not suit the server
    # (its max_connections, a PgBouncer in front): connections kept, extra connections at a
    # peak, and seconds a request waits for one before it fails.
    db_pool_size: int | None = Field(None, ge=1)
    db_max_overflow: int | None = Field(None, ge=0)
    db_pool_timeout: float | None = Field(None, gt=0)
    # Tracing (deploy/tracing.py): off, spans printed to standard output ("console"), or sent
    # to an OpenTelemetry collector ("otlp", with the `otlp` extra installed; the collector's
    # address from the standard OTEL_EXPORTER_OTLP_* variables).
    otel: Literal["off", "console", "otlp"] = "off"

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

    @field_validator("oidc_issuer")
    @classmethod
    def _issuer_address(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError(
                "FORLOEB_OIDC_ISSUER skal være en adresse, fx https://login.kommune.dk"
            )
        if parts.scheme == "http" and not _loopback(parts.hostname):
            raise ValueError(
                "FORLOEB_OIDC_ISSUER skal bruge https; http er kun tilladt på denne maskine "
                "(127.0.0.1 eller localhost)"
            )
        return value

    @field_validator("progression_indicators", mode="before")
    @classmethod
    def _indicators_json(cls, value: Any) -> Any:
        return _json(
            value,
            list(DEFAULT_INDICATORS),
            "FORLOEB_PROGRESSION_INDICATORS skal være JSON, fx "
            '[{"key": "job_belief", "statement": "...", "title": "...", "by": "citizen"}]',
        )

    @field_validator("course_types", mode="before")
    @classmethod
    def _course_types_json(cls, value: Any) -> Any:
        example = 'fx {"tvaerfagligt": {"max_months": 18}}'
        given = _json(value, {}, f"FORLOEB_COURSE_TYPES skal være JSON, {example}")
        if not isinstance(given, dict):
            raise ValueError(f"FORLOEB_COURSE_TYPES skal være et JSON-objekt, {example}")
        for name in given:
            if name not in CourseType._value2member_map_:
                known = ", ".join(CourseType)
                raise ValueError(
                    f"FORLOEB_COURSE_TYPES: ukendt forløbstype {name!r}; vælg en af: {known}"
                )
        return given

    @field_validator("cross_course_name")
    @classmethod
    def _cross_course_name_length(cls, value: str) -> str:
        # The name stands in headings, filters and messages: a word, not a sentence.
        value = value.strip()
        if not 3 <= len(value) <= 60:
            raise ValueError("FORLOEB_CROSS_COURSE_NAME skal være 3-60 tegn")
        return value

    @field_validator("ressourceforloeb_cutoff", mode="before")
    @classmethod
    def _cutoff_date(cls, value: Any) -> Any:
        if isinstance(value, str):
            try:
                return date.fromisoformat(value.strip())
            except ValueError:
                raise ValueError(
                    "FORLOEB_RESSOURCEFORLOEB_CUTOFF skal være en dato skrevet som 2026-02-01"
                ) from None
        return value

    @model_validator(mode="after")
    def _course_types_sound(self) -> Self:
        try:
            self.course_rules  # noqa: B018 - built to be checked
        except ValueError as error:
            raise ValueError(f"FORLOEB_COURSE_TYPES: {error}") from None
        return self

    @model_validator(mode="after")
    def _progression_sound(self) -> Self:
        try:
            self.progression_rules  # noqa: B018 - built to be checked
        except ValueError as error:
            raise ValueError(f"FORLOEB_PROGRESSION_*: {error}") from None
        return self

    @field_validator("oidc_groups", mode="before")
    @classmethod
    def _groups_json(cls, value: Any) -> Any:
        return _json(
            value,
            {},
            "FORLOEB_OIDC_GROUPS skal være JSON, fx "
            '{"forloeb-koordinator": {"role": "coordinator"}}',
        )

    @model_validator(mode="after")
    def _openid_complete(self) -> Self:
        if self.oidc_issuer is None:
            return self
        missing = [
            name
            for name, value in (
                ("FORLOEB_OIDC_CLIENT_ID", self.oidc_client_id),
                ("FORLOEB_OIDC_CLIENT_SECRET", self.oidc_client_secret),
                ("FORLOEB_OIDC_GROUPS", self.oidc_groups),
            )
            if not value
        ]
        if missing:
            raise ValueError(
                f"Med FORLOEB_OIDC_ISSUER sat skal også {', '.join(missing)} være sat."
            )
        if "openid" not in self.oidc_scopes.split():
            raise ValueError("FORLOEB_OIDC_SCOPES skal indeholde 'openid'.")
        return self

    @model_validator(mode="after")
    def _temporal_client_certificate(self) -> Self:
        if (self.temporal_tls_cert is None) != (self.temporal_tls_key is None):
            raise ValueError(
                "FORLOEB_TEMPORAL_TLS_CERT og FORLOEB_TEMPORAL_TLS_KEY skal sættes sammen: "
                "klientcertifikatet kan ikke bruges uden sin nøgle, og nøglen ikke uden "
                "certifikatet."
            )
        return self

    @property
    def temporal_tls_on(self) -> bool:
        """TLS to Temporal: asked for, or implied by an API key or a certificate file (neither
        is any use over an unencrypted connection)."""
        return bool(
            self.temporal_tls
            or self.temporal_api_key
            or self.temporal_tls_ca
            or self.temporal_tls_cert
        )

    def db_pool(self) -> dict[str, Any]:
        """The pool sizes set in the environment, to override those make_engine derives."""
        given = {
            "pool_size": self.db_pool_size,
            "max_overflow": self.db_max_overflow,
            "pool_timeout": self.db_pool_timeout,
        }
        return {name: value for name, value in given.items() if value is not None}

    def openid(self) -> OpenIdSettings | None:
        """The municipality's identity provider, or None where staff sign in locally only."""
        if self.oidc_issuer is None:
            return None
        assert self.oidc_client_id and self.oidc_client_secret  # checked when read
        return OpenIdSettings(
            issuer=self.oidc_issuer,
            client_id=self.oidc_client_id,
            client_secret=self.oidc_client_secret.get_secret_value(),
            scopes=self.oidc_scopes,
            groups=self.oidc_groups,
            groups_claim=self.oidc_groups_claim,
        )

    @property
    def local_login(self) -> bool:
        """Passwords kept here: everywhere but production with the municipality's login, where
        that login alone decides who may sign in, so leaving the municipality ends access here
        too."""
        return not (self.production and self.oidc_issuer is not None)

    def default_course_type(self) -> CourseType:
        """What a new case is unless the coordinator chooses otherwise."""
        before = local_date(datetime.now(UTC)) < self.ressourceforloeb_cutoff
        return CourseType.RESSOURCEFORLOEB if before else CourseType.TVAERFAGLIGT

    @property
    def course_rules(self) -> CourseRules:
        return CourseRules(
            gap_threshold_days=self.gap_threshold_days,
            max_parallel_efforts=self.max_parallel_efforts,
            no_next_appointment_days=self.no_next_appointment_days,
            reply_window_hours=self.reply_window_hours,
            progression=self.progression_rules,
            course_types=self._course_type_rules(),
            ressourceforloeb_cutoff=self.ressourceforloeb_cutoff,
        )

    def _course_type_rules(self) -> dict[CourseType, CourseTypeRules]:
        names = {CourseType.TVAERFAGLIGT: self.cross_course_name}
        every = {**DEFAULT_STAGE_LIMITS, **_parse_stage_limits(self.stage_limits)}
        return {
            type: CourseTypeRules.model_validate(
                {
                    **default.model_dump(),
                    **self.course_types.get(type, {}),
                    "name": names.get(type, default.name),
                    "stage_limit_days": {
                        **stage_limits_on_path(type, every),
                        **_own_stage_limits(type, self.course_types.get(type, {})),
                    },
                }
            )
            for type, default in DEFAULT_COURSE_TYPES.items()
        }

    @property
    def progression_rules(self) -> ProgressionRules:
        low, _, high = self.progression_scale.partition("-")
        return ProgressionRules(
            indicators=self.progression_indicators,
            low=int(low),
            high=int(high),
            interval_months=self.progression_interval_months,
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


def _loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


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


def _json(value: Any, empty: Any, explained: str) -> Any:
    """A setting given as JSON text, read here rather than by pydantic-settings so that a typo
    is explained in Danish; empty text is the default."""
    if not isinstance(value, str):
        return value
    try:
        return json.loads(value) if value.strip() else empty
    except ValueError:
        raise ValueError(explained) from None


def _parse_stage_limits(text: str) -> dict[Stage, int]:
    limits = {}
    for part in filter(None, (p.strip() for p in text.split(","))):
        name, _, days = part.partition("=")
        stage = _stage(name.strip())
        if stage not in DEFAULT_STAGE_LIMITS:
            raise ValueError(f"{stage.value} har ingen grænse")
        try:
            limits[stage] = int(days)
        except ValueError:
            raise ValueError(f"{stage.value}: antal dage skal være et helt tal") from None
        if limits[stage] < 1:
            raise ValueError("en grænse er mindst 1 dag")
    return limits


def _own_stage_limits(type: CourseType, given: dict[str, Any]) -> dict[Stage, Any]:
    """A type's own stall limits from FORLOEB_COURSE_TYPES: only for stages it passes before
    its course, so a limit set for a stage the type never reaches is caught, not ignored."""
    own = given.get("stage_limit_days") or {}
    if not isinstance(own, dict):
        raise ValueError(f'{type.value}: stage_limit_days skal være fx {{"referred": 14}}')
    limited = stage_limits_on_path(type, DEFAULT_STAGE_LIMITS)
    limits = {}
    for name, days in own.items():
        stage = _stage(name)
        if stage not in limited:
            known = ", ".join(limited)
            raise ValueError(f"{type.value} har ingen grænse for {stage.value} (faser: {known})")
        limits[stage] = days
    return limits


def _stage(name: str) -> Stage:
    if name not in Stage._value2member_map_:
        raise ValueError(f"ukendt fase {name!r}")
    return Stage(name)
