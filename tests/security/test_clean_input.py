"""Clean input: no invisible control characters in names and free text, every dashboard
filter out of range answered with a Danish 422, a time without a zone refused in Danish."""

import pytest

from models.enums import Role
from models.meeting import CitizenReply
from tests.api.case_steps import act, new_case
from tests.api.conftest import logged_in
from tests.factories import make_staff, random_cpr

REVERSED = "Anna \u202eNielsen"


async def test_a_name_with_a_direction_override_is_refused(as_coordinator):
    answer = await as_coordinator.post(
        "/api/citizens", json={"cpr": random_cpr(), "name": REVERSED}
    )
    assert answer.status_code == 422
    assert "usynlige styretegn" in answer.json()["detail"]


async def test_free_text_is_refused_with_hidden_characters_and_keeps_its_line_breaks(
    as_coordinator,
):
    case = await new_case(as_coordinator)
    refused = await act(
        as_coordinator,
        case["id"],
        "assign-task",
        422,
        department="social",
        purpose="Bo\u200bstøtte",
    )
    assert "usynlige styretegn" in refused["detail"]
    await act(
        as_coordinator,
        case["id"],
        "close",
        reason="Borgeren er flyttet.\nSagen lukkes her.",
    )


def test_what_a_citizen_writes_is_taken_less_its_hidden_characters():
    assert CitizenReply(text="JA\u202e tak\u200b").text == "JA tak"


@pytest.mark.parametrize(
    "address",
    [
        "/leder?kvartal=0000-K1",
        "/leder?kvartal=9999-K4",
        "/leder/staaet.csv?kvartal=0000-K1",
        "/leder/venter.csv?kvartal=9999-K4",
        "/leder/sager?vis=brud&uge=0001-01-01",
        "/leder/sager?vis=brud&uge=9999-12-27",
        "/leder/sager?vis=brud&uge=ikke-en-dato",
    ],
)
async def test_a_dashboard_filter_out_of_range_is_a_danish_422(service, session, address):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as manager:
        answer = await manager.get(address)
    assert answer.status_code == 422, answer.text[:300]
    assert "årene 2000-2099" in answer.text or "ÅÅÅÅ-MM-DD" in answer.text


async def test_a_time_without_a_zone_is_refused_in_danish(as_coordinator):
    case = await new_case(as_coordinator)
    answer = await act(
        as_coordinator,
        case["id"],
        "book-meeting",
        422,
        starts_at="2031-06-02T10:00:00",
        place="Biblioteket",
        purpose="Opfølgning",
    )
    assert answer["errors"][0]["message"].startswith("Tidspunktet skal have en tidszone")
