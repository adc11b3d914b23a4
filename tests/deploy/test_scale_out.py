"""Scale-out, as production runs it: two `forloeb worker` and two `forloeb api` processes on one
Temporal dev server and PostgreSQL, courses driven through both APIs at once, and one worker
killed with SIGKILL when half of them have begun (bench/scale_out.py, which also prints the
figures for more courses).

Always on PostgreSQL, in a database of its own (deploy/postgres.sh forloeb_scale): several
processes writing one SQLite file is not how the service scales out.
"""

from bench.scale_out import drive
from tests.own_postgres import own_database

COURSES = 500
IN_FLIGHT = 48


async def test_courses_through_two_apis_and_two_workers_survive_a_killed_worker(dev_env, tmp_path):
    url = own_database("forloeb_scale")
    report = await drive(
        cases=COURSES,
        in_flight=IN_FLIGHT,
        temporal_address=dev_env.client.service_client.config.target_host,
        database_url=url,
        work=tmp_path,
    )
    figures = "\n".join(report.lines())
    print(figures)  # shown with pytest -s or -rA, for the README's figures
    assert report.killed_at > 0, figures
    assert report.failed_actions == [], figures + "\n" + "\n".join(report.failed_actions[:5])
    assert report.lost_cases == [], figures
    assert report.messages == COURSES and report.duplicate_messages == 0, figures
    assert report.drift_free, report.check_output[-3000:]
