"""A PostgreSQL database of a test's own, empty and migrated, on Debian's server on loopback
(deploy/postgres.sh): for the tests that run the service's processes as production does, on
PostgreSQL whichever database the rest of the suite runs on."""

import subprocess
from pathlib import Path

from sqlmodel import SQLModel

from models.db import make_engine, migrate

SCRIPT = Path(__file__).parents[1] / "deploy" / "postgres.sh"


def own_database(name: str) -> str:
    """The URL of database `name`, emptied and brought up to the newest migration."""
    url = subprocess.check_output(["bash", str(SCRIPT), name], text=True).strip()
    engine = make_engine(url)
    SQLModel.metadata.drop_all(engine)
    with engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE IF EXISTS alembic_version")
    engine.dispose()
    migrate(url)
    return url
