"""Test pages only where they belong: /dev exists only without real providers and never in
production, only an administrator may use it, and what it plays is marked as played.
Production refuses demo data, a generated key and the demo's accounts."""

import uuid

import httpx
import pytest
from sqlmodel import select

from api.app import create_app
from deploy.cli import main as forloeb
from deploy.demo import DEMO_PASSWORD
from deploy.production import refuse_test_doors
from models.case import CaseEvent
from models.enums import Department, Role
from models.outbox import OutboxMessage
from models.passwords import hash_password
from models.settings import ProductionRefused
from models.staff import Staff
from tests.api.case_steps import meeting_by_sms, sent_messages
from tests.api.conftest import logged_in, serve, settings_for
from tests.factories import make_staff


@pytest.mark.parametrize(
    ("env", "extra", "mounted"),
    [
        ("development", {}, True),
        ("production", {"FORLOEB_SECRET_KEY": "k"}, False),
        ("development", {"SMTP_HOST": "smtp.kommune.dk"}, False),
    ],
)
async def test_the_test_pages_exist_only_without_real_providers_and_never_in_production(
    tmp_path, env, extra, mounted
):
    settings = settings_for(tmp_path, env=env, **extra)
    assert settings.test_pages == mounted
    async with serve(create_app(settings)) as base_url, httpx.AsyncClient(base_url=base_url) as c:
        answer = await c.get("/dev/outbox")
    # Mounted, it asks who you are first; not mounted, there is no such page at all.
    assert answer.status_code == (303 if mounted else 404)


@pytest.mark.parametrize(
    ("role", "department"),
    [
        (Role.DEPARTMENT_WORKER, Department.SOCIAL),
        (Role.DEPARTMENT_WORKER, Department.FAMILY),
        (Role.MANAGER, None),
        (Role.COORDINATOR, Department.JOBCENTER),
    ],
)
async def test_only_an_administrator_sees_the_outbox(service, session, role, department):
    async with logged_in(service, make_staff(session, role, department)) as client:
        assert (await client.get("/dev/outbox")).status_code == 404
        fake = uuid.uuid4()
        answer = await client.post(f"/dev/outbox/{fake}/reply", data={"text": "JA"})
        assert answer.status_code == 404
    async with logged_in(service, make_staff(session, Role.ADMIN)) as client:
        assert (await client.get("/dev/outbox")).status_code == 200


async def test_a_reply_played_on_the_test_page_is_recorded_as_simulated_and_by_whom(
    service, session, as_coordinator, admin
):
    case = await meeting_by_sms(
        as_coordinator,
        starts_at="2031-06-02T10:00:00+02:00",
        place="Biblioteket",
        purpose="Opfølgning",
    )
    [message] = await sent_messages(session, case["id"], 1)
    async with logged_in(service, admin) as client:
        await client.post(f"/dev/outbox/{message.id}/reply", data={"text": "JA"})
    session.expire_all()
    event = session.exec(
        select(CaseEvent).where(
            CaseEvent.case_id == uuid.UUID(case["id"]), CaseEvent.kind == "meeting_confirmed"
        )
    ).one()
    assert event.summary.startswith("Simuleret i udbakken: Borgeren svarede (SMS): »JA«.")
    assert event.actor_id == admin.id
    assert session.get(OutboxMessage, message.id) is not None


def test_production_refuses_a_generated_key(tmp_path):
    settings = settings_for(tmp_path, env="production", secret_key=None)
    with pytest.raises(ProductionRefused, match="FORLOEB_SECRET_KEY"):
        settings.session_secret()
    assert not (tmp_path / "secret_key").exists()


def test_production_refuses_demo_data(tmp_path, monkeypatch):
    monkeypatch.setenv("FORLOEB_ENV", "production")
    monkeypatch.setenv("FORLOEB_DATA_DIR", str(tmp_path))
    with pytest.raises(SystemExit, match="Demodata kan ikke indlæses i produktion"):
        forloeb(["up", "--demo"])
    assert list(tmp_path.iterdir()) == []


def test_production_refuses_the_demo_accounts(tmp_path, session, open_session):
    settings = settings_for(tmp_path, env="production")
    refuse_test_doors(settings, open_session)
    account = session.exec(select(Staff).where(Staff.username == "leder")).first()
    if account is None:
        account = make_staff(session, Role.MANAGER)
        account.username = "leder"
    account.password_hash, account.active = hash_password(DEMO_PASSWORD), True
    session.commit()

    with pytest.raises(ProductionRefused, match="leder"):
        refuse_test_doors(settings, open_session)

    account.active = False  # deactivated, as the message says
    session.commit()
    refuse_test_doors(settings, open_session)
