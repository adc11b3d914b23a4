"""`forloeb doctor` against real servers: the dev server, the test database, a worker, and a
TLS endpoint in front of the dev server (which speaks no TLS itself)."""

import asyncio
import datetime as dt
import ipaddress
import os
import ssl
import sys
import uuid
from collections.abc import AsyncIterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from google.protobuf.duration_pb2 import Duration
from pydantic import ValidationError
from temporalio.api.workflowservice.v1 import GetSystemInfoRequest, RegisterNamespaceRequest
from temporalio.service import TLSConfig
from temporalio.testing import WorkflowEnvironment

from deploy.connections import UnreadableTlsFile, connect_temporal, tls_config
from deploy.doctor import check_database, check_keys, check_messages, diagnose
from deploy.worker import build_worker
from models.db import SessionFactory
from models.settings import Settings
from tests.api.conftest import TEST_PAYLOAD_KEYS, free_port, settings_for


async def doctor(env: dict[str, str]) -> tuple[int, str]:
    """`forloeb doctor` as a process; its exit code and what it printed."""
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "deploy",
        "doctor",
        env={**os.environ, **env},
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.STDOUT,
    )
    output, _ = await process.communicate()
    assert process.returncode is not None
    return process.returncode, output.decode()


def doctor_env(dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path) -> dict[str, str]:
    return {
        "TEMPORAL_ADDRESS": dev_env.client.service_client.config.target_host,
        "DATABASE_URL": database_url,
        "FORLOEB_TASK_QUEUE": f"doctor-{uuid.uuid4()}",
        "FORLOEB_DATA_DIR": str(tmp_path),
        "FORLOEB_SECRET_KEY": "test-secret-key",
        "FORLOEB_PAYLOAD_KEYS": TEST_PAYLOAD_KEYS,
    }


async def test_everything_is_in_order_with_a_worker_running(
    dev_env: WorkflowEnvironment,
    database_url: str,
    open_session: SessionFactory,
    executor: ThreadPoolExecutor,
    tmp_path: Path,
) -> None:
    env = doctor_env(dev_env, database_url, tmp_path)
    settings = settings_for(tmp_path, **_as_settings(env))
    worker = build_worker(
        await connect_temporal(settings),
        task_queue=settings.task_queue,
        open_session=open_session,
        executor=executor,
        public_url="http://forloeb.test",
    )
    async with worker:
        code, output = await doctor(env)
    lines = output.strip().splitlines()
    assert code == 0, output
    assert [line[0] for line in lines] == ["✓"] * 6, output
    assert "migreringer ajour" in lines[0]
    assert "navnerum default, søgeattributterne findes, uden TLS" in lines[1]
    assert f"henter fra køen '{settings.task_queue}'" in lines[2]


