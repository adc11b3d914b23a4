"""What every page route shares: rendering with the user and flash, form parsing, errors."""

from datetime import datetime
from typing import Any

from fastapi import Request
from fastapi.responses import Response
from pydantic import ValidationError
from sqlmodel import Session

from api import sessions
from api.deps import in_session
from api.errors import ServiceError, field_errors
from api.templating import templates
from models.danish_time import COPENHAGEN
from models.enums import Department
from models.staff import Staff


async def flash(request: Request, message: str) -> None:
    """The message the next page shows, kept with the server-side session."""
    token = request.session.get(sessions.TOKEN)
    if isinstance(token, str):
        await in_session(
            request.app.state.open_session,
            lambda session: _keep(session, token, message),
        )


def _keep(session: Session, token: str, message: str) -> None:
    sessions.keep_message(session, token, message)
    session.commit()


def _taken(session: Session, token: str) -> None:
    sessions.take_message(session, token)
    session.commit()


def page(request: Request, name: str, user: Staff, status: int = 200, **context: Any) -> Response:
    context.setdefault("error", None)
    shown = getattr(request.state, "flash", None)
    token = request.session.get(sessions.TOKEN)
    if shown is not None and isinstance(token, str):
        with request.app.state.open_session() as session:
            _taken(session, token)
    return templates.TemplateResponse(
        request,
        name,
        {
            "user": user,
            "flash": shown,
            "test_pages": request.app.state.settings.test_pages,
            **context,
        },
        status_code=status,
    )


# Fields a form may send several times (a multiple select); the rest are single values.
LISTS = ("participant_ids", "categories", "from_departments", "to_departments", "needs")


async def form_of(request: Request) -> dict[str, Any]:
    form = await request.form()
    fields: dict[str, Any] = {key: str(value).strip() for key, value in form.items()}
    for key in LISTS:
        if key in form:
            fields[key] = [str(v) for v in form.getlist(key) if str(v).strip()]
    return fields


def command_fields(form: dict[str, Any]) -> dict[str, Any]:
    """Form fields as a command: empty fields left out; one effort field per department;
    the handover note's fields gathered under `note`."""
    skip = ("effort_", "note_")
    fields: dict[str, Any] = {
        k: v for k, v in form.items() if v and not k.startswith(skip) and k not in ("next", "form")
    }
    efforts = [
        {"department": d.value, "description": form[f"effort_{d.value}"]}
        for d in Department
        if form.get(f"effort_{d.value}")
    ]
    if efforts:
        fields["efforts"] = efforts
    note = {k.removeprefix("note_"): v for k, v in form.items() if k.startswith("note_") and v}
    if note:
        fields["note"] = note
    if "carries_recommendation" in form:
        fields["carries_recommendation"] = True
    # A progression measurement: one field per indicator, those left empty not measured.
    scores = {k.removeprefix("score_"): v for k, v in form.items() if k.startswith("score_") and v}
    if scores:
        fields["scores"] = scores
    for key in [k for k in fields if k.startswith("score_")]:
        del fields[key]
    channels = [form[f"channel_{i}"] for i in range(1, 5) if form.get(f"channel_{i}")]
    if channels:
        fields["channels"] = channels
    for key in list(fields):
        if key.startswith("channel_"):
            del fields[key]
    if fields.get("starts_at"):
        fields["starts_at"] = _copenhagen(fields["starts_at"])
    return fields


def _copenhagen(raw: str) -> str:
    """A browser's datetime-local has no zone: it is the caseworker's, Copenhagen time."""
    try:
        moment = datetime.fromisoformat(raw)
    except ValueError:
        return raw  # the command's validation explains it
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=COPENHAGEN)
    return moment.isoformat()


def error_messages(error: Exception) -> dict[str, str]:
    if isinstance(error, ValidationError):
        return {e["field"]: e["message"] for e in field_errors(error.errors())}
    return {"": str(error)}


def status_of(error: Exception) -> int:
    return error.status_code if isinstance(error, ServiceError) else 422


def safe_next(target: str | None, default: str) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return default
