"""`forloeb doctor`: each connection and setting production depends on, checked in one go.

Meant for the first start on a new cluster and for the question "why does nothing happen?":
every line says what was found and, when something is wrong, what to change. It asks and
reads: it migrates nothing, creates no database or key, and sends no message.
"""

import asyncio
import base64
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from pydantic import SecretStr
from sqlalchemy import make_url
from sqlalchemy.exc import SQLAlchemyError
from temporalio.api.enums.v1 import IndexedValueType, TaskQueueKind, TaskQueueType
from temporalio.api.operatorservice.v1 import ListSearchAttributesRequest
from temporalio.api.taskqueue.v1 import TaskQueue
from temporalio.api.workflowservice.v1 import DescribeNamespaceRequest, DescribeTaskQueueRequest
from temporalio.client import Client
from temporalio.service import RPCError, RPCStatusCode

from deploy.connections import UnreadableTlsFile, connect_temporal
from models import search_attributes
from models.db import MIGRATIONS, make_engine
from models.settings import Settings

# Long enough for a cluster across a network; short enough that a wrong address is reported
# rather than waited on.
CONNECT_TIMEOUT_SECONDS = 15

Mark = Literal["✓", "!", "✗"]

# rustls's names for what is wrong with the server's certificate, in words an operator acts on.
CERTIFICATE_PROBLEMS = {
    "UnknownIssuer": "serverens certifikat er ikke udstedt af en CA, klienten kender",
    "NotValidForName": "serverens certifikat gælder ikke for navnet",
    "Expired": "serverens certifikat er udløbet",
}


@dataclass(frozen=True)
class Finding:
    mark: Mark
    subject: str
    found: str
    fix: str = ""

    def __str__(self) -> str:
        line = f"{self.mark} {self.subject}: {self.found}"
        return f"{line}. Ret: {self.fix.rstrip('.')}." if self.fix else line


async def diagnose(settings: Settings) -> list[Finding]:
    """Every check, in the order a reader would fix them."""
    findings = [await asyncio.to_thread(check_database, settings)]
    findings += await check_temporal(settings)
    findings += check_messages(settings)
    findings.append(check_keys(settings))
    return findings


async def run_doctor(settings: Settings) -> int:
    """Print each finding; 0 when nothing is wrong (warnings allowed), 1 otherwise."""
    findings = await diagnose(settings)
    for finding in findings:
        print(finding, flush=True)
    return 1 if any(finding.mark == "✗" for finding in findings) else 0


def check_database(settings: Settings) -> Finding:
    url = make_url(settings.effective_database_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database or "")
        where = f"SQLite {sqlite3.sqlite_version} i {path}"
        if not path.is_file():
            # Connecting would create an empty file; the doctor changes nothing.
            return Finding(
                "✗",
                "Databasen",
                f"{path} findes ikke",
                "kør `forloeb migrate` (eller `forloeb up`), eller sæt DATABASE_URL",
            )
    else:
        where = f"{url.host or 'localhost'}:{url.port or 5432}"
        if "connect_timeout" not in url.query:
            url = url.update_query_dict({"connect_timeout": str(CONNECT_TIMEOUT_SECONDS)})
    engine = make_engine(url.render_as_string(hide_password=False), threads=1)
    try:
        with engine.connect() as connection:
            if url.get_backend_name() != "sqlite":
                version = ".".join(map(str, connection.dialect.server_version_info or ()))
                where = f"PostgreSQL {version} på {where}"
            current = set(MigrationContext.configure(connection).get_current_heads())
    except SQLAlchemyError as error:
        reason = str(getattr(error, "orig", None) or error).strip().splitlines()[0]
        return Finding(
            "✗",
            "Databasen",
            f"kan ikke forbinde til {where} ({reason})",
            "sæt DATABASE_URL eller start databasen",
        )
    finally:
        engine.dispose()
    return _migrations(where, current)


def _migrations(where: str, current: set[str]) -> Finding:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    script = ScriptDirectory.from_config(config)
    heads = set(script.get_heads())
    if current == heads:
        return Finding("✓", "Databasen", f"{where}, migreringer ajour")
    if not current:
        return Finding(
            "✗",
            "Databasen",
            f"{where}, ingen migreringer kørt (tom database)",
            "kør `forloeb migrate`",
        )
    known = {revision.revision for revision in script.walk_revisions()}
    if not current <= known:
        return Finding(
            "✗",
            "Databasen",
            f"{where} er migreret til {', '.join(sorted(current))}, som denne version ikke kender",
            "kør den version af forloeb, der migrerede databasen, eller en nyere",
        )
    return Finding(
        "✗",
        "Databasen",
        f"{where}, migreringer mangler: databasen er på {', '.join(sorted(current))}, "
        f"koden på {', '.join(sorted(heads))}",
        "kør `forloeb migrate`",
    )


