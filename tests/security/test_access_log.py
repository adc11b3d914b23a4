"""Every look at a citizen's data is on record, in a chain that shows any change to it."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from fastapi.routing import APIRoute
from sqlalchemy import func, text
from sqlmodel import select

from api.app import create_app
from deploy.cli import main as forloeb
from models.access_log import AccessLogRow, first_broken, prune
from models.enums import Department, Role
from tests.api.case_steps import act, new_case
from tests.api.conftest import logged_in, settings_for
from tests.factories import make_staff, random_cpr


def _rows(session, citizen_id: uuid.UUID) -> list[AccessLogRow]:
    session.expire_all()
    return list(
        session.exec(
            select(AccessLogRow)
            .where(AccessLogRow.citizen_id == citizen_id)
            .order_by(AccessLogRow.id)  # type: ignore[arg-type]
        ).all()
    )


async def test_a_journey_through_a_case_is_on_record_with_who_what_and_why(
    service, session, coordinator, as_coordinator
):
    case = await new_case(as_coordinator)
    citizen_id = uuid.UUID(case["citizen"]["id"])
    await as_coordinator.get(f"/cases/{case['id']}")
    await act(as_coordinator, case["id"], "assign-task", department="social", purpose="Bostøtte")
    worker = make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL)
    async with logged_in(service, worker) as social:
        await social.get("/inbox")
    async with logged_in(service, make_staff(session, Role.MANAGER)) as manager:
        await manager.get(f"/api/cases/{case['id']}")

    seen = [(row.staff_id, row.what, row.why) for row in _rows(session, citizen_id)]
    assert (coordinator.id, "Sagsside", "") in seen
    assert (coordinator.id, "Handling: Tildel en opgave til en afdeling", "") in seen
    assert (worker.id, "Indbakke", "Afdelingens opgave") in seen
    assert any(what == "API: sag" and why == "Ledelsesoverblik" for _, what, why in seen)


async def test_a_changed_or_removed_row_is_found_and_audit_verify_says_so(
    service, session, as_coordinator, database_url, monkeypatch
):
    case = await new_case(as_coordinator)
    await as_coordinator.get(f"/cases/{case['id']}")
    monkeypatch.setenv("DATABASE_URL", database_url)
    assert first_broken(session) is None
    assert _verify() == 0

    row = session.exec(select(AccessLogRow).order_by(AccessLogRow.id.desc())).first()  # type: ignore[union-attr]
    assert row is not None
    restore = {"what": row.what, "id": row.id}
    session.execute(text("UPDATE access_log SET what = 'ingenting' WHERE id = :id"), {"id": row.id})
    session.commit()
    assert first_broken(session) == row.id
    assert _verify() == 1

    session.execute(text("UPDATE access_log SET what = :what WHERE id = :id"), restore)
    session.commit()
    assert first_broken(session) is None


def _verify() -> int:
    try:
        forloeb(["audit", "verify"])
    except SystemExit as done:
        return int(done.code or 0)
    return 0


def _get_routes(routes: list[Any]) -> list[APIRoute]:
    found = []
    for route in routes:
        if hasattr(route, "original_router"):
            found += _get_routes(route.original_router.routes)
        elif isinstance(route, APIRoute) and "GET" in (route.methods or set()):
            found.append(route)
    return found


async def test_every_page_and_endpoint_that_shows_a_citizen_records_it(
    service, session, as_coordinator, tmp_path
):
    """A new route that shows citizens' data and forgets the log fails here."""
    name = f"Vigga {uuid.uuid4().hex[:8]}"  # found on a page only where this citizen is shown
    citizen = {"cpr": random_cpr(), "name": name}
    registered = (await as_coordinator.post("/api/citizens", json=citizen)).json()
    case = (await as_coordinator.post("/api/cases", json={"citizen_id": registered["id"]})).json()
    await act(as_coordinator, case["id"], "assign-task", department="social", purpose="Bostøtte")
    citizen_id = uuid.UUID(case["citizen"]["id"])
    task_id = (await as_coordinator.get(f"/api/cases/{case['id']}/tasks")).json()[0]["id"]
    values = {
        "case_id": case["id"],
        "task_id": task_id,
        "citizen_id": str(citizen_id),
        "key": "staaet",
        "message_id": str(uuid.uuid4()),
        "token": "AAAAAAAAAAAA",  # a personal link that is no one's
    }
    routes = _get_routes(create_app(settings_for(tmp_path)).routes)
    readers = {
        Role.ADMIN: make_staff(session, Role.ADMIN),
        Role.DEPARTMENT_WORKER: make_staff(session, Role.DEPARTMENT_WORKER, Department.SOCIAL),
    }
    shown, unlogged = [], []
    for role, reader in readers.items():
        async with logged_in(service, reader) as client:
            for route in routes:
                path = route.path.format(**{k: v for k, v in values.items()})
                before = len(_rows(session, citizen_id))
                answer = await client.get(path)
                if answer.status_code == 200 and name in answer.text:
                    shown.append(f"{role.value} {route.path}")
                    if len(_rows(session, citizen_id)) == before:
                        unlogged.append(f"{role.value} {route.path}")
    assert not unlogged, unlogged
    assert len(shown) >= 6, shown
    assert session.exec(select(func.count()).select_from(AccessLogRow)).one() > 0


