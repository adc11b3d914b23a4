"""The Temporal client, built the same way for the API, the worker and the demo seeding."""

import asyncio
import dataclasses
from pathlib import Path

from temporalio.client import Client
from temporalio.contrib.opentelemetry import TracingInterceptor
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter
from temporalio.runtime import Runtime
from temporalio.service import TLSConfig

from deploy.payload_encryption import EncryptionCodec
from models.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models as JSON, encrypted before they reach Temporal."""
    codec = EncryptionCodec(settings.payload_keyring())
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect_temporal(settings: Settings, *, runtime: Runtime | None = None) -> Client:
    # A runtime of its own only where its telemetry is wanted (the worker's metrics); else the
    # SDK's default runtime.
    return await Client.connect(
        settings.effective_temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
        # Off the event loop: the API connects on its first request, not only at startup.
        tls=await asyncio.to_thread(tls_config, settings),
        api_key=settings.temporal_api_key.get_secret_value() if settings.temporal_api_key else None,
        runtime=runtime,
        # With tracing on, starts and updates carry the request's trace in their headers, and
        # a worker on this client continues it in the workflow and its activities. Off, the
        # interceptor is left out rather than run against the no-op tracer.
        interceptors=[TracingInterceptor()] if settings.otel != "off" else [],
    )


class UnreadableTlsFile(RuntimeError):
    """A certificate or key named in the settings cannot be read."""


def tls_config(settings: Settings) -> TLSConfig | bool:
    """The TLS settings for Temporal, or False for a plain connection (the embedded default).

    The files are read at each connect, so renewed certificates are used from the next start
    or reconnect; the read blocks, so call it off the event loop."""
    if not settings.temporal_tls_on:
        return False
    return TLSConfig(
        server_root_ca_cert=_read("FORLOEB_TEMPORAL_TLS_CA", settings.temporal_tls_ca),
        client_cert=_read("FORLOEB_TEMPORAL_TLS_CERT", settings.temporal_tls_cert),
        client_private_key=_read("FORLOEB_TEMPORAL_TLS_KEY", settings.temporal_tls_key),
        domain=settings.temporal_tls_server_name,
    )


def _read(setting: str, path: Path | None) -> bytes | None:
    if path is None:
        return None
    try:
        return path.read_bytes()
    except OSError as error:
        raise UnreadableTlsFile(
            f"{setting}: filen {path} kan ikke læses ({error.strerror or error})."
        ) from None
