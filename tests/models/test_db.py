"""The API's engine refuses database work on the event loop's thread."""

import asyncio

import pytest
from sqlalchemy import text

from models.db import BlockingOnEventLoop, make_engine


async def test_database_work_on_the_event_loop_is_refused_and_in_a_thread_allowed(tmp_path):
    engine = make_engine(f"sqlite:///{tmp_path / 'x.db'}", off_event_loop=True)

    def query() -> int:
        with engine.connect() as connection:
            return int(connection.execute(text("SELECT 1")).scalar_one())

    with pytest.raises(BlockingOnEventLoop):
        query()
    assert await asyncio.to_thread(query) == 1
    engine.dispose()
