"""Bringing the running courses in (api/course_import.py): from the command line and the
administrator's page, against the real worker on the Temporal dev server."""

import html
import re
import time
from collections.abc import AsyncIterator
from datetime import date, timedelta

import anyio
import httpx
import pytest
from playwright.async_api import expect
from sqlmodel import Session, select
from temporalio.client import Client, WorkflowExecutionStatus

from api.course_file import LineStatus
from api.course_import import check_file, import_file
from deploy.cli import main
from deploy.connections import connect_temporal
from models.case import Case
from models.citizen import Citizen
from models.cpr import normalise_cpr
from models.danish_time import add_months, add_weeks, add_working_time, local_date, start_of
from models.department import DepartmentRow
from models.enums import Breach, CourseType, Department, Outcome, Recommendation, Role, Stage
from models.programme import ProgrammeState
from models.staff import Staff
from models.task import Task, TaskSla
from tests.api.accessibility import describe, serious_violations
from tests.api.browser_steps import sign_in
from tests.api.case_steps import eventually
from tests.api.conftest import Service, settings_for
from tests.factories import PASSWORD, copenhagen_today, make_citizen, make_staff, random_cpr

HEADER = "cpr;navn;koordinator;type;fase;visiteret;teammoede;afgoerelse;planlagt_slut;opgaver"
# Every column, the later stages' too.
FULL_HEADER = (
    "cpr;navn;koordinator;type;fase;visiteret;teammoede;indstilling;raadgivning_anmodet;"
    "afgoerelse;planlagt_slut;afsluttet;udfald;opgaver"
)


def csv_file(*lines: str, header: str = HEADER) -> bytes:
    return "\n".join([header, *lines]).encode()


def day(days_ago: int) -> str:
    return (copenhagen_today() - timedelta(days=days_ago)).isoformat()


def danish(days_ago: int) -> str:
    return (copenhagen_today() - timedelta(days=days_ago)).strftime("%d.%m.%Y")


@pytest.fixture
async def temporal(service: Service) -> Client:
    return await connect_temporal(service.settings)


async def run_import(service: Service, open_session, temporal: Client, admin: Staff, data: bytes):
    return await import_file(
        open_session, temporal, data=data, user=admin, settings=service.settings
    )


def case_of(session: Session, cpr: str) -> Case | None:
    session.expire_all()
    citizen = session.exec(select(Citizen).where(Citizen.cpr == normalise_cpr(cpr))).first()
    if citizen is None:
        return None
    return session.exec(select(Case).where(Case.citizen_id == citizen.id)).first()


async def projected(session: Session, cpr: str) -> Case:
    """The case once its workflow has projected the registration."""
    found: list[Case] = []

    async def done() -> bool:
        case = case_of(session, cpr)
        if case is not None and case.last_seq >= 1:
            found.append(case)
        return bool(found)

    await eventually(done, seconds=20)
    return found[0]


async def test_running_courses_start_at_their_stage_with_their_own_dates(
    service, open_session, session, temporal, admin, coordinator
):
    active, describing, team = random_cpr(), random_cpr(), random_cpr()
    # Granted before the cut-off (1 February 2026), as every running ressourceforløb was.
    referred, team_meeting, decided = date(2025, 9, 1), date(2025, 12, 10), date(2026, 1, 15)
    planned_end = copenhagen_today() + timedelta(days=300)
    data = csv_file(
        f"{active};Alma Aktiv;{coordinator.username};ressourceforloeb;active;{referred};"
        f"{team_meeting};{decided:%d-%m-%Y};{planned_end:%d.%m.%Y};"
        "health:Samtaleforløb hos psykolog|Socialforvaltningen:Bostøtte to gange om ugen",
        f"{describing[:6]}-{describing[6:]};Bent Beskrivelse;{coordinator.username};"
        f"Tværfagligt forløb;Samlet beskrivelse;{danish(30)};;;;",
        f"{team};Carla Team;{coordinator.username};ressourceforloeb;team;{day(90)};{day(3)};;;",
    )

    report = await run_import(service, open_session, temporal, admin, data)

    assert report.clean, list(report.problems())
    assert [line.status for line in report.lines] == [LineStatus.CREATED] * 3
    case = await projected(session, active)
    assert case.stage == Stage.ACTIVE and case.registered
    assert case.course_type == CourseType.RESSOURCEFORLOEB
    assert (case.decided_on, case.planned_end) == (decided, planned_end)
    assert case.team_meeting_on == team_meeting
    assert case.coordinator_id == coordinator.id
    described = await temporal.get_workflow_handle(case.workflow_id).describe()
    assert described.status == WorkflowExecutionStatus.RUNNING

    async def tasks_given() -> bool:
        session.expire_all()
        return len(session.exec(select(Task).where(Task.case_id == case.id)).all()) == 2

    await eventually(tasks_given, seconds=20)
    tasks = session.exec(select(Task).where(Task.case_id == case.id)).all()
    assert {(t.department, t.purpose) for t in tasks} == {
        (Department.HEALTH, "Samtaleforløb hos psykolog"),
        (Department.SOCIAL, "Bostøtte to gange om ugen"),
    }
    other = await projected(session, describing)
    assert (other.stage, other.course_type) == (Stage.DESCRIPTION, CourseType.TVAERFAGLIGT)
    assert local_date(other.referred_at) == copenhagen_today() - timedelta(days=30)
    third = await projected(session, team)
    assert third.stage == Stage.TEAM
    assert third.team_meeting_on == copenhagen_today() - timedelta(days=3)


