"""CPR numbers: validated on the way in, masked on the way out, never sent to Temporal."""

import re
from datetime import date

_DIGITS = re.compile(r"^(\d{6})-?(\d{4})$")


class InvalidCpr(ValueError):
    """A CPR number that is not ten digits with a real date of birth."""


def normalise_cpr(raw: str) -> str:
    """Return the ten digits of a CPR number, or raise InvalidCpr with a reason in Danish."""
    match = _DIGITS.match(raw.strip().replace(" ", ""))
    if not match:
        raise InvalidCpr("CPR-nummeret skal være 10 cifre, fx 010190-1234.")
    digits = match.group(1) + match.group(2)
    birth_date(digits)
    return digits


def birth_date(digits: str) -> date:
    """The date of birth in a CPR number; the 7th digit tells the century."""
    day, month, yy, seventh = int(digits[0:2]), int(digits[2:4]), int(digits[4:6]), int(digits[6])
    if seventh <= 3:
        century = 1900
    elif seventh in (4, 9):
        century = 2000 if yy <= 36 else 1900
    else:
        century = 2000 if yy <= 57 else 1800
    try:
        return date(century + yy, month, day)
    except ValueError:
        raise InvalidCpr("CPR-nummeret indeholder ikke en gyldig fødselsdato.") from None


def mask_cpr(digits: str) -> str:
    """Show the date of birth only: 010190-XXXX."""
    return f"{digits[:6]}-XXXX"
