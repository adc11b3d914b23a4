"""What changed since the last projection: the projection carries that, not the whole state.

The workflow keeps a checksum of every item it last projected (in memory: a replay or a new
run after continue-as-new rebuilds it, and then projects everything once). Items a rule
removed are named as gone; items the state let go of (workflows/retention.py) are forgotten
without a word, since the read model keeps them.
"""

import zlib

from pydantic import BaseModel

from models.programme import ProgrammeState, ProjectionInput, TimelineEvent


def digest(item: BaseModel) -> int:
    return zlib.crc32(item.model_dump_json().encode())


def items(state: ProgrammeState) -> dict[str, BaseModel]:
    """Every item of the state by its projection key."""
    found: dict[str, BaseModel] = {}
    found |= {f"task:{t.id}": t for t in state.tasks.values()}
    found |= {f"meeting:{m.id}": m for m in state.meetings.values()}
    found |= {f"todo:{t.id}": t for t in state.todos}
    found |= {f"effort:{e.id}": e for e in state.efforts}
    found |= {f"pause:{p.id}": p for p in state.pauses}
    found |= {f"waiting:{m.key}": m for m in state.outgoing}
    found |= {f"sent:{m.key}": m for m in state.sent}
    return found


class ProjectionTracker:
    def __init__(self) -> None:
        self._digests: dict[str, int] = {}

    def delta(self, state: ProgrammeState, events: list[TimelineEvent]) -> ProjectionInput:
        current = {key: digest(item) for key, item in items(state).items()}
        changed = {key for key, digest in current.items() if self._digests.get(key) != digest}
        gone = [key for key in self._digests if key not in current]
        self._digests = current
        keep = changed.__contains__
        partial = state.model_copy(
            update={
                "tasks": {i: t for i, t in state.tasks.items() if keep(f"task:{i}")},
                "meetings": {i: m for i, m in state.meetings.items() if keep(f"meeting:{i}")},
                "todos": [t for t in state.todos if keep(f"todo:{t.id}")],
                "efforts": [e for e in state.efforts if keep(f"effort:{e.id}")],
                "pauses": [p for p in state.pauses if keep(f"pause:{p.id}")],
                "outgoing": [m for m in state.outgoing if keep(f"waiting:{m.key}")],
                "sent": [m for m in state.sent if keep(f"sent:{m.key}")],
            }
        )
        return ProjectionInput(
            state=partial,
            events=events,
            partial=True,
            gone=gone,
            waiting_on=state.waiting_on(),
        )

    def projected(self, key: str, item: BaseModel) -> bool:
        """Whether the read model holds the item as it stands."""
        return self._digests.get(key) == digest(item)

    def reset(self) -> None:
        """The read model may hold anything: the next projection carries every item."""
        self._digests = {}

    def forget(self, keys: list[str]) -> None:
        """Items the state let go of: the read model keeps them as they were last projected."""
        for key in keys:
            self._digests.pop(key, None)
