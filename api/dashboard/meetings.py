"""Whether meeting agreements and reminders work: of the meetings in a quarter that were held,
missed or cancelled, the shares, by the channel the agreement went by, by whether the citizen
confirmed, and by whether a reminder reached them."""

from dataclasses import dataclass

from sqlalchemy import ColumnElement, func
from sqlalchemy import select as sa_select
from sqlmodel import Session, col, select

from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.period import Quarter
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.case_view import CaseMeeting
from models.danish_time import start_of
from models.enums import Channel, MeetingStatus

QUARTERS = 2  # the chosen quarter against the one before, as the waits
OUTCOMES = (MeetingStatus.HELD, MeetingStatus.NO_SHOW, MeetingStatus.CANCELLED)
DEFINITION = (
    "Møder med borgeren, der lå i kvartalet og er registreret som gennemført, udeblevet eller "
    "aflyst, som andele. Kanalen er den, mødeaftalen sidst blev sendt med uden at fejle; »ingen "
    "besked« er aftaler, koordinatoren selv ringede om. En påmindelse er »leveret«, når "
    "udbyderen meldte den leveret, og »sendt« når den gik af sted uden besked om levering "
    "(e-mail og udbakken)."
)


# The facts a meeting's row keeps for the splits (activities/case_view.py).
FACTS = ("agreement_channel", "confirmed", "reminder")


@dataclass(frozen=True)
class Group:
    """One way of splitting the meetings: the fact a meeting's row must have, and its value."""

    by: str  # what the split is by, as the table names it
    name: str  # the group, as the table names it
    code: str  # in the address: gruppe=<code>
    fact: str | None = None  # one of FACTS; None: every meeting
    value: str | bool | None = None

    def where(self) -> ColumnElement[bool]:
        if self.fact is None:
            return col(CaseMeeting.id).is_not(None)
        column = col(getattr(CaseMeeting, self.fact))
        return column.is_(None) if self.value is None else column == self.value

    def holds(self, facts: dict[str, object]) -> bool:
        return self.fact is None or facts[self.fact] == self.value


def _groups() -> list[Group]:
    groups = [Group("I alt", "Alle møder", "alle")]
    groups += [
        Group("Aftalens kanal", c.label, f"kanal-{c.value}", "agreement_channel", c.value)
        for c in (Channel.SMS, Channel.CALL, Channel.EMAIL)
    ]
    groups += [
        Group("Aftalens kanal", "Ingen besked", "kanal-ingen", "agreement_channel", None),
        Group("Borgeren bekræftede", "Ja", "bekraeftet-ja", "confirmed", True),
        Group("Borgeren bekræftede", "Nej", "bekraeftet-nej", "confirmed", False),
    ]
    groups += [
        Group("Påmindelse", name, f"paamindelse-{code or 'ingen'}", "reminder", code)
        for code, name in (("delivered", "Leveret"), ("sent", "Sendt"), ("", "Ingen"))
    ]
    return groups


GROUPS = {group.code: group for group in _groups()}


def _in(quarter: Quarter) -> list[ColumnElement[bool]]:
    """Meetings in the quarter with an outcome."""
    return [
        col(CaseMeeting.starts_at) >= start_of(quarter.start),
        col(CaseMeeting.starts_at) < start_of(quarter.end),
        col(CaseMeeting.status).in_([s.value for s in OUTCOMES]),
    ]


Counts = dict[Group, dict[MeetingStatus, int]]


def _counts(session: Session, filters: Filters, quarter: Quarter, groups: list[Group]) -> Counts:
    """Each group's meetings by outcome, from one count by outcome and facts."""
    found: Counts = {group: {} for group in groups}
    # SQLAlchemy's own select: SQLModel's is typed for at most four columns.
    for status, channel, confirmed, reminder, n in session.execute(
        sa_select(
            col(CaseMeeting.status),
            col(CaseMeeting.agreement_channel),
            col(CaseMeeting.confirmed),
            col(CaseMeeting.reminder),
            func.count(),
        )
        .where(filters.case_ids(CaseMeeting.case_id), *_in(quarter))
        .group_by(
            col(CaseMeeting.status),
            col(CaseMeeting.agreement_channel),
            col(CaseMeeting.confirmed),
            col(CaseMeeting.reminder),
        )
    ):
        row = dict(zip(FACTS, (channel, confirmed, reminder), strict=True))
        for group in groups:
            if group.holds(row):
                outcome = MeetingStatus(status)
                found[group][outcome] = found[group].get(outcome, 0) + n
    return found


def build(session: Session, filters: Filters) -> Section:
    table = Table(
        key="moeder",
        title="Møder med borgeren",
        columns=["Kvartal", "Opdelt efter", "Gruppe", "Møder", *(s.label for s in OUTCOMES)],
        note="Andelene står med antallet i parentes; hvert tal viser møderne bag det.",
    )
    chart_rows = []
    for quarter in filters.quarter.back(QUARTERS)[::-1]:
        # Every split for the chosen quarter; the ones before it in total, to compare.
        groups = list(GROUPS.values()) if quarter == filters.quarter else [GROUPS["alle"]]
        by_group = _counts(session, filters, quarter, groups)
        for group in groups:
            counts = by_group[group]
            total = sum(counts.values())
            if not total and group.code != "alle":
                continue
            links = {
                s: filters.drill("moeder", kvartal=quarter.code, gruppe=group.code, udfald=s.value)
                for s in OUTCOMES
            }
            table.rows.append(
                [
                    Cell(quarter.code),
                    Cell(group.by),
                    Cell(group.name),
                    Cell(total),
                    *(_share(counts.get(s, 0), total, links[s]) for s in OUTCOMES),
                ]
            )
            if quarter == filters.quarter and group.by == "Aftalens kanal":
                chart_rows.append(
                    Row(
                        f"Aftale via {_in_sentence(group.name)}",
                        [Segment(counts.get(s, 0), s.label, links[s]) for s in OUTCOMES],
                    )
                )
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            chart_rows,
            title=f"Mødernes udfald efter aftalens kanal, {filters.quarter.label}",
            percent=True,
            legend=[s.label for s in OUTCOMES],
        ),
    )


def _share(count: int, total: int, href: str) -> Cell:
    if not total:
        return Cell(None)
    text = f"{count / total:.0%} ({count})".replace("%", " %")
    return Cell(round(count / total, 3), text=text, href=href)


def cases(session: Session, filters: Filters, params: dict[str, str]) -> Table:
    quarter = Quarter.parse(params["kvartal"])
    group = GROUPS[params["gruppe"]]
    outcome = MeetingStatus(params["udfald"])
    if outcome not in OUTCOMES:
        raise ValueError("not an outcome of a meeting")
    meetings = (
        select(CaseMeeting.case_id)
        .where(*_in(quarter), group.where(), col(CaseMeeting.status) == outcome)
        .scalar_subquery()
    )
    return case_list(
        session,
        key="moeder",
        title=f"Møder: {outcome.label.lower()}, {group.by.lower()} {_in_sentence(group.name)}, "
        f"{quarter.label}",
        where=[filters.cases(), col(Case.id).in_(meetings)],
    )


def _in_sentence(name: str) -> str:
    """A name lower-cased for the middle of a sentence; an abbreviation such as SMS stays."""
    return name if name.isupper() else name.lower()