async def workflow_state(temporal: Client, case: Case) -> ProgrammeState:
    state: ProgrammeState = await temporal.get_workflow_handle(case.workflow_id).query(
        "current", result_type=ProgrammeState
    )
    return state


def tasks_of(session: Session, case: Case) -> list[Task]:
    session.expire_all()
    return list(session.exec(select(Task).where(Task.case_id == case.id)).all())


def sla_of(session: Session, department: Department) -> TaskSla:
    row = session.get(DepartmentRow, department.value)
    if row is None:
        return TaskSla()
    return TaskSla(
        acknowledge_days=row.acknowledge_days,
        escalation_interval_days=row.escalation_interval_days,
    )


async def test_an_imported_course_has_its_timers_where_its_own_dates_put_them(
    service, open_session, session, temporal, admin, coordinator
):
    today = copenhagen_today()
    decided, given = today - timedelta(days=100), today - timedelta(days=20)
    ended, asked, meeting = (today - timedelta(days=d) for d in (30, 10, 20))
    active, finished, waiting, recommended = (random_cpr() for _ in range(4))
    who = coordinator.username
    data = csv_file(
        f"{active};Alma Aktiv;{who};ressourceforloeb;active;{day(400)};{day(300)};;;"
        f"{decided:%d.%m.%Y};{day(-300)};;;"
        f"health:Samtaleforløb hos psykolog: fortsat:{given:%d.%m.%Y}|social:Bostøtte",
        f"{finished};Bo Afsluttet;{who};tvaerfagligt;Afsluttet, afventer opfølgning;{day(500)};"
        f";;;{day(400)};;{ended.isoformat()};Uddannelse;",
        f"{waiting};Cille Venter;{who};tvaerfagligt;health_advice;{day(90)};;;{day(10)};;;;;",
        f"{recommended};Dan Indstillet;{who};ressourceforloeb;recommended;{day(120)};{day(20)};"
        "Førtidspension;;;;;;",
        header=FULL_HEADER,
    )

    report = await run_import(service, open_session, temporal, admin, data)

    assert report.clean, list(report.problems())
    assert [line.status for line in report.lines] == [LineStatus.CREATED] * 4
    case = await projected(session, active)
    # The tasks came with the course, in its first projection: nothing was sent after it.
    by_department = {task.department: task for task in tasks_of(session, case)}
    assert set(by_department) == {Department.HEALTH, Department.SOCIAL}
    health = by_department[Department.HEALTH]
    assert health.purpose == "Samtaleforløb hos psykolog: fortsat"
    assert health.assigned_at == start_of(given)
    acknowledge_days = sla_of(session, Department.HEALTH).acknowledge_days
    assert health.acknowledge_by == add_working_time(start_of(given), acknowledge_days)
    assert local_date(by_department[Department.SOCIAL].assigned_at) == today
    state = await workflow_state(temporal, case)
    assert state.effort_rule_on == add_months(decided, 6)
    assert state.planned_end == today + timedelta(days=300) == case.planned_end

    # Its acknowledgement deadline passed in the former system: the timer fires at once.
    async def escalated() -> bool:
        (task,) = [t for t in tasks_of(session, case) if t.department == Department.HEALTH]
        return task.breach == Breach.ACKNOWLEDGE

    await eventually(escalated, seconds=20)

    done = await projected(session, finished)
    assert (done.stage, done.ended_on, done.outcome) == (Stage.ENDED, ended, Outcome.EDUCATION)
    assert done.decided_on == today - timedelta(days=400)
    assert done.followup_on == add_weeks(ended, 13)
    assert (await workflow_state(temporal, done)).followup_on == add_weeks(ended, 13)

    asking = await projected(session, waiting)
    assert asking.stage == Stage.HEALTH_ADVICE
    assert asking.health_advice_requested_at == start_of(asked)
    # The stage's stall limit and the reminder count from the request, not from the import.
    assert (await workflow_state(temporal, asking)).stage_since == start_of(asked)

    deciding = await projected(session, recommended)
    assert deciding.stage == Stage.RECOMMENDED
    assert deciding.recommendation == Recommendation.FOERTIDSPENSION
    assert deciding.team_meeting_on == meeting


