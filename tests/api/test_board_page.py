"""The coordinator's board (/board): what waits on her today in order of urgency, then her
courses one line each, filtered and sorted by a plain GET form, live without moving under her."""

import re
import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest
from playwright.async_api import expect
from sqlmodel import Session

from models.case import Case
from models.case_view import CaseFacts, CaseTodo
from models.continuity import ContinuityPlan, Gap
from models.enums import Breach, Role, Stage
from models.programme import Stall
from models.task import Task
from tests.api.accessibility import describe, serious_violations
from tests.api.browser_steps import sign_in
from tests.api.case_steps import act, eventually, meeting_by_sms
from tests.api.conftest import logged_in
from tests.api.test_accessibility import SCREENS, _tab_to
from tests.factories import make_staff, random_cpr


async def course_for(client: httpx.AsyncClient, name: str, **fields: Any) -> dict[str, Any]:
    citizen = await client.post("/api/citizens", json={"cpr": random_cpr(), "name": name})
    assert citizen.status_code == 201, citizen.text
    case = await client.post("/api/cases", json={"citizen_id": citizen.json()["id"], **fields})
    assert case.status_code == 201, case.text
    return dict(case.json())


def unique(first: str) -> str:
    return f"{first} {uuid.uuid4().hex[:6]}"


async def board(client: httpx.AsyncClient, query: str = "", status: int = 200) -> str:
    answer = await client.get(f"/board{query}")
    assert answer.status_code == status, answer.text
    return answer.text


def needs_today(page: str) -> str:
    return page[page.index('id="i-dag"') : page.index('class="card board-filters"')]


def courses(page: str) -> str:
    return page[page.index('id="forloeb"') :]


def line_of(page: str, case: dict[str, Any]) -> str:
    """A course's one line: its name, stage, next meeting and badges."""
    start = page.index(f'id="sag-{case["id"]}"')
    return page[start : page.index(f'id="detaljer-{case["id"]}"', start)]


def need_lines(page: str) -> list[str]:
    items = re.findall(r'<li class="need[^"]*">(.*?)</li>', needs_today(page), re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", item)).strip() for item in items]


async def tasks_of(client: httpx.AsyncClient, case: dict[str, Any], count: int) -> list[Any]:
    found: list[Any] = []

    async def projected() -> bool:
        nonlocal found
        found = (await client.get(f"/api/cases/{case['id']}/tasks")).json()
        return len(found) >= count

    await eventually(projected)
    return found


def overdue(session: Session, task_id: str) -> None:
    """The task has passed its deadline to acknowledge, as the workflow's timer marks it."""
    session.expire_all()
    task = session.get(Task, uuid.UUID(task_id))
    assert task is not None
    task.breach = Breach.ACKNOWLEDGE
    session.add(task)
    session.commit()


def change_case(session: Session, case: dict[str, Any], **values: Any) -> None:
    session.expire_all()
    row = session.get(Case, uuid.UUID(case["id"]))
    assert row is not None
    for name, value in values.items():
        setattr(row, name, value)
    session.add(row)
    session.commit()


def plan_with_gaps(count: int) -> dict[str, Any]:
    start = date.today()
    gaps = [
        Gap(
            start=start + timedelta(days=30 * i),
            end=start + timedelta(days=30 * i + 20),
            justified=False,
        )
        for i in range(count)
    ]
    plan = ContinuityPlan(
        window_start=start,
        window_end=start + timedelta(days=365),
        bars=[],
        pauses=[],
        gaps=gaps,
        overlaps=[],
        gap_threshold_days=14,
        max_parallel=3,
    )
    return plan.model_dump(mode="json")


def todo_for(session: Session, case: dict[str, Any], text: str, minutes_ago: int = 0) -> None:
    session.add(
        CaseTodo(
            case_id=uuid.UUID(case["id"]),
            id=uuid.uuid4().hex,
            text=text,
            created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago),
        )
    )
    session.commit()


async def test_an_empty_day_says_so_in_a_friendly_line(as_coordinator):
    await course_for(as_coordinator, unique("Rolig"))
    page = await board(as_coordinator)
    assert "Intet venter på dig i dag" in needs_today(page)
    assert "1 åben sag ·" in page


