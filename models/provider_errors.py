"""What a provider's error code means for a message to the citizen, in Danish for the
coordinator, and whether it means the number can never take SMS.

Only a permanent failure stops SMS to a number: a landline, a number that does not exist, a
citizen who answered STOP. A phone that is off or out of coverage fails this message only;
the next channel is tried and SMS stays for the next message. Codes: Twilio's error and
warning dictionary (https://www.twilio.com/docs/api/errors).
"""

# code: (what the coordinator is told, whether SMS to the number stops for good)
_TWILIO: dict[int, tuple[str, bool]] = {
    21211: ("nummeret er ugyldigt", True),
    21214: ("nummeret kan ikke nås", True),
    21408: ("SMS til nummerets land er ikke slået til hos udbyderen", False),
    21610: ("borgeren har frabedt sig SMS fra os (STOP)", True),
    21612: ("nummeret kan ikke modtage SMS fra os", True),
    21614: ("nummeret er ikke et mobilnummer", True),
    30003: ("telefonen er slukket eller uden dækning", False),
    30004: ("modtageren har blokeret beskeden", False),
    30005: ("nummeret findes ikke eller er ikke i brug", True),
    30006: ("nummeret er en fastnettelefon, eller teleselskabet kan ikke levere SMS til det", True),
    30007: ("teleselskabet sorterede beskeden fra", False),
    30008: ("ukendt fejl hos teleselskabet", False),
}


def reason(code: int | None) -> str:
    """Why a message failed, as the coordinator reads it; empty when the provider said not."""
    if code is None:
        return ""
    known = _TWILIO.get(code)
    return known[0] if known else f"udbyderens fejlkode {code}"


def stops_sms(code: int | None) -> bool:
    known = _TWILIO.get(code) if code is not None else None
    return known is not None and known[1]
