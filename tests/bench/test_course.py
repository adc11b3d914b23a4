"""The benchmark's simulator plays courses through the workflow's own engine."""

import random
import uuid
from collections import Counter
from datetime import UTC, datetime

from bench.course import Course, Person, Staffing, draw_outline
from models.enums import Department, Role, Stage
from models.refusals import FORBIDDEN

NOW = datetime(2026, 11, 30, 12, tzinfo=UTC)


def person(role: Role, department: Department | None = None) -> Person:
    return Person(id=str(uuid.uuid4()), name=f"Test {role.label}", role=role, department=department)


def test_simulated_courses_follow_the_rules_and_their_timers_fire():
    rng = random.Random(8)
    staffing = Staffing(
        leads={d: [person(Role.DEPARTMENT_LEAD, d)] for d in Department},
        workers={d: [person(Role.DEPARTMENT_WORKER, d)] for d in Department},
        coordinators=[person(Role.COORDINATOR, Department.JOBCENTER)],
    )
    stages: Counter[Stage] = Counter()
    kinds: Counter[str] = Counter()
    for _ in range(40):
        outline = draw_outline(rng, NOW.date(), idle_share=0.1)
        course = Course(rng, outline, staffing.coordinators[0], staffing, "Test Borger", NOW, None)
        state = course.play()
        stages[state.stage] += 1
        kinds.update(event.kind for event in course.player.events)
        # Every actor the simulator chooses is one the rules let act.
        assert FORBIDDEN not in course.player.refused
        seqs = [event.seq for event in course.player.events]
        assert seqs == sorted(set(seqs))

    assert len(stages) >= 3
    # Fired by the engine's timers, not by any planned action.
    assert kinds["period_expired"] + kinds["followed_up"] > 0
    assert kinds["task_escalated"] > 0
