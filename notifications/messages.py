"""Message texts, written once per purpose as Jinja2 templates in notifications/templates.

A template's first line is the subject; the rest is the body. Plain text, so autoescape is off;
the HTML version of an e-mail has an environment of its own, with autoescape on.
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
        self._html = Environment(
            loader=FileSystemLoader(TEMPLATES), undefined=StrictUndefined, autoescape=True
        )

    def html(self, message: Message) -> str:
        """The message as a simple HTML e-mail; its text is escaped."""
        paragraphs = [p.strip() for p in message.body.split("\n\n") if p.strip()]
        return self._html.get_template("email.html").render(
            subject=message.subject, paragraphs=paragraphs
        )

    def render(self, purpose: str, context: dict[str, str], channel: str = "") -> Message:
        """The message for a purpose; a citizen's message is worded for the channel it goes
        by (an SMS asks for a reply, a call for a key, an e-mail for neither)."""
        text = self._env.get_template(f"{purpose}.txt").render(channel=channel, **context).strip()
        subject, _, body = text.partition("\n")
        return Message(subject=subject.strip(), body=body.strip())