async def test_no_worker_on_the_queue_is_an_error_with_the_fix(
    dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    env = doctor_env(dev_env, database_url, tmp_path)
    findings = await diagnose(settings_for(tmp_path, **_as_settings(env)))
    worker = next(str(f) for f in findings if f.subject == "Arbejderen")
    assert worker.startswith("✗ Arbejderen: ingen arbejder henter opgaver fra køen"), worker
    assert "Ret: start `forloeb worker`" in worker


async def test_a_wrong_temporal_address_is_reported_with_the_fix(
    dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    address = f"127.0.0.1:{free_port()}"
    code, output = await doctor(
        doctor_env(dev_env, database_url, tmp_path) | {"TEMPORAL_ADDRESS": address}
    )
    assert code == 1, output
    temporal = next(line for line in output.splitlines() if "Temporal" in line)
    assert temporal.startswith(f"✗ Temporal: kan ikke forbinde til {address} ("), temporal
    assert temporal.endswith("Ret: sæt TEMPORAL_ADDRESS eller start serveren."), temporal


def test_an_unmigrated_database_is_reported(tmp_path: Path) -> None:
    empty = tmp_path / "empty.db"
    empty.touch()
    finding = check_database(settings_for(tmp_path, DATABASE_URL=f"sqlite:///{empty}"))
    assert finding.mark == "✗"
    assert "ingen migreringer kørt" in finding.found
    assert str(finding).endswith("Ret: kør `forloeb migrate`.")


def test_a_missing_sqlite_file_is_reported_and_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "none.db"
    finding = check_database(settings_for(tmp_path, DATABASE_URL=f"sqlite:///{missing}"))
    assert finding.mark == "✗" and f"{missing} findes ikke" in finding.found
    assert not missing.exists()


def test_a_client_certificate_without_its_key_is_refused_in_danish(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="skal sættes sammen"):
        settings_for(tmp_path, temporal_tls_cert=tmp_path / "client.pem")


def test_an_api_key_implies_tls(tmp_path: Path) -> None:
    settings = settings_for(tmp_path, temporal_api_key="cloud-key")
    assert settings.temporal_tls_on
    assert isinstance(tls_config(settings), TLSConfig)
    assert tls_config(settings_for(tmp_path)) is False


async def test_an_unreadable_certificate_is_named_with_its_path(tmp_path: Path) -> None:
    missing = tmp_path / "ca.pem"
    settings = settings_for(tmp_path, temporal_tls_ca=missing)
    with pytest.raises(UnreadableTlsFile, match=str(missing)):
        tls_config(settings)
    temporal = next(f for f in await diagnose(settings) if f.subject == "Temporal")
    assert temporal.mark == "✗" and f"FORLOEB_TEMPORAL_TLS_CA: filen {missing}" in temporal.found


# TLS: the dev server has no TLS flags (`temporal server start-dev --help`), so the tests put
# a TLS endpoint of their own in front of it, with certificates they make: the client's TLS
# handshake, the server name and the client certificate are then checked for real.


@dataclass
class Pki:
    ca: Path
    server_name: str
    client_cert: Path
    client_key: Path
    server_context: ssl.SSLContext


def _make_pki(directory: Path) -> Pki:
    now = dt.datetime.now(dt.UTC)

    def issue(
        name: str, key: ec.EllipticCurvePrivateKey, issuer: x509.Certificate | None, **kinds: bool
    ) -> x509.Certificate:
        subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
        builder = (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(issuer.subject if issuer else subject)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(minutes=5))
            .not_valid_after(now + dt.timedelta(days=1))
        )
        if kinds.get("ca"):
            builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=0), True)
            builder = builder.add_extension(
                x509.KeyUsage(False, False, False, False, False, True, True, False, False), True
            )
        else:
            builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), True)
            server = kinds.get("server", False)
            usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
            builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), False)
            names: list[x509.GeneralName] = [x509.DNSName(name)]
            if server:
                names.append(x509.IPAddress(ipaddress.ip_address("127.0.0.1")))
            builder = builder.add_extension(x509.SubjectAlternativeName(names), False)
        return builder.sign(ca_key if issuer else key, hashes.SHA256())

    def write(name: str, cert: x509.Certificate, key: ec.EllipticCurvePrivateKey) -> None:
        (directory / f"{name}.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
        (directory / f"{name}.key").write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca = issue("forloeb test CA", ca_key, None, ca=True)
    server_key = ec.generate_private_key(ec.SECP256R1())
    client_key = ec.generate_private_key(ec.SECP256R1())
    write("ca", ca, ca_key)
    write("server", issue("temporal.test", server_key, ca, server=True), server_key)
    write("client", issue("forloeb-worker", client_key, ca), client_key)
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH, cafile=directory / "ca.pem")
    context.load_cert_chain(directory / "server.pem", directory / "server.key")
    context.verify_mode = ssl.CERT_REQUIRED  # mutual TLS, as a cluster may demand
    context.set_alpn_protocols(["h2"])  # gRPC runs on HTTP/2
    return Pki(
        ca=directory / "ca.pem",
        server_name="temporal.test",
        client_cert=directory / "client.pem",
        client_key=directory / "client.key",
        server_context=context,
    )


@asynccontextmanager
async def tls_endpoint(target: str, context: ssl.SSLContext) -> AsyncIterator[str]:
    """TLS on a loopback port, passing the plain bytes on to the target; yields its address."""
    host, port = target.rsplit(":", 1)

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            while data := await reader.read(65536):
                writer.write(data)
                await writer.drain()
        except (ConnectionError, ssl.SSLError):
            pass
        finally:
            writer.close()

    async def serve(
        client_reader: asyncio.StreamReader, client_writer: asyncio.StreamWriter
    ) -> None:
        server_reader, server_writer = await asyncio.open_connection(host, int(port))
        await asyncio.gather(pipe(client_reader, server_writer), pipe(server_reader, client_writer))

    server = await asyncio.start_server(serve, "127.0.0.1", 0, ssl=context)
    try:
        yield f"127.0.0.1:{server.sockets[0].getsockname()[1]}"
    finally:
        server.close()


