"""The workflow's history, run by run: events, bytes and the largest payload.

A course continues as new when its history grows long, so its history is the sum of its runs;
each is fetched from the server and measured as Temporal stores it (each event serialised).
"""

from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message
from temporalio.api.enums.v1 import EventType
from temporalio.api.history.v1 import HistoryEvent
from temporalio.client import Client

# A bound, so the script always stops by itself.
MAX_RUNS = 1_000


@dataclass(frozen=True)
class RunFigures:
    run_id: str
    events: int
    history_bytes: int
    largest_payload: int
    largest_in: str
    kinds: Counter[str]
    # The first event at which the server suggested continue-as-new, if it did.
    suggested_at: int | None


async def walk_runs(client: Client, workflow_id: str, first_run_id: str) -> list[RunFigures]:
    """Every run of the workflow, from the first, following continue-as-new."""
    runs = []
    run_id = first_run_id
    for _ in range(MAX_RUNS):
        history = await client.get_workflow_handle(workflow_id, run_id=run_id).fetch_history()
        runs.append(run_figures(run_id, history.events))
        last = history.events[-1]
        if not last.HasField("workflow_execution_continued_as_new_event_attributes"):
            return runs
        run_id = last.workflow_execution_continued_as_new_event_attributes.new_execution_run_id
    raise RuntimeError(f"more than {MAX_RUNS} runs")


def run_figures(run_id: str, events: Sequence[HistoryEvent]) -> RunFigures:
    largest, largest_in = 0, ""
    kinds: Counter[str] = Counter()
    suggested_at = None
    for event in events:
        started = event.workflow_task_started_event_attributes
        if suggested_at is None and started.suggest_continue_as_new:
            suggested_at = event.event_id
        kind = EventType.Name(event.event_type).removeprefix("EVENT_TYPE_")
        kinds[kind] += 1
        size = largest_payload(event)
        if size > largest:
            largest, largest_in = size, kind
    return RunFigures(
        run_id=run_id,
        events=len(events),
        history_bytes=sum(len(event.SerializeToString()) for event in events),
        largest_payload=largest,
        largest_in=largest_in,
        kinds=kinds,
        suggested_at=suggested_at,
    )


def largest_payload(message: Message) -> int:
    """The largest temporal.api.common.v1.Payload anywhere inside the message."""
    best = 0
    for descriptor, value in message.ListFields():
        if descriptor.type != FieldDescriptor.TYPE_MESSAGE:
            continue
        entry = descriptor.message_type
        if entry is not None and entry.GetOptions().map_entry:
            if entry.fields_by_name["value"].type != FieldDescriptor.TYPE_MESSAGE:
                continue
            children: Sequence[Message] = list(value.values())
        elif descriptor.is_repeated:
            children = list(value)
        else:
            children = [value]
        for child in children:
            if child.DESCRIPTOR.full_name == "temporal.api.common.v1.Payload":
                best = max(best, child.ByteSize())
            else:
                best = max(best, largest_payload(child))
    return best
