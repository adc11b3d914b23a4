"""The Jinja2 environment of the pages, with Danish formatting of dates."""

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

from models.actions import ACTIONS
from models.danish_time import COPENHAGEN
from models.meeting import ReplyAnswer

templates = Jinja2Templates(directory=Path(__file__).parent / "templates")
templates.env.undefined = StrictUndefined


def danish_date(value: date | datetime | None) -> str:
    if value is None:
        return "–"
    if isinstance(value, datetime):
        value = value.astimezone(COPENHAGEN).date()
    return value.strftime("%d.%m.%Y")


def danish_datetime(value: datetime | None) -> str:
    if value is None:
        return "–"
    return value.astimezone(COPENHAGEN).strftime("%d.%m.%Y kl. %H:%M")


def action_url(name: str, subject_id: object) -> str:
    """Where a page form posts a declared action (models/actions.py) on a case or a task."""
    action = ACTIONS[name]
    return f"/{'tasks' if action.on_task else 'cases'}/{subject_id}/{action.slug}"


templates.env.filters["dato"] = danish_date
templates.env.filters["tidspunkt"] = danish_datetime
templates.env.globals["action_url"] = action_url
# What a citizen's reply can say about a meeting, for the buttons that assign one.
templates.env.globals["answers"] = list(ReplyAnswer)
