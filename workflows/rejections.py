"""Errors a workflow raises to refuse an action; the API maps the type to an HTTP status."""

from temporalio.exceptions import ApplicationError

from models.refusals import FORBIDDEN, INVALID_INPUT, INVALID_TRANSITION


def refuse(message: str) -> ApplicationError:
    """The action does not fit the case's current state (HTTP 409)."""
    return ApplicationError(message, type=INVALID_TRANSITION, non_retryable=True)


def invalid(message: str) -> ApplicationError:
    """The action fits the state but its values do not (HTTP 422)."""
    return ApplicationError(message, type=INVALID_INPUT, non_retryable=True)


def forbidden(message: str) -> ApplicationError:
    """The actor may not do this on this case (HTTP 403)."""
    return ApplicationError(message, type=FORBIDDEN, non_retryable=True)