async def test_what_waits_today_comes_most_urgent_first_each_with_its_place_of_action(
    service, session, as_coordinator, coordinator
):
    # Made in the reverse of their urgency, so neither creation nor referral order explains it.
    measured = await course_for(as_coordinator, unique("Måles"))
    other = make_staff(session, Role.COORDINATOR)
    async with logged_in(service, other) as as_other:
        handed = await course_for(as_other, unique("Overdrages"))
        note = {"status": "Afventer teammøde", "citizen_told": "At der kommer en ny kontaktperson"}
        await act(as_other, handed["id"], "request-handover", to_id=str(coordinator.id), note=note)
    late = await course_for(as_coordinator, unique("Forsinket"))
    await act(as_coordinator, late["id"], "assign-task", department="health", purpose="Psykolog")
    [task] = await tasks_of(as_coordinator, late, 1)
    soon = datetime.now(UTC) + timedelta(hours=5)
    meeting = await meeting_by_sms(
        as_coordinator, starts_at=soon.isoformat(), place="Jobcentret", purpose="Opfølgning"
    )
    replied = await course_for(as_coordinator, unique("Svarede"))

    async def settled() -> bool:
        page = await board(as_coordinator)
        return "Overdrages til dig" in page and "ikke bekræftet" in page

    await eventually(settled)
    overdue(session, task["id"])
    change_case(session, measured, progression_due_at=datetime.now(UTC) - timedelta(days=1))
    todo_for(session, replied, "Ring til borgeren om transporten")

    page = await board(as_coordinator)
    lines = need_lines(page)
    order = [replied, meeting, late, handed, measured]
    names = [c["citizen"]["name"] for c in order]
    assert [next((n for n in names if line.startswith(n)), line) for line in lines] == names
    assert "Ring til borgeren om transporten" in lines[0]
    assert "ikke bekræftet af borgeren" in lines[1]
    assert "Ikke kvitteret til tiden" in lines[2]
    assert "vil overdrage forløbet til dig" in lines[3]
    assert "Progressionsmåling" in lines[4]
    today = needs_today(page)
    assert f'href="/cases/{replied["id"]}#til-dig"' in today
    assert f'href="/cases/{late["id"]}#task-{task["id"]}"' in today
    assert f'href="/cases/{handed["id"]}#naeste-skridt"' in today
    assert f'href="/cases/{measured["id"]}#progression"' in today
    # Sorted by urgency by default, the courses list follows the same order.
    listed = courses(page)
    positions = [listed.index(f'id="sag-{c["id"]}"') for c in order]
    assert positions == sorted(positions)


async def test_filters_narrow_the_courses_and_sorting_orders_them(
    session, as_coordinator, as_department_worker
):
    ada = await course_for(as_coordinator, unique("Ada"))
    bo = await course_for(as_coordinator, unique("Bo"))
    cy = await course_for(as_coordinator, unique("Cy"))
    await act(as_coordinator, bo["id"], "start-description")
    await act(as_coordinator, cy["id"], "assign-task", department="social", purpose="Bostøtte")
    [task] = await tasks_of(as_coordinator, cy, 1)

    async def described() -> bool:
        return "Samlet beskrivelse" in line_of(await board(as_coordinator), bo)

    await eventually(described)
    overdue(session, task["id"])

    def shown(page: str) -> set[str]:
        return {c["id"] for c in (ada, bo, cy) if f'id="sag-{c["id"]}"' in courses(page)}

    assert shown(await board(as_coordinator)) == {ada["id"], bo["id"], cy["id"]}
    assert shown(await board(as_coordinator, "?fase=description")) == {bo["id"]}
    assert shown(await board(as_coordinator, "?afdeling=social")) == {cy["id"]}
    assert shown(await board(as_coordinator, "?afdeling=health")) == set()
    assert shown(await board(as_coordinator, "?markering=overskredet")) == {cy["id"]}
    # Bo's first progression measurement falls due as the description starts.
    assert shown(await board(as_coordinator, "?markering=handling")) == {bo["id"], cy["id"]}
    name = ada["citizen"]["name"]
    assert shown(await board(as_coordinator, f"?soeg={name.upper()}")) == {ada["id"]}
    narrowed = await board(as_coordinator, "?afdeling=health")
    assert "Ingen forløb passer til det valgte." in narrowed and "0 af 3" in narrowed
    # The form keeps what was chosen.
    assert '<option value="social" selected>' in await board(as_coordinator, "?afdeling=social")

    by_name = courses(await board(as_coordinator, "?sorter=navn"))
    assert by_name.index(ada["id"]) < by_name.index(bo["id"]) < by_name.index(cy["id"])
    by_urgency = courses(await board(as_coordinator))
    assert by_urgency.index(cy["id"]) < by_urgency.index(bo["id"]) < by_urgency.index(ada["id"])
    # The needs list is what waits on her, whatever the courses list is narrowed to.
    assert "Bostøtte" in needs_today(await board(as_coordinator, "?afdeling=health"))


