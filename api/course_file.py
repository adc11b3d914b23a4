"""The file of running courses from the municipality's current system: its format, and every
line read and checked before anything is written (api/course_import.py writes the good ones).

The file
--------
One course per line; the first line names the columns, in any order:

    cpr            the citizen's CPR number, 0101901234 or 010190-1234            required
    navn           the citizen's name                                              required
    koordinator    the coordinating caseworker's username in forløb                required
    type           ressourceforloeb or tvaerfagligt                                required
    fase           ressourceforloeb: referred, preparation, team, recommended, active
                   or ended; tvaerfagligt: referred, description, health_advice,
                   described, active or ended                                      required
    visiteret      the referral date (at most 5 years back)                        required
    teammoede      the rehabilitation team's meeting; ressourceforløb only, required in team
                   and recommended
    indstilling    the team's recommendation, in fase recommended only and required there:
                   ressourceforloeb, fleksjob, foertidspension or other
    raadgivning_anmodet
                   the day the region's health coordinator was asked for advice; in fase
                   health_advice only, and required there (the reminder and the stall are
                   counted from it)
    afgoerelse     the decision date; in fase active and ended only, and required there
    planlagt_slut  the planned end; in fase active (required) and ended (optional: the end
                   date if empty)
    afsluttet      the day the course ended; in fase ended only, and required there (the
                   follow-up falls 13 weeks later, which must still lie ahead)
    udfald         where the citizen was at the end; in fase ended only, and required there:
                   job, education, fleksjob, ledighedsydelse, dagpenge, foertidspension or
                   other
    opgaver        open tasks for departments as afdeling:formål:dato, several separated by
                   |, e.g. "health:Samtaleforløb hos psykolog:2026-09-14|social:Bostøtte";
                   afdeling is jobcenter, social, health or family; dato is the day the task
                   was given, its deadlines counted from it (today if left out); not in ended

Separated by semicolons (as Danish Excel saves CSV) or commas, UTF-8 with or without a BOM.
Dates as 2024-03-31, 31-03-2024 or 31.03.2024. Column names, types, stages and departments
may also be written in Danish with æ, ø and å (Teammøde, Tværfagligt forløb, Aktivt forløb,
Sundhed, Fleksjob, Ordinært job). A column the import does not know refuses the whole file, so
a misspelt optional column cannot drop its dates unnoticed. A line is written whole or not at
all: its open tasks travel with the course into its workflow (models/registration.py).
"""

import contextlib
import csv
import io
import re
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import TypeVar

from pydantic import TypeAdapter, ValidationError
from sqlmodel import col, select

from api.case_service import referral_problem
from api.errors import field_errors
from models.case import Case
from models.citizen import Citizen, Name
from models.command import new_id
from models.cpr import InvalidCpr, mask_cpr, normalise_cpr
from models.db import SessionFactory
from models.department import DepartmentRow
from models.enums import CourseType, Department, Labelled, Outcome, Recommendation, Role, Stage
from models.registration import REGISTRABLE, RegisteredCourse
from models.rules import CourseRules
from models.staff import Staff
from models.task import AssignTask, TaskSla

REQUIRED = ("cpr", "navn", "koordinator", "type", "fase", "visiteret")
COLUMNS = (
    *REQUIRED,
    "teammoede",
    "indstilling",
    "raadgivning_anmodet",
    "afgoerelse",
    "planlagt_slut",
    "afsluttet",
    "udfald",
    "opgaver",
)
# A column as messages and the page name it: in Danish spelling, which the file may use too.
_SPELT = {
    "teammoede": "teammøde",
    "raadgivning_anmodet": "rådgivning anmodet",
    "afgoerelse": "afgørelse",
    "planlagt_slut": "planlagt slut",
}


def _spelt(column: str) -> str:
    return _SPELT.get(column, column)


# Where the file holds each of the registration's fields, for what a line leaves empty.
_FIELD_COLUMNS = {
    "team_meeting_on": _spelt("teammoede"),
    "recommendation": "indstilling",
    "health_advice_requested_on": _spelt("raadgivning_anmodet"),
    "decided_on": _spelt("afgoerelse"),
    "planned_end": _spelt("planlagt_slut"),
    "ended_on": "afsluttet",
    "outcome": "udfald",
}
# A municipality's running courses are a few thousand lines, well under this.
MAX_BYTES = 20 * 1024 * 1024
# CPR numbers per query, well under every database's limit on bound parameters.
_CHUNK = 500
_DATE_FORMATS = ("%Y-%m-%d", "%d-%m-%Y", "%d.%m.%Y")
_NAME = TypeAdapter(Name)
E = TypeVar("E", bound=Labelled)


