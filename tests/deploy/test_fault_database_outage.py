"""PostgreSQL unreachable in the middle of caseworkers' actions, through a proxy the test cuts
(tests/api/database_outage.py): every answer is a success or a Danish 503, and once the
database is back no event is lost and none is there twice.

Always on PostgreSQL, in a database of its own: there is no network to cut to a SQLite file.
"""

from sqlmodel import Session

from models.db import make_engine
from tests.api.database_outage import database_outage
from tests.own_postgres import own_database

# Ten seconds here, to fit the suite; bench/database_outage.py keeps the database away for the
# full minute. Ten already outlasts the projection's first retries (1, 2, 4 s apart), so the
# workflow's catching up after longer backoff is exercised too.
OUTAGE_SECONDS = 10


async def test_a_database_outage_loses_no_action_and_repeats_none(dev_env, tmp_path):
    url = own_database("forloeb_outage")
    engine = make_engine(url)
    with Session(engine) as session:
        figures = await database_outage(
            temporal_address=dev_env.client.service_client.config.target_host,
            database_url=url,
            session=session,
            folder=tmp_path,
            outage_seconds=OUTAGE_SECONDS,
        )
    engine.dispose()
    answers, reads = figures.answers, figures.reads
    assert set(answers) <= {"200", "202", "503", "503 unconfirmed"}, (
        answers,
        figures.server_errors,
    )
    assert set(reads) <= {"200", "503"}, reads
    # The outage was felt, and actions went through around it.
    assert reads["503"] > 0 and answers["200"] > 0, (reads, answers)
    assert (figures.lost, figures.duplicated, figures.gaps, figures.outbox_faults) == (0, 0, 0, 0)
    # The database's 503 says the action was not done, and a caseworker would do it again: an
    # action the workflow did answers 200 or 202, even when the database goes before the answer
    # is read. An unconfirmed one may be done later, and the answer says to look first; it
    # must still be done at most once (duplicated above).
    assert figures.done_despite_503 == 0
