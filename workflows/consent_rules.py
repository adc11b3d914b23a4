"""The citizen's consents on a course: recorded and withdrawn by the coordinator, and the
check a task's assignment must pass (models/consent.py)."""

from datetime import date, datetime, timedelta

from models.consent import (
    ConsentRecord,
    InfoCategory,
    RecordConsent,
    WithdrawConsent,
    joined,
    labels,
    uncovered,
)
from models.danish_time import local_date
from models.enums import Department
from models.programme import ProgrammeState, TimelineEvent
from workflows.guards import acting, fmt, record
from workflows.rejections import invalid, refuse
from workflows.rule import rule

# How long before the referral a consent for the course can have been given.
OLDEST = timedelta(days=90)


@rule("record_consent")
def record_consent(state: ProgrammeState, cmd: RecordConsent, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    if not cmd.consent_id:
        raise invalid("Samtykket mangler et id.")
    if any(c.id == cmd.consent_id for c in state.consents):
        raise refuse("Samtykket er allerede registreret.")
    today = local_date(now)
    given_on = cmd.given_on or today
    if given_on > today:
        raise invalid("Et samtykke kan ikke registreres, før borgeren har givet det.")
    if given_on < local_date(state.referred_at) - OLDEST:
        # A consent must be for this case (retssikkerhedsloven § 11 a).
        raise invalid(
            "Samtykket er givet længe før sagen; det skal gælde denne sag. Indhent et nyt."
        )
    if cmd.valid_until < today:
        raise invalid("Samtykket er allerede udløbet; skriv, hvor længe det gælder.")
    consent = ConsentRecord(
        id=cmd.consent_id,
        categories=cmd.categories,
        from_departments=cmd.from_departments,
        from_outside=cmd.from_outside,
        to_departments=cmd.to_departments,
        to_outside=cmd.to_outside,
        purpose=cmd.purpose,
        given_as=cmd.given_as,
        note=cmd.note,
        given_on=given_on,
        valid_until=cmd.valid_until,
        recorded_by=actor.id,
        recorded_at=now,
    )
    state.consents.append(consent)
    source = _parties(consent.from_departments, consent.from_outside)
    recipients = _parties(consent.to_departments, consent.to_outside)
    return record(
        state,
        "consent_recorded",
        now,
        actor,
        f"Samtykke ({consent.given_as.label.lower()}) til at dele oplysninger om "
        f"{labels(consent.categories)} fra {source} med {recipients}: {consent.purpose}. "
        f"Givet {fmt(given_on)}, gælder til og med {fmt(consent.valid_until)}.",
    )


@rule("withdraw_consent")
def withdraw_consent(state: ProgrammeState, cmd: WithdrawConsent, now: datetime) -> TimelineEvent:
    actor = acting(cmd)
    consent = next((c for c in state.consents if c.id == cmd.consent_id), None)
    if consent is None:
        raise refuse("Samtykket findes ikke på sagen.")
    if consent.withdrawn_at is not None:
        raise refuse(
            f"Samtykket blev allerede trukket tilbage {fmt(local_date(consent.withdrawn_at))}."
        )
    # In force from this moment: nothing is back-dated, and what was shared before stays a
    # fact of the record.
    consent.withdrawn_at = now
    consent.withdrawn_by = actor.id
    consent.withdrawal_note = cmd.note
    return record(
        state,
        "consent_withdrawn",
        now,
        actor,
        f"Borgeren har trukket samtykket om {labels(consent.categories)} tilbage: {cmd.note}",
    )


def require_consent(
    state: ProgrammeState,
    recipient: Department,
    needs: list[InfoCategory],
    legal_basis: str,
    today: date,
) -> list[InfoCategory]:
    """Refuses a task that needs information no consent lets its department have, unless a
    legal basis is written; returns what the legal basis then carries."""
    missing = uncovered(state.consents, needs, recipient, today)
    if missing and not legal_basis:
        raise refuse(
            f"{recipient.label} må ikke få oplysninger om {labels(missing)} uden borgerens "
            "samtykke, og intet samtykke dækker det. Registrér borgerens samtykke, eller skriv "
            "hjemlen til at give oplysningerne uden."
        )
    return missing


def _parties(departments: list[Department], outside: str) -> str:
    return joined([d.label for d in departments] + ([outside] if outside else []))