async def test_a_line_whose_task_is_wrong_is_refused_whole_and_added_whole_once_put_right(
    service, open_session, session, temporal, admin, coordinator
):
    good, wrong = random_cpr(), random_cpr()
    who = coordinator.username
    first_line = f"{good};God Linje;{who};tvaerfagligt;referred;{day(10)};;;;"
    task = "health:Samtale hos psykolog"

    first = await run_import(
        service,
        open_session,
        temporal,
        admin,
        csv_file(
            first_line,
            f"{wrong};Opgave Fejl;{who};tvaerfagligt;referred;{day(10)};;;;{task}:{danish(-3)}",
        ),
    )

    assert [line.status for line in first.lines] == [LineStatus.CREATED, LineStatus.REFUSED]
    assert first.lines[1].problems == ["Opgave 1: tildelingsdatoen kan ikke ligge i fremtiden."]
    # Nothing of the line was written: no citizen, so no case and no workflow either.
    assert session.exec(select(Citizen).where(Citizen.cpr == wrong)).first() is None
    assert case_of(session, wrong) is None

    fixed = csv_file(
        first_line, f"{wrong};Opgave Fejl;{who};tvaerfagligt;referred;{day(10)};;;;{task}:{day(3)}"
    )
    second = await run_import(service, open_session, temporal, admin, fixed)

    assert [line.status for line in second.lines] == [LineStatus.EXISTS, LineStatus.CREATED]
    assert second.clean
    case = await projected(session, wrong)
    (given,) = tasks_of(session, case)
    assert (given.department, given.purpose) == (Department.HEALTH, "Samtale hos psykolog")
    assert local_date(given.assigned_at) == copenhagen_today() - timedelta(days=3)

    third = await run_import(service, open_session, temporal, admin, fixed)
    assert [line.status for line in third.lines] == [LineStatus.EXISTS] * 2
    assert len(tasks_of(session, case)) == 1


