"""How many SMS segments a text takes: GSM-7 when every character is in its alphabet (æ, ø
and å are), UCS-2 otherwise, which more than halves what fits."""

_GSM7 = set(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
# These take two septets each (an escape, then the character).
_GSM7_EXTENDED = set("^{}\\[~]|€\f")


def is_basic(text: str) -> bool:
    """Every character in GSM-7's basic set: one septet each."""
    return all(c in _GSM7 for c in text)


def is_gsm7(text: str) -> bool:
    return all(c in _GSM7 or c in _GSM7_EXTENDED for c in text)


def segments(text: str) -> int:
    if is_gsm7(text):
        units = sum(2 if c in _GSM7_EXTENDED else 1 for c in text)
        single, part = 160, 153
    else:
        units = sum(2 if ord(c) > 0xFFFF else 1 for c in text)  # UTF-16 code units
        single, part = 70, 67
    if units <= single:
        return 1
    return -(-units // part)
