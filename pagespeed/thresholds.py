"""Core Web Vitals and lab-metric thresholds: the one place that rates a measured value.

Values from web.dev (Core Web Vitals, 75th percentile of page loads): a metric is "good" at or
below the first bound, "poor" above the second, "needs-improvement" in between. INP cannot be
measured in a lab without user input; total blocking time is the lab proxy for it (Lighthouse's
bounds). Units: milliseconds, except CLS (unitless).
"""

from __future__ import annotations

from typing import Literal

Rating = Literal["good", "needs-improvement", "poor"]

#: metric -> (good upper bound, needs-improvement upper bound)
THRESHOLDS: dict[str, tuple[float, float]] = {
    "lcp_ms": (2500.0, 4000.0),
    "cls": (0.1, 0.25),
    "inp_ms": (200.0, 500.0),
    "tbt_ms": (200.0, 600.0),
    "fcp_ms": (1800.0, 3000.0),
    "ttfb_ms": (800.0, 1800.0),
}

#: Human labels, for tables and findings.
LABELS: dict[str, str] = {
    "lcp_ms": "Largest Contentful Paint", "cls": "Cumulative Layout Shift",
    "inp_ms": "Interaction to Next Paint", "tbt_ms": "Total Blocking Time",
    "fcp_ms": "First Contentful Paint", "ttfb_ms": "Time to First Byte",
}


def rate(metric: str, value: float | None) -> Rating | None:
    """The rating of `value` for `metric`, or None when the value or the metric is unknown."""
    bounds = THRESHOLDS.get(metric)
    if bounds is None or value is None:
        return None
    good, needs_improvement = bounds
    if value <= good:
        return "good"
    if value <= needs_improvement:
        return "needs-improvement"
    return "poor"