async def test_each_bad_line_is_reported_in_danish_with_its_number_and_leaves_nothing(
    service, open_session, session, temporal, admin, coordinator
):
    manager = make_staff(session, Role.MANAGER)
    good, twice = random_cpr(), random_cpr()
    bad = [random_cpr() for _ in range(9)]
    who = coordinator.username
    data = csv_file(
        f"{good};God Linje;{who};tvaerfagligt;referred;{day(10)};;;;",  # line 2
        f"0101901;Kort Cpr;{who};tvaerfagligt;referred;{day(10)};;;;",  # 3
        f"{bad[0]};Ukendt Koordinator;findes-ikke;tvaerfagligt;referred;{day(10)};;;;",  # 4
        f"{bad[1]};Forkert Rolle;{manager.username};tvaerfagligt;referred;{day(10)};;;;",  # 5
        f"{bad[2]};Ukendt Type;{who};flexjob;referred;{day(10)};;;;",  # 6
        f"{bad[3]};Forkert Fase;{who};tvaerfagligt;team;{day(10)};;;;",  # 7
        f"{bad[4]};Dårlig Dato;{who};tvaerfagligt;referred;31-02-2024;;;;",  # 8
        f"{bad[5]};Gammel Sag;{who};ressourceforloeb;referred;{day(6 * 366)};;;;",  # 9
        f"{bad[6]};Uden Afgørelse;{who};ressourceforloeb;active;{day(100)};;;;",  # 10
        f"{bad[7]};Forkert Opgave;{who};tvaerfagligt;referred;{day(10)};;;;kantinen:Frokost",
        f"{twice};Første Gang;{who};tvaerfagligt;referred;{day(10)};;;;",  # 12
        f"{twice};Anden Gang;{who};tvaerfagligt;referred;{day(10)};;;;",  # 13
        f"{bad[8]};For Mange;{who};tvaerfagligt;referred;{day(10)};;;;;ekstra",  # 14
    )

    report = await run_import(service, open_session, temporal, admin, data)

    by_line = {line.number: line for line in report.lines}
    expected = {
        3: "CPR-nummeret skal være 10 cifre",
        4: "Der er ingen bruger med brugernavnet »findes-ikke«.",
        5: f"»{manager.username}« er leder, ikke koordinator.",
        6: "»flexjob« i kolonnen »type« kendes ikke; brug »Ressourceforløb« eller "
        "»Tværfagligt forløb«.",
        7: "Fasen »Rehabiliteringsteam« kan ikke registreres",
        8: "Datoen »31-02-2024« i kolonnen »visiteret« kan ikke læses",
        9: "Visitationsdatoen kan højst ligge 5 år tilbage.",
        10: "Et forløb i fasen »Aktivt forløb« skal have afgørelsens dato (kolonnen »afgørelse«).",
        11: "Opgave 1 (»kantinen:Frokost«) skal skrives som afdeling:formål",
        13: "CPR-nummeret står også i linje 12.",
        14: "Linjen har flere felter, end der er kolonner",
    }
    for number, problem in expected.items():
        assert by_line[number].status == LineStatus.REFUSED
        assert any(p.startswith(problem) for p in by_line[number].problems), (
            number,
            by_line[number].problems,
        )
    assert any(line.startswith("Linje 9: Visitationsdatoen") for line in report.problems())
    assert by_line[2].status == by_line[12].status == LineStatus.CREATED
    assert not report.clean
    assert report.summary() == (
        "2 forløb er oprettet, 0 fandtes allerede, 11 linjer med fejl er ikke indlæst."
    )
    for cpr in bad:
        assert session.exec(select(Citizen).where(Citizen.cpr == cpr)).first() is None
    await projected(session, good)


async def test_the_same_file_twice_changes_nothing_the_second_time(
    service, open_session, session, temporal, admin, coordinator
):
    cprs = [random_cpr() for _ in range(3)]
    data = csv_file(
        *(
            f"{c};Borger {i};{coordinator.username};tvaerfagligt;referred;{day(5)};;;;"
            for i, c in enumerate(cprs)
        )
    )
    first = await run_import(service, open_session, temporal, admin, data)
    assert first.count(LineStatus.CREATED) == 3
    cases = {cpr: (await projected(session, cpr)).id for cpr in cprs}

    second = await run_import(service, open_session, temporal, admin, data)

    assert [line.status for line in second.lines] == [LineStatus.EXISTS] * 3
    assert second.clean
    assert "0 forløb er oprettet, 3 fandtes allerede" in second.summary()
    for cpr in cprs:
        case = case_of(session, cpr)
        assert case is not None and case.id == cases[cpr]
        citizens = session.exec(select(Citizen).where(Citizen.cpr == cpr)).all()
        assert len(citizens) == 1


async def test_a_dry_run_reports_every_line_and_writes_nothing(
    service, open_session, session, coordinator
):
    ready, wrong = random_cpr(), random_cpr()
    data = csv_file(
        f"{ready};Klar Linje;{coordinator.username};tvaerfagligt;referred;{day(3)};;;;",
        f"{wrong};Fremtid;{coordinator.username};tvaerfagligt;referred;{day(-3)};;;;",
    )

    report = await check_file(open_session, data=data, rules=service.settings.course_rules)

    assert [line.status for line in report.lines] == [LineStatus.READY, LineStatus.REFUSED]
    assert report.lines[1].problems == ["Visitationsdatoen kan ikke ligge i fremtiden."]
    assert "1 forløb er klar til at blive indlæst" in report.summary()
    for cpr in (ready, wrong):
        assert session.exec(select(Citizen).where(Citizen.cpr == cpr)).first() is None