@pytest.mark.parametrize(
    "query",
    [
        "?fase=ukendt",
        "?fase=closed",
        "?afdeling=%00",
        "?markering=alt",
        "?sorter=tilfældigt&fase=",
        "?soeg=" + "x" * 5000,
        "?fase=active&fase=nej",
    ],
)
async def test_a_filter_that_cannot_be_read_is_refused_in_danish_never_a_server_error(
    as_coordinator, query
):
    await course_for(as_coordinator, unique("Filter"))
    answer = await as_coordinator.get(f"/board{query}")
    assert answer.status_code in (200, 422), answer.text
    if answer.status_code == 422:
        assert re.search(r'role="alert">[^<]*(findes ikke|vises ikke)', answer.text)
        # The board is still there, unfiltered by what could not be read.
        assert 'id="forloeb"' in answer.text and 'id="i-dag"' in answer.text


async def test_an_ended_course_is_out_of_the_way_and_shows_no_gaps_in_its_plan(
    session, as_coordinator
):
    running = await course_for(as_coordinator, unique("Igang"))
    ended = await course_for(as_coordinator, unique("Slut"))

    async def projected() -> bool:
        page = await board(as_coordinator)
        return running["id"] in page and ended["id"] in page

    await eventually(projected)
    change_case(session, running, plan=plan_with_gaps(2))
    change_case(session, ended, plan=plan_with_gaps(1), stage=Stage.ENDED)

    page = await board(as_coordinator)
    assert "2 huller i planen" in line_of(page, running)
    assert "i planen" not in line_of(page, ended)
    assert "hul" not in line_of(page, ended).lower()
    # The ended course waits in a closed section at the end; asked for, it is open.
    listed = courses(page)
    folded = listed.index('id="afsluttede"')
    assert (
        listed.index(f'id="sag-{running["id"]}"') < folded < listed.index(f'id="sag-{ended["id"]}"')
    )
    assert '<details class="ended" id="afsluttede">' in page
    assert '<details class="ended" id="afsluttede" open>' in await board(
        as_coordinator, "?fase=ended"
    )
    change_case(session, running, plan=plan_with_gaps(1))
    assert "1 hul i planen" in line_of(await board(as_coordinator), running)


async def test_only_task_columns_that_hold_a_task_are_drawn_and_counts_agree_in_number(
    session, as_coordinator
):
    case = await course_for(as_coordinator, unique("Kolonne"))
    await act(
        as_coordinator,
        case["id"],
        "assign-task",
        department="health",
        purpose="Et langt" + " ord" * 60,
    )
    [first] = await tasks_of(as_coordinator, case, 1)
    overdue(session, first["id"])
    page = await board(as_coordinator)
    details = page[page.index(f'id="detaljer-{case["id"]}"') :]
    assert 'aria-label="Tildelt"' in details
    for empty in ("Afvist", "Kvitteret", "I gang", "Færdig"):
        assert f'aria-label="{empty}"' not in details
    assert "1 overskredet opgave" in line_of(page, case)

    await act(as_coordinator, case["id"], "assign-task", department="family", purpose="Familie")
    [_, second] = await tasks_of(as_coordinator, case, 2)
    overdue(session, second["id"])
    assert "2 overskredne opgaver" in line_of(await board(as_coordinator), case)


async def test_a_stall_and_the_gap_behind_it_make_one_badge_not_two(session, as_coordinator):
    case = await course_for(as_coordinator, unique("Stå"))

    async def projected() -> bool:
        return case["id"] in await board(as_coordinator)

    await eventually(projected)
    since = datetime.now(UTC) - timedelta(days=40)
    stalls = [
        Stall(kind="gap", reason="Hul i planen fra 01.01.2026 uden begrundet pause", since=since),
        Stall(kind="stage", reason="Visiteret i mere end 30 dage", since=since),
    ]
    session.expire_all()
    row = session.get(Case, uuid.UUID(case["id"]))
    assert row is not None
    facts = CaseFacts.model_validate(row.facts).model_copy(update={"stalls": stalls})
    change_case(session, case, facts=facts.model_dump(mode="json"), plan=plan_with_gaps(1))

    page = await board(as_coordinator)
    line = line_of(page, case)
    assert "1 hul i planen" in line and "I stå: Visiteret i mere end 30 dage" in line
    assert line.count("Hul i planen") == 0
    # What waits today still names both.
    assert sum("I stå:" in n for n in need_lines(page)) == 2


