"""Every message to a citizen: Danish, within two SMS segments, and free of sensitive words."""

import pytest

from notifications.messages import TEMPLATES, MessageRenderer
from notifications.sms_length import is_basic, segments
from notifications.sms_text import LIMITS, sms_context

CITIZEN_TEMPLATES = sorted(
    p.stem for p in TEMPLATES.glob("*.txt") if p.stem.startswith(("meeting_", "new_contact"))
)
# The worst case: the longest day in words, every field at the most an SMS shows of it, and
# characters outside GSM-7 that would make a UCS-2 message of it.
LONG = {
    "first_name": "Łukasz-Christiansen-Ångström",
    "when": "torsdag 30. september kl. 10.00",
    "place": "Hovedbiblioteket – Dronningens Tværgade 2B, lokale 3, 2. sal, bag disken",
    "with": "Anne-Marie Christiansen-Holm Bæk-Sørensen",
    "purpose": "Hvordan går praktikken i genbrugsbutikken “Genbrug” ［og］ i byen?",
    "bring": "sygesikringskort, kalender og lønsedler [alle]",
    "duration": "60",
    "contact_name": "Anne-Marie Christiansen-Holm Bæk-Sørensen",
}
# What most messages carry.
TYPICAL = {
    "first_name": "Frederik",
    "when": "tirsdag 8. december kl. 10.00",
    "place": "Jobcenteret, Rådhusvej 2",
    "with": "Mette Jensen",
    "purpose": "Opfølgning på praktikken",
    "bring": "",
    "duration": "60",
    "contact_name": "Lars Holm",
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
def test_each_citizen_sms_fits_two_segments_in_gsm7_at_worst_and_one_as_a_rule(purpose):
    worst = MessageRenderer().render(purpose, sms_context(LONG), "sms").body
    assert is_basic(worst), [c for c in worst if not is_basic(c)]
    assert segments(worst) <= 2, (len(worst), worst)
    typical = MessageRenderer().render(purpose, sms_context(TYPICAL), "sms").body
    assert segments(typical) == 1, (len(typical), typical)


def test_the_worst_case_goes_past_every_limit_and_is_cut_to_it():
    fitted = sms_context(LONG)
    assert all(len(LONG[name]) > limit >= len(fitted[name]) for name, limit in LIMITS.items())
    assert fitted["first_name"] == "Lukasz-Christiansen"  # no "Ł", cut where a part ends


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_each_channel_has_one_set_of_instructions(purpose):
    sms = MessageRenderer().render(purpose, TYPICAL, "sms").body
    call = MessageRenderer().render(purpose, TYPICAL, "call").body
    email = MessageRenderer().render(purpose, TYPICAL, "email").body
    assert "Tryk" not in sms and "Tryk" not in email
    assert "Svar" not in call and "JA" not in call and "Svar" not in email
    if purpose in ("meeting_agreement", "meeting_reminder", "meeting_moved"):
        assert "Svar JA eller FLYT" in sms
        assert "Tryk 1" in call and "Tryk 2" in call


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_no_citizen_message_names_a_department_or_asks_for_a_cpr_number(purpose):
    body = MessageRenderer().render(purpose, LONG, "sms").body.lower()
    for word in ("cpr", "sundhed", "psykiatri", "misbrug", "socialforvaltning", "diagnose"):
        assert word not in body


def test_segment_counting():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("æøå" * 53) == 1  # Danish letters are GSM-7
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extended: two septets each
    assert segments("–" * 70) == 1 and segments("–" * 71) == 2  # an en dash forces UCS-2
