"""The daily digest activity against the test database: who gets which cases and breaches."""

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from email.header import decode_header, make_header

import pytest
from aiosmtpd.controller import Controller
from sqlmodel import Session, col, select
from temporalio.testing import ActivityEnvironment

from activities.digest import DigestActivities
from models.case import Case, CaseEvent
from models.citizen import Citizen
from models.db import SessionFactory
from models.digest import DigestWindow
from models.enums import Breach, Department, Role, TaskState
from models.outbox import OutboxMessage
from models.settings import SmtpSettings
from models.task import Task, TaskBreachRow
from notifications.email import SmtpEmail
from tests.api.conftest import free_port
from tests.factories import make_case, make_citizen, make_staff
from tests.notifications.test_email_delivery import Inbox
from workflows.digest import digest_window

URL = "https://forloeb.example.dk"


def window_on(day: int, month: int = 3) -> DigestWindow:
    """The day before 7:00 on this day of 2020: a year no other test writes events in."""
    return digest_window(datetime(2020, month, day, 6, 0, tzinfo=UTC), 7)


def stalled_case(
    session: Session,
    *moments: tuple[str, datetime],
    waiting_on: str = "",
    reason: str = "Forberedende del i mere end 42 dage",
) -> Case:
    """A case with these stall events; still stalled if the last of them is "stalled"."""
    citizen = make_citizen(session, name=f"Borger {uuid.uuid4().hex[:8]}")
    case = make_case(session, citizen)
    for seq, (kind, at) in enumerate(moments, start=1):
        session.add(CaseEvent(case_id=case.id, seq=seq, kind=kind, at=at, summary=kind))
    if moments and moments[-1][0] == "stalled":
        case.stalled_since, case.stall_reason = moments[-1][1], reason
    case.waiting_on = waiting_on
    session.add(case)
    session.commit()
    return case


def name_of(session: Session, case: Case) -> str:
    citizen = session.get(Citizen, case.citizen_id)
    assert citizen is not None
    return citizen.name


def add_task(
    session: Session, case: Case, department: Department, purpose: str, state: TaskState
) -> Task:
    now = datetime.now(UTC)
    task = Task(
        id=uuid.uuid4(),
        case_id=case.id,
        department=department,
        purpose=purpose,
        state=state,
        assigned_at=now,
        acknowledge_by=now,
        updated_at=now,
    )
    session.add(task)
    session.commit()
    return task


def breach(session: Session, department: Department, purpose: str, found_at: datetime) -> Case:
    case = stalled_case(session)
    task = add_task(session, case, department, purpose, TaskState.ASSIGNED)
    session.add(
        TaskBreachRow(
            task_id=task.id,
            case_id=case.id,
            department=department,
            kind=Breach.ACKNOWLEDGE,
            since=found_at - timedelta(hours=1),
            found_at=found_at,
        )
    )
    session.commit()
    return case


def digests(session: Session, *staff_ids: uuid.UUID) -> dict[uuid.UUID, OutboxMessage]:
    session.expire_all()
    rows = session.exec(
        select(OutboxMessage)
        .where(OutboxMessage.purpose == "daily_digest")
        .where(col(OutboxMessage.staff_id).in_(staff_ids))
    ).all()
    return {row.staff_id: row for row in rows if row.staff_id is not None}


def run(open_session: SessionFactory, window: DigestWindow, relay: SmtpEmail | None = None) -> int:
    activities = DigestActivities(open_session, URL, relay)
    result: int = ActivityEnvironment().run(activities.send_digests, window)
    return result


