"""The kinds of refusal a workflow gives an action; the API maps each to one HTTP status."""

INVALID_TRANSITION = "InvalidTransition"  # the action does not fit the state (409)
INVALID_INPUT = "InvalidInput"  # the action fits, its values do not (422)
FORBIDDEN = "Forbidden"  # the actor may not do this on this case (403)
