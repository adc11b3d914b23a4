"""Every endpoint of the JSON API, fuzzed from its own OpenAPI description by schemathesis,
logged in, against the real `forloeb api` and `forloeb worker` processes: no answer of 500
or more, whatever is sent."""

from collections.abc import Iterator
from typing import Any

import pytest
import requests
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis.core.result import Ok

from models.enums import Role
from tests.factories import PASSWORD, make_staff
from tests.processes import api_and_worker

# Bounded, so the suite stays quick: a few examples for each of the API's operations.
EXAMPLES = 4


@pytest.fixture
def processes(dev_env, database_url, tmp_path) -> Iterator[str]:
    with api_and_worker(dev_env, database_url, tmp_path) as base_url:
        yield base_url


def test_no_request_makes_the_api_fail(processes, session):
    staff = make_staff(session, Role.ADMIN)
    client = requests.Session()
    login = {"username": staff.username, "password": PASSWORD}
    assert client.post(f"{processes}/api/session", json=login, timeout=10).status_code == 200
    schema = schemathesis.openapi.from_dict(client.get(f"{processes}/openapi.json").json())
    failures: list[str] = []
    seen: list[int] = []
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result  # the app's own description must be valid
        operations.append(result.ok())
    # Logging out mid-run would turn every later example into a 401.
    fuzzed = [op for op in operations if not (op.path == "/api/session" and op.method == "delete")]

    for operation in fuzzed:

        @given(case=operation.as_strategy())
        @settings(
            max_examples=EXAMPLES,
            deadline=None,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
        def call(case: Any) -> None:
            answer = case.call(base_url=processes, session=client, timeout=30)
            seen.append(answer.status_code)
            if answer.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {answer.status_code}")

        call()
        # Some examples log in as someone else; start each operation as the administrator.
        client.post(f"{processes}/api/session", json=login, timeout=10)

    assert not failures, failures[:10]
    assert len(fuzzed) > 30 and len(seen) > 3 * len(fuzzed)
