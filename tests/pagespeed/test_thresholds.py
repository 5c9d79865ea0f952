import pytest

from pagespeed.thresholds import THRESHOLDS, rate


@pytest.mark.parametrize(("metric", "value", "expected"), [
    ("lcp_ms", 2500, "good"), ("lcp_ms", 2501, "needs-improvement"), ("lcp_ms", 4000.1, "poor"),
    ("cls", 0.05, "good"), ("cls", 0.2, "needs-improvement"), ("cls", 0.3, "poor"),
    ("tbt_ms", 150, "good"), ("tbt_ms", 601, "poor"), ("ttfb_ms", 900, "needs-improvement"),
])
def test_rate_uses_the_web_vitals_bounds(metric, value, expected):
    assert rate(metric, value) == expected


def test_unknown_metric_or_value_has_no_rating():
    assert rate("lcp_ms", None) is None
    assert rate("speed_index", 1000) is None


def test_bounds_are_ordered():
    assert all(good < poor for good, poor in THRESHOLDS.values())
