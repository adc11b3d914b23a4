"""Compare every open course's workflow state with the read model, and say where they differ.

The workflow is the source of truth; the read model follows a moment after each action, when
the projection has run. So a difference counts only when it is still there a moment later.
Differences name the case by its id, never by the citizen.
"""

import asyncio
import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import timedelta

from sqlmodel import col, select
from temporalio.client import Client, WorkflowQueryFailedError
from temporalio.service import RPCError, RPCStatusCode

from models.case import Case, CaseEvent
from models.db import SessionFactory
from models.enums import Stage, TaskState
from models.programme import ProgrammeState
from models.task import Task

# Queries at once: each asks a worker to load the workflow, so not all courses in one go.
CONCURRENCY = 16
# How long a projection may lag an action before a difference counts.
SETTLE_SECONDS = 2.0
# A course whose worker is away would otherwise hold the check up for good.
QUERY_TIMEOUT = timedelta(seconds=10)


@dataclass
class CheckReport:
    checked: int = 0
    differences: list[str] = field(default_factory=list)

    def summary(self) -> str:
        return f"{self.checked} forløb tjekket, {len(self.differences)} afvigelser"


@dataclass
class _Rows:
    stage: Stage
    last_seq: int
    seqs: set[int]
    tasks: dict[str, TaskState]


async def check(
    client: Client,
    open_session: SessionFactory,
    *,
    concurrency: int = CONCURRENCY,
    settle_seconds: float = SETTLE_SECONDS,
) -> CheckReport:
    """Every open case row against its workflow; a difference is reported when it is seen
    twice, settle_seconds apart."""
    cases = await asyncio.to_thread(_open_cases, open_session)
    first = await _compare_all(client, open_session, cases, concurrency)
    suspect = [(case_id, workflow_id) for case_id, workflow_id in cases if first.get(case_id)]
    second: dict[uuid.UUID, list[str]] = {}
    if suspect:
        await asyncio.sleep(settle_seconds)
        second = await _compare_all(client, open_session, suspect, concurrency)
    report = CheckReport(checked=len(cases))
    for case_id, _ in cases:
        report.differences += [d for d in second.get(case_id, []) if d in first[case_id]]
    return report


def _open_cases(open_session: SessionFactory) -> list[tuple[uuid.UUID, str]]:
    with open_session() as session:
        rows = session.exec(
            select(Case.id, Case.workflow_id)
            .where(Case.stage != Stage.CLOSED)
            .order_by(col(Case.id))
        )
        return [(case_id, workflow_id) for case_id, workflow_id in rows]


async def _compare_all(
    client: Client,
    open_session: SessionFactory,
    cases: Iterable[tuple[uuid.UUID, str]],
    concurrency: int,
) -> dict[uuid.UUID, list[str]]:
    limit = asyncio.Semaphore(concurrency)

    async def one(case_id: uuid.UUID, workflow_id: str) -> tuple[uuid.UUID, list[str]]:
        async with limit:
            return case_id, await compare(client, open_session, case_id, workflow_id)

    found = await asyncio.gather(*(one(case_id, wid) for case_id, wid in cases))
    return dict(found)


async def compare(
    client: Client, open_session: SessionFactory, case_id: uuid.UUID, workflow_id: str
) -> list[str]:
    """One case's differences, seen once."""
    name = f"Sag {case_id}"
    try:
        state = await client.get_workflow_handle(workflow_id).query(
            "current", result_type=ProgrammeState, rpc_timeout=QUERY_TIMEOUT
        )
    except RPCError as error:
        if error.status == RPCStatusCode.NOT_FOUND:
            return [f"{name}: forløbet ({workflow_id}) findes ikke i Temporal."]
        return [f"{name}: forløbet svarer ikke ({error.message})."]
    except WorkflowQueryFailedError as error:
        return [f"{name}: forløbet kunne ikke spørges ({error})."]
    rows = await asyncio.to_thread(_rows, open_session, case_id, list(state.tasks))
    if rows is None:
        return [f"{name}: sagsrækken er forsvundet under tjekket."]
    return differences(name, state, rows)


def _rows(open_session: SessionFactory, case_id: uuid.UUID, task_ids: list[str]) -> _Rows | None:
    with open_session() as session:
        case = session.get(Case, case_id)
        if case is None:
            return None
        seqs = set(session.exec(select(CaseEvent.seq).where(CaseEvent.case_id == case_id)))
        tasks = session.exec(
            select(Task.id, Task.state).where(col(Task.id).in_([uuid.UUID(t) for t in task_ids]))
        )
        return _Rows(
            stage=case.stage,
            last_seq=case.last_seq,
            seqs=seqs,
            tasks={str(task_id): TaskState(task_state) for task_id, task_state in tasks},
        )


def differences(name: str, state: ProgrammeState, rows: _Rows) -> list[str]:
    """What the read model says otherwise than the workflow, one sentence each."""
    found = []
    if rows.last_seq != state.seq:
        how = "forældet" if rows.last_seq < state.seq else "længere fremme end forløbet"
        found.append(
            f"{name}: sagsrækken er {how} (hændelse {rows.last_seq} i læsemodellen, "
            f"{state.seq} i forløbet)."
        )
    if rows.stage != state.stage:
        found.append(
            f"{name}: fasen er »{rows.stage.label}« i læsemodellen, "
            f"men »{state.stage.label}« i forløbet."
        )
    # Every recorded event takes the next seq (workflows/guards.py: record), and every
    # recorded event is projected as one timeline row.
    missing = sorted(set(range(1, state.seq + 1)) - rows.seqs)
    if missing:
        numbers = ", ".join(str(seq) for seq in missing[:10])
        more = f" og {len(missing) - 10} flere" if len(missing) > 10 else ""
        found.append(f"{name}: tidslinjen mangler hændelse nr. {numbers}{more}.")
    # The state lets go of finished tasks (workflows/retention.py); the read model keeps them,
    # so only the tasks the state holds are compared.
    for task_id, record in state.tasks.items():
        stored = rows.tasks.get(task_id)
        if stored is None:
            found.append(f"{name}: opgave {task_id} mangler i læsemodellen.")
        elif stored != record.state:
            found.append(
                f"{name}: opgave {task_id} er »{stored.label}« i læsemodellen, "
                f"men »{record.state.label}« i forløbet."
            )
    return found
