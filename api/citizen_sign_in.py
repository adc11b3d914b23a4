"""Who the citizen on their own page is: the session begun when they typed the code from a
personal link (api/routes/citizen_link.py), kept on the server (models/citizen_access.py).

`begin` is the one way a citizen's session starts, whatever proved who they are. In
production the municipality may add sign-in with MitID through its identity broker (OpenID
Connect, as staff sign in: api/openid.py): the broker's callback finds the citizen by the CPR
number in its ID token and calls `begin` with the broker's name. README: "The citizen's page".
"""

import uuid
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request
from sqlmodel import Session

from api.deps import get_open_session
from api.errors import CitizenSignedOut
from models.citizen_access import CitizenSession, end_session, resume_session, start_session
from models.db import transaction

TOKEN = "borger"
MESSAGE = "borger_besked"


def begin(
    request: Request, session: Session, citizen_id: uuid.UUID, case_id: uuid.UUID, how: str
) -> None:
    """Start the citizen's session, in the caller's transaction."""
    # A new token at every sign-in: one seen before it is worth nothing.
    request.session.pop(TOKEN, None)
    token = start_session(session, citizen_id, case_id, how, datetime.now(UTC))
    request.session[TOKEN] = token


def current_citizen(request: Request) -> CitizenSession:
    """The citizen's session, read in a session of its own that is closed at once."""
    token = request.session.get(TOKEN)
    found = None
    if isinstance(token, str):
        with transaction(get_open_session(request)) as session:
            found = resume_session(session, token, datetime.now(UTC))
            if found is not None:
                session.expunge(found)
    if found is None:
        request.session.pop(TOKEN, None)
        raise CitizenSignedOut()
    return found


def sign_out(request: Request) -> None:
    token = request.session.pop(TOKEN, None)
    if isinstance(token, str):
        with transaction(get_open_session(request)) as session:
            end_session(session, token, datetime.now(UTC))


def say(request: Request, message: str) -> None:
    """The one-line message the citizen's next page shows; no personal data in it."""
    request.session[MESSAGE] = message


def said(request: Request) -> str | None:
    message = request.session.pop(MESSAGE, None)
    return message if isinstance(message, str) else None


CitizenDep = Annotated[CitizenSession, Depends(current_citizen)]
