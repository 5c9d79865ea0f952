"""Page-speed lab findings, on hand-made lab reports (no browser needed)."""

from __future__ import annotations

from dataclasses import replace

from audits.engine.checks.performance_lab import HEAVY_PAGE_BYTES
from audits.engine.lab import LabMeasurement, LabReport
from audits.engine.lab_metrics import RenderBlocking, UnusedImage
from tests.engine.checks.helpers import Case, run, site

URL = "https://example.com/"
FAST = LabMeasurement(URL, "mobile", ttfb_ms=300, fcp_ms=900, lcp_ms=1200, cls=0.01, tbt_ms=50,
                      page_weight_bytes=400_000, request_count=12,
                      weight_by_type={"document": 30_000, "image": 370_000})
FAST_DESKTOP = replace(FAST, form_factor="desktop", fcp_ms=300, lcp_ms=400)
CSS = RenderBlocking(URL + "style.css", "stylesheet", 40_000, 320.0)
HUGE = UnusedImage(URL + "hero.jpg", 900_000, 300, 200, 3000, 2000, "oversized")


def _lab(*measurements: LabMeasurement, status: str = "measured", reason: str = ""):
    def factory():
        view = site()
        urls = tuple(dict.fromkeys(m.url for m in measurements))
        view.lab = LabReport(status, reason, tuple(measurements), urls)
        return view
    return factory


def _metric_case(short: str, metric: str, poor: float, middle: float, good: float) -> list[Case]:
    return [
        Case(f"seo.performance.{short}_poor",
             fails=[_lab(replace(FAST, **{metric: poor}), FAST_DESKTOP),
                    _lab(FAST, replace(FAST_DESKTOP, **{metric: poor}))],
             passes=[_lab(FAST, FAST_DESKTOP), _lab(replace(FAST, **{metric: middle})),
                     _lab(replace(FAST, **{metric: poor}, error="timeout")),
                     _lab(replace(FAST, **{metric: poor}), status="skipped"), site]),
        Case(f"seo.performance.{short}_needs_improvement",
             fails=[_lab(replace(FAST, **{metric: middle}), FAST_DESKTOP)],
             passes=[_lab(FAST, FAST_DESKTOP), _lab(replace(FAST, **{metric: good})),
                     # poor in one profile: reported as poor only
                     _lab(replace(FAST, **{metric: poor}), replace(FAST_DESKTOP, **{metric: middle})),
                     site]),
    ]


CASES = [
    *_metric_case("lcp", "lcp_ms", 4500, 3000, 2500),
    *_metric_case("cls", "cls", 0.3, 0.2, 0.1),
    *_metric_case("tbt", "tbt_ms", 700, 400, 200),
    *_metric_case("fcp", "fcp_ms", 3500, 2000, 1800),
    *_metric_case("ttfb", "ttfb_ms", 2000, 1000, 800),
    Case("seo.performance.render_blocking",
         fails=[_lab(replace(FAST, render_blocking=(CSS,)), FAST_DESKTOP)],
         passes=[_lab(FAST, FAST_DESKTOP), site,
                 _lab(replace(FAST, render_blocking=(CSS,), error="HTTP 500 when loaded"))]),
    Case("seo.performance.unused_large_images",
         fails=[_lab(FAST, replace(FAST_DESKTOP, unused_large_images=(HUGE,)))],
         passes=[_lab(FAST, FAST_DESKTOP), site]),
    Case("seo.performance.heavy_page",
         fails=[_lab(replace(FAST, page_weight_bytes=HEAVY_PAGE_BYTES + 1))],
         passes=[_lab(replace(FAST, page_weight_bytes=HEAVY_PAGE_BYTES)), site]),
    Case("seo.performance.lab_skipped",
         fails=[_lab(status="skipped", reason="Chromium not found at /usr/bin/chromium")],
         passes=[_lab(FAST), site]),
    Case("seo.performance.lab_failed",
         fails=[_lab(replace(FAST, error="timeout"), replace(FAST_DESKTOP, error="HTTP 404"))],
         passes=[_lab(FAST), _lab(replace(FAST, error="timeout"), FAST_DESKTOP),
                 _lab(replace(FAST, error="time budget of 180 s used up")), site]),
]


def test_a_page_is_reported_once_with_the_worse_profile_and_every_value():
    view = _lab(replace(FAST, lcp_ms=5200), replace(FAST_DESKTOP, lcp_ms=4100))()
    [finding] = run("seo.performance.lcp_poor", view)
    assert finding.url == URL
    assert finding.details == {"metric": "lcp_ms", "value": 5200, "unit": "ms",
                               "form_factor": "mobile", "threshold": 4000.0, "good_max": 2500.0,
                               "poor_above": 4000.0,
                               "by_form_factor": {"mobile": 5200, "desktop": 4100}}
    [middle] = run("seo.performance.cls_needs_improvement",
                   _lab(replace(FAST, cls=0.12), FAST_DESKTOP)())
    assert middle.details["threshold"] == 0.1 and middle.details["unit"] == ""


def test_evidence_of_resources_images_and_weight():
    [blocking] = run("seo.performance.render_blocking",
                     _lab(replace(FAST, render_blocking=(CSS,)))())
    assert blocking.details["count"] == 1 and blocking.details["bytes"] == 40_000
    assert blocking.details["resources"][0]["url"] == URL + "style.css"
    [images] = run("seo.performance.unused_large_images",
                   _lab(replace(FAST, unused_large_images=(HUGE,)),
                        replace(FAST_DESKTOP, unused_large_images=(HUGE,)))())
    assert images.details["count"] == 1 and images.details["bytes"] == 900_000
    assert images.details["images"][0]["form_factor"] == "mobile"
    [skipped] = run("seo.performance.lab_skipped", _lab(status="skipped", reason="no Chromium")())
    assert skipped.url is None and skipped.details == {"reason": "no Chromium"}
