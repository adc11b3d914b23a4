"""Staff read Danish: no page, drill-down or CSV export shows a code word, such as an enum's
stored value or a message's purpose, where a Danish name belongs."""

import html
import re
import uuid
from collections.abc import Iterator
from enum import StrEnum

import httpx
from sqlmodel import select

from models import enums
from models.db import SessionFactory
from models.enums import Role
from models.outbox import OutboxMessage
from notifications.labels import PURPOSES
from tests.api.case_steps import act, eventually, meeting_by_sms
from tests.api.conftest import logged_in
from tests.api.test_meetings_api import in_days
from tests.factories import make_staff


def _labelled() -> Iterator[type[StrEnum]]:
    """Every vocabulary models/enums.py declares."""
    for thing in vars(enums).values():
        vocabulary = isinstance(thing, type) and issubclass(thing, StrEnum)
        if vocabulary and thing not in (StrEnum, enums.Labelled):
            yield thing


# Stored values that are also everyday Danish words: »for sent«, »start«.
DANISH_TOO = {"sent", "start"}


def code_words() -> set[str]:
    """Every stored value that is not also a Danish word of some label (»fleksjob«, »job«)."""
    danish = {
        word.lower()
        for enum in _labelled()
        for member in enum
        for word in re.findall(r"\w+", getattr(member, "label", ""))
    }
    stored = {member.value for enum in _labelled() for member in enum}
    codes = stored | set(PURPOSES) | {"outbox", "sending"}
    return {code for code in codes if code not in danish and code not in DANISH_TOO}


def words_read(page: str) -> set[str]:
    """The words a person reads or hears: the text, and the labels a screen reader says."""
    page = re.sub(r"<(script|style)\b.*?</\1>", " ", page, flags=re.S)
    spoken = re.findall(r'(?:aria-label|title|placeholder)="([^"]*)"', page)
    text = re.sub(r"<[^>]+>", " ", page)
    return set(re.findall(r"\w+", html.unescape(" ".join([text, *spoken]))))


def test_the_code_words_include_the_ones_staff_were_shown():
    codes = code_words()
    assert {"new_contact_person", "meeting_agreement", "call", "outbox"} <= codes
    assert {"delivered", "undelivered", "coordinator", "health_advice"} <= codes
    assert "fleksjob" not in codes  # a Danish word, and a label


async def test_the_outbox_and_the_dashboard_speak_danish_to_staff(
    service, session, open_session: SessionFactory, as_coordinator
):
    case = await meeting_by_sms(
        as_coordinator, starts_at=in_days(3).isoformat(), place="Biblioteket", purpose="Status"
    )
    await act(as_coordinator, case["id"], "assign-task", department="health", purpose="Samtale")

    async def messaged() -> bool:
        with open_session() as reading:
            query = select(OutboxMessage).where(OutboxMessage.case_id == uuid.UUID(case["id"]))
            return reading.exec(query).first() is not None

    await eventually(messaged)
    codes = code_words()
    async with logged_in(service, make_staff(session, Role.ADMIN)) as admin:
        outbox = await admin.get("/dev/outbox")
        assert outbox.status_code == 200
        assert "Mødeaftale" in outbox.text and "SMS" in outbox.text
        assert '<option value="undelivered">Ikke leveret</option>' in outbox.text
        pages = {"/dev/outbox": outbox.text}
        for path in ("/leder", "/cases", "/admin/import"):
            pages[path] = (await admin.get(path)).text
        drills = sorted(set(re.findall(r'href="(/leder/sager\?[^"]*)"', pages["/leder"])))
        for path in (html.unescape(link) for link in drills[:20]):
            pages[path] = await _ok(admin, path)
        keys = re.findall(r'href="/leder/(\w+)\.csv', pages["/leder"])
        assert len(keys) >= 10
        for key in keys:
            pages[f"/leder/{key}.csv"] = await _ok(admin, f"/leder/{key}.csv")

    shown = {path: sorted(words_read(text) & codes) for path, text in pages.items()}
    assert not any(shown.values()), {path: words for path, words in shown.items() if words}


async def _ok(client: httpx.AsyncClient, path: str) -> str:
    answer = await client.get(path)
    assert answer.status_code == 200, f"{path}: {answer.status_code}"
    return answer.text


async def test_a_manager_lands_on_the_dashboard(service, session):
    async with logged_in(service, make_staff(session, Role.MANAGER)) as manager:
        start = await manager.get("/")
    assert start.status_code == 303
    assert start.headers["location"] == "/leder"


async def test_counts_on_the_inbox_and_the_queue_agree_with_their_nouns(
    service, session, as_coordinator
):
    case = await meeting_by_sms(
        as_coordinator, starts_at=in_days(3).isoformat(), place="Biblioteket", purpose="Status"
    )
    await act(as_coordinator, case["id"], "assign-task", department="family", purpose="Samtale")
    lead = make_staff(session, Role.DEPARTMENT_LEAD, enums.Department.FAMILY)
    async with logged_in(service, lead) as client:
        inbox, queue = (await _ok(client, "/inbox"), await _ok(client, "/queue"))
    counted = re.search(r"(\d+) (åben opgave|åbne opgaver), ældste først", inbox)
    assert counted and (counted[1] == "1") == (counted[2] == "åben opgave")
    counted = re.search(r"(\d+) (åben|åbne) · <strong[^>]*>(\d+) (overskreden|overskredne)<", queue)
    assert counted and (counted[1] == "1") == (counted[2] == "åben")
    assert (counted[3] == "1") == (counted[4] == "overskreden")
