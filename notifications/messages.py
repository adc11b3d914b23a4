"""Message texts, written once per purpose as Jinja2 templates in notifications/templates.

A template's first line is the subject; the rest is the body. Plain text, so autoescape is off.
"""

from dataclasses import dataclass
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, StrictUndefined

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Message:
    subject: str
    body: str


class MessageRenderer:
    def __init__(self) -> None:
        self._env = Environment(
            loader=FileSystemLoader(TEMPLATES),
            undefined=StrictUndefined,
            autoescape=False,
            keep_trailing_newline=False,
        )

    def render(self, purpose: str, context: dict[str, str]) -> Message:
        text = self._env.get_template(f"{purpose}.txt").render(**context).strip()
        subject, _, body = text.partition("\n")
        return Message(subject=subject.strip(), body=body.strip())
