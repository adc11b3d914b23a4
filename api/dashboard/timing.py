"""The timing profile: how the activity of each course is spread over its length."""

from sqlalchemy import ColumnElement, func
from sqlmodel import Session, col, select

from activities.case_metrics import ENDS_SHARE, LOADED_SHARE, MIN_ACTIVITIES
from api.dashboard.case_list import case_list
from api.dashboard.charts import Row, Segment, horizontal
from api.dashboard.filters import Filters
from api.dashboard.section import Section
from api.dashboard.tables import Cell, Table
from models.case import Case
from models.enums import Stage, TimingProfile

DEFINITION = (
    "Aktiviteter er opgaver, møder og registrerede indsatser, talt på den dag de begynder, "
    "fra afgørelsen til forløbets (planlagte) slutning. Fortung: mindst "
    f"{LOADED_SHARE:.0%} i første femtedel; bagtung: mindst {LOADED_SHARE:.0%} i sidste "
    f"femtedel; kun start og slut: mindst {ENDS_SHARE:.0%} i første og sidste femtedel "
    f"tilsammen. Forløb med færre end {MIN_ACTIVITIES} aktiviteter vurderes ikke."
).replace("%", " %")
PARTS = {"aktive": "Aktive forløb nu", "afsluttede": "Afsluttet i kvartalet"}


def _where(filters: Filters, part: str) -> list[ColumnElement[bool]]:
    where = [filters.cases(), col(Case.timing_profile).is_not(None)]
    if part == "aktive":
        where.append(col(Case.stage) == Stage.ACTIVE)
    else:
        where.append(col(Case.ended_quarter) == filters.quarter.code)
    return where


def build(session: Session, filters: Filters) -> Section:
    counts = {
        part: {
            TimingProfile(str(profile)): n
            for profile, n in session.exec(
                select(Case.timing_profile, func.count())
                .where(*_where(filters, part))
                .group_by(col(Case.timing_profile))
            )
        }
        for part in PARTS
    }
    table = Table(
        key="timing",
        title="Forløbenes timing",
        columns=[
            "Profil",
            *(
                f"{name} ({filters.quarter.code})" if part == "afsluttede" else name
                for part, name in PARTS.items()
            ),
            "Andel aktive",
            "Andel afsluttede",
        ],
    )
    totals = {part: sum(found.values()) for part, found in counts.items()}
    for profile in TimingProfile:
        links = {part: filters.drill("timing", profil=profile.value, gruppe=part) for part in PARTS}
        table.rows.append(
            [
                Cell(profile.label),
                *(Cell(counts[part].get(profile, 0), href=links[part]) for part in PARTS),
                *(_share(counts[part].get(profile, 0), totals[part]) for part in PARTS),
            ]
        )
    rows = [
        Row(
            name,
            [
                Segment(
                    counts[part].get(p, 0),
                    p.label,
                    filters.drill("timing", profil=p.value, gruppe=part),
                )
                for p in TimingProfile
            ],
        )
        for part, name in PARTS.items()
        if totals[part]
    ]
    flagged = sum(counts["aktive"].get(p, 0) for p in TimingProfile if p != TimingProfile.EVEN)
    return Section(
        table=table,
        definition=DEFINITION,
        chart=horizontal(
            rows,
            title="Forløbenes timing",
            percent=True,
            legend=[p.label.split(":")[0] for p in TimingProfile],
        ),
        headline=str(flagged),
    )


def _share(count: int, total: int) -> Cell:
    return Cell(
        round(count / total, 3) if total else None,
        text=f"{count / total:.0%}".replace("%", " %") if total else "–",
    )


def cases(session: Session, filters: Filters, params: dict[str, str]) -> Table:
    profile = TimingProfile(params["profil"])
    part = params.get("gruppe", "aktive")
    return case_list(
        session,
        key="timing",
        title=f"{profile.label} – {PARTS.get(part, PARTS['aktive']).lower()}",
        where=[*_where(filters, part), col(Case.timing_profile) == profile],
        extra={
            "Aktiviteter": lambda c: Cell(c.activity_count),
            "Første femtedel": lambda c: Cell(c.first_fifth_share),
            "Sidste femtedel": lambda c: Cell(c.last_fifth_share),
        },
    )
