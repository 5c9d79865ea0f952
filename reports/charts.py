"""Inline SVG charts for the HTML/PDF report: no script, no external asset, printable."""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape

from django.utils.safestring import SafeString, mark_safe

GOOD, FAIR, BAD, NONE = "#2e9e5b", "#e08e0b", "#d64545", "#9aa5b1"
#: Longest bar label (12 px DejaVu Sans fits about this many characters in the label column).
LABEL_CHARS = 38


def score_colour(score: float | None) -> str:
    if score is None:
        return NONE
    return GOOD if score >= 75 else FAIR if score >= 50 else BAD


def gauge(score: float | None, label: str, *, size: int = 150) -> SafeString:
    """A ring gauge 0-100 with the score in the middle and the label under it."""
    radius, stroke = 54, 14
    circumference = 2 * math.pi * radius
    value = 0.0 if score is None else max(0.0, min(100.0, score))
    filled = circumference * value / 100
    text = "–" if score is None else f"{score:.0f}"
    colour = score_colour(score)
    return mark_safe(  # noqa: S308 - every interpolated text is escaped
        f'<svg class="gauge" width="{size}" height="{size + 24}" viewBox="0 0 140 164" '
        f'xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{escape(label)}: {text}">'
        f'<circle cx="70" cy="70" r="{radius}" fill="none" stroke="#e6e9ee" '
        f'stroke-width="{stroke}"/>'
        f'<circle cx="70" cy="70" r="{radius}" fill="none" stroke="{colour}" '
        f'stroke-width="{stroke}" stroke-dasharray="{filled:.2f} {circumference:.2f}" '
        f'transform="rotate(-90 70 70)"/>'
        f'<text x="70" y="80" text-anchor="middle" font-size="32" font-weight="bold" '
        f'fill="#1d2733">{text}</text>'
        f'<text x="70" y="156" text-anchor="middle" font-size="13" fill="#3d4b5c">'
        f'{escape(label)}</text></svg>')


def bars(rows: Sequence[tuple[str, float | None]], *, width: int = 640) -> SafeString:
    """Horizontal bars, one per (label, 0-100 score); an unmeasured row shows a dash."""
    label_w, row_h, bar_h = 250, 26, 16
    bar_w = width - label_w - 50
    height = row_h * len(rows) + 6
    parts = [f'<svg class="bars" width="{width}" height="{height}" '
             f'viewBox="0 0 {width} {height}" xmlns="http://www.w3.org/2000/svg" role="img">']
    for index, (label, score) in enumerate(rows):
        y = index * row_h + 4
        label = label if len(label) <= LABEL_CHARS else label[:LABEL_CHARS - 1] + "…"
        value = 0.0 if score is None else max(0.0, min(100.0, score))
        parts.append(
            f'<text x="{label_w - 8}" y="{y + 13}" text-anchor="end" font-size="12" '
            f'fill="#1d2733">{escape(label)}</text>'
            f'<rect x="{label_w}" y="{y}" width="{bar_w}" height="{bar_h}" rx="3" '
            f'fill="#e6e9ee"/>'
            f'<rect x="{label_w}" y="{y}" width="{bar_w * value / 100:.1f}" height="{bar_h}" '
            f'rx="3" fill="{score_colour(score)}"/>'
            f'<text x="{label_w + bar_w + 8}" y="{y + 13}" font-size="12" fill="#1d2733">'
            f'{"–" if score is None else f"{score:.0f}"}</text>')
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - labels escaped above


def severity_bar(by_severity: dict[str, int], *, width: int = 640) -> SafeString:
    """One stacked bar of findings by severity (errors, warnings, notices)."""
    total = sum(by_severity.values()) or 1
    colours = (("error", BAD), ("warning", FAIR), ("notice", "#5b8def"))
    x = 0.0
    parts = [f'<svg class="sevbar" width="{width}" height="18" viewBox="0 0 {width} 18" '
             f'xmlns="http://www.w3.org/2000/svg" role="img">']
    for key, colour in colours:
        w = width * by_severity.get(key, 0) / total
        if w > 0:
            parts.append(f'<rect x="{x:.1f}" y="0" width="{w:.1f}" height="18" fill="{colour}"/>')
        x += w
    parts.append("</svg>")
    return mark_safe("".join(parts))  # noqa: S308 - numbers only
