"""Every recorded history replays against the current workflow code.

Courses run for years while the code changes under them: a change that would make a running
course take another path than its history says fails here, not in production.
"""

import json
from pathlib import Path

import pytest
from temporalio.client import WorkflowHistory
from temporalio.contrib.pydantic import pydantic_data_converter
from temporalio.worker import Replayer

from deploy.worker import WORKFLOWS, workflow_runner

HISTORIES = sorted((Path(__file__).parent / "histories").glob("*/*.json"))


def _load(path: Path) -> WorkflowHistory:
    recorded = json.loads(path.read_text())
    return WorkflowHistory.from_json(recorded["workflow_id"], recorded)


def test_there_are_histories_of_every_kind_of_course():
    assert len(HISTORIES) >= 14
    assert any(path.name.startswith("test_continue_as_new") for path in HISTORIES)


@pytest.mark.parametrize("path", HISTORIES, ids=lambda path: f"{path.parent.name}/{path.stem}")
async def test_recorded_history_replays_on_the_current_code(path: Path):
    history = _load(path)
    replayer = Replayer(
        workflows=WORKFLOWS,
        data_converter=pydantic_data_converter,
        workflow_runner=workflow_runner(),
    )
    await replayer.replay_workflow(history)