async def test_the_data_protection_officer_sees_every_read_of_a_citizen_and_no_one_else_does(
    service, session, coordinator, as_coordinator
):
    cpr = random_cpr()
    citizen = {"cpr": cpr, "name": f"Inger {uuid.uuid4().hex[:6]}"}
    registered = (await as_coordinator.post("/api/citizens", json=citizen)).json()
    case = (await as_coordinator.post("/api/cases", json={"citizen_id": registered["id"]})).json()
    await as_coordinator.get(f"/cases/{case['id']}")
    async with logged_in(service, make_staff(session, Role.MANAGER)) as manager:
        await manager.get(f"/api/cases/{case['id']}")
        assert (await manager.get("/databeskyttelse")).status_code == 403

    officer = make_staff(session, Role.DATA_PROTECTION)
    async with logged_in(service, officer) as client:
        found = await client.post("/databeskyttelse", data={"cpr": cpr})
        assert found.status_code == 303
        insight = await client.get(found.headers["location"])
        assert insight.status_code == 200
        assert "Sagsside" in insight.text and "Ledelsesoverblik" in insight.text
        assert coordinator.full_name in insight.text
        assert cpr not in insight.text and f"{cpr[:6]}-{cpr[6:]}" not in insight.text
        csv = await client.get(found.headers["location"], params={"format": "csv"})
        assert csv.headers["content-type"].startswith("text/csv")
        assert "API: sag;Ledelsesoverblik" in csv.text
        assert (await client.get(f"/cases/{case['id']}")).status_code == 404  # sees no case
    # Looking at the log is itself a look at the citizen's data.
    rows = _rows(session, uuid.UUID(registered["id"]))
    assert any(r.staff_id == officer.id and r.what == "Indsigt i adgangsloggen" for r in rows)


async def test_rows_past_retention_leave_only_from_the_start_and_the_chain_still_holds(
    service, session, as_coordinator, database_url, monkeypatch
):
    case = await new_case(as_coordinator)
    await as_coordinator.get(f"/cases/{case['id']}")
    monkeypatch.setenv("DATABASE_URL", database_url)
    monkeypatch.setenv("FORLOEB_ACCESS_LOG_RETENTION_DAYS", "180")
    assert prune(session, datetime.now(UTC) + timedelta(seconds=1)) > 0
    session.commit()
    assert first_broken(session) is None and _verify() == 0
    with pytest.raises(SystemExit) as done:
        forloeb(["audit", "prune"])  # nothing left that is 180 days old
    assert done.value.code == 0

    await as_coordinator.get(f"/cases/{case['id']}")
    await as_coordinator.get(f"/cases/{case['id']}")
    assert first_broken(session) is None
    oldest = session.exec(select(func.min(AccessLogRow.id))).one()
    session.execute(text("DELETE FROM access_log WHERE id = :id"), {"id": oldest})
    session.commit()
    assert first_broken(session) is not None and _verify() == 1
    # Leave a whole chain behind for the tests that follow.
    prune(session, datetime.now(UTC) + timedelta(seconds=1))
    session.commit()
    assert first_broken(session) is None