class LineStatus(Labelled):
    READY = "ready", "Klar"
    CREATED = "created", "Oprettet"
    EXISTS = "exists", "Findes allerede"
    REFUSED = "refused", "Ikke indlæst"


@dataclass
class LineReport:
    number: int  # the line in the file, the column names being line 1
    cpr: str  # masked
    name: str
    status: LineStatus
    problems: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    dry_run: bool
    lines: list[LineReport] = field(default_factory=list)
    # What keeps the whole file from being read; no line is then checked.
    file_problems: list[str] = field(default_factory=list)

    def count(self, status: LineStatus) -> int:
        return sum(1 for line in self.lines if line.status == status)

    @property
    def clean(self) -> bool:
        return not self.file_problems and not any(line.problems for line in self.lines)

    def problems(self) -> Iterator[str]:
        """Every problem as one Danish line, the line number first."""
        yield from self.file_problems
        for line in self.lines:
            for problem in line.problems:
                yield f"Linje {line.number}: {problem}"

    def summary(self) -> str:
        if self.file_problems:
            return "Filen kan ikke indlæses. Intet er skrevet."
        exists, refused = self.count(LineStatus.EXISTS), self.count(LineStatus.REFUSED)
        lines = f"{refused} {'linje' if refused == 1 else 'linjer'}"
        if self.dry_run:
            return (
                f"{self.count(LineStatus.READY)} forløb er klar til at blive indlæst, "
                f"{exists} findes allerede, {lines} har fejl. Intet er skrevet endnu."
            )
        return (
            f"{self.count(LineStatus.CREATED)} forløb er oprettet, {exists} fandtes allerede, "
            f"{lines} med fejl er ikke indlæst."
        )


@dataclass
class CheckedLine:
    """A line that passed every check, ready to be written."""

    report: LineReport
    cpr: str
    name: str
    coordinator_id: uuid.UUID
    course_type: CourseType
    referred_on: date
    registered: RegisteredCourse  # with the line's open tasks


@dataclass(frozen=True)
class Row:
    number: int  # the line in the file, the column names being line 1
    cells: dict[str, str]  # by column
    overflow: int  # fields filled in beyond the last column


Rows = list[Row]


def read_rows(data: bytes) -> tuple[Rows, list[str]]:
    """The file's lines by column, or why the file cannot be read."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return [], ["Filen er ikke gemt som UTF-8. Gem den i Excel som »CSV UTF-8«."]
    header = text.split("\n", 1)[0]
    delimiter = ";" if header.count(";") >= header.count(",") else ","
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    try:
        written = [name.strip() for name in next(reader, [])]
    except csv.Error as error:
        return [], [f"Linje 1 kan ikke læses som CSV: {error}."]
    columns = [_plain(name) for name in written]
    known = ", ".join(_spelt(name) for name in COLUMNS)
    problems = [f"Kolonnen »{name}« mangler." for name in REQUIRED if name not in columns]
    problems += [
        f"Kolonnen »{name}« kendes ikke; de kendte er {known}."
        for name, plain in zip(written, columns, strict=True)
        if plain and plain not in COLUMNS
    ]
    problems += [
        f"Kolonnen »{_spelt(n)}« står to gange." for n in set(columns) if columns.count(n) > 1
    ]
    if problems:
        return [], problems
    rows: Rows = []
    last = reader.line_num
    try:
        for cells in reader:
            number, last = last + 1, reader.line_num
            if not any(cell.strip() for cell in cells):
                continue
            # Short lines are fine: a spreadsheet leaves out empty fields at the end.
            named = dict(zip(columns, (cell.strip() for cell in cells), strict=False))
            overflow = sum(1 for cell in cells[len(columns) :] if cell.strip())
            rows.append(Row(number, named, overflow))
    except csv.Error as error:
        return [], [f"Linje {reader.line_num} kan ikke læses som CSV: {error}."]
    return rows, problems


def _plain(text: str) -> str:
    """A name or value as the file may write it, in the form we compare: lower case, æ, ø and
    å spelt out, spaces and hyphens as underscores."""
    text = text.strip().lower()
    for letter, spelt in (("æ", "ae"), ("ø", "oe"), ("å", "aa")):
        text = text.replace(letter, spelt)
    return re.sub(r"[\s-]+", "_", text)


def _vocabulary(enum: type[E]) -> dict[str, E]:
    """Each member by its value and by its Danish label."""
    return {_plain(key): m for m in enum for key in (m.value, m.label)}


_TYPES = _vocabulary(CourseType)
_STAGES = _vocabulary(Stage)
_DEPARTMENTS = _vocabulary(Department)
_DEPARTMENT_CODES = {d.value for d in Department}
_RECOMMENDATIONS = _vocabulary(Recommendation)
_OUTCOMES = _vocabulary(Outcome)
# A task's last part that is written as a date, even one that cannot be read: it is reported,
# not taken as part of the purpose.
_DATE_LIKE = re.compile(r"\d{1,4}[-./]\d{1,2}[-./]\d{1,4}")


@dataclass
class _Known:
    """What the database already holds of the people the file names."""

    coordinators: dict[str, Staff]
    with_open_case: set[str]  # CPR numbers
    # Each department's deadlines for its tasks, as the case page gives them.
    slas: dict[Department, TaskSla]


def _known(open_session: SessionFactory, rows: Rows) -> _Known:
    usernames = {row.cells.get("koordinator", "") for row in rows}
    cprs = []
    for row in rows:
        with contextlib.suppress(InvalidCpr):  # reported with its line
            cprs.append(normalise_cpr(row.cells.get("cpr", "")))
    with open_session() as session:
        staff = session.exec(select(Staff).where(col(Staff.username).in_(usernames))).all()
        open_cprs: set[str] = set()
        for start in range(0, len(cprs), _CHUNK):
            open_cprs.update(
                session.exec(
                    select(Citizen.cpr)
                    .join(Case, col(Case.citizen_id) == Citizen.id)
                    .where(col(Citizen.cpr).in_(cprs[start : start + _CHUNK]))
                    .where(Case.stage != Stage.CLOSED)
                ).all()
            )
        slas = {
            Department(row.code): TaskSla(
                acknowledge_days=row.acknowledge_days,
                escalation_interval_days=row.escalation_interval_days,
            )
            for row in session.exec(select(DepartmentRow)).all()
            if row.code in _DEPARTMENT_CODES
        }
    return _Known({s.username: s for s in staff}, open_cprs, slas)


def check_lines(
    open_session: SessionFactory, rows: Rows, *, today: date, rules: CourseRules
) -> tuple[list[LineReport], list[CheckedLine]]:
    """Every line's report, and the courses of the lines that may be written."""
    known = _known(open_session, rows)
    seen: dict[str, int] = {}
    reports, courses = [], []
    for row in rows:
        report, course = _check(row, known, seen, today, rules)
        reports.append(report)
        if course is not None:
            courses.append(course)
    return reports, courses


