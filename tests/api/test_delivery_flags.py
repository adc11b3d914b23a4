"""A message to the citizen handed over late, or with no final status 72 hours after it fell
due, is flagged on the coordinator's board."""

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from models.outbox import OutboxMessage
from tests.api.case_steps import new_case


def _message(
    case: dict[str, Any], *, due: datetime, status: str, handed_late: bool = False
) -> OutboxMessage:
    return OutboxMessage(
        key=f"test:{uuid.uuid4()}",
        case_id=uuid.UUID(case["id"]),
        citizen_id=uuid.UUID(case["citizen"]["id"]),
        channel="sms",
        purpose="meeting_reminder",
        subject="Påmindelse",
        body="Hej",
        created_at=due,
        due_at=due,
        status=status,
        handed_at=due + timedelta(seconds=45 if handed_late else 1),
        handed_late=handed_late,
    )


async def test_late_and_unresolved_messages_are_flagged_on_the_board(session, as_coordinator):
    case = await new_case(as_coordinator)
    board = await as_coordinator.get("/board")
    assert "sendt for sent" not in board.text and "uden endelig status" not in board.text

    now = datetime.now(UTC)
    late = now - timedelta(hours=1)
    old = now - timedelta(hours=73)
    session.add(_message(case, due=late, status="delivered", handed_late=True))
    session.add(_message(case, due=old, status="sent"))
    # Delivered in time, and a failure the provider reported: neither is flagged.
    session.add(_message(case, due=old, status="delivered"))
    session.add(_message(case, due=old, status="failed"))
    refused = _message(case, due=old, status="failed")  # refused before any provider had it
    refused.handed_at = None
    session.add(refused)
    session.commit()

    board = await as_coordinator.get("/board")
    assert "1 besked sendt for sent" in board.text
    assert "1 besked uden endelig status efter 72 timer" in board.text
