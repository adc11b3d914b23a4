"""The progression charts: each indicator over time, readable on a phone and by a screen
reader; and the caseworker's measurement from the case page's form."""

import re
from datetime import UTC, datetime, timedelta

from api.progression_chart import WIDTH, chart, points
from models.progression import DEFAULT_INDICATORS, MeasuredBy, Measurement, ProgressionRules
from tests.api.case_steps import act, new_case

RULES = ProgressionRules()
JOB = DEFAULT_INDICATORS[0]
START = datetime(2026, 3, 2, 10, tzinfo=UTC)


def _measured(*scores: int) -> list[Measurement]:
    return [
        Measurement(at=START + timedelta(days=91 * i), by=MeasuredBy.CITIZEN, scores={JOB.key: s})
        for i, s in enumerate(scores)
    ]


def test_a_chart_draws_each_score_in_order_on_the_scale():
    found = points(JOB, _measured(3, 5, 7)[::-1])  # stored in any order, drawn in time order
    assert [p.score for p in found] == [3, 5, 7]
    svg = str(chart(JOB, found, RULES))
    dots = [(float(x), float(y)) for x, y in re.findall(r'cx="([\d.]+)" cy="([\d.]+)"', svg)]
    assert len(dots) == 3
    assert dots[0][0] < dots[1][0] < dots[2][0]  # later to the right
    assert dots[0][1] > dots[1][1] > dots[2][1]  # higher scores higher up
    assert all(0 <= x <= WIDTH for x, _ in dots)
    assert 'role="img"' in svg and "fra 3 til 7 over 3 målinger" in svg
    assert "<polyline" in svg


def test_dates_stay_inside_the_picture_and_never_crowd():
    svg = str(chart(JOB, points(JOB, _measured(1, 2, 3, 4, 5, 6)), RULES))
    labels = re.findall(r'text-anchor="(\w+)">(\d\d\.\d\d\.\d\d)<', svg)
    assert [anchor for anchor, _ in labels] == ["start", "middle", "end"]
    assert labels[0][1] == "02.03.26"


def test_one_or_no_measurement_is_said_plainly():
    one = str(chart(JOB, points(JOB, _measured(4)), RULES))
    assert "4 ved første måling" in one and "<polyline" not in one
    none = str(chart(JOB, [], RULES))
    assert "Ingen målinger endnu" in none


def test_a_title_cannot_inject_markup():
    evil = JOB.model_copy(update={"title": '<script>alert("x")</script>'})
    assert "<script>" not in str(chart(evil, [], RULES))


async def test_the_coordinator_measures_from_the_case_page_and_sees_the_chart(
    service, as_coordinator
):
    case = await new_case(as_coordinator)
    await act(as_coordinator, case["id"], "start-description")
    page = await as_coordinator.get(f"/cases/{case['id']}")
    assert "Progressionsmåling er aktuel" in page.text
    posted = await as_coordinator.post(
        f"/cases/{case['id']}/record-progression",
        data={"score_caseworker_belief": "6", "score_job_belief": "", "measured_on": ""},
    )
    assert posted.status_code == 303, posted.text
    page = await as_coordinator.get(f"/cases/{case['id']}")
    assert "6 ved første måling" in page.text
    assert "3 spørgsmål mangler svar" in page.text  # the citizen's own three
    refused = await as_coordinator.post(
        f"/cases/{case['id']}/record-progression", data={"score_caseworker_belief": "11"}
    )
    assert refused.status_code == 422 and "Svarene går fra 1 til 10" in refused.text
