"""Formatting shared by the server-rendered pages; static/js/progress.js formats the same way."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def duration(seconds: float | None) -> str:
    """12 s, 3 min 05 s, 1 h 02 min; an em dash when unknown."""
    if seconds is None:
        return "—"
    total = max(0, round(seconds))
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    if hours:
        return f"{hours} h {minutes:02d} min"
    if minutes:
        return f"{minutes} min {secs:02d} s"
    return f"{secs} s"


@register.filter
def score_class(score: float | None) -> str:
    """good (80+), fair (50-79), poor (<50); empty when there is no score yet."""
    if score is None:
        return ""
    return "good" if score >= 80 else "fair" if score >= 50 else "poor"


@register.filter
def score(value: float | None) -> str:
    return "—" if value is None else f"{value:.0f}"
