"""The programme workflow's search attributes: what a manager can query in Temporal itself,
such as `temporal workflow list --query 'Stalled = true'`. No personal data: Temporal stores
these unencrypted."""

from typing import Any

from temporalio.common import SearchAttributeKey

STAGE = SearchAttributeKey.for_keyword("Stage")
STALLED = SearchAttributeKey.for_bool("Stalled")
COORDINATOR = SearchAttributeKey.for_keyword("CoordinatorId")
WAITING_ON = SearchAttributeKey.for_keyword_list("WaitingOn")

ALL: list[SearchAttributeKey[Any]] = [STAGE, STALLED, COORDINATOR, WAITING_ON]
_TYPES = {
    "Stage": "Keyword",
    "Stalled": "Bool",
    "CoordinatorId": "Keyword",
    "WaitingOn": "KeywordList",
}


def dev_server_flags() -> list[str]:
    """The flags that register them on the Temporal dev server."""
    flags = []
    for key in ALL:
        flags += ["--search-attribute", f"{key.name}={_TYPES[key.name]}"]
    return flags
