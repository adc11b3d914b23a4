"""When a message to a citizen may go: never in their quiet hours (Europe/Copenhagen)."""

from datetime import datetime, time, timedelta

from workflows.calendar import COPENHAGEN


def is_quiet(moment: datetime, quiet_from: time, quiet_to: time) -> bool:
    local = moment.astimezone(COPENHAGEN).time()
    if quiet_from > quiet_to:  # across midnight, as 21:00-09:00
        return local >= quiet_from or local < quiet_to
    return quiet_from <= local < quiet_to


def allowed_time(
    moment: datetime,
    quiet_from: time,
    quiet_to: time,
    *,
    before: datetime | None = None,
    now: datetime | None = None,
) -> datetime | None:
    """`moment`, or the morning after if it falls in quiet hours. When the morning is too late
    (at or after `before`, the meeting), the last minute before the quiet hours began instead;
    None when that has already passed (`now`)."""
    if not is_quiet(moment, quiet_from, quiet_to):
        return moment
    local = moment.astimezone(COPENHAGEN)
    morning = datetime.combine(local.date(), quiet_to, tzinfo=COPENHAGEN)
    if morning <= local:
        morning += timedelta(days=1)
    if before is None or morning < before:
        return morning
    evening = datetime.combine(local.date(), quiet_from, tzinfo=COPENHAGEN)
    if evening > local:
        evening -= timedelta(days=1)
    last = evening - timedelta(minutes=1)
    return last if now is None or last >= now else None
