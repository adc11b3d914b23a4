"""Server-rendered SVG charts: they need no JavaScript or anything from the internet, print
well and scale on a phone. Every bar links to the cases behind it and names itself in a
tooltip and for screen readers. A chart is a group, not an image: an image's parts are
hidden from assistive technology, and its bars are links a keyboard user must reach."""

from collections.abc import Sequence
from dataclasses import dataclass, field

from markupsafe import Markup, escape

WIDTH, ROW, GAP = 960, 22, 8
# Colour-blind safe (Okabe-Ito), in the order segments are given.
PALETTE = ["#0072b2", "#e69f00", "#009e73", "#cc79a7", "#56b4e9", "#d55e00", "#f0e442", "#999"]
GUIDE = "#e6f2e6"


@dataclass(frozen=True)
class Segment:
    value: float
    name: str
    href: str | None = None
    tip: str | None = None  # the tooltip, when the value alone would mislead


@dataclass
class Row:
    label: str
    segments: list[Segment] = field(default_factory=list)

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


def _bar(x: float, y: float, w: float, h: float, colour: str, title: str, href: str | None) -> str:
    rect = (
        f'<rect x="{x:.1f}" y="{y:.1f}" width="{max(w, 0):.1f}" height="{h:.1f}" '
        f'fill="{colour}"><title>{escape(title)}</title></rect>'
    )
    if not href:
        return rect
    return f'<a href="{escape(href)}" aria-label="{escape(title)}">{rect}</a>'


def horizontal(
    rows: list[Row],
    *,
    title: str,
    unit: str = "",
    percent: bool = False,
    guide: tuple[float, float] | None = None,
    legend: list[str] | None = None,
    label_width: int = 190,
) -> Markup:
    """One bar per row, split into segments; `percent` scales each row to 100 %; `guide`
    shades a band of good values (the caseload guideline)."""
    if not rows:
        return Markup("")
    top = 22 if legend else 4
    height = top + len(rows) * (ROW + GAP) + 18
    most = 100.0 if percent else max([r.total for r in rows] + [guide[1] if guide else 0, 1])
    scale = (WIDTH - label_width - 60) / most
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    if legend:
        parts.append(_legend(legend, label_width))
    if guide:
        x0, x1 = label_width + guide[0] * scale, label_width + guide[1] * scale
        parts.append(
            f'<rect x="{x0:.1f}" y="{top}" width="{x1 - x0:.1f}" '
            f'height="{len(rows) * (ROW + GAP)}" fill="{GUIDE}"/>'
        )
    for i, row in enumerate(rows):
        y = top + i * (ROW + GAP)
        parts.append(
            f'<text x="{label_width - 6}" y="{y + ROW * 0.7:.1f}" text-anchor="end">'
            f"{escape(row.label)}</text>"
        )
        x = float(label_width)
        for j, segment in enumerate(row.segments):
            share = segment.value / row.total * 100 if percent and row.total else segment.value
            width = share * scale
            shown = f"{share:.0f} %" if percent else f"{segment.value:g}{unit}"
            colour = PALETTE[j % len(PALETTE)]
            label = segment.tip or f"{row.label} · {segment.name}: {shown}"
            parts.append(_bar(x, y, width, ROW, colour, label, segment.href))
            x += width
        total = "" if percent else f"{row.total:g}{unit}"
        parts.append(f'<text x="{x + 4:.1f}" y="{y + ROW * 0.7:.1f}">{total}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


def columns(bars: Sequence[tuple[str, float, str | None]], *, title: str) -> Markup:
    """Vertical bars over time (label, value, link), such as breaches per week."""
    if not bars:
        return Markup("")
    height, bottom = 160, 30
    most = max([v for _, v, _ in bars] + [1])
    step = (WIDTH - 40) / len(bars)
    parts = [
        f'<svg class="chart" viewBox="0 0 {WIDTH} {height}" role="group" '
        f'aria-label="{escape(title)}" xmlns="http://www.w3.org/2000/svg">'
    ]
    for i, (label, value, href) in enumerate(bars):
        h = value / most * (height - bottom - 16)
        x = 30 + i * step
        parts.append(
            _bar(x, height - bottom - h, step * 0.7, h, PALETTE[0], f"{label}: {value:g}", href)
        )
        if value:
            parts.append(
                f'<text x="{x + step * 0.35:.1f}" y="{height - bottom - h - 3:.1f}" '
                f'text-anchor="middle">{value:g}</text>'
            )
        parts.append(
            f'<text x="{x + step * 0.35:.1f}" y="{height - 10}" text-anchor="middle">'
            f"{escape(label)}</text>"
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def _legend(names: list[str], x: float) -> str:
    parts = []
    for i, name in enumerate(names):
        parts.append(
            f'<rect x="{x:.1f}" y="4" width="12" height="12" fill="{PALETTE[i % len(PALETTE)]}"/>'
            f'<text x="{x + 16:.1f}" y="14">{escape(name)}</text>'
        )
        x += 22 + 7 * len(name)
    return "".join(parts)
