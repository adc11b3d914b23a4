"""The security tests run against the same real service as the API tests."""

from tests.api.conftest import admin, as_coordinator, coordinator, service  # noqa: F401