def test_each_lead_gets_her_department_and_the_manager_everything_new(session, open_session):
    window = window_on(10)
    inside = window.start + timedelta(hours=3)
    health_lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH, "hk@kommune.dk")
    job_lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.JOBCENTER)
    family_lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.FAMILY, "fam@kommune.dk")
    manager = make_staff(session, Role.MANAGER, email="leder@kommune.dk")
    others = [
        make_staff(session, Role.DEPARTMENT_WORKER, Department.HEALTH, "w@kommune.dk"),
        make_staff(session, Role.ADMIN, email="admin@kommune.dk"),
        make_staff(session, Role.DEPARTMENT_LEAD, Department.HEALTH, "old@kommune.dk"),
    ]
    others[-1].active = False
    session.add(others[-1])
    session.commit()

    waits_on_health = stalled_case(session, ("stalled", window.start), waiting_on="health,social")
    jobcenter_task = stalled_case(session, ("stalled", inside))
    add_task(session, jobcenter_task, Department.JOBCENTER, "Praktik", TaskState.IN_PROGRESS)
    add_task(session, jobcenter_task, Department.FAMILY, "Familiesamtale", TaskState.DONE)
    twice = stalled_case(
        session,
        ("stalled", inside),
        ("unstalled", inside + timedelta(hours=1)),
        ("stalled", inside + timedelta(hours=2)),
    )
    moving_again = stalled_case(session, ("stalled", inside), ("unstalled", inside))
    earlier = stalled_case(session, ("stalled", window.start - timedelta(seconds=1)))
    # Already stalled before the window; a new reason in it is no new stall.
    new_reason = stalled_case(
        session,
        ("stalled", window.start - timedelta(days=3)),
        ("stalled", inside),
        waiting_on="health",
    )
    at_the_end = stalled_case(session, ("stalled", window.end), waiting_on="health")
    health_breach = breach(session, Department.HEALTH, "Helbredsvurdering", inside)
    breach(session, Department.JOBCENTER, "Afklaring hos jobcentret", window.end)
    breach(session, Department.SOCIAL, "Bostøtte", window.start - timedelta(minutes=1))

    assert run(open_session, window) >= 3
    recipients = [health_lead, job_lead, family_lead, manager, *others]
    sent = digests(session, *(s.id for s in recipients))
    assert set(sent) == {health_lead.id, job_lead.id, manager.id}  # nobody gets an empty mail
    names = {
        key: name_of(session, case)
        for key, case in {
            "health": waits_on_health,
            "jobcenter": jobcenter_task,
            "twice": twice,
            "moving": moving_again,
            "earlier": earlier,
            "new_reason": new_reason,
            "end": at_the_end,
            "breach": health_breach,
        }.items()
    }

    def items(staff_id: uuid.UUID) -> set[str]:
        body = sent[staff_id].body
        return {key for key, name in names.items() if name in body}

    assert items(health_lead.id) == {"health", "breach"}
    assert items(job_lead.id) == {"jobcenter"}
    assert items(manager.id) == {"health", "jobcenter", "twice", "moving", "breach"}
    assert sent[manager.id].body.count(names["twice"]) == 1
    assert sent[manager.id].subject == "Dagens overblik: 4 sager gået i stå, 1 overskreden frist"
    assert sent[health_lead.id].subject == (
        "Dagens overblik: 1 sag gået i stå, 1 overskreden frist"
    )
    body = sent[health_lead.id].body
    assert "Helbredsvurdering" in body and "ikke kvitteret til tiden" in body
    assert f"{URL}/cases/{waits_on_health.id}" in body and f"{URL}/leder" in body
    assert "Det nye siden 09.03.2020 kl. 07.00." in body  # 7:00 the day before, in Copenhagen
    assert "og er i gang igen" in sent[manager.id].body
    # With an address the digest is an e-mail; without one it waits in the outbox.
    lead_row, job_row = sent[health_lead.id], sent[job_lead.id]
    assert (lead_row.channel, lead_row.address) == ("email", "hk@kommune.dk")
    assert (job_row.channel, job_row.address) == ("outbox", None)
    assert lead_row.key == f"digest:2020-03-10:{health_lead.id}"

    assert run(open_session, window) == 0  # a retry or a second run writes nothing twice
    assert digests(session, *(s.id for s in recipients)).keys() == sent.keys()


def test_the_next_day_has_only_what_is_new_since(session, open_session):
    first, second = window_on(20), window_on(21)
    assert first.end == second.start
    manager = make_staff(session, Role.MANAGER)
    stalled_case(session, ("stalled", first.end - timedelta(microseconds=1)))
    later = stalled_case(session, ("stalled", second.start))
    run(open_session, first)
    run(open_session, second)
    rows = session.exec(select(OutboxMessage).where(OutboxMessage.staff_id == manager.id)).all()
    assert len(rows) == 2
    by_key = {row.key.split(":")[1]: row.body for row in rows}
    assert by_key.keys() == {"2020-03-20", "2020-03-21"}
    assert name_of(session, later) not in by_key["2020-03-20"]
    assert name_of(session, later) in by_key["2020-03-21"]


def test_a_long_digest_is_cut_short_with_a_count_of_the_rest(session, open_session):
    window = window_on(12, month=4)
    manager = make_staff(session, Role.MANAGER)
    for _ in range(30):
        stalled_case(session, ("stalled", window.start), reason="Hul i planen " + "x" * 400)
    run(open_session, window)
    [row] = digests(session, manager.id).values()
    assert row.subject == "Dagens overblik: 30 sager gået i stå"
    assert len(row.body) <= 4000
    shown = row.body.count(f"{URL}/cases/")
    assert 0 < shown < 30
    assert f"og {30 - shown} flere – se overblikket" in row.body


@pytest.fixture
def relay() -> Iterator[tuple[Inbox, SmtpEmail]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings = SmtpSettings(
        host="127.0.0.1", port=port, sender="ikke-svar@kommune.dk", starttls=False
    )
    yield inbox, SmtpEmail(settings)
    controller.stop()


def test_with_smtp_the_digest_arrives_as_email_once(session, open_session, relay):
    inbox, smtp = relay
    window = window_on(14, month=5)
    lead = make_staff(session, Role.DEPARTMENT_LEAD, Department.SOCIAL, "lead@kommune.dk")
    case = stalled_case(session, ("stalled", window.start), waiting_on="social")
    run(open_session, window, smtp)
    run(open_session, window, smtp)
    mine = [m for m in inbox.messages if m["To"] == "lead@kommune.dk"]
    [message] = mine
    subject = str(make_header(decode_header(message["Subject"])))
    assert subject == "Dagens overblik: 1 sag gået i stå"
    text = next(p for p in message.walk() if p.get_content_type() == "text/plain")
    payload = text.get_payload(decode=True)
    assert isinstance(payload, bytes)
    assert name_of(session, case) in payload.decode()
    [row] = digests(session, lead.id).values()
    assert row.status == "sent" and row.provider_id == message["Message-ID"]
