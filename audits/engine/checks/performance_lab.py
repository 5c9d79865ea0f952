"""Performance findings from the page-speed lab (lab.py): Core Web Vitals and lab metrics
against their thresholds (cwv.py), render-blocking resources, unused large images and heavy
pages, on the sampled pages.

A page is measured in up to two profiles (mobile, desktop); each check reports a page once,
with the worse profile's value and every profile's value as evidence. Severity: "poor" is a
warning and "needs improvement" a notice — lab figures come from one cold load on our own
machine, not from users (field data), so they never make a page an error page for the health
score; they count in the performance category score (docs/pagespeed.md, "Scoring").
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator

from ..cwv import LABELS, THRESHOLDS, rate
from ..lab import LabMeasurement, LabReport
from ..site import SiteView
from ..types import Finding, Severity
from .registry import site_check

#: A page heavier than this (bytes over the network, all resources) is flagged: the median of
#: Lighthouse's "total byte weight" scoring curve (4,000 KiB).
HEAVY_PAGE_BYTES = 4000 * 1024
#: Load errors that are the lab's (cancel, budget), not the page's.
NOT_THE_PAGE = ("cancelled", "time budget")
REF_VITALS = "https://web.dev/articles/vitals"


def measured_pages(site: SiteView) -> dict[str, list[LabMeasurement]]:
    """URL -> its successful lab measurements (empty when the lab did not run)."""
    report: LabReport | None = site.lab
    pages: dict[str, list[LabMeasurement]] = defaultdict(list)
    if report is not None and report.status == "measured":
        for measurement in report.measurements:
            if measurement.error is None:
                pages[measurement.url].append(measurement)
    return pages


def _worst(measurements: list[LabMeasurement], metric: str) -> LabMeasurement | None:
    rated = [m for m in measurements if getattr(m, metric) is not None]
    return max(rated, key=lambda m: getattr(m, metric)) if rated else None


def _metric_finding(code: str, metric: str, wanted: str, site: SiteView) -> Iterator[Finding]:
    good, poor = THRESHOLDS[metric]
    unit = "" if metric == "cls" else "ms"
    for url, measurements in measured_pages(site).items():
        worst = _worst(measurements, metric)
        if worst is None:
            continue
        value = getattr(worst, metric)
        if rate(metric, value) != wanted:
            continue
        yield Finding(code, url, {
            "metric": metric, "value": value, "unit": unit, "form_factor": worst.form_factor,
            "threshold": poor if wanted == "poor" else good,
            "good_max": good, "poor_above": poor,
            "by_form_factor": {m.form_factor: getattr(m, metric) for m in measurements}})


_METRICS = {
    "lcp_ms": ("lcp", "the largest image or text block appears late; visitors wait for the "
               "main content and Google uses LCP as a Core Web Vitals ranking signal",
               "Make the LCP resource arrive early: serve the hero image in a modern format at "
               "the displayed size, preload it (`<link rel=preload fetchpriority=high>`), "
               "never lazy-load it, cut render-blocking CSS/JS and server response time."),
    "cls": ("cls", "content jumps while the page loads (late ads, banners, images without "
            "dimensions); visitors click the wrong thing, and CLS is a Core Web Vitals "
            "ranking signal",
            "Reserve space for images, embeds and ads (width/height or aspect-ratio), do not "
            "insert content above existing content after load, use font-display: optional "
            "or size-adjusted fallback fonts."),
    "tbt_ms": ("tbt", "long JavaScript tasks keep the main thread busy, so taps and clicks "
               "respond late; TBT is the lab proxy for Interaction to Next Paint (INP), a "
               "Core Web Vitals ranking signal",
               "Split long tasks (yield to the main thread), defer or remove unused "
               "JavaScript and third-party scripts, move heavy work to a web worker."),
    "fcp_ms": ("fcp", "nothing appears on screen for a long time after navigation, and "
               "visitors leave before the page shows anything",
               "Reduce server response time, inline critical CSS and defer the rest, defer "
               "scripts, avoid redirects and large render-blocking resources."),
    "ttfb_ms": ("ttfb", "the server takes long to send the first byte of the HTML; every "
                "other metric starts after it",
                "Cache HTML (CDN or full-page cache), optimise slow database queries and "
                "upstream calls, avoid redirect chains, serve from a region near visitors."),
}


def _register_metric_checks() -> None:
    for metric, (short, why, fix) in _METRICS.items():
        label = LABELS[metric]
        good, poor = THRESHOLDS[metric]
        unit = "" if metric == "cls" else " ms"
        for wanted, suffix, severity, title in (
                ("poor", "poor", Severity.WARNING, f"{label} is poor"),
                ("needs-improvement", "needs_improvement", Severity.NOTICE,
                 f"{label} needs improvement")):
            code = f"seo.performance.{short}_{suffix}"

            def check(site: SiteView, _code: str = code, _metric: str = metric,
                      _wanted: str = wanted) -> Iterator[Finding]:
                return _metric_finding(_code, _metric, _wanted, site)

            bound = (f"above {poor:g}{unit}" if wanted == "poor"
                     else f"above {good:g}{unit} and at most {poor:g}{unit}")
            check.__doc__ = (f"Per lab-sampled page: {label} in the worse of the measured "
                             f"profiles is {bound} (web.dev thresholds).")
            check.__name__ = f"{short}_{suffix}"
            site_check(code, category="performance", severity=severity, title=title,
                       why=f"In the page-speed lab {why}.", fix=fix, reference=REF_VITALS)(check)


_register_metric_checks()


@site_check(
    "seo.performance.render_blocking", category="performance", severity=Severity.NOTICE,
    title="Render-blocking resources delay the first paint",
    why="Stylesheets and synchronous scripts in <head> must be downloaded (and scripts run) "
        "before the browser paints anything; on a mobile connection each one adds round "
        "trips to First Contentful Paint and LCP.",
    fix="Inline the critical CSS and load the rest with media queries or preload; add defer "
        "(or async/type=module) to scripts in <head>; combine and minify what must block.",
    reference="https://developer.chrome.com/docs/lighthouse/performance/render-blocking-resources")
def render_blocking(site: SiteView) -> Iterator[Finding]:
    """Per lab-sampled page: at least one stylesheet or classic script in <head> that Chromium
    marked render-blocking (renderBlockingStatus) and that started before first contentful
    paint; evidence from the slower profile."""
    for url, measurements in measured_pages(site).items():
        blocking = [m for m in measurements if m.render_blocking]
        if blocking:
            slowest = max(blocking, key=lambda m: m.fcp_ms or 0.0)
            yield Finding("seo.performance.render_blocking", url, {
                "form_factor": slowest.form_factor, "fcp_ms": slowest.fcp_ms,
                "count": len(slowest.render_blocking),
                "bytes": sum(item.bytes for item in slowest.render_blocking),
                "resources": [item.as_dict() for item in slowest.render_blocking[:10]]})


@site_check(
    "seo.performance.unused_large_images", category="performance", severity=Severity.WARNING,
    title="Large images downloaded for little or nothing on screen",
    why="Images far bigger than their displayed size, or big images off screen that are not "
        "lazy-loaded, cost bandwidth and compete with the main content for the connection, "
        "slowing down LCP on mobile.",
    fix="Serve responsive images (srcset/sizes) at the displayed size in WebP/AVIF, and add "
        "loading=lazy to images below the fold.",
    reference="https://developer.chrome.com/docs/lighthouse/performance/uses-responsive-images")
def unused_large_images(site: SiteView) -> Iterator[Finding]:
    """Per lab-sampled page: images of at least 100 KB whose natural size is over 1.5x the
    displayed size (x device pixel ratio) in both dimensions, or that ended the load off
    screen (below the fold or not displayed) without loading=lazy, in any profile."""
    for url, measurements in measured_pages(site).items():
        images = {}
        for measurement in measurements:
            for image in measurement.unused_large_images:
                images.setdefault(image.url, (measurement.form_factor, image))
        if images:
            yield Finding("seo.performance.unused_large_images", url, {
                "count": len(images), "bytes": sum(img.bytes for _, img in images.values()),
                "images": [{**image.as_dict(), "form_factor": form_factor}
                           for form_factor, image in list(images.values())[:10]]})


@site_check(
    "seo.performance.heavy_page", category="performance", severity=Severity.WARNING,
    title="Heavy page (total download size)",
    why="Everything a page downloads (HTML, CSS, JavaScript, images, fonts, media) costs load "
        "time on mobile networks and money on metered data plans.",
    fix="Compress and resize images, drop unused JavaScript and CSS, subset fonts, lazy-load "
        "below-the-fold media; the weight by type in the evidence shows where the bytes are.",
    reference="https://developer.chrome.com/docs/lighthouse/performance/total-byte-weight")
def heavy_page(site: SiteView) -> Iterator[Finding]:
    """Per lab-sampled page: the bytes it downloaded (transfer sizes of all resources) exceed
    4,000 KiB in a profile."""
    for url, measurements in measured_pages(site).items():
        heaviest = max(measurements, key=lambda m: m.page_weight_bytes or 0)
        if (heaviest.page_weight_bytes or 0) > HEAVY_PAGE_BYTES:
            yield Finding("seo.performance.heavy_page", url, {
                "bytes": heaviest.page_weight_bytes, "limit": HEAVY_PAGE_BYTES,
                "requests": heaviest.request_count, "form_factor": heaviest.form_factor,
                "weight_by_type": dict(heaviest.weight_by_type)})


@site_check(
    "seo.performance.lab_skipped", category="performance", severity=Severity.NOTICE,
    informational=True,
    title="Page-speed lab skipped",
    why="The audit loads a sample of pages in headless Chromium to measure Core Web Vitals. "
        "That step did not run, so no LCP, CLS or blocking-time findings are reported.",
    fix="Install Chromium on the audit server (Debian: `apt-get install chromium`, or set "
        "SEOAUDIT_CHROMIUM to its path) and Playwright (`pip install playwright`), then re-run "
        "the audit; the reason below says what was missing.",
    reference="docs/pagespeed.md")
def lab_skipped(site: SiteView) -> Iterator[Finding]:
    """The lab was on (pagespeed_sample > 0) but could not run: the reason given by lab.py
    (Chromium or Playwright missing, launch failure, no page to measure)."""
    report: LabReport | None = site.lab
    if report is not None and report.status == "skipped":
        yield Finding("seo.performance.lab_skipped", None, {"reason": report.reason})


@site_check(
    "seo.performance.lab_failed", category="performance", severity=Severity.NOTICE,
    informational=True,
    title="Page could not be measured in the page-speed lab",
    why="The sampled page did not finish loading in the lab (timeout, error status or browser "
        "error) in any profile, so its speed is unknown.",
    fix="Open the page on a slow mobile connection: a timeout usually means it is very slow "
        "or never stops loading; the reason below says what happened.",
    reference="docs/pagespeed.md")
def lab_failed(site: SiteView) -> Iterator[Finding]:
    """Per lab-sampled page: every profile's load failed (cancelled or over-budget loads are
    not the page's fault and are not reported)."""
    report: LabReport | None = site.lab
    if report is None or report.status != "measured":
        return
    errors: dict[str, list[tuple[str, str | None]]] = defaultdict(list)
    for measurement in report.measurements:
        errors[measurement.url].append((measurement.form_factor, measurement.error))
    for url, outcomes in errors.items():
        if all(error and not error.startswith(NOT_THE_PAGE) for _, error in outcomes):
            yield Finding("seo.performance.lab_failed", url,
                          {"errors": {form_factor: error for form_factor, error in outcomes}})
