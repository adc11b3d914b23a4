"""The citizen's consent (samtykke) to share information between departments.

Forvaltningsloven § 28: confidential information goes to another authority only with the
citizen's explicit consent, by law, or where it is essential; consent can be withdrawn at any
time. Retssikkerhedsloven § 11 a: a consent names which information, from whom, and for
which case. So a consent here is specific: categories of information, the departments (and
outside professionals) it may come from and go to, a purpose, and a period. What a department
sees of a case follows from these (`departments_seen`); assigning a task that needs
information no consent covers is refused unless the coordinator writes the legal basis.
"""

from collections.abc import Iterable
from datetime import date, datetime
from typing import Annotated, Self, TypeVar

from pydantic import AfterValidator, BaseModel, Field, StringConstraints, model_validator

from models.command import Command, Directory, Text, new_id
from models.enums import Department, Labelled
from models.text import Lines, OneLine

T = TypeVar("T")


class InfoCategory(Labelled):
    """The kinds of information a consent names; each belongs to the department that holds it."""

    EMPLOYMENT = "employment", "beskæftigelse"
    SOCIAL = "social", "sociale forhold"
    HEALTH = "health", "helbred"
    FAMILY = "family", "familieforhold"

    @property
    def holder(self) -> Department:
        """The department the information comes from."""
        return _HOLDERS[self]


_HOLDERS = {
    InfoCategory.EMPLOYMENT: Department.JOBCENTER,
    InfoCategory.SOCIAL: Department.SOCIAL,
    InfoCategory.HEALTH: Department.HEALTH,
    InfoCategory.FAMILY: Department.FAMILY,
}


class ConsentForm(Labelled):
    WRITTEN = "written", "Skriftligt"
    ORAL = "oral", "Mundtligt"


Outside = Annotated[str, StringConstraints(strip_whitespace=True, max_length=200), OneLine]


def once_each(values: list[T]) -> list[T]:
    return list(dict.fromkeys(values))


# A few of a fixed set, each once: what a form's checkboxes send, and all an API may.
Categories = Annotated[list[InfoCategory], Field(max_length=4), AfterValidator(once_each)]
Departments = Annotated[list[Department], Field(max_length=4), AfterValidator(once_each)]
Purpose = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), OneLine
]


def joined(names: list[str]) -> str:
    """ "a, b og c", as Danish lists things."""
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " og " + names[-1]


def labels(categories: Iterable[InfoCategory]) -> str:
    return joined([c.label for c in categories])


class ConsentRecord(BaseModel):
    """One consent as the programme workflow holds it; never removed, only withdrawn."""

    id: str
    categories: list[InfoCategory]
    from_departments: list[Department] = []
    from_outside: str = ""
    to_departments: list[Department] = []
    to_outside: str = ""
    purpose: str
    given_as: ConsentForm
    note: str = ""
    given_on: date
    valid_until: date
    recorded_by: str
    recorded_at: datetime
    withdrawn_at: datetime | None = None
    withdrawn_by: str | None = None
    withdrawal_note: str = ""

    def in_force(self, today: date) -> bool:
        return self.withdrawn_at is None and self.given_on <= today <= self.valid_until

    def covers(self, category: InfoCategory, recipient: Department, today: date) -> bool:
        """Whether this consent lets `recipient` have the category from the department that
        holds it, today."""
        return (
            self.in_force(today)
            and category in self.categories
            and category.holder in self.from_departments
            and recipient in self.to_departments
        )

    def status(self, today: date) -> str:
        if self.withdrawn_at is not None:
            return "Trukket tilbage"
        if today < self.given_on:
            return "Gælder fra " + self.given_on.strftime("%d.%m.%Y")
        if today > self.valid_until:
            return "Udløbet"
        return "Gælder"


def uncovered(
    consents: Iterable[ConsentRecord],
    needs: Iterable[InfoCategory],
    recipient: Department,
    today: date,
) -> list[InfoCategory]:
    """What of `needs` the recipient may not have: information another department holds that
    no consent in force lets it have."""
    given = list(consents)
    return [
        c
        for c in needs
        if c.holder != recipient and not any(x.covers(c, recipient, today) for x in given)
    ]


def departments_seen(
    department: Department,
    consents: Iterable[ConsentRecord],
    granted_by_law: Iterable[InfoCategory],
    today: date,
) -> frozenset[Department]:
    """Whose information a department sees on a case: its own, what a consent in force lets
    it have, and what an open task of its carries by a legal basis the coordinator wrote."""
    seen = {department} | {c.holder for c in granted_by_law}
    seen |= {c.holder for x in consents for c in x.categories if x.covers(c, department, today)}
    return frozenset(seen)


class RecordConsent(Command):
    categories: Categories = Field(description="Hvilke oplysninger samtykket gælder")
    from_departments: Departments = Field([], description="Må komme fra")
    from_outside: Outside = Field("", description="Må komme fra fagfolk uden for kommunen")
    to_departments: Departments = Field([], description="Må gives til")
    to_outside: Outside = Field("", description="Må gives til fagfolk uden for kommunen")
    purpose: Purpose = Field(description="Formålet, som borgeren har fået forklaret")
    given_as: ConsentForm = ConsentForm.WRITTEN
    note: Text = Field("", description="Notat om samtykket; skal udfyldes ved mundtligt")
    given_on: date | None = Field(None, description="Dagen, borgeren gav samtykket; ellers i dag")
    valid_until: date = Field(description="Samtykket gælder til og med")
    consent_id: str | None = Field(None, description="Udfyldes af serveren")

    @model_validator(mode="after")
    def _specific(self) -> Self:
        # A general consent is not enough (retssikkerhedsloven § 11 a).
        if not self.categories:
            raise ValueError("Vælg mindst én slags oplysninger, som samtykket gælder.")
        if not (self.from_departments or self.from_outside):
            raise ValueError("Skriv, hvem oplysningerne må komme fra.")
        for category in self.categories:
            # A department's information comes from that department: a consent to have it
            # from another would cover nothing.
            if category.holder not in self.from_departments and not self.from_outside:
                raise ValueError(
                    f"Oplysninger om {category.label} kommer fra {category.holder.label}: "
                    "vælg afdelingen under »Må komme fra«, eller skriv fagpersonen uden for "
                    "kommunen, de kommer fra."
                )
        if not (self.to_departments or self.to_outside):
            raise ValueError("Skriv, hvem oplysningerne må gives til.")
        if self.given_as == ConsentForm.ORAL and len(self.note) < 3:
            raise ValueError("Et mundtligt samtykke skal have et notat om, hvad borgeren sagde.")
        if self.given_on and self.valid_until < self.given_on:
            raise ValueError("Samtykket kan ikke udløbe, før det er givet.")
        return self

    def complete(self, directory: Directory) -> None:
        self.consent_id = new_id()


class WithdrawConsent(Command):
    consent_id: str = Field(max_length=40)
    note: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=3, max_length=500), Lines
    ] = Field(description="Hvordan og hvornår borgeren trak samtykket tilbage")
