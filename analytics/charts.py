"""Charts as inline SVG, drawn on the server: no JavaScript, no CDN, readable without CSS.

Every chart carries a <title> and <desc> (role="img", aria-labelledby) so screen readers
announce what it shows; pages put a data table next to it as the text alternative.
Colours are SVG presentation attributes, not style attributes, so the strict CSP
(style-src 'self') does not strip them.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

_ids = itertools.count(1)

#: Colour-blind-safe pair (Okabe-Ito blue and vermillion) plus neutrals.
PALETTE = ("#0072b2", "#d55e00", "#009e73", "#cc79a7")
AXIS, GRID, TEXT = "#6b7280", "#e5e7eb", "#1f2937"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | None]
    colour: str | None = None


def _fmt(value: float) -> str:
    return f"{value:.1f}".rstrip("0").rstrip(".")


def _frame(width: int, height: int, title: str, desc: str, body: list[str]) -> SafeString:
    uid = next(_ids)
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {width} {height}" '
        f'width="100%" role="img" aria-labelledby="chart{uid}-t chart{uid}-d" class="chart" '
        f'font-family="system-ui, sans-serif" font-size="12">',
        f'<title id="chart{uid}-t">{escape(title)}</title>',
        f'<desc id="chart{uid}-d">{escape(desc)}</desc>',
        *body, "</svg>",
    ]
    return mark_safe("".join(parts))  # noqa: S308 - every text above is escaped


def _nice_max(value: float) -> float:
    """An axis maximum at or above `value` whose quarters are round whole numbers: four grid
    steps of 1, 2, 2.5 (from 10 up) or 5 × 10^n (3 -> 4, 7 -> 8, 28 -> 40, 99 -> 100)."""
    if value <= 4:
        return 4
    quarter = value / 4
    magnitude = 10 ** math.floor(math.log10(quarter))
    steps = (1, 2, 2.5, 5, 10) if magnitude >= 10 else (1, 2, 5, 10)
    for step in steps:
        if quarter <= step * magnitude:
            return 4 * step * magnitude
    return 40 * magnitude


def line_chart(*, title: str, desc: str, labels: Sequence[str], series: Sequence[Series],
               y_max: float | None = None, width: int = 720, height: int = 260) -> SafeString:
    """Lines over shared x labels (e.g. audit dates); None values leave a gap.
    `y_max` fixes the axis (100 for scores); otherwise it is rounded up from the data."""
    left, right, top, bottom = 44, 16, 16, 48
    plot_w, plot_h = width - left - right, height - top - bottom
    values = [v for s in series for v in s.values if v is not None]
    top_value = y_max if y_max is not None else _nice_max(max(values, default=0))
    n = len(labels)

    def x(i: int) -> float:
        return left + (plot_w / 2 if n == 1 else plot_w * i / (n - 1))

    def y(v: float) -> float:
        return top + plot_h - plot_h * min(v, top_value) / top_value

    body: list[str] = []
    for k in range(5):  # horizontal grid and y labels
        v = top_value * k / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
                    f'fill="{AXIS}">{_fmt(v)}</text>')
    step = max(1, n // 8)  # at most ~8 x labels
    for i, label in enumerate(labels):
        if (i % step == 0 and n - 1 - i >= step) or i == n - 1:
            anchor = "middle" if n == 1 else "start" if i == 0 else "end" if i == n - 1 else "middle"
            body.append(f'<text x="{x(i):.1f}" y="{height - bottom + 18}" text-anchor="{anchor}" '
                        f'fill="{AXIS}">{escape(label)}</text>')
    lines: list[str] = []
    dots: list[str] = []
    for s_index, s in enumerate(series):
        colour = s.colour or PALETTE[s_index % len(PALETTE)]
        run: list[str] = []
        segments: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if run:
                    segments.append(run)
                run = []
                continue
            run.append(f"{x(i):.1f},{y(v):.1f}")
            dots.append(f'<circle cx="{x(i):.1f}" cy="{y(v):.1f}" r="3.5" fill="{colour}">'
                        f'<title>{escape(s.name)} {escape(labels[i])}: {_fmt(v)}</title></circle>')
        if run:
            segments.append(run)
        for segment in segments:
            if len(segment) > 1:
                lines.append(f'<polyline points="{" ".join(segment)}" fill="none" '
                            f'stroke="{colour}" stroke-width="2"/>')
    body += lines + dots  # dots over lines
    for s_index, s in enumerate(series):
        lx = left + s_index * 150
        colour = s.colour or PALETTE[s_index % len(PALETTE)]
        body.append(f'<rect x="{lx}" y="{height - 18}" width="12" height="12" fill="{colour}"/>'
                    f'<text x="{lx + 18}" y="{height - 8}" fill="{TEXT}">{escape(s.name)}</text>')
    if not values:
        body.append(f'<text x="{width / 2}" y="{top + plot_h / 2}" text-anchor="middle" '
                    f'fill="{AXIS}">No completed audits yet</text>')
    return _frame(width, height, title, desc, body)


def bar_chart(*, title: str, desc: str, labels: Sequence[str], values: Sequence[int],
              highlight: Sequence[int] | None = None, width: int = 720,
              height: int = 220) -> SafeString:
    """Vertical bars, one per label (e.g. audits per day); `highlight` is an optional second
    count drawn over each bar (e.g. failures) in the second colour."""
    left, right, top, bottom = 40, 12, 16, 40
    plot_w, plot_h = width - left - right, height - top - bottom
    top_value = _nice_max(max(values, default=0))
    n = max(len(values), 1)
    slot = plot_w / n
    bar_w = max(1.0, slot * 0.7)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / top_value

    body: list[str] = []
    for k in range(5):
        v = top_value * k / 4
        body.append(f'<line x1="{left}" x2="{width - right}" y1="{y(v):.1f}" y2="{y(v):.1f}" '
                    f'stroke="{GRID}"/>')
        body.append(f'<text x="{left - 6}" y="{y(v) + 4:.1f}" text-anchor="end" '
                    f'fill="{AXIS}">{_fmt(v)}</text>')
    step = max(1, len(labels) // 10)
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        bx = left + slot * i + (slot - bar_w) / 2
        tip = f"{label}: {v}"
        if highlight is not None:
            tip += f" ({highlight[i]} failed)"
        body.append(f'<rect x="{bx:.1f}" y="{y(v):.1f}" width="{bar_w:.1f}" '
                    f'height="{plot_h - (y(v) - top):.1f}" fill="{PALETTE[0]}">'
                    f'<title>{escape(tip)}</title></rect>')
        if highlight is not None and highlight[i]:
            h = highlight[i]
            body.append(f'<rect x="{bx:.1f}" y="{y(h):.1f}" width="{bar_w:.1f}" '
                        f'height="{plot_h - (y(h) - top):.1f}" fill="{PALETTE[1]}"/>')
        last = len(labels) - 1
        if (i % step == 0 and last - i >= step) or i == last:  # no label crowding the last
            body.append(f'<text x="{bx + bar_w / 2:.1f}" y="{height - bottom + 16}" '
                        f'text-anchor="middle" fill="{AXIS}">{escape(label)}</text>')
    if highlight is not None:
        body.append(f'<rect x="{left}" y="{height - 14}" width="10" height="10" fill="{PALETTE[0]}"/>'
                    f'<text x="{left + 14}" y="{height - 5}" fill="{TEXT}">audits</text>'
                    f'<rect x="{left + 80}" y="{height - 14}" width="10" height="10" '
                    f'fill="{PALETTE[1]}"/><text x="{left + 94}" y="{height - 5}" '
                    f'fill="{TEXT}">failed</text>')
    return _frame(width, height, title, desc, body)


def hbar_chart(*, title: str, desc: str, labels: Sequence[str], values: Sequence[float],
               x_max: float | None = None, width: int = 720) -> SafeString:
    """Horizontal bars, one row per label (long labels such as host names stay readable);
    the value is written at the end of each bar. `x_max` fixes the scale (100 for scores)."""
    row, left, right, top, bottom = 26, 190, 48, 8, 24
    height = top + bottom + row * max(len(values), 1)
    plot_w = width - left - right
    top_value = x_max if x_max is not None else _nice_max(max(values, default=0))

    def x(v: float) -> float:
        return left + plot_w * min(v, top_value) / top_value

    body: list[str] = []
    for k in range(5):
        v = top_value * k / 4
        body.append(f'<line x1="{x(v):.1f}" x2="{x(v):.1f}" y1="{top}" y2="{height - bottom}" '
                    f'stroke="{GRID}"/><text x="{x(v):.1f}" y="{height - 6}" text-anchor="middle" '
                    f'fill="{AXIS}">{_fmt(v)}</text>')
    for i, (label, v) in enumerate(zip(labels, values, strict=True)):
        y = top + row * i
        short = label if len(label) <= 28 else label[:27] + "…"
        body.append(f'<text x="{left - 8}" y="{y + row / 2 + 4:.1f}" text-anchor="end" '
                    f'fill="{TEXT}">{escape(short)}</text>')
        body.append(f'<rect x="{left}" y="{y + 4}" width="{x(v) - left:.1f}" height="{row - 8}" '
                    f'fill="{PALETTE[0]}"><title>{escape(label)}: {_fmt(v)}</title></rect>')
        body.append(f'<text x="{x(v) + 6:.1f}" y="{y + row / 2 + 4:.1f}" fill="{TEXT}">'
                    f"{_fmt(v)}</text>")
    return _frame(width, height, title, desc, body)
