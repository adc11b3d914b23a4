"""The migrations build exactly the tables the models describe, and carry data over."""

import uuid
from datetime import UTC, datetime

import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlmodel import Session, SQLModel, select

import models.access_log
import models.case
import models.case_view
import models.citizen_access
import models.meeting
import models.outbox
import models.sign_in
import models.task  # noqa: F401  (registers every table)
from models.case import Case
from models.case_view import CaseFacts, CaseMeeting, CaseMessage, CaseTodo, PlanItemRow
from models.db import MIGRATIONS, make_engine
from tests.factories import make_citizen


def test_migrations_match_the_models(engine):
    with engine.connect() as connection:
        differences = compare_metadata(MigrationContext.configure(connection), SQLModel.metadata)
    assert differences == []


def _staff_of_the_day(engine: sa.Engine) -> uuid.UUID:
    """A staff member written with the columns the table had then; the model has grown since."""
    staff_id = uuid.uuid4()
    staff = sa.table(
        "staff",
        sa.column("id", sa.Uuid()),
        sa.column("username"),
        sa.column("full_name"),
        sa.column("role"),
        sa.column("password_hash"),
        sa.column("active"),
        sa.column("created_at", sa.DateTime()),
    )
    with engine.begin() as connection:
        connection.execute(
            staff.insert().values(
                id=staff_id,
                username=f"koordinator-{staff_id.hex[:8]}",
                full_name="Test Koordinator",
                role="coordinator",
                password_hash="-",
                active=True,
                created_at=datetime(2026, 1, 1),
            )
        )
    return staff_id


def test_the_case_view_is_carried_over_from_the_old_copy_of_the_state(tmp_path):
    url = f"sqlite:///{tmp_path / 'old.db'}"
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.set_main_option("sqlalchemy.url", url)
    command.upgrade(config, "0011")
    engine = make_engine(url)
    coordinator_id = _staff_of_the_day(engine)
    with Session(engine) as session:
        citizen_id = make_citizen(session).id
    case_id = uuid.uuid4()
    state = {
        "stalls": [{"kind": "gap", "reason": "Hul", "since": "2026-01-10T08:00:00+00:00"}],
        "meetings": {
            "m1": {
                "id": "m1",
                "starts_at": "2026-02-01T09:00:00+00:00",
                "duration_minutes": 60,
                "place_kind": "library",
                "place": "Biblioteket",
                "purpose": "Opfølgning",
                "status": "held",
                "booked_at": "2026-01-20T09:00:00+00:00",
                "confirmed_at": "2026-01-21T09:00:00+00:00",
            }
        },
        "todos": [{"id": "todo-1", "text": "Ring", "created_at": "2026-02-01T10:00:00+00:00"}],
        "efforts": [
            {
                "id": "e1",
                "kind": "effort",
                "title": "Praktik",
                "owner": "Jobcenter",
                "start": "2026-02-01",
                "end": "2026-03-01",
            }
        ],
        "pauses": [{"id": "p1", "reason": "Indlagt", "start": "2026-03-02", "end": "2026-03-20"}],
        "outgoing": [
            {
                "key": "meeting:m2:v1:meeting_reminder:1",
                "purpose": "meeting_reminder",
                "due_at": "2026-03-01T08:00:00+00:00",
                "channels": ["sms", "email"],
            }
        ],
        "sent": [
            {
                "key": "meeting:m1:v1:meeting_agreement:1:1",
                "meeting_id": "m1",
                "purpose": "meeting_agreement",
                "channel": "sms",
                "sent_at": "2026-01-20T09:00:00+00:00",
                "status": "failed",
                "fallback": [],
            },
            {
                "key": "meeting:m1:v1:meeting_agreement:1:2",
                "meeting_id": "m1",
                "purpose": "meeting_agreement",
                "channel": "call",
                "sent_at": "2026-01-20T09:05:00+00:00",
                "status": "delivered",
                "fallback": [],
            },
            {
                "key": "meeting:m1:v1:meeting_reminder:1:1",
                "meeting_id": "m1",
                "purpose": "meeting_reminder",
                "channel": "sms",
                "sent_at": "2026-01-31T09:00:00+00:00",
                "status": "sent",
                "fallback": [],
            },
        ],
    }
    with engine.begin() as connection:
        old_case = sa.table(
            "case",
            sa.column("workflow_id"),
            sa.column("stage"),
            sa.column("id", sa.Uuid()),
            sa.column("citizen_id", sa.Uuid()),
            sa.column("coordinator_id", sa.Uuid()),
            sa.column("referred_at", sa.DateTime()),
            sa.column("updated_at", sa.DateTime()),
            sa.column("state", sa.JSON()),
            sa.column("last_seq", sa.Integer()),
            sa.column("returned_to_team"),
            sa.column("team_flagged"),
            sa.column("stall_reason"),
            sa.column("waiting_on"),
            sa.column("activity_count"),
        )
        connection.execute(
            old_case.insert().values(
                id=case_id,
                citizen_id=citizen_id,
                coordinator_id=coordinator_id,
                workflow_id=f"programme-{case_id}",
                stage="active",
                referred_at=datetime(2026, 1, 1),
                updated_at=datetime(2026, 2, 1),
                state=state,
                last_seq=7,
                returned_to_team=False,
                team_flagged=False,
                stall_reason="",
                waiting_on="",
                activity_count=0,
            )
        )
    command.upgrade(config, "head")

    with Session(engine) as session:
        case = session.get(Case, case_id)
        assert case is not None and case.plan is None
        assert CaseFacts.model_validate(case.facts).stalls[0].reason == "Hul"
        meeting = session.get(CaseMeeting, "m1")
        assert meeting is not None and meeting.status == "held" and meeting.seq == 7
        assert meeting.starts_at == datetime(2026, 2, 1, 9, tzinfo=UTC)
        # The dashboard's facts (0018), from its data and the messages about it: the SMS
        # agreement failed, the call went through, and a reminder went with no word back.
        assert (meeting.confirmed, meeting.agreement_channel, meeting.reminder) == (
            True,
            "call",
            "sent",
        )
        todo = session.exec(select(CaseTodo).where(CaseTodo.case_id == case_id)).one()
        assert todo.text == "Ring" and todo.done_at is None
        kinds = session.exec(select(PlanItemRow.kind).where(PlanItemRow.case_id == case_id)).all()
        assert sorted(kinds) == ["effort", "pause"]
        messages = session.exec(select(CaseMessage).where(CaseMessage.case_id == case_id)).all()
        assert {(m.status, m.gave_up) for m in messages} == {
            ("waiting", False),
            ("failed", True),
            ("delivered", False),
            ("sent", False),
        }
    engine.dispose()
