"""`forloeb up --demo` as a user runs it: real processes, real ports, stopped with Ctrl-C."""

import json
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time as clock
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx

from deploy.binaries import find_binary
from deploy.demo import DEMO_PASSWORD, DEMO_STAFF, demo_cases
from models.course_types import course_type
from models.danish_time import add_months, add_weeks
from models.enums import CourseType
from tests.api.conftest import free_port
from tests.factories import copenhagen_today, random_cpr


@contextmanager
def forloeb_up(data_dir: Path, ports: dict[str, int]) -> Iterator[str]:
    env = _env(data_dir, ports)
    log_path = data_dir / "up.log"
    log = log_path.open("ab")
    start = log.tell()
    process = subprocess.Popen(
        [sys.executable, "-m", "deploy", "up", "--demo"], env=env, stdout=log, stderr=log
    )
    base_url = f"http://127.0.0.1:{ports['api']}"
    try:
        _wait_until_seeded(process, log_path, start)
        yield base_url
    finally:
        process.send_signal(signal.SIGINT)
        code = process.wait(timeout=60)
        log.close()
        assert code == 0, _output(log_path, start)


def _env(data_dir: Path, ports: dict[str, int]) -> dict[str, str]:
    """The environment of `forloeb` commands run on the embedded default in this folder."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "TEMPORAL_ADDRESS")}
    return env | {
        "FORLOEB_DATA_DIR": str(data_dir),
        "FORLOEB_API_PORT": str(ports["api"]),
        "FORLOEB_TEMPORAL_PORT": str(ports["temporal"]),
        "FORLOEB_TEMPORAL_UI_PORT": str(ports["ui"]),
    }


def _output(log_path: Path, start: int) -> str:
    """What this start has written so far."""
    with log_path.open("rb") as log:
        log.seek(start)
        return log.read().decode(errors="replace")


def _wait_until_seeded(process: subprocess.Popen[bytes], log_path: Path, start: int) -> None:
    deadline = clock.monotonic() + 90
    while clock.monotonic() < deadline:
        assert process.poll() is None, _output(log_path, start)[-3000:]
        if "Stop med Ctrl-C." in _output(log_path, start):
            return
        clock.sleep(0.3)
    raise AssertionError("forloeb up did not start in time")


@contextmanager
def _login(base_url: str, username: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base_url, timeout=30) as client:
        answer = client.post("/api/session", json={"username": username, "password": DEMO_PASSWORD})
        assert answer.status_code == 200, answer.text
        yield client


def _workflow_ids(temporal_port: int, query: str | None = None) -> list[str]:
    listed = subprocess.run(
        [
            find_binary("temporal"),
            "workflow",
            "list",
            "--address",
            f"127.0.0.1:{temporal_port}",
            "--output",
            "json",
            *(["--query", query] if query else []),
        ],
        capture_output=True,
        text=True,
        check=True,
    )
    return [row["execution"]["workflowId"] for row in json.loads(listed.stdout or "[]")]


def _check_departments_take_their_share(
    base_url: str, mette: httpx.Client, cases: list[dict[str, Any]]
) -> None:
    """Issue 3's demo: tasks in all four departments, one overdue, a plan with a gap and a
    justified pause; a department worker finishes a task; a handover completes."""
    frederik = next(c for c in cases if c["citizen"]["name"] == "Frederik Nielsen")
    tasks = mette.get(f"/api/cases/{frederik['id']}/tasks").json()
    assert {t["department"] for t in tasks} == {"jobcenter", "social", "health", "family"}
    assert any(t["breach"] == "acknowledge" for t in tasks)
    plan = mette.get(f"/api/cases/{frederik['id']}/plan").json()
    assert {g["justified"] for g in plan["gaps"]} == {True, False}
    board = mette.get("/board")
    assert board.status_code == 200
    assert re.search(r"\d+ overskred(et opgave|ne opgaver)<", board.text)
    assert "Kræver handling i dag" in board.text

    with _login(base_url, "familie") as family:
        inbox = family.get("/api/inbox").json()
        task = next(t for t in inbox if t["citizen_name"] == "Frederik Nielsen")
        for slug, body in [("acknowledge", {}), ("start", {}), ("complete", {"result": "Aftalt"})]:
            answer = family.post(f"/api/tasks/{task['id']}/{slug}", json=body)
            assert answer.status_code == 200, answer.text
        assert answer.json()["task"]["state"] == "done"

    karen = next(c for c in cases if c["citizen"]["name"] == "Karen Bech")
    assert karen["handover_to_id"] is not None
    accepted = mette.post(f"/api/cases/{karen['id']}/accept-handover", json={})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["case"]["coordinator"]["name"] == "Mette Jensen"


def _check_the_law_of_december_2026(
    base_url: str, mette: httpx.Client, cases: list[dict[str, Any]]
) -> None:
    """Issue 12's demo: the running ressourceforløb under the amended law, none granted anew."""
    _check_the_stages_per_type(base_url)
    by_name = {c["citizen"]["name"]: c for c in cases}
    frederik = mette.get(f"/api/cases/{by_name['Frederik Nielsen']['id']}").json()
    assert frederik["course_type"] == "ressourceforloeb" and frederik["stage"] == "active"
    # Brought in from the former system with its own dates, its timers where the law puts them.
    decided = copenhagen_today() - timedelta(days=355)
    assert frederik["decided_on"] == decided.isoformat()
    assert frederik["planned_end"] == add_months(decided, 36).isoformat()
    assert any(e["kind"] == "registered" for e in frederik["timeline"])
    gitte = mette.get(f"/api/cases/{by_name['Gitte Andersen']['id']}").json()
    assert gitte["effort_rule_missed_on"] is not None and gitte["team_flagged"]
    with _login(base_url, "leder") as manager:
        phase_out = manager.get("/leder/udfasning.csv")
    assert phase_out.status_code == 200, phase_out.text
    # Frederik's, Gitte's and Jakob's courses end in three quarters; Gitte's passed the rule.
    ends = [row for row in phase_out.text.splitlines() if row.startswith("Slutter ")]
    assert len(ends) >= 3 and sum(int(row.split(";")[1]) for row in ends) == 3, ends

    longer = mette.post(
        f"/api/cases/{frederik['id']}/extend",
        json={"new_end": add_months(decided, 48).isoformat(), "reason": "Mere praktik"},
    )
    assert longer.status_code == 422, longer.text
    assert "36 måneder" in longer.json()["detail"]

    sara = mette.post("/api/citizens", json={"cpr": random_cpr(), "name": "Sara Sent"}).json()
    late = mette.post(
        "/api/cases", json={"citizen_id": sara["id"], "course_type": "ressourceforloeb"}
    ).json()
    efforts = [{"department": "social", "description": "Bostøtte"}]
    _post_each(
        mette,
        f"/api/cases/{late['id']}",
        [
            ("start-preparation", {}),
            ("schedule-team-meeting", {"meeting_on": copenhagen_today().isoformat()}),
            ("record-recommendation", {"kind": "ressourceforloeb", "efforts": efforts}),
        ],
    )
    refused = mette.post(
        f"/api/cases/{late['id']}/record-decision",
        json={"kind": "ressourceforloeb", "duration_months": 12},
    )
    assert refused.status_code == 409, refused.text
    assert "afskaffet for nye borgere" in refused.json()["detail"]


