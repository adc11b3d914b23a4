"""The continuity plan as a picture: one lane per owner, gaps and overlaps marked, today drawn.

Server-rendered SVG, so it works without JavaScript, prints, and scales on a phone.
"""

from collections.abc import Sequence
from datetime import date, timedelta

from markupsafe import Markup, escape

from models.continuity import ContinuityPlan
from models.goals import Goal

WIDTH, LABEL, LANE, AXIS = 960, 190, 28, 34
COLOURS = {
    "assigned": "#9db7d5",
    "acknowledged": "#5b8fc7",
    "in_progress": "#1f6fb8",
    "done": "#6aa77a",
    "team": "#7a5aa6",
    "effort": "#2f8f83",
    "treatment": "#b0744a",
    "meeting": "#7a5aa6",
}
MONTHS = ["jan", "feb", "mar", "apr", "maj", "jun", "jul", "aug", "sep", "okt", "nov", "dec"]


def plan_svg(plan: ContinuityPlan, today: date, goals: Sequence[Goal] = ()) -> Markup:
    """The plan, with each goal's date marked as a flag on the axis, titled with the goal."""
    lanes = list(dict.fromkeys(bar.lane for bar in plan.bars)) or ["Ingen aktiviteter endnu"]
    height = AXIS + LANE * len(lanes) + 24
    days = max(1, (plan.window_end - plan.window_start).days + 1)
    scale = (WIDTH - LABEL - 10) / days

    def x(day: date) -> float:
        return LABEL + (day - plan.window_start).days * scale

    def span(start: date, end: date) -> tuple[float, float]:
        return x(start), max(2.0, (end - start).days * scale + scale)

    body = top = bottom = ""
    for row, lane in enumerate(lanes):
        y = AXIS + row * LANE
        body += (
            f'<text x="{LABEL - 8}" y="{y + 18}" text-anchor="end" class="lane">'
            f"{escape(lane)}</text>"
            f'<line x1="{LABEL}" x2="{WIDTH - 10}" y1="{y + LANE}" y2="{y + LANE}" '
            'class="rule"/>'
        )
    for gap in plan.gaps:
        left, width = span(gap.start, gap.end)
        kind = "justified" if gap.justified else "gap"
        what = f"Begrundet pause: {gap.reason}" if gap.justified else "Hul uden aktivitet"
        top += (
            f'<rect x="{left:.1f}" y="{AXIS}" width="{width:.1f}" height="{LANE * len(lanes)}" '
            f'class="{kind}"><title>{escape(what)} ({gap.days} dage, {_d(gap.start)}–'
            f"{_d(gap.end)})</title></rect>"
        )
    for overlap in plan.overlaps:
        left, width = span(overlap.start, overlap.end)
        top += (
            f'<rect x="{left:.1f}" y="{AXIS - 8}" width="{width:.1f}" height="6" class="overlap">'
            f"<title>{overlap.count} indsatser på samme tid ({_d(overlap.start)}–"
            f"{_d(overlap.end)})</title></rect>"
        )
    for bar in plan.bars:
        left, width = span(max(bar.start, plan.window_start), min(bar.end, plan.window_end))
        y = AXIS + lanes.index(bar.lane) * LANE + 5
        colour = COLOURS.get(bar.kind, "#8a94a3")
        stroke = ' stroke="#b3261e" stroke-width="2.5"' if bar.overdue else ""
        body += (
            f'<rect x="{left:.1f}" y="{y}" width="{width:.1f}" height="{LANE - 10}" rx="3" '
            f'fill="{colour}"{stroke}><title>{escape(bar.label)} ({_d(bar.start)}–{_d(bar.end)})'
            f"{' – overskredet' if bar.overdue else ''}</title></rect>"
        )
    axis = ""
    month = plan.window_start.replace(day=1)
    step = max(1, round(days / 30 / 10))  # at most about ten labels
    while month <= plan.window_end:
        if month >= plan.window_start and (month.month - 1) % step == 0:
            label = MONTHS[month.month - 1] + (f" {month.year}" if month.month == 1 else "")
            axis += (
                f'<line x1="{x(month):.1f}" x2="{x(month):.1f}" y1="{AXIS - 4}" y2="{height - 24}" '
                f'class="tick"/><text x="{x(month) + 2:.1f}" y="{AXIS - 12}" class="month">'
                f"{label}</text>"
            )
        month = (month + timedelta(days=32)).replace(day=1)
    for goal in goals:
        if goal.target_on and plan.window_start <= goal.target_on <= plan.window_end:
            at = x(goal.target_on)
            what = "Mål" if goal.parent_id is None else "Delmål"
            axis += (
                f'<path d="M{at:.1f},{AXIS - 2} l5,-6 l-5,-6 l-5,6 z" class="goal goal-'
                f'{goal.status.value}"><title>{what}: {escape(goal.text)} '
                f"({goal.status.label.lower()}, {_d(goal.target_on)})</title></path>"
            )
    if plan.window_start <= today <= plan.window_end:
        bottom = (
            f'<line x1="{x(today):.1f}" x2="{x(today):.1f}" y1="{AXIS - 6}" y2="{height - 20}" '
            f'class="today"/><text x="{x(today) + 3:.1f}" y="{height - 8}" class="today-label">'
            "I dag</text>"
        )
    return Markup(
        f'<svg class="plan" viewBox="0 0 {WIDTH} {height}" role="img" '
        f'aria-label="Kontinuitetsplan fra {_d(plan.window_start)} til {_d(plan.window_end)}">'
        '<defs><pattern id="hatch" width="6" height="6" patternUnits="userSpaceOnUse" '
        'patternTransform="rotate(45)"><line x1="0" y1="0" x2="0" y2="6" stroke="#8a94a3" '
        'stroke-width="2"/></pattern></defs>'
        f"{axis}{top}{body}{bottom}</svg>"
    )


def _d(day: date) -> str:
    return day.strftime("%d.%m.%Y")
