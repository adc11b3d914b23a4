"""What the played heavy course tells: its state's sizes, what was sent and refused, and its
timeline as the read model holds it.

What happened is counted from the timeline, not from the final state: the state lets go of
what finished more than 30 days ago.
"""

import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from sqlmodel import select

from bench.history.heavy_tasks import Fate
from models.case import CaseEvent
from models.db import SessionFactory
from models.enums import MeetingStatus
from models.programme import ProgrammeState


@dataclass
class CourseFigures:
    workflow_id: str
    first_run_id: str
    started: datetime
    closed: datetime
    final: ProgrammeState
    # The state's size in bytes on the first of every simulated month.
    monthly: list[int]
    largest: ProgrammeState
    largest_size: int
    samples: int
    sent: Counter[str]
    refusals: list[str]
    coordinators: tuple[str, str]
    tasks: Counter[Fate]
    meetings_booked: int
    outcomes: Counter[MeetingStatus]
    steps: int
    timeline: Counter[str] = field(default_factory=Counter)


def timeline_kinds(open_session: SessionFactory, case_id: str) -> Counter[str]:
    """The case's timeline as the projection wrote it, by kind: what the workflow recorded,
    including what its own timers did (messages, reminders, escalations, stalls). A stall
    is counted by its reason, as the workflow words it."""
    with open_session() as session:
        rows = session.exec(
            select(CaseEvent.kind, CaseEvent.summary).where(CaseEvent.case_id == uuid.UUID(case_id))
        ).all()
    return Counter(
        f"stalled: {summary.split(': ', 1)[-1]}" if kind == "stalled" else kind
        for kind, summary in rows
    )
