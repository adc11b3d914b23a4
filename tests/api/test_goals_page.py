"""Goals and sub-goals on the case page: written from its forms, shown with their status, tasks
tied to them, and the goals' dates marked in the plan picture."""

from datetime import timedelta

import httpx

from tests.api.case_steps import act, new_case
from tests.factories import PASSWORD, copenhagen_today


async def test_the_coordinator_writes_goals_and_ties_a_task_to_a_sub_goal(service, coordinator):
    async with httpx.AsyncClient(base_url=service.base_url, timeout=30) as browser:
        await browser.post("/login", data={"username": coordinator.username, "password": PASSWORD})
        case = await new_case(browser)
        await act(browser, case["id"], "start-description")
        page = await browser.get(f"/cases/{case['id']}")
        assert "Forløbets mål er ikke skrevet endnu" in page.text

        later = (copenhagen_today() + timedelta(days=600)).isoformat()
        today = copenhagen_today().isoformat()  # within the plan's window, so it is drawn
        for fields in (
            {"text": "Et job i en butik", "target_on": later},
            {"text": "Kunne møde tre timer", "target_on": today, "sub_goal": "1"},
        ):
            answer = await browser.post(f"/cases/{case['id']}/record-goal", data=fields)
            assert answer.status_code == 303, answer.text
        goals = (await browser.get(f"/api/cases/{case['id']}")).json()
        page = await browser.get(f"/cases/{case['id']}")
        assert "Forløbets mål:</strong> Et job i en butik" in page.text
        marker = 'name="goal_id" value="'
        sub_goal_id = page.text.split(marker, 1)[1].split('"', 1)[0]

        assigned = await browser.post(
            f"/cases/{case['id']}/assign-task",
            data={"department": "jobcenter", "purpose": "Praktik", "subgoal_id": sub_goal_id},
        )
        assert assigned.status_code == 303
        changed = await browser.post(
            f"/cases/{case['id']}/change-goal",
            data={"goal_id": sub_goal_id, "status": "under_way"},
        )
        assert changed.status_code == 303
        page = await browser.get(f"/cases/{case['id']}")
        bad = await browser.post(
            f"/cases/{case['id']}/record-goal", data={"text": "x", "sub_goal": "1"}
        )
    assert "Kunne møde tre timer" in page.text and "1 opgave eller aktivitet" in page.text
    assert 'class="pill goal-under_way">I gang' in page.text
    assert 'class="goal goal-' in page.text  # the goals' dates in the plan picture
    assert bad.status_code == 422 and "mindst 3 tegn" in bad.text
    assert goals["timeline"][0]["summary"].startswith("Delmål: Kunne møde tre timer")