def _check_the_stages_per_type(base_url: str) -> None:
    """The legacy courses only where running ones can be (active, or ended awaiting the
    follow-up); the new cases tværfaglige at every stage of that type, and the ended one
    awaiting its 13-week follow-up."""
    with _login(base_url, "leder") as manager:
        every = manager.get("/api/cases").json()
    demo = {d.name for d in demo_cases()}
    stages: dict[str, set[str]] = {}
    for case in every:
        if case["citizen"]["name"] in demo:
            stages.setdefault(case["course_type"], set()).add(case["stage"])
    assert stages.keys() == {"ressourceforloeb", "tvaerfagligt"}, stages
    assert "active" in stages["ressourceforloeb"], stages
    assert stages["ressourceforloeb"] <= {"active", "ended"}, stages
    assert stages["tvaerfagligt"] == {s.value for s in course_type(CourseType.TVAERFAGLIGT).path}
    ended = next(c for c in every if c["course_type"] == "tvaerfagligt" and c["stage"] == "ended")
    assert ended["followup_on"] == add_weeks(copenhagen_today(), 13).isoformat(), ended
    assert ended["followup_status"] is None


def _a_new_course_to_its_decision(base_url: str, mette: httpx.Client) -> dict[str, Any]:
    """A new case is a cross-department course: described with social's part, then decided."""
    rita = mette.post("/api/citizens", json={"cpr": random_cpr(), "name": "Rita Restart"})
    case = dict(mette.post("/api/cases", json={"citizen_id": rita.json()["id"]}).json())
    assert case["course_type"] == "tvaerfagligt"
    on_case = f"/api/cases/{case['id']}"
    part = {"department": "social", "purpose": "Bostøtte", "for_description": True}
    _post_each(mette, on_case, [("start-description", {}), ("assign-task", part)])
    with _login(base_url, "social") as social:
        inbox = social.get("/api/inbox").json()
        task = next(t for t in inbox if t["citizen_name"] == "Rita Restart")
        done = {"result": "Bostøtte hjælper"}
        _post_each(
            social,
            f"/api/tasks/{task['id']}",
            [("acknowledge", {}), ("start", {}), ("complete", done)],
        )
    described = {"summary": "Bostøtte og praktik", "citizen_text": "Du får hjælp hjemme"}
    decided = _post_each(
        mette,
        on_case,
        [
            ("complete-description", described),
            ("record-decision", {"kind": "coordinated", "duration_months": 24}),
        ],
    )
    assert decided.json()["case"]["stage"] == "active"
    return case


