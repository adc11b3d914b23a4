"""The pool sizes from the environment override those derived from the threads."""

from pathlib import Path

from sqlalchemy.pool import QueuePool

from models.db import POOL_TIMEOUT_SECONDS, make_engine
from models.settings import Settings


def test_the_pool_is_sized_from_the_threads_unless_the_settings_say_otherwise(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'pool.db'}"
    unset = Settings(data_dir=tmp_path)
    derived = make_engine(url, threads=40, pool_overrides=unset.db_pool())
    assert isinstance(derived.pool, QueuePool)
    assert (derived.pool.size(), derived.pool.timeout()) == (40, POOL_TIMEOUT_SECONDS)
    settings = Settings(data_dir=tmp_path, db_pool_size=8, db_max_overflow=2, db_pool_timeout=3)
    assert settings.db_pool() == {"pool_size": 8, "max_overflow": 2, "pool_timeout": 3}
    given = make_engine(url, threads=40, pool_overrides=settings.db_pool())
    assert isinstance(given.pool, QueuePool)
    assert (given.pool.size(), given.pool.timeout()) == (8, 3)
    derived.dispose()
    given.dispose()
