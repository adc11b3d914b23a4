"""the read model owns what the pages show: meetings, to-dos, plan items and messages in
tables of their own, the course's facts and its continuity plan on the case row, and no
longer a copy of the workflow's whole state (existing cases' facts, meetings, to-dos, plan
items and messages are carried over from it; the plan is written at the course's next event)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-01
"""

from collections.abc import Sequence
from datetime import UTC, date, datetime

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

FACTS = (
    "recommendation",
    "decision",
    "end_reason",
    "close_reason",
    "team_flag",
    "handover",
    "stalls",
    "contact",
)


def _moment() -> sa.DateTime:
    return sa.DateTime(timezone=True)


def upgrade() -> None:
    op.create_table(
        "case_meeting",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False),
        sa.Column("starts_at", _moment(), nullable=False),
        sa.Column("status", sa.String(30), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_index("ix_case_meeting_case_starts", "case_meeting", ["case_id", "starts_at"])
    op.create_table(
        "case_todo",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("text", sa.String(500), nullable=False),
        sa.Column("meeting_id", sa.String(40)),
        sa.Column("created_at", _moment(), nullable=False),
        sa.Column("done_at", _moment()),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "plan_item",
        sa.Column("id", sa.String(40), primary_key=True),
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), nullable=False, index=True),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("start", sa.Date(), nullable=False),
        sa.Column("end", sa.Date(), nullable=False),
        sa.Column("data", sa.JSON(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    op.create_table(
        "case_message",
        sa.Column("case_id", sa.Uuid(), sa.ForeignKey("case.id"), primary_key=True),
        sa.Column("key", sa.String(200), primary_key=True),
        sa.Column("purpose", sa.String(40), nullable=False),
        sa.Column("channel", sa.String(20), nullable=False),
        sa.Column("meeting_id", sa.String(40)),
        sa.Column("due_at", _moment()),
        sa.Column("sent_at", _moment()),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("gave_up", sa.Boolean(), nullable=False),
        sa.Column("seq", sa.Integer(), nullable=False),
    )
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(sa.Column("facts", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.add_column(sa.Column("plan", sa.JSON()))
    _carry_over()
    with op.batch_alter_table("case") as batch_op:
        batch_op.drop_column("state")


def _moment_of(text: str | None) -> datetime | None:
    return datetime.fromisoformat(text).astimezone(UTC) if text else None


def _carry_over() -> None:
    """What the pages read from the old copy of the state, into the new tables."""
    moment, day = sa.DateTime(timezone=True), sa.Date()
    case = sa.table(
        "case",
        sa.column("id", sa.Uuid()),
        sa.column("state", sa.JSON()),
        sa.column("facts", sa.JSON()),
        sa.column("last_seq", sa.Integer()),
    )
    meetings = sa.table(
        "case_meeting",
        *(sa.column(n) for n in ("id", "status", "seq")),
        sa.column("case_id", sa.Uuid()),
        sa.column("starts_at", moment),
        sa.column("data", sa.JSON()),
    )
    todos = sa.table(
        "case_todo",
        *(sa.column(n) for n in ("id", "text", "meeting_id", "seq")),
        sa.column("case_id", sa.Uuid()),
        sa.column("created_at", moment),
        sa.column("done_at", moment),
    )
    items = sa.table(
        "plan_item",
        *(sa.column(n) for n in ("id", "kind", "seq")),
        sa.column("case_id", sa.Uuid()),
        sa.column("start", day),
        sa.column("end", day),
        sa.column("data", sa.JSON()),
    )
    messages = sa.table(
        "case_message",
        *(sa.column(n) for n in ("key", "purpose", "channel", "meeting_id", "status", "seq")),
        sa.column("case_id", sa.Uuid()),
        sa.column("due_at", moment),
        sa.column("sent_at", moment),
        sa.column("gave_up", sa.Boolean()),
    )
    bind = op.get_bind()
    for case_id, state, seq in bind.execute(sa.select(case.c.id, case.c.state, case.c.last_seq)):
        state = state or {}
        facts = {name: state[name] for name in FACTS if name in state}
        bind.execute(case.update().where(case.c.id == case_id).values(facts=facts))
        for meeting in state.get("meetings", {}).values():
            bind.execute(
                meetings.insert().values(
                    id=meeting["id"],
                    case_id=case_id,
                    status=meeting["status"],
                    seq=seq,
                    starts_at=_moment_of(meeting["starts_at"]),
                    data=meeting,
                )
            )
        for todo in state.get("todos", []):
            bind.execute(
                todos.insert().values(
                    case_id=case_id,
                    id=todo["id"],
                    text=todo["text"],
                    meeting_id=todo.get("meeting_id"),
                    seq=seq,
                    created_at=_moment_of(todo["created_at"]),
                    done_at=_moment_of(todo.get("done_at")),
                )
            )
        for waiting in state.get("outgoing", []):
            bind.execute(
                messages.insert().values(
                    case_id=case_id,
                    key=waiting["key"],
                    purpose=waiting["purpose"],
                    channel=waiting["channels"][0],
                    meeting_id=waiting.get("meeting_id"),
                    status="waiting",
                    seq=seq,
                    due_at=_moment_of(waiting["due_at"]),
                    sent_at=None,
                    gave_up=False,
                )
            )
        for sent in state.get("sent", []):
            status = sent.get("status", "queued")
            bind.execute(
                messages.insert().values(
                    case_id=case_id,
                    key=sent["key"],
                    purpose=sent["purpose"],
                    channel=sent["channel"],
                    meeting_id=sent.get("meeting_id"),
                    status=status,
                    seq=seq,
                    due_at=None,
                    sent_at=_moment_of(sent["sent_at"]),
                    gave_up=status in ("failed", "undelivered") and not sent.get("fallback"),
                )
            )
        plan = [(e.get("kind", "effort"), e) for e in state.get("efforts", [])]
        plan += [("pause", p) for p in state.get("pauses", [])]
        for kind, item in plan:
            bind.execute(
                items.insert().values(
                    id=item["id"],
                    case_id=case_id,
                    kind=kind,
                    seq=seq,
                    start=date.fromisoformat(item["start"]),
                    end=date.fromisoformat(item["end"]),
                    data=item,
                )
            )


def downgrade() -> None:
    with op.batch_alter_table("case") as batch_op:
        batch_op.add_column(sa.Column("state", sa.JSON(), nullable=False, server_default="{}"))
        batch_op.drop_column("plan")
        batch_op.drop_column("facts")
    for table in ("case_message", "plan_item", "case_todo", "case_meeting"):
        op.drop_table(table)
