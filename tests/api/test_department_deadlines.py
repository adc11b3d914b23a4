"""A department's deadlines, set with `forloeb deadlines`, apply to the tasks assigned after."""

from datetime import datetime

import pytest

from deploy.cli import main
from models.danish_time import add_working_time
from models.department import DepartmentRow
from tests.api.case_steps import act, new_case


@pytest.fixture
def family_deadlines(monkeypatch, database_url, session):
    monkeypatch.setenv("DATABASE_URL", database_url)
    yield
    main(["deadlines", "family", "--acknowledge-days", "3", "--escalation-days", "1"])


async def test_new_tasks_get_the_department_deadline(family_deadlines, session, as_coordinator):
    main(["deadlines", "family", "--acknowledge-days", "5", "--escalation-days", "2"])
    session.expire_all()
    family = session.get(DepartmentRow, "family")
    assert family is not None
    assert (family.acknowledge_days, family.escalation_interval_days) == (5, 2)

    case = await new_case(as_coordinator)
    await act(as_coordinator, case["id"], "assign-task", department="family", purpose="Samtale")
    task = (await as_coordinator.get(f"/api/cases/{case['id']}/tasks")).json()[0]
    assigned = datetime.fromisoformat(task["assigned_at"])
    assert datetime.fromisoformat(task["acknowledge_by"]) == add_working_time(assigned, 5)


def test_a_deadline_must_be_positive(family_deadlines, capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["deadlines", "family", "--acknowledge-days", "0"])
    assert "greater than 0" in str(stopped.value)