def _check(
    row: Row,
    known: _Known,
    seen: dict[str, int],
    today: date,
    rules: CourseRules,
) -> tuple[LineReport, CheckedLine | None]:
    cells = row.cells
    problems: list[str] = []
    report = LineReport(row.number, "", cells.get("navn", ""), LineStatus.REFUSED, problems)
    if row.overflow:
        problems.append(
            "Linjen har flere felter, end der er kolonner; står der et skilletegn i et felt "
            "uden anførselstegn om?"
        )
    cpr = None
    try:
        cpr = normalise_cpr(cells.get("cpr", ""))
    except InvalidCpr as error:
        problems.append(str(error))
    else:
        report.cpr = mask_cpr(cpr)
        if cpr in known.with_open_case:
            report.status = LineStatus.EXISTS
            return report, None
        if cpr in seen:
            problems.append(f"CPR-nummeret står også i linje {seen[cpr]}.")
        seen.setdefault(cpr, row.number)
    name = _name(cells.get("navn", ""), problems)
    coordinator = _coordinator(cells.get("koordinator", ""), known, problems)
    course_type = _choice(cells, "type", _TYPES, _either(t.label for t in CourseType), problems)
    stage = _choice(cells, "fase", _STAGES, _stage_choices(course_type), problems)
    before = len(problems)
    referred_on = _date(cells, "visiteret", problems, required=True)
    team, asked, decided, planned, ended = (_date(cells, c, problems) for c in _DATES)
    recommendation = _optional_choice(cells, "indstilling", _RECOMMENDATIONS, problems)
    outcome = _optional_choice(cells, "udfald", _OUTCOMES, problems)
    tasks = _tasks(cells.get("opgaver", ""), known.slas, problems)
    # The course's own rules speak only of a line whose dates and choices could all be read.
    read = len(problems) == before
    if course_type is not None and stage is not None and referred_on is not None and read:
        registered = RegisteredCourse(
            stage=stage,
            team_meeting_on=team,
            recommendation=recommendation,
            health_advice_requested_on=asked,
            decided_on=decided,
            planned_end=planned,
            ended_on=ended,
            outcome=outcome,
            tasks=tasks,
        )
        referral = referral_problem(referred_on, today)
        problems += [referral] if referral else []
        problems += registered.problems(course_type, referred_on, today, rules, _FIELD_COLUMNS)
        if not problems and cpr and name and coordinator:
            report.status = LineStatus.READY
            course = CheckedLine(
                report, cpr, name, coordinator.id, course_type, referred_on, registered
            )
            return report, course
    return report, None


