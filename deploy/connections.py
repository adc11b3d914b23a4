"""The Temporal client, built the same way for the API, the worker and the demo seeding."""

import dataclasses

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.converter import DataConverter

from deploy.payload_encryption import EncryptionCodec
from models.settings import Settings


def data_converter(settings: Settings) -> DataConverter:
    """Pydantic models as JSON, encrypted before they reach Temporal."""
    codec = EncryptionCodec(settings.payload_keyring())
    return dataclasses.replace(pydantic_data_converter, payload_codec=codec)


async def connect_temporal(settings: Settings) -> Client:
    return await Client.connect(
        settings.effective_temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=data_converter(settings),
    )
