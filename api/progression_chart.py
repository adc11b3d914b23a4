"""One indicator of progression over time, drawn on the server as SVG.

The picture scales to its container (a phone's width included) and keeps a readable minimum
size through its view box and font sizes; its figures are also given as a table beside it
(api/templates/_progression.html), so a screen reader gets them without the picture.
"""

from dataclasses import dataclass
from datetime import datetime

from markupsafe import Markup, escape

from models.danish_time import local_date
from models.progression import Indicator, MeasuredBy, Measurement, Progression, ProgressionRules

WIDTH, HEIGHT = 320, 170
LEFT, RIGHT, TOP, BOTTOM = 30, 12, 12, 30


@dataclass(frozen=True)
class Point:
    at: datetime
    score: int


def points(indicator: Indicator, measurements: list[Measurement]) -> list[Point]:
    return [
        Point(m.at, m.scores[indicator.key])
        for m in sorted(measurements, key=lambda m: m.at)
        if indicator.key in m.scores
    ]


def chart(indicator: Indicator, found: list[Point], rules: ProgressionRules) -> Markup:
    """The indicator's scores as a line over time, on the municipality's scale."""
    low, high = rules.low, rules.high
    inner_w, inner_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def y(score: int) -> float:
        return TOP + inner_h * (high - score) / (high - low)

    if len(found) > 1:
        first, last = found[0].at, found[-1].at
        span = (last - first).total_seconds() or 1.0
        xs = [LEFT + inner_w * (p.at - first).total_seconds() / span for p in found]
    else:
        xs = [LEFT + inner_w / 2 for _ in found]
    title = escape(indicator.title)
    parts = [
        f'<svg class="progression-chart" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'aria-label="{title}: {_summary(found)}" preserveAspectRatio="xMidYMid meet">',
        f"<title>{title}</title>",
    ]
    for score in (low, (low + high) // 2, high):
        parts.append(
            f'<line class="grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(score):.1f}" '
            f'y2="{y(score):.1f}"/>'
            f'<text class="axis" x="{LEFT - 6}" y="{y(score) + 4:.1f}" '
            f'text-anchor="end">{score}</text>'
        )
    if len(found) > 1:
        line = " ".join(f"{x:.1f},{y(p.score):.1f}" for x, p in zip(xs, found, strict=True))
        parts.append(f'<polyline class="line" points="{line}"/>')
    for x, point in zip(xs, found, strict=True):
        parts.append(f'<circle class="dot" cx="{x:.1f}" cy="{y(point.score):.1f}" r="4"/>')
    for index in _labelled(len(found)):
        day = local_date(found[index].at)
        # The first date starts at its point and the last ends at it, so neither runs off
        # the picture's edge.
        anchor = "middle"
        if len(found) > 1 and index in (0, len(found) - 1):
            anchor = "start" if index == 0 else "end"
        parts.append(
            f'<text class="axis" x="{xs[index]:.1f}" y="{HEIGHT - 10}" '
            f'text-anchor="{anchor}">{day:%d.%m.%y}</text>'
        )
    if not found:
        parts.append(
            f'<text class="axis" x="{WIDTH / 2}" y="{HEIGHT / 2}" text-anchor="middle">'
            "Ingen målinger endnu</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _labelled(count: int) -> list[int]:
    """Which points get a date under them: the first, the last, and one between at most, so
    labels never overlap on a phone."""
    if count == 0:
        return []
    return sorted({0, count // 2, count - 1}) if count > 2 else list(range(count))


def _summary(found: list[Point]) -> str:
    if not found:
        return "ingen målinger endnu"
    if len(found) == 1:
        return f"{found[0].score} ved første måling"
    return f"fra {found[0].score} til {found[-1].score} over {len(found)} målinger"


def progression_charts(
    progression: Progression, rules: ProgressionRules, by: MeasuredBy | None = None
) -> list[tuple[Indicator, Markup, list[Point]]]:
    """Each indicator (of those answered by `by`, or all) with its chart and its points."""
    charts = []
    for indicator in rules.indicators:
        if by is None or indicator.by == by:
            found = points(indicator, progression.measurements)
            charts.append((indicator, chart(indicator, found, rules), found))
    return charts