async def test_connects_through_mutual_tls_with_the_ca_and_server_name(
    dev_env: WorkflowEnvironment, tmp_path: Path
) -> None:
    pki = _make_pki(tmp_path)
    target = dev_env.client.service_client.config.target_host
    async with tls_endpoint(target, pki.server_context) as address:
        settings = settings_for(
            tmp_path,
            TEMPORAL_ADDRESS=address,
            temporal_tls_ca=pki.ca,
            temporal_tls_cert=pki.client_cert,
            temporal_tls_key=pki.client_key,
            temporal_tls_server_name=pki.server_name,
        )
        client = await connect_temporal(settings)
        assert await client.workflow_service.get_system_info(GetSystemInfoRequest())
        temporal = next(f for f in await diagnose(settings) if f.subject == "Temporal")
        assert str(temporal).startswith(f"✓ Temporal: {address}, navnerum default"), temporal
        assert str(temporal).endswith("mTLS"), temporal


@pytest.mark.parametrize(
    ("given", "refusal"),
    [
        ({"temporal_tls_server_name": "temporal.test"}, "ikke udstedt af en CA"),
        ({"temporal_tls_ca": "ca", "temporal_tls_server_name": "other.test"}, "gælder ikke"),
    ],
    ids=["without the server's CA", "under another server name"],
)
async def test_a_server_certificate_that_does_not_check_out_is_refused(
    dev_env: WorkflowEnvironment, tmp_path: Path, given: dict[str, str], refusal: str
) -> None:
    pki = _make_pki(tmp_path)
    target = dev_env.client.service_client.config.target_host
    async with tls_endpoint(target, pki.server_context) as address:
        settings = settings_for(
            tmp_path,
            TEMPORAL_ADDRESS=address,
            temporal_tls_cert=pki.client_cert,
            temporal_tls_key=pki.client_key,
            **{name: pki.ca if value == "ca" else value for name, value in given.items()},
        )
        temporal = next(f for f in await diagnose(settings) if f.subject == "Temporal")
        assert temporal.mark == "✗" and refusal in temporal.found, temporal
        assert "FORLOEB_TEMPORAL_TLS_CA" in temporal.fix


def _as_settings(env: dict[str, str]) -> dict[str, object]:
    """The environment a process gets, as the fields settings_for takes."""
    return {
        "TEMPORAL_ADDRESS": env["TEMPORAL_ADDRESS"],
        "DATABASE_URL": env["DATABASE_URL"],
        "task_queue": env["FORLOEB_TASK_QUEUE"],
    }


def test_production_without_keys_or_any_message_provider_is_refused(tmp_path: Path) -> None:
    settings = Settings.model_validate({"env": "production", "data_dir": tmp_path})
    keys = check_keys(settings)
    assert keys.mark == "✗" and "FORLOEB_SECRET_KEY og FORLOEB_PAYLOAD_KEYS" in keys.found
    assert [f.mark for f in check_messages(settings)] == ["✗", "✗"]
    with_email = settings.model_copy(update={"smtp_host": "smtp.kommune.test"})
    assert [f.mark for f in check_messages(with_email)] == ["!", "✓"]
    assert not list(tmp_path.iterdir())


async def test_a_missing_namespace_is_reported_with_the_fix(
    dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    env = doctor_env(dev_env, database_url, tmp_path)
    settings = settings_for(tmp_path, **_as_settings(env), TEMPORAL_NAMESPACE="ingen-sådan")
    temporal = next(f for f in await diagnose(settings) if f.subject == "Temporal")
    assert temporal.mark == "✗" and "navnerummet ingen-sådan findes ikke" in temporal.found
    assert "temporal operator namespace create --namespace ingen-sådan" in temporal.fix


async def test_a_namespace_without_the_search_attributes_is_reported(
    dev_env: WorkflowEnvironment, database_url: str, tmp_path: Path
) -> None:
    namespace = f"bar-{uuid.uuid4().hex[:8]}"
    await dev_env.client.workflow_service.register_namespace(
        RegisterNamespaceRequest(
            namespace=namespace, workflow_execution_retention_period=Duration(seconds=86400)
        )
    )
    env = doctor_env(dev_env, database_url, tmp_path)
    settings = settings_for(tmp_path, **_as_settings(env), TEMPORAL_NAMESPACE=namespace)
    for _ in range(100):  # the server's namespace cache takes a moment to hold a new one
        temporal = next(f for f in await diagnose(settings) if f.subject == "Temporal")
        if "findes ikke" not in temporal.found:
            break
        await asyncio.sleep(0.2)
    assert temporal.mark == "✗", temporal
    assert "Stage (Keyword), Stalled (Bool), CoordinatorId (Keyword), WaitingOn (KeywordList)" in (
        temporal.found
    )
    assert f"search-attribute create --namespace {namespace}" in temporal.fix
