"""The `course` fixture for the meeting and reply tests."""

from collections.abc import AsyncIterator

import pytest

from models.contact import SetContactPreferences
from models.enums import Channel
from tests.factories import actor_of
from tests.workflows.meeting_steps import at, next_day
from tests.workflows.programme_helpers import (
    Running,
    send,
    start_programme,
    travel_to,
    worker_for,
)


@pytest.fixture
async def course(time_env, task_queue, session, open_session, executor) -> AsyncIterator[Running]:
    """A course whose citizen prefers SMS, then calls, then e-mail; it is 10:00 tomorrow."""
    await travel_to(time_env, at(await next_day(time_env), 10))
    async with worker_for(time_env.client, task_queue, open_session, executor):
        running = await start_programme(time_env.client, task_queue, session)
        await send(
            running.handle,
            SetContactPreferences(
                actor=actor_of(running.coordinator),
                channels=[Channel.SMS, Channel.CALL, Channel.EMAIL],
                phone="20 12 34 56",
                email="borger@eksempel.dk",
            ),
        )
        yield running