_DATES = ("teammoede", "raadgivning_anmodet", "afgoerelse", "planlagt_slut", "afsluttet")


def _stage_choices(course_type: CourseType | None) -> str:
    every = dict.fromkeys(s for allowed in REGISTRABLE.values() for s in allowed)
    stages = REGISTRABLE[course_type] if course_type else tuple(every)
    return _either(s.label for s in stages)


def _either(names: Iterable[str]) -> str:
    """The choices by their Danish names, which the file may use as well as the short codes;
    quoted, since a stage's name may hold a comma."""
    *first, last = (f"»{name}«" for name in names)
    return ", ".join(first) + f" eller {last}" if first else last


def _name(raw: str, problems: list[str]) -> str | None:
    if not raw:
        problems.append("Borgerens navn mangler (kolonnen »navn«).")
        return None
    try:
        return _NAME.validate_python(raw)
    except ValidationError as error:
        problems += [f"Navnet: {e['message']}" for e in field_errors(error.errors())]
        return None


def _coordinator(username: str, known: _Known, problems: list[str]) -> Staff | None:
    staff = known.coordinators.get(username)
    if not username:
        problems.append("Den koordinerende sagsbehandler mangler (kolonnen »koordinator«).")
    elif staff is None:
        problems.append(f"Der er ingen bruger med brugernavnet »{username}«.")
    elif staff.role != Role.COORDINATOR:
        problems.append(f"»{username}« er {staff.role.label.lower()}, ikke koordinator.")
    elif not staff.active:
        problems.append(f"»{username}« er ikke længere aktiv.")
    else:
        return staff
    return None


def _choice(
    cells: dict[str, str], column: str, known: dict[str, E], choices: str, problems: list[str]
) -> E | None:
    raw = cells.get(column, "")
    if not raw:
        problems.append(f"Kolonnen »{_spelt(column)}« er tom; brug {choices}.")
        return None
    found = known.get(_plain(raw))
    if found is None:
        problems.append(f"»{raw}« i kolonnen »{_spelt(column)}« kendes ikke; brug {choices}.")
    return found


def _optional_choice(
    cells: dict[str, str], column: str, known: dict[str, E], problems: list[str]
) -> E | None:
    """A choice the line's stage may need; whether it does is the registration's to say."""
    if not cells.get(column, ""):
        return None
    values = dict.fromkeys(member.label for member in known.values())
    return _choice(cells, column, known, _either(values), problems)


def _date(
    cells: dict[str, str], column: str, problems: list[str], required: bool = False
) -> date | None:
    raw = cells.get(column, "")
    if not raw:
        if required:
            problems.append(f"Kolonnen »{_spelt(column)}« er tom; datoen skal udfyldes.")
        return None
    found = _read_date(raw)
    if found is None:
        problems.append(
            f"Datoen »{raw}« i kolonnen »{_spelt(column)}« kan ikke læses; "
            "skriv den som ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ."
        )
    return found


def _read_date(raw: str) -> date | None:
    for pattern in _DATE_FORMATS:
        try:
            return datetime.strptime(raw, pattern).date()
        except ValueError:
            continue
    return None


def _tasks(raw: str, slas: dict[Department, TaskSla], problems: list[str]) -> list[AssignTask]:
    """The line's open tasks, complete as the case page gives one: an id, and the
    department's deadlines counted from the day the task was given."""
    tasks = []
    for n, item in enumerate(filter(None, (part.strip() for part in raw.split("|"))), 1):
        where, colon, rest = item.partition(":")
        department = _DEPARTMENTS.get(_plain(where))
        if not colon or department is None:
            problems.append(
                f"Opgave {n} (»{item}«) skal skrives som afdeling:formål:dato, hvor afdelingen "
                f"er {_either(d.label for d in Department)}, og datoen kan udelades."
            )
            continue
        purpose, given = rest, None
        head, colon, tail = rest.rpartition(":")
        if colon and _DATE_LIKE.fullmatch(tail.strip()):
            purpose, given = head, _read_date(tail.strip())
            if given is None:
                problems.append(
                    f"Datoen »{tail.strip()}« i opgave {n} kan ikke læses; "
                    "skriv den som ÅÅÅÅ-MM-DD, DD-MM-ÅÅÅÅ eller DD.MM.ÅÅÅÅ."
                )
                continue
        try:
            tasks.append(
                AssignTask(
                    department=department,
                    purpose=purpose,
                    assigned_on=given,
                    task_id=new_id(),
                    sla=slas.get(department),
                )
            )
        except ValidationError as error:
            problems += [
                f"Formålet i opgave {n}: {e['message']}" for e in field_errors(error.errors())
            ]
    return tasks
