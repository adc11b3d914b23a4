"""Every message to a citizen: Danish, within two SMS segments, and free of sensitive words."""

import pytest

from activities.citizen_links import ALWAYS_LINKED
from notifications.messages import TEMPLATES, MessageRenderer
from notifications.sms_length import is_basic, segments
from notifications.sms_text import LIMITS, sms_context

CITIZEN_TEMPLATES = sorted(
    p.stem
    for p in TEMPLATES.glob("*.txt")
    if p.stem.startswith(("meeting_", "new_contact", "progression_", "sign_in_"))
)
# A personal link as long as production's: a municipality's address and a 12-character token.
LINK = "https://forloeb.koebenhavn.dk/b/AbCdEfGhIjKl"
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
    "count": "12",
    "code": "123456",
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
    "count": "3",
    "code": "123456",
}


def as_sent(purpose: str, context: dict[str, str], channel: str) -> str:
    """The message as the citizen gets it: with the personal link where it goes along
    (activities/citizen_links.py: always for a message about the page, in an SMS otherwise
    only where it adds no segment)."""
    renderer = MessageRenderer()
    fields = sms_context(context) if channel == "sms" else context
    without = renderer.render(purpose, {**fields, "page_link": ""}, channel).body
    with_link = renderer.render(purpose, {**fields, "page_link": LINK}, channel).body
    if purpose in ALWAYS_LINKED or channel == "email":
        return with_link
    if channel == "sms" and segments(with_link) == segments(without):
        return with_link
    return without


def test_the_citizen_templates_are_the_ones_expected():
    assert CITIZEN_TEMPLATES == [
        "meeting_agreement",
        "meeting_cancelled",
        "meeting_moved",
        "meeting_reminder",
        "new_contact_person",
        "progression_question",
        "sign_in_code",
    ]


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_each_citizen_sms_fits_two_segments_in_gsm7_at_worst_and_one_as_a_rule(purpose):
    worst = as_sent(purpose, LONG, "sms")
    assert is_basic(worst), [c for c in worst if not is_basic(c)]
    assert segments(worst) <= 2, (len(worst), worst)
    typical = as_sent(purpose, TYPICAL, "sms")
    assert segments(typical) == 1, (len(typical), typical)


def test_the_worst_case_goes_past_every_limit_and_is_cut_to_it():
    fitted = sms_context(LONG)
    assert all(len(LONG[name]) > limit >= len(fitted[name]) for name, limit in LIMITS.items())
    assert fitted["first_name"] == "Lukasz-Christiansen"  # no "Ł", cut where a part ends


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_each_channel_has_one_set_of_instructions(purpose):
    sms = as_sent(purpose, TYPICAL, "sms")
    call = as_sent(purpose, TYPICAL, "call")
    email = as_sent(purpose, TYPICAL, "email")
    assert "Tryk" not in sms and "Tryk" not in email
    assert "Svar" not in call and "JA" not in call and "Svar" not in email
    if purpose in ("meeting_agreement", "meeting_reminder", "meeting_moved"):
        assert "Svar JA eller FLYT" in sms
        assert "Tryk 1" in call and "Tryk 2" in call


@pytest.mark.parametrize("purpose", CITIZEN_TEMPLATES)
def test_no_citizen_message_names_a_department_or_asks_for_a_cpr_number(purpose):
    body = as_sent(purpose, LONG, "sms").lower()
    for word in ("cpr", "sundhed", "psykiatri", "misbrug", "socialforvaltning", "diagnose"):
        assert word not in body


def test_segment_counting():
    assert segments("a" * 160) == 1 and segments("a" * 161) == 2 and segments("a" * 306) == 2
    assert segments("æøå" * 53) == 1  # Danish letters are GSM-7
    assert segments("€" * 80) == 1 and segments("€" * 81) == 2  # extended: two septets each
    assert segments("–" * 70) == 1 and segments("–" * 71) == 2  # an en dash forces UCS-2


@pytest.mark.parametrize("purpose", ["meeting_agreement", "meeting_reminder", "new_contact_person"])
def test_an_e_mail_always_carries_the_link_and_a_call_never(purpose):
    assert LINK in as_sent(purpose, LONG, "email")
    assert "/b/" not in as_sent(purpose, TYPICAL, "call")


def test_a_short_sms_carries_the_link_and_one_it_would_lengthen_goes_without():
    short = {**TYPICAL, "place": "Café", "purpose": "Kaffe", "with": "Lars"}
    assert as_sent("meeting_cancelled", short, "sms").endswith(f"Din side: {LINK}")
    assert "/b/" not in as_sent("meeting_agreement", TYPICAL, "sms")
    assert as_sent("progression_question", LONG, "sms").endswith(LINK)