def _post_each(
    client: httpx.Client, prefix: str, steps: list[tuple[str, dict[str, Any]]]
) -> httpx.Response:
    """Each action in turn, each accepted; the last answer."""
    answer = None
    for slug, body in steps:
        answer = client.post(f"{prefix}/{slug}", json=body)
        assert answer.status_code == 200, answer.text
    assert answer is not None
    return answer


def _outbox(data_dir: Path, purpose: str, name: str) -> list[str]:
    """The bodies of the messages of this purpose to the citizen, newest first."""
    with closing(sqlite3.connect(data_dir / "forloeb.db")) as db:
        rows = db.execute(
            "SELECT o.body FROM outbox_message o JOIN citizen c ON c.id = o.citizen_id "
            "WHERE o.purpose = ? AND c.name = ? ORDER BY o.created_at DESC",
            (purpose, name),
        ).fetchall()
    return [body for (body,) in rows]


def _check_the_citizens_page(
    base_url: str, data_dir: Path, mette: httpx.Client, cases: list[dict[str, Any]]
) -> None:
    """Issue 11's demo: Frederik's SMS carries his link; the code from the outbox opens his
    page with the next appointment, his goals and two measurements; confirming there confirms
    on the coordinator's side."""
    frederik = next(c for c in cases if c["citizen"]["name"] == "Frederik Nielsen")
    questions = _outbox(data_dir, "progression_question", "Frederik Nielsen")
    if not questions:
        # Seeded in his quiet hours (21-09), the question waits for the morning, as every
        # message does, and the case page says when it goes.
        page = mette.get(f"/cases/{frederik['id']}").text
        assert "Venter på at blive sendt" in page and "Spørgsmål om, hvordan det går" in page
        return
    [question] = questions
    link = re.search(r"/b/[A-Za-z0-9_-]{12}", question)
    assert link, question
    with httpx.Client(base_url=base_url, timeout=30) as phone:
        assert phone.post(f"{link.group(0)}/kode").status_code == 303
        for _ in range(100):
            codes = _outbox(data_dir, "sign_in_code", "Frederik Nielsen")
            if codes:
                break
            clock.sleep(0.1)
        code = re.search(r"\d{6}", codes[0])
        assert code
        opened = phone.post(link.group(0), data={"code": code.group(0)})
        assert opened.headers["location"] == "/borger"
        page = phone.get("/borger").text
        assert "Hvordan går praktikken" in page and "Hovedbiblioteket" in page
        assert "Et job i en butik" in page and "Kunne tage bussen alene" in page
        assert "fra 3 til 5 over 2 målinger" in page
        [meeting] = [
            m
            for m in mette.get(f"/api/cases/{frederik['id']}").json()["meetings"]
            if m["purpose"] == "Hvordan går praktikken"
        ]
        confirmed = phone.post(
            "/borger/svar", data={"meeting_id": meeting["id"], "answer": "confirm"}
        )
        assert confirmed.status_code == 303
    meetings = mette.get(f"/api/cases/{frederik['id']}").json()["meetings"]
    assert next(m for m in meetings if m["id"] == meeting["id"])["status"] == "confirmed"


