"""Who may take an action: one predicate, one wording, asked by the API and the workflow."""

import pytest

from models.actions import (
    ACTIONS,
    NO_ACTOR,
    NOT_COORDINATOR,
    NOT_RECEIVER,
    Who,
    case_actions,
    not_department,
    refusal,
    task_actions,
)
from models.command import Actor
from models.enums import Department, Role

COORDINATOR = Actor(id="k1", role=Role.COORDINATOR, department=Department.JOBCENTER)
OTHER_COORDINATOR = Actor(id="k2", role=Role.COORDINATOR, department=Department.JOBCENTER)
SOCIAL_WORKER = Actor(id="s1", role=Role.DEPARTMENT_WORKER, department=Department.SOCIAL)
HEALTH_LEAD = Actor(id="h1", role=Role.DEPARTMENT_LEAD, department=Department.HEALTH)
MANAGER = Actor(id="m1", role=Role.MANAGER)
ADMIN = Actor(id="a1", role=Role.ADMIN)


@pytest.mark.parametrize(
    ("who", "actor", "expected"),
    [
        (Who.COORDINATOR, COORDINATOR, None),
        (Who.COORDINATOR, OTHER_COORDINATOR, NOT_COORDINATOR),
        (Who.COORDINATOR, MANAGER, NOT_COORDINATOR),
        (Who.COORDINATOR, ADMIN, None),
        (Who.COORDINATOR, None, NO_ACTOR),
        (Who.RECEIVER, OTHER_COORDINATOR, None),
        (Who.RECEIVER, COORDINATOR, NOT_RECEIVER),
        (Who.DEPARTMENT, SOCIAL_WORKER, None),
        (Who.DEPARTMENT, HEALTH_LEAD, not_department(Department.SOCIAL)),
        (Who.DEPARTMENT, COORDINATOR, not_department(Department.SOCIAL)),
        (Who.DEPARTMENT, ADMIN, None),
        (Who.CITIZEN, None, None),
    ],
)
def test_who_may_act(who, actor, expected):
    answer = refusal(
        who,
        actor,
        coordinator_id="k1",
        handover_to_id="k2",
        task_department=Department.SOCIAL,
    )
    assert answer == expected


def test_without_a_subject_the_rule_gives_the_reason():
    assert refusal(Who.RECEIVER, COORDINATOR, coordinator_id="k1") is None
    assert refusal(Who.DEPARTMENT, COORDINATOR, coordinator_id="k1") is None


def test_every_action_is_offered_once_where_it_belongs():
    offered = [*case_actions().values(), *task_actions().values()]
    citizen = [a for a in ACTIONS.values() if a.who == Who.CITIZEN]
    assert sorted(a.name for a in offered + citizen) == sorted(ACTIONS)
    assert task_actions()["acknowledge"].name == "acknowledge_task"
    assert case_actions()["end"].name == "end_programme"
