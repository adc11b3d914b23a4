"""An SMS as the citizen's phone will show it: GSM-7 only, each field within its length, so
that every message to a citizen stays within two segments (notifications/sms_length.py).

A name or a place with a character outside GSM-7 (an en dash, "ł", a curly quote) would turn
the whole message into UCS-2, which more than halves what a segment holds; such characters
are written as their nearest GSM-7 letters instead.
"""

import unicodedata

from notifications.sms_length import is_basic

_NEAREST = {
    "–": "-",
    "—": "-",
    "‘": "'",
    "’": "'",
    "“": '"',
    "”": '"',
    "„": '"',
    "…": "...",
    "\u00a0": " ",
    # GSM-7's extended characters take two septets each; plain ones read the same.
    "[": "(",
    "]": ")",
    "{": "(",
    "}": ")",
    "~": "-",
    "\\": "/",
    "|": "/",
    "^": "",
    "€": "EUR",
    "ł": "l",
    "Ł": "L",
    "đ": "d",
    "Đ": "D",
}
# The most of each field an SMS shows: the booking's own limits (models/meeting.py), and for
# names what a first name and a full name take at most in practice.
LIMITS = {
    "first_name": 20,
    "with": 30,
    "contact_name": 30,
    "place": 60,
    "purpose": 50,
    "bring": 40,
}


def gsm7(text: str) -> str:
    """The text in GSM-7's basic characters only, one septet each."""
    return "".join(_basic(character) for character in text)


def _basic(character: str) -> str:
    nearest = _NEAREST.get(character, character)
    if is_basic(nearest):
        return nearest
    # A letter with a mark GSM-7 lacks ("ë", "ł" aside), or a wide form ("［"): its base,
    # itself written in basic characters.
    bare = "".join(
        _NEAREST.get(c, c)
        for c in unicodedata.normalize("NFKD", character)
        if not unicodedata.combining(c)
    )
    return bare if bare and is_basic(bare) else "?"


NAMES = ("first_name", "with", "contact_name")


def sms_context(context: dict[str, str]) -> dict[str, str]:
    """The message's fields as an SMS shows them."""
    fitted = {}
    for field, value in context.items():
        value = gsm7(value)
        limit = LIMITS.get(field)
        if limit is not None and len(value) > limit:
            value = _shortened(value, limit, field in NAMES)
        fitted[field] = value
    return fitted


def _shortened(value: str, limit: int, name: bool) -> str:
    """A person's first and last name where the whole is too long; anything else cut at the
    last whole word that fits (or mid-word, if a single word is longer than the limit)."""
    words = value.split()
    if name and len(words) > 2 and len(f"{words[0]} {words[-1]}") <= limit:
        return f"{words[0]} {words[-1]}"
    cut = value[: limit + 1].rsplit(" ", 1)[0] if " " in value[:limit] else value[:limit]
    return cut[:limit].rstrip(" ,.;:-")