async def check_temporal(settings: Settings) -> list[Finding]:
    """The connection, the namespace and the search attributes; then whether a worker polls."""
    address = settings.effective_temporal_address
    # The doctor sends no payload, so a throwaway key does: a missing key is reported once,
    # under Nøgler, and none is generated into the data directory.
    throwaway = SecretStr("doctor:" + base64.b64encode(bytes(32)).decode())
    connecting = settings.model_copy(update={"payload_keys": throwaway})
    try:
        client = await asyncio.wait_for(connect_temporal(connecting), CONNECT_TIMEOUT_SECONDS)
    except UnreadableTlsFile as error:
        return [Finding("✗", "Temporal", str(error).rstrip("."), "ret stien, eller giv adgang")]
    except (RuntimeError, TimeoutError) as error:
        reason = _reason(error) or f"intet svar på {CONNECT_TIMEOUT_SECONDS} s"
        fix = "sæt TEMPORAL_ADDRESS eller start serveren"
        if settings.temporal_tls_on:
            fix += (
                "; med TLS: tjek FORLOEB_TEMPORAL_TLS_CA, FORLOEB_TEMPORAL_TLS_SERVER_NAME "
                "og klientcertifikatet"
            )
        return [Finding("✗", "Temporal", f"kan ikke forbinde til {address} ({reason})", fix)]
    namespace = settings.temporal_namespace
    found = f"{address}, navnerum {namespace}"
    try:
        await client.workflow_service.describe_namespace(
            DescribeNamespaceRequest(namespace=namespace)
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return [
                Finding(
                    "✗",
                    "Temporal",
                    f"{address} svarer, men navnerummet {namespace} findes ikke",
                    f"sæt TEMPORAL_NAMESPACE, eller opret det: `temporal operator namespace "
                    f"create --namespace {namespace} --address {address}`",
                )
            ]
        return [Finding("✗", "Temporal", f"{found}: kan ikke slås op ({error.message})", "")]
    tls = _tls_in_use(settings)
    try:
        missing = await _missing_search_attributes(client, namespace)
    except RPCError as error:
        # Some clusters give workers no operator rights; the workflow will say if one is missing.
        finding = Finding(
            "!", "Temporal", f"{found}, {tls}; søgeattributterne kan ikke læses ({error.message})"
        )
        return [finding, await _check_worker(client, settings)]
    if missing:
        finding = Finding(
            "✗",
            "Temporal",
            f"{found}, {tls}; søgeattributter mangler eller har forkert type: {', '.join(missing)}",
            "opret dem med `temporal operator search-attribute create --namespace "
            f"{namespace} --name NAVN --type TYPE` (Temporal Cloud: i konsollen eller med tcld)",
        )
    elif settings.production and not settings.temporal_tls_on and not _loopback(address):
        finding = Finding(
            "!",
            "Temporal",
            f"{found}, søgeattributterne findes, {tls}",
            "sæt FORLOEB_TEMPORAL_TLS=true (og FORLOEB_TEMPORAL_TLS_CA), medmindre forbindelsen "
            "går over et lukket net",
        )
    else:
        finding = Finding("✓", "Temporal", f"{found}, søgeattributterne findes, {tls}")
    return [finding, await _check_worker(client, settings)]


async def _missing_search_attributes(client: Client, namespace: str) -> list[str]:
    """The workflow's search attributes the namespace lacks, as NAME (Type)."""
    listed = await client.operator_service.list_search_attributes(
        ListSearchAttributesRequest(namespace=namespace)
    )
    missing = []
    for key in search_attributes.ALL:
        wanted = key.indexed_value_type.value
        if listed.custom_attributes.get(key.name) != wanted:
            missing.append(f"{key.name} ({_type_name(wanted)})")
    return missing


def _type_name(value: int) -> str:
    """INDEXED_VALUE_TYPE_KEYWORD_LIST as the CLI spells it: KeywordList."""
    name = IndexedValueType.Name(IndexedValueType.ValueType(value))
    name = name.removeprefix("INDEXED_VALUE_TYPE_")
    return "".join(part.title() for part in name.split("_"))


def _reason(error: Exception) -> str:
    """The gist of the SDK's long connect error: the operating system's words, or what the
    TLS library found wrong with the server's certificate."""
    text = str(error)
    if found := re.search(r"InvalidCertificate\((\w+)", text):
        problem = found.group(1)
        for name, meaning in CERTIFICATE_PROBLEMS.items():
            if problem.startswith(name):
                return f"{meaning}: {problem}"
        return f"serverens certifikat afvist: {problem}"
    if found := re.search(r'message: "([^"]+)"', text):
        return found.group(1)
    return text


def _tls_in_use(settings: Settings) -> str:
    if not settings.temporal_tls_on:
        return "uden TLS"
    kind = "mTLS" if settings.temporal_tls_cert else "TLS"
    return f"{kind} med API-nøgle" if settings.temporal_api_key else kind


def _loopback(address: str) -> bool:
    host = address.rsplit(":", 1)[0].strip("[]")
    return host in ("localhost", "::1") or host.startswith("127.")


async def _check_worker(client: Client, settings: Settings) -> Finding:
    """A worker is running when it polls the task queue for both workflow and activity tasks.
    Temporal remembers a poller for a few minutes, so a worker stopped just now still counts."""
    queue = settings.task_queue
    pollers: dict[str, set[str]] = {}
    for kind, task_type in (
        ("workflow", TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW),
        ("aktivitet", TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY),
    ):
        try:
            described = await client.workflow_service.describe_task_queue(
                DescribeTaskQueueRequest(
                    namespace=settings.temporal_namespace,
                    task_queue=TaskQueue(name=queue, kind=TaskQueueKind.TASK_QUEUE_KIND_NORMAL),
                    task_queue_type=task_type,
                )
            )
        except RPCError as error:
            return Finding("!", "Arbejderen", f"køen '{queue}' kan ikke slås op ({error.message})")
        pollers[kind] = {poller.identity for poller in described.pollers}
    if not all(pollers.values()):
        return Finding(
            "✗",
            "Arbejderen",
            f"ingen arbejder henter opgaver fra køen '{queue}'",
            "start `forloeb worker` med samme TEMPORAL_ADDRESS, TEMPORAL_NAMESPACE og "
            "FORLOEB_TASK_QUEUE",
        )
    workers = sorted(pollers["workflow"] | pollers["aktivitet"])
    shown = ", ".join(workers[:3]) + (" …" if len(workers) > 3 else "")
    return Finding("✓", "Arbejderen", f"{len(workers)} henter fra køen '{queue}' ({shown})")


def check_messages(settings: Settings) -> list[Finding]:
    """Which providers are configured; nothing is sent."""
    twilio, smtp = settings.twilio(), settings.smtp()
    neither = twilio is None and smtp is None
    # In production a missing channel is a warning while the other works, and an error when
    # neither does: then no citizen hears from the service at all.
    absent: Mark = "✗" if settings.production and neither else "!" if settings.production else "✓"
    outbox = "bliver i den lokale udbakke"
    given = {
        "TWILIO_ACCOUNT_SID": settings.twilio_account_sid,
        "TWILIO_AUTH_TOKEN": settings.twilio_auth_token,
        "TWILIO_FROM": settings.twilio_from,
    }
    unset = [name for name, value in given.items() if not value]
    if twilio is not None:
        sms = Finding("✓", "SMS og opkald", f"Twilio, afsender {twilio.sender}")
        if settings.production and settings.public_url is None:
            sms = Finding(
                "✗",
                "SMS og opkald",
                f"Twilio, men Twilio kalder tilbage til {twilio.public_url}",
                "sæt FORLOEB_PUBLIC_URL til den offentlige adresse",
            )
    elif len(unset) < len(given):
        sms = Finding(
            "✗",
            "SMS og opkald",
            f"Twilio er kun delvist sat op, {' og '.join(unset)} mangler",
            "sæt dem, eller fjern de andre TWILIO_-indstillinger for at bruge udbakken",
        )
    else:
        sms = Finding(
            absent,
            "SMS og opkald",
            f"ingen Twilio; beskeder {outbox}",
            "sæt TWILIO_ACCOUNT_SID, TWILIO_AUTH_TOKEN og TWILIO_FROM" if absent != "✓" else "",
        )
    if smtp is not None:
        security = "STARTTLS" if smtp.starttls else "uden STARTTLS"
        email = Finding(
            "✓", "E-mail", f"SMTP-relæ {smtp.host}:{smtp.port} ({security}), afsender {smtp.sender}"
        )
    else:
        email = Finding(
            absent,
            "E-mail",
            f"intet SMTP-relæ; e-mails {outbox}",
            "sæt SMTP_HOST (og SMTP_PORT, SMTP_USERNAME, SMTP_PASSWORD)" if absent != "✓" else "",
        )
    return [sms, email]


def check_keys(settings: Settings) -> Finding:
    """The session key and the payload keys, without generating either."""
    unset = [
        name
        for name, value in (
            ("FORLOEB_SECRET_KEY", settings.secret_key),
            ("FORLOEB_PAYLOAD_KEYS", settings.payload_keys),
        )
        if value is None
    ]
    if not unset:
        return Finding("✓", "Nøgler", "FORLOEB_SECRET_KEY og FORLOEB_PAYLOAD_KEYS er sat")
    if settings.production:
        fixes = {
            "FORLOEB_SECRET_KEY": "FORLOEB_SECRET_KEY til en lang tilfældig værdi",
            "FORLOEB_PAYLOAD_KEYS": "FORLOEB_PAYLOAD_KEYS som id:base64-nøgle (32 byte)",
        }
        return Finding(
            "✗",
            "Nøgler",
            f"{' og '.join(unset)} er ikke sat i produktion",
            f"sæt {' og '.join(fixes[name] for name in unset)}",
        )
    return Finding(
        "✓",
        "Nøgler",
        f"{' og '.join(unset)} ikke sat; de gemmes i {settings.data_dir} (kun uden for produktion)",
    )
