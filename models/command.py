"""What every caseworker command carries; the API fills `actor` from the logged-in user."""

from typing import Annotated

from pydantic import BaseModel, Field, StringConstraints

from models.enums import Department, Role

Text = Annotated[str, StringConstraints(strip_whitespace=True, max_length=2000)]
Reason = Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=2000)]


class Actor(BaseModel):
    """Who performs an action; the workflow checks it again so the API is not the only guard."""

    id: str
    role: Role
    department: Department | None = None


class Command(BaseModel):
    actor: Actor | None = Field(None, description="Udfyldes af serveren ud fra brugeren")
