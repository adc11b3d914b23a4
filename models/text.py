"""Text that people type, as the service accepts it: no invisible control characters.

A right-to-left override (U+202E) in a citizen's name made the SMS to that citizen display
reversed; other format and control characters hide text or break lines where none should
be. Such characters are refused with a reason, never silently changed, except in what a
citizen writes to us (notifications cannot ask them to type again).
"""

import unicodedata
from typing import Annotated

from pydantic import AfterValidator, StringConstraints

HIDDEN = "må ikke indeholde usynlige styretegn (fx et tegn, der vender skriftretningen)"
_LINE_BREAKS = {"\n", "\r", "\t"}


def _hidden(character: str) -> bool:
    return unicodedata.category(character) in ("Cc", "Cf")


def one_line(value: str) -> str:
    if any(_hidden(c) for c in value):
        raise ValueError(f"Teksten {HIDDEN}.")
    return value


def lines(value: str) -> str:
    if any(_hidden(c) and c not in _LINE_BREAKS for c in value):
        raise ValueError(f"Teksten {HIDDEN}.")
    return value


def without_hidden(value: str) -> str:
    """What a citizen wrote, with invisible control characters taken out."""
    return "".join(c for c in value if not _hidden(c) or c in _LINE_BREAKS)


# Applied to every name and free-text field of the models (AfterValidator).
OneLine = AfterValidator(one_line)
Lines = AfterValidator(lines)

# How an activity is named on the citizen's own page: the coordinator writes it when the
# activity is planned, in words the citizen understands and that tell no one else anything
# sensitive (no department, no diagnosis).
CitizenWording = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120), OneLine]
