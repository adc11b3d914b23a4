"""A citizen on their own page: the personal link from a message, the code, the session."""

import re
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import httpx
from sqlmodel import Session, col, select

from models.outbox import OutboxMessage
from tests.api.case_steps import eventually
from tests.factories import case_messages

# A token is URL-safe base64 and may end in "-", after which \b would not match: the end of
# the token is where its alphabet ends.
LINK = re.compile(r"/b/([A-Za-z0-9_-]{12})(?![A-Za-z0-9_-])")


def link_in(message: OutboxMessage) -> str:
    found = LINK.search(message.body)
    assert found, message.body
    return found.group(1)


async def latest_link(session: Session, case_id: str) -> str:
    """The token of the newest personal link the case has sent the citizen."""

    async def linked() -> bool:
        return any(LINK.search(m.body) for m in case_messages(session, case_id))

    # The link goes out with the workflow's next send, behind the projections of the actions
    # before it: on a busy machine that can take longer than a projection alone.
    await eventually(linked, seconds=30)
    return link_in([m for m in case_messages(session, case_id) if LINK.search(m.body)][-1])


async def code_for(session: Session, case_id: str, already: int = 0) -> str:
    """The code in the case's newest sign-in message, once there are more than `already`."""

    def codes() -> list[OutboxMessage]:
        session.expire_all()
        return list(
            session.exec(
                select(OutboxMessage)
                .where(
                    OutboxMessage.case_id == uuid.UUID(case_id),
                    OutboxMessage.purpose == "sign_in_code",
                )
                .order_by(col(OutboxMessage.created_at))
            )
        )

    async def arrived() -> bool:
        return len(codes()) > already

    await eventually(arrived)
    found = re.search(r"\b(\d{6})\b", codes()[-1].body)
    assert found
    return found.group(1)


def codes_sent(session: Session, case_id: str) -> int:
    return sum(1 for m in case_messages(session, case_id) if m.purpose == "sign_in_code")


async def ask_for_code(
    client: httpx.AsyncClient, session: Session, case_id: str, token: str
) -> str:
    before = codes_sent(session, case_id)
    asked = await client.post(f"/b/{token}/kode")
    assert asked.status_code == 303, asked.text
    return await code_for(session, case_id, before)


@asynccontextmanager
async def citizen_signed_in(
    base_url: str, session: Session, case_id: str
) -> AsyncIterator[httpx.AsyncClient]:
    """A browser of the citizen's, signed in with the newest link and its code."""
    token = await latest_link(session, case_id)
    async with httpx.AsyncClient(base_url=base_url, timeout=30) as client:
        code = await ask_for_code(client, session, case_id, token)
        opened = await client.post(f"/b/{token}", data={"code": code})
        assert opened.status_code == 303 and opened.headers["location"] == "/borger", opened.text
        yield client
