"""The Jinja2 environment of the pages, with Danish formatting of dates."""

from datetime import date, datetime
from pathlib import Path

from fastapi.templating import Jinja2Templates
from jinja2 import StrictUndefined

from models.danish_time import COPENHAGEN

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


templates.env.filters["dato"] = danish_date
templates.env.filters["tidspunkt"] = danish_datetime
