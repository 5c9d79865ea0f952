"""Small inline SVG line charts for the admin: a keyword's positions, a site's visibility.
Presentation attributes only (no inline style or script), so the page's CSP allows them."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from html import escape

WIDTH, HEIGHT, PAD = 480, 120, 24


def line_chart(points: Sequence[tuple[date, float | None]], *, low: float, high: float,
               invert: bool = False, label: str = "") -> str:
    """An SVG polyline over the points (None = a gap); `invert` puts `low` at the top (rank
    1 is best). Empty string without points."""
    if not points:
        return ""
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(1, len(points) - 1)
    segments: list[list[str]] = [[]]
    for i, (_day, value) in enumerate(points):
        if value is None:
            if segments[-1]:
                segments.append([])
            continue
        share = (value - low) / span
        y = PAD + (share if invert else 1 - share) * (HEIGHT - 2 * PAD)
        segments[-1].append(f"{PAD + i * step:.1f},{y:.1f}")
    lines = "".join(f'<polyline fill="none" stroke="#2563eb" stroke-width="2" points="{" ".join(s)}"/>'
                    for s in segments if s)
    # A dot per point: a point between two gaps has no line to show it.
    lines += "".join(f'<circle cx="{xy.split(",")[0]}" cy="{xy.split(",")[1]}" r="2.5" fill="#2563eb"/>'
                     for s in segments for xy in s)
    first, last = points[0][0].isoformat(), points[-1][0].isoformat()
    top, bottom = (low, high) if invert else (high, low)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" role="img" '
            f'aria-label="{escape(label)}"><title>{escape(label)}</title>'
            f'<rect x="{PAD}" y="{PAD}" width="{WIDTH - 2 * PAD}" height="{HEIGHT - 2 * PAD}" '
            f'fill="none" stroke="#d1d5db"/>{lines}'
            f'<text x="2" y="{PAD + 4}" font-size="10">{top:g}</text>'
            f'<text x="2" y="{HEIGHT - PAD + 4}" font-size="10">{bottom:g}</text>'
            f'<text x="{PAD}" y="{HEIGHT - 6}" font-size="10">{first}</text>'
            f'<text x="{WIDTH - PAD}" y="{HEIGHT - 6}" font-size="10" text-anchor="end">{last}</text>'
            "</svg>")