@pytest.mark.parametrize("screen", SCREENS.values(), ids=SCREENS.keys())
async def test_the_board_works_on_a_phone_and_a_desktop_by_keyboard_and_stays_live(
    service, browser, session, as_coordinator, as_department_worker, coordinator, screen
):
    long_name = unique("Bent-Christoffer Vestergaard-Mikkelsen")
    case = await course_for(as_coordinator, long_name)
    purpose = "Bostøtteforløbmedsærligtlangtordsomskalbrydes" * 3
    await act(as_coordinator, case["id"], "assign-task", department="social", purpose=purpose)
    [task] = await tasks_of(as_coordinator, case, 1)
    other = await course_for(as_coordinator, unique("Anden"))
    todo_for(session, other, "Ring til borgeren")

    context = await browser.new_context(
        base_url=service.base_url, locale="da-DK", viewport=screen, bypass_csp=True
    )
    try:
        page = await context.new_page()
        await sign_in(page, coordinator.username)
        await expect(page).to_have_url(f"{service.base_url}/board")
        await expect(
            page.get_by_role("heading", name=re.compile("Kræver handling i dag"))
        ).to_be_visible()
        violations = await serious_violations(page)
        assert not violations, describe(violations)

        # By keyboard: to the course's toggle, and open it.
        toggle = page.locator(f"#detaljer-{case['id']} > summary")
        await _tab_to(page, toggle, most=200)
        outline = await toggle.evaluate("e => getComputedStyle(e).outlineStyle")
        assert outline != "none"
        await page.keyboard.press("Enter")
        details = page.locator(f"#detaljer-{case['id']}")
        await expect(details).to_have_attribute("open", "")
        card = details.locator("article.task", has_text=purpose[:20])
        await expect(card).to_be_visible()
        violations = await serious_violations(page)
        assert not violations, describe(violations)
        # Nothing runs out of the page sideways, the long title included.
        wide = await page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert wide <= 0
        box, column = await card.bounding_box(), await details.locator(".column").bounding_box()
        assert box and column and box["x"] + box["width"] <= column["x"] + column["width"] + 1

        # A filter half typed, not yet sent, is left alone while the board keeps current.
        await page.get_by_label("Borger").fill(long_name[:12])
        # The department acknowledges; the board follows within seconds, the course still open.
        answer = await as_department_worker.post(f"/api/tasks/{task['id']}/acknowledge", json={})
        assert answer.status_code == 200, answer.text
        column = details.get_by_role("listitem", name="Kvitteret")
        await expect(column.locator("article.task")).to_be_visible(timeout=15_000)
        await expect(details).to_have_attribute("open", "")
        await expect(details.get_by_role("listitem", name="Tildelt")).to_have_count(0)

        await expect(page.get_by_label("Borger")).to_have_value(long_name[:12])
        # The filter, sent as a plain form, narrows the list.
        await page.get_by_role("button", name="Vis").click()
        await expect(page).to_have_url(re.compile(r"soeg="))
        await expect(page.locator(f"#sag-{case['id']}")).to_be_visible()
        await expect(page.locator(f"#sag-{other['id']}")).to_have_count(0)
        await expect(page.get_by_label("Borger")).to_have_value(long_name[:12])
        violations = await serious_violations(page)
        assert not violations, describe(violations)
    finally:
        await context.close()


async def test_a_full_caseload_of_37_courses_fits_in_a_few_screens(service, browser, session):
    # The caseload the issue measured: 37 cards, 9,400 pixels tall, before a course was a line.
    coordinator = make_staff(session, Role.COORDINATOR)
    async with logged_in(service, coordinator) as client:
        for n in range(37):
            await course_for(client, unique(f"Borger {n}"))
    desktop = SCREENS["desktop"]
    context = await browser.new_context(base_url=service.base_url, locale="da-DK", viewport=desktop)
    try:
        page = await context.new_page()
        await sign_in(page, coordinator.username)
        await expect(page.locator("#forloeb .course")).to_have_count(37)
        height = await page.evaluate("() => document.documentElement.scrollHeight")
        assert height <= 5 * desktop["height"], f"{height} px"
    finally:
        await context.close()