async def test_a_file_with_comma_separation_and_a_bom_is_read_and_unknown_columns_refused(
    service, open_session, coordinator
):
    rules = service.settings.course_rules
    line = f"{random_cpr()},Komma Borger,{coordinator.username},tvaerfagligt,referred,{day(2)}"
    header = "Cpr,Navn,Koordinator,Type,Fase,Visiteret"
    commas = await check_file(
        open_session, data=b"\xef\xbb\xbf" + csv_file(line, header=header), rules=rules
    )
    assert [ln.status for ln in commas.lines] == [LineStatus.READY]

    misspelt = await check_file(
        open_session, data=csv_file(line + ",", header=header + ",Planlagt slutt"), rules=rules
    )
    assert misspelt.file_problems[0].startswith("Kolonnen »Planlagt slutt« kendes ikke")
    assert misspelt.summary() == "Filen kan ikke indlæses. Intet er skrevet."

    latin1 = await check_file(open_session, data="cpr;navn\nø".encode("latin-1"), rules=rules)
    assert "UTF-8" in latin1.file_problems[0]


async def test_a_line_whose_workflow_cannot_start_leaves_neither_case_nor_citizen(
    service, dev_env, database_url, open_session, session, admin, coordinator, tmp_path
):
    known = make_citizen(session, "Kendt Borger")
    new = random_cpr()
    # Temporal answers, but refuses the start: the namespace does not exist.
    refusing = await connect_temporal(
        settings_for(
            tmp_path,
            DATABASE_URL=database_url,
            TEMPORAL_ADDRESS=dev_env.client.service_client.config.target_host,
            TEMPORAL_NAMESPACE="findes-ikke",
        )
    )
    data = csv_file(
        f"{new};Ny Borger;{coordinator.username};tvaerfagligt;referred;{day(4)};;;;",
        f"{known.cpr};Kendt Borger;{coordinator.username};tvaerfagligt;referred;{day(4)};;;;",
    )

    report = await run_import(service, open_session, refusing, admin, data)

    assert [line.status for line in report.lines] == [LineStatus.REFUSED] * 2
    assert "Sagsmotoren" in report.lines[0].problems[0]
    assert session.exec(select(Citizen).where(Citizen.cpr == new)).first() is None
    assert case_of(session, new) is None
    # A citizen known before keeps their row; the line only adds the case, and did not.
    assert session.get(Citizen, known.id) is not None
    assert case_of(session, known.cpr) is None


async def test_a_known_citizen_without_an_open_case_gets_the_course(
    service, open_session, session, temporal, admin, coordinator
):
    known = make_citizen(session, "Kendt Før")
    data = csv_file(
        f"{known.cpr};Andet Navn;{coordinator.username};tvaerfagligt;referred;{day(4)};;;;"
    )
    report = await run_import(service, open_session, temporal, admin, data)
    assert report.lines[0].status == LineStatus.CREATED
    case = await projected(session, known.cpr)
    assert case.citizen_id == known.id


async def test_five_thousand_lines_are_checked_quickly(service, open_session, coordinator):
    lines = [
        f"{random_cpr()};Borger {i};{coordinator.username};tvaerfagligt;referred;{day(i % 900)};;;;"
        for i in range(5000)
    ]
    data = csv_file(*lines)
    started = time.perf_counter()
    report = await check_file(open_session, data=data, rules=service.settings.course_rules)
    seconds = time.perf_counter() - started
    assert len(report.lines) == 5000
    # random_cpr may draw the same number twice; the second is then reported.
    assert report.count(LineStatus.READY) >= 4990
    assert seconds < 15, seconds


def forloeb(*argv: str) -> int:
    """The `forloeb` command, as a shell runs it; its exit code."""
    try:
        main(list(argv))
    except SystemExit as done:
        return int(done.code or 0)
    return 0


