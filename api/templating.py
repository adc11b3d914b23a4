"""The Jinja2 environment of the pages, with Danish formatting of dates."""

from datetime import date, datetime
from pathlib import Path
from typing import Any

from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined, pass_context

from models.actions import ACTIONS
from models.danish_time import COPENHAGEN
from models.enums import CourseType
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


@pass_context
def course_name(context: Any, course_type: CourseType) -> str:
    """A course type's name as the municipality calls it (the cross course's is a setting);
    worked out once per request."""
    request = context["request"]
    names: dict[CourseType, str] | None = getattr(request.state, "course_names", None)
    if names is None:
        rules = request.app.state.settings.course_rules
        names = {t: rules.of_type(t).name for t in CourseType}
        request.state.course_names = names
    return names[course_type]


templates.env.filters["dato"] = danish_date
templates.env.filters["tidspunkt"] = danish_datetime
templates.env.globals["action_url"] = action_url
templates.env.globals["course_name"] = course_name
# What a citizen's reply can say about a meeting, for the buttons that assign one.
templates.env.globals["answers"] = list(ReplyAnswer)
