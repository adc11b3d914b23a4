"""Every message to a citizen: Danish, within two SMS segments, and free of sensitive words."""

import pytest

from notifications.messages import TEMPLATES, MessageRenderer
from notifications.sms_length import is_gsm7, segments

CITIZEN_TEMPLATES = sorted(
    p.stem for p in TEMPLATES.glob("*.txt") if p.stem.startswith(("meeting_", "new_contact"))
)
# The longest values a booking allows (models/meeting.py), and long names, as the worst case.
LONG = {
    "first_name": "Maria-Christina Lund",
    "when": "onsdag 30. september kl. 10.00",
    "place": "Hovedbiblioteket, Dronningens Tværgade 2B, lokale 3, 2. sal.",
    "with": "Anne-Marie Christiansen-Holm",
    "purpose": "Hvordan går praktikken i genbrugsbutikken i byen??",
    "bring": "sygesikringskort, kalender og lønsedler.",
    "duration": "60",
    "contact_name": "Anne-Marie Christiansen",
}


def test_the_citizen_templates_are_the_ones_expected():
    assert CITIZEN_TEMPLATES == [
        "meeting_agreement",
        "meeting_cancelled",
        "meeting_moved",
        "meeting_reminder",
        "new_contact_person",
    ]


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_each_citizen_message_fits_two_sms_segments_in_gsm7(purpose):
    message = MessageRenderer().render(purpose, LONG)
    assert is_gsm7(message.body), [c for c in message.body if not is_gsm7(c)]
    assert segments(message.body) <= 2, (len(message.body), message.body)


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_no_citizen_message_names_a_department_or_asks_for_a_cpr_number(purpose):
    body = MessageRenderer().render(purpose, LONG).body.lower()
    for word in ("cpr", "sundhed", "psykiatri", "misbrug", "socialforvaltning", "diagnose"):
        assert word not in body


def test_the_worst_case_uses_the_limits():
    assert (len(LONG["place"]), len(LONG["purpose"]), len(LONG["bring"])) == (60, 50, 40)


def test_segment_counting():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("æøå" * 53) == 1  # Danish letters are GSM-7
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extended: two septets each
    assert segments("–" * 70) == 1 and segments("–" * 71) == 2  # an en dash forces UCS-2
