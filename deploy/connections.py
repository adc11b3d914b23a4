"""The Temporal client, built the same way for the API, the worker and the demo seeding."""

from temporalio.client import Client
from temporalio.contrib.pydantic import pydantic_data_converter

from models.settings import Settings


async def connect_temporal(settings: Settings) -> Client:
    return await Client.connect(
        settings.effective_temporal_address,
        namespace=settings.temporal_namespace,
        data_converter=pydantic_data_converter,
    )
