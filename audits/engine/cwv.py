"""Core Web Vitals and lab-metric thresholds, and a Lighthouse-style performance score: the one
place that rates a measured value (the engine's lab findings and the report display both read
it; `pagespeed/thresholds.py` re-exports it for the Django side).

Values from web.dev (Core Web Vitals, 75th percentile of page loads): a metric is "good" at or
below the first bound, "poor" above the second, "needs-improvement" in between. INP cannot be
measured in a lab without user input; total blocking time is the lab proxy for it (Lighthouse's
bounds). Units: milliseconds, except CLS (unitless).
"""

from __future__ import annotations

import math
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

#: Lab metrics the lab rates (INP needs interaction; PSI field data carries it).
LAB_METRICS = ("ttfb_ms", "fcp_ms", "lcp_ms", "cls", "tbt_ms")


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


def worse(a: Rating | None, b: Rating | None) -> Rating | None:
    """The worse of two ratings (None counts as unknown, not as good)."""
    order = {"good": 0, "needs-improvement": 1, "poor": 2}
    if a is None or b is None:
        return a or b
    return a if order[a] >= order[b] else b


# --- Lighthouse-style score (v10+ weights, log-normal curves) -----------------------------------
#: metric -> (weight, {form factor: (p10, median)}). Lighthouse 10 weights and control points;
#: Speed Index (10 %) is not measured here, so the weights are renormalised over the rest.
SCORE_CURVES: dict[str, tuple[float, dict[str, tuple[float, float]]]] = {
    "fcp_ms": (0.10, {"mobile": (1800.0, 3000.0), "desktop": (934.0, 1600.0)}),
    "lcp_ms": (0.25, {"mobile": (2500.0, 4000.0), "desktop": (1200.0, 2400.0)}),
    "tbt_ms": (0.30, {"mobile": (200.0, 600.0), "desktop": (150.0, 350.0)}),
    "cls": (0.25, {"mobile": (0.1, 0.25), "desktop": (0.1, 0.25)}),
}
_INVERSE_ERFC_ONE_FIFTH = 0.9061938024368232


def log_normal_score(value: float, p10: float, median: float) -> float:
    """Lighthouse's metric score: 1 at 0, 0.9 at `p10`, 0.5 at `median`, towards 0 beyond."""
    if value <= 0:
        return 1.0
    standardized = (math.log(value / median) * _INVERSE_ERFC_ONE_FIFTH
                    / -math.log(p10 / median))
    return max(0.0, min(1.0, 0.5 * math.erfc(standardized)))


def performance_score(metrics: dict[str, float | None], form_factor: str) -> int | None:
    """0-100 from the metrics that were measured (weights renormalised); None with none."""
    total = weight_sum = 0.0
    for metric, (weight, curves) in SCORE_CURVES.items():
        value = metrics.get(metric)
        if value is None:
            continue
        p10, median = curves.get(form_factor, curves["mobile"])
        total += weight * log_normal_score(value, p10, median)
        weight_sum += weight
    return round(100 * total / weight_sum) if weight_sum else None