async def test_the_forloeb_import_command_checks_then_imports_and_reports_by_line(
    service, open_session, session, admin, coordinator, tmp_path, monkeypatch, capsys
):
    settings = service.settings
    monkeypatch.setenv("FORLOEB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("TEMPORAL_ADDRESS", settings.effective_temporal_address)
    monkeypatch.setenv("FORLOEB_TASK_QUEUE", settings.task_queue)
    assert settings.payload_keys is not None
    monkeypatch.setenv("FORLOEB_PAYLOAD_KEYS", settings.payload_keys.get_secret_value())
    good = random_cpr()
    path = tmp_path / "forloeb.csv"
    path.write_bytes(
        csv_file(
            f"{good};God Linje;{coordinator.username};tvaerfagligt;referred;{day(8)};;;;",
            f"{random_cpr()};Ingen Fase;{coordinator.username};tvaerfagligt;;{day(8)};;;;",
        )
    )

    code = await anyio.to_thread.run_sync(forloeb, "import", str(path), "--dry-run")
    out = capsys.readouterr().out
    assert code == 1
    assert "Linje 3: Kolonnen »fase« er tom" in out
    assert "1 forløb er klar til at blive indlæst" in out
    assert session.exec(select(Citizen).where(Citizen.cpr == good)).first() is None

    code = await anyio.to_thread.run_sync(forloeb, "import", str(path), "--as", admin.username)
    out = capsys.readouterr().out
    assert code == 1
    assert "1 forløb er oprettet, 0 fandtes allerede, 1 linje med fejl er ikke indlæst." in out
    await projected(session, good)

    # Several administrators in this database: the command asks which one acts.
    code = await anyio.to_thread.run_sync(forloeb, "import", str(path))
    assert code == 1
    assert "--as" in capsys.readouterr().err


@pytest.fixture
async def admin_pages(service, admin) -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient(base_url=service.base_url, timeout=60) as client:
        answer = await client.post(
            "/login", data={"username": admin.username, "password": PASSWORD, "next": "/"}
        )
        assert answer.status_code == 303
        yield client


def checked_content(page: str) -> str:
    found = re.search(
        r'<textarea name="indhold" hidden aria-hidden="true">(.*?)</textarea>', page, re.S
    )
    assert found, "the report has no confirmation form"
    return html.unescape(found.group(1))


async def test_the_administrator_uploads_reads_the_check_and_confirms_the_import(
    service, admin_pages, session, coordinator
):
    form = await admin_pages.get("/admin/import")
    assert form.status_code == 200
    assert '<a href="/admin/import">Indlæs forløb</a>' in form.text
    assert '<label for="fil">' in form.text
    good, bad = random_cpr(), random_cpr()
    data = csv_file(
        f"{good};Side Borger;{coordinator.username};tvaerfagligt;referred;{day(6)};;;;",
        f"{bad};Side Fejl;ingen-saadan;tvaerfagligt;referred;{day(6)};;;;",
    )

    checked = await admin_pages.post(
        "/admin/import",
        data={"trin": "kontroller"},
        files={"fil": ("forloeb.csv", data, "text/csv")},
    )

    assert checked.status_code == 200
    assert checked.headers["cache-control"] == "no-store"
    assert "1 forløb er klar til at blive indlæst, 0 findes allerede, 1 linje har fejl" in (
        checked.text
    )
    assert "Der er ingen bruger med brugernavnet »ingen-saadan«." in checked.text
    # The table shows the date of birth only; the full number is in the file sent back.
    table = re.sub(r"<textarea.*?</textarea>", "", checked.text, flags=re.S)
    assert f"{good[:6]}-XXXX" in table and good not in table
    assert "Indlæs 1 forløb" in checked.text
    assert session.exec(select(Citizen).where(Citizen.cpr == good)).first() is None

    imported = await admin_pages.post(
        "/admin/import",
        data={"trin": "importer"},
        files={"indhold": (None, checked_content(checked.text))},
    )

    assert imported.status_code == 200
    assert "1 forløb er oprettet, 0 fandtes allerede, 1 linje med fejl er ikke indlæst." in (
        imported.text
    )
    assert ">Oprettet<" in imported.text
    await projected(session, good)


async def test_the_import_page_explains_a_missing_or_unreadable_file_at_the_field(
    admin_pages,
):
    empty = await admin_pages.post(
        "/admin/import", data={"trin": "kontroller"}, files={"fil": ("", b"", "text/csv")}
    )
    assert empty.status_code == 422
    assert '<p class="field-error" id="fil-error">Vælg en CSV-fil.</p>' in empty.text
    assert 'aria-invalid="true"' in empty.text

    columns = await admin_pages.post(
        "/admin/import",
        data={"trin": "kontroller"},
        files={"fil": ("forloeb.csv", b"cpr;navn\n0101901234;Borger", "text/csv")},
    )
    assert columns.status_code == 422
    assert "Kolonnen »koordinator« mangler." in columns.text


async def test_only_an_administrator_may_import(service, as_coordinator, as_manager):
    for client in (as_coordinator, as_manager):
        page = await client.get("/admin/import")
        assert page.status_code == 403
        assert "administrator" in page.json()["detail"]
        posted = await client.post(
            "/admin/import", data={"trin": "importer", "indhold": csv_file().decode()}
        )
        assert posted.status_code == 403
    board = await as_coordinator.get("/board")
    assert "/admin/import" not in board.text


async def test_an_import_from_another_site_is_refused(service, admin_pages):
    answer = await admin_pages.post(
        "/admin/import",
        data={"trin": "kontroller"},
        headers={"Origin": "https://evil.example", "Sec-Fetch-Site": "cross-site"},
    )
    assert answer.status_code == 403


async def test_in_the_browser_the_import_page_reads_uploads_and_confirms_without_violations(
    service, browser, session, admin, coordinator, tmp_path
):
    good, bad = random_cpr(), random_cpr()
    path = tmp_path / "forloeb.csv"
    path.write_bytes(
        b"\xef\xbb\xbf"
        + csv_file(
            f"{good};Browser Borger;{coordinator.username};tvaerfagligt;referred;{day(2)};;;;"
            "social:Bostøtte",
            f"{bad};Browser Fejl;{coordinator.username};tvaerfagligt;referred;{danish(-2)};;;;",
        ).replace(b"\n", b"\r\n")
    )
    context = await browser.new_context(
        base_url=service.base_url,
        locale="da-DK",
        viewport={"width": 390, "height": 844},
        bypass_csp=True,
    )
    try:
        page = await context.new_page()
        await sign_in(page, admin.username)
        await page.get_by_role("link", name="Indlæs forløb").click()
        await page.get_by_role("button", name="Kontrollér filen").click()
        await expect(page.locator("#fil-error")).to_have_text("Vælg en CSV-fil.")
        assert not await serious_violations(page), describe(await serious_violations(page))

        await page.get_by_label("CSV-fil med forløbene").set_input_files(path)
        await page.get_by_role("button", name="Kontrollér filen").click()

        await expect(page.get_by_role("status")).to_contain_text("1 forløb er klar")
        await expect(page.get_by_role("row", name=re.compile("Browser Fejl"))).to_contain_text(
            "Visitationsdatoen kan ikke ligge i fremtiden."
        )
        violations = await serious_violations(page)
        assert not violations, describe(violations)
        await page.get_by_role("button", name="Indlæs 1 forløb").click()
        await expect(page.get_by_role("status")).to_contain_text("1 forløb er oprettet")
    finally:
        await context.close()
    case = await projected(session, good)

    async def task_given() -> bool:
        session.expire_all()
        return session.exec(select(Task).where(Task.case_id == case.id)).first() is not None

    await eventually(task_given, seconds=20)
    assert session.exec(select(Citizen).where(Citizen.cpr == bad)).first() is None


async def test_a_file_may_name_its_columns_and_choices_in_danish_as_the_page_shows_them(
    service, open_session, coordinator
):
    header = (
        "CPR;Navn;Koordinator;Type;Fase;Visiteret;Teammøde;Indstilling;Rådgivning anmodet;"
        "Afgørelse;Planlagt slut;Afsluttet;Udfald;Opgaver"
    )
    who = coordinator.username
    lines = (
        f"{random_cpr()};Dansk Indstilling;{who};Ressourceforløb;"
        f'"Indstillet, afventer afgørelse";{day(60)};{day(20)};Fleksjob;;;;;;',
        f"{random_cpr()};Dansk Opgave;{who};Tværfagligt forløb;Visiteret;{day(10)};;;;;;;;"
        f"Børn og familie:Familiesamtale",
    )
    data = "\n".join([header.replace(";", ","), *(ln.replace(";", ",") for ln in lines)])
    report = await check_file(open_session, data=data.encode(), rules=service.settings.course_rules)
    assert [line.status for line in report.lines] == [LineStatus.READY] * 2, [
        line.problems for line in report.lines
    ]