def test_demo_runs_and_a_case_survives_a_restart(tmp_path):
    ports = {"api": free_port(), "temporal": free_port(), "ui": free_port()}
    with forloeb_up(tmp_path, ports) as base_url:
        # Every role has a login, and the coordinator sees her demo cases.
        for person in DEMO_STAFF:
            with _login(base_url, person.username):
                pass
        with _login(base_url, "koordinator") as mette:
            cases = mette.get("/api/cases").json()
            mine = [c for c in demo_cases() if "koordinator" in (c.coordinator, c.handover_to)]
            assert len(cases) == len(mine)
            assert {c["stage"] for c in cases} >= {
                "referred",
                "description",
                "health_advice",
                "active",
                "ended",
                "closed",
            }
            page = mette.get("/cases")
            assert page.status_code == 200 and "Mine sager" in page.text

            # One workflow per demo case on the embedded Temporal server.
            workflow_ids = _workflow_ids(ports["temporal"])
            assert len(workflow_ids) == len(demo_cases())
            assert set(workflow_ids) >= {f"programme-{c['id']}" for c in cases}
            # Bo Christensen has had nothing planned for 20 days: stalled, and listed so.
            bo = next(c for c in cases if c["citizen"]["name"] == "Bo Christensen")
            stalled = _workflow_ids(ports["temporal"], "Stalled = true")
            assert f"programme-{bo['id']}" in stalled
            assert mette.get(f"/api/cases/{bo['id']}").json()["stalled_since"] is not None

            _check_departments_take_their_share(base_url, mette, cases)
            _check_the_citizens_page(base_url, tmp_path, mette, cases)

            # Half a year of past meetings, so the dashboard shows what reminders do.
            with _login(base_url, "leder") as manager:
                table = manager.get("/leder/moeder.csv").text.splitlines()[1:]
            counted = [row.split(";") for row in table if ";I alt;" in row]
            assert counted and sum(int(row[3]) for row in counted) > 0

            # The read model says what every demo course's workflow says.
            checked = subprocess.run(
                [sys.executable, "-m", "deploy", "check"],
                env=_env(tmp_path, ports),
                capture_output=True,
                text=True,
                timeout=120,
            )
            assert checked.returncode == 0, checked.stdout + checked.stderr
            assert "0 afvigelser" in checked.stdout

            _check_the_law_of_december_2026(base_url, mette, cases)
            case = _a_new_course_to_its_decision(base_url, mette)

    # Started again from the same data directory: the case is there and still advances.
    with forloeb_up(tmp_path, ports) as base_url, _login(base_url, "koordinator") as mette:
        again = mette.get(f"/api/cases/{case['id']}").json()
        assert again["stage"] == "active"
        # The demo is not seeded twice: the demo's cases and the two made above.
        assert len(mette.get("/api/cases").json()) == len(cases) + 2
        ended = mette.post(
            f"/api/cases/{case['id']}/end",
            json={"outcome": "education", "reason": "Startet på SOSU"},
        )
        assert ended.status_code == 200, ended.text
        assert ended.json()["case"]["stage"] == "ended"
