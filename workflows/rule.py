"""The registry that ties each rule to the action it carries out (models/actions.py)."""

from collections.abc import Callable
from datetime import datetime
from typing import Any, TypeVar

from models.actions import ACTIONS
from models.programme import ProgrammeState, TimelineEvent

Rule = Callable[[ProgrammeState, Any, datetime], TimelineEvent]
R = TypeVar("R", bound=Rule)

RULES: dict[str, Rule] = {}


def rule(name: str) -> Callable[[R], R]:
    """Marks a function as the rule of the declared action `name`: it checks the command
    against the state and applies it, or raises the refusal."""
    if name not in ACTIONS:
        raise LookupError(f"no action named {name} is declared in models/actions.py")

    def register(function: R) -> R:
        known = RULES.get(name)
        # A module imported twice (the replayer's sandbox, a reload in tests) registers the
        # same rule again, which is fine.
        if known is not None and known.__qualname__ != function.__qualname__:
            raise LookupError(f"the action {name} has two rules")
        RULES[name] = function
        return function

    return register
