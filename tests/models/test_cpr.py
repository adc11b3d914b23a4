from datetime import date

import pytest

from models.cpr import InvalidCpr, birth_date, mask_cpr, normalise_cpr


@pytest.mark.parametrize(
    ("raw", "born"),
    [
        ("010190-1234", date(1990, 1, 1)),
        ("0101901234", date(1990, 1, 1)),
        ("290200 4123", date(2000, 2, 29)),  # 7th digit 4, year 00: 2000s
        ("010160-4123", date(1960, 1, 1)),  # 7th digit 4, year over 36: 1900s
        ("010158-5123", date(1858, 1, 1)),  # 7th digit 5-8, year over 57: 1800s
        ("010110-9123", date(2010, 1, 1)),
    ],
)
def test_valid_cpr_numbers_give_the_birth_date(raw, born):
    digits = normalise_cpr(raw)
    assert len(digits) == 10 and digits.isdigit()
    assert birth_date(digits) == born


@pytest.mark.parametrize(
    "raw", ["", "123", "01019012345", "3201901234", "290201-1234", "abcdefghij"]
)
def test_invalid_cpr_numbers_are_refused_in_danish(raw):
    with pytest.raises(InvalidCpr) as caught:
        normalise_cpr(raw)
    assert "CPR-nummeret" in str(caught.value)


def test_masking_shows_only_the_date_of_birth():
    assert mask_cpr("0101901234") == "010190-XXXX"
