"""The page-speed lab in headless Chromium against fixture pages with known behaviour, served
on 127.0.0.1 (tests/pagespeed/fixture_site.py). Metrics are asserted in bands (good /
needs-improvement / poor), not exact values.

Needs Playwright and Chromium (/usr/bin/chromium or SEOAUDIT_CHROMIUM): skipped locally without
them, and a failure under CI=true (tests/browser.py), where a skip would hide untested code.
"""

from __future__ import annotations

import asyncio
import ipaddress

import pytest
from aiohttp import web

from audits.engine.cwv import rate
from audits.engine.lab import LabMeasurement, LabReport, measure_urls
from audits.engine.netguard import AddressGuard
from tests.browser import MISSING
from tests.engine.aioserver import options, serve
from tests.pagespeed.fixture_site import handle

#: 127.0.0.1 plays a public host; 127.0.0.2 stays a refused loopback address.
TEST_GUARD = AddressGuard(trusted_networks=(ipaddress.ip_network("127.0.0.1/32"),))
needs_browser = pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")


async def _lab_run() -> tuple[str, LabReport, LabReport, list[str]]:
    private_hits: list[str] = []

    async def private(request: web.Request) -> web.StreamResponse:
        private_hits.append(request.path)
        return web.Response(body=b"secret", content_type="image/png")

    async with serve(private, host="127.0.0.2") as private_base:
        async def routes(request: web.Request) -> web.StreamResponse:
            if request.path == "/ssrf":
                return web.Response(content_type="text/html", text=(
                    "<!doctype html><title>x</title><h1>Hello</h1>"
                    f"<img src='{private_base}/secret.png'>"
                    f"<script>fetch('{private_base}/api').catch(() => 0)</script>"))
            return await handle(request)

        async with serve(routes) as base:
            fixture = await measure_urls(
                [base + path for path in ("/fast", "/late-image", "/shift", "/blocking")],
                options(base + "/"), guard=TEST_GUARD)
            extra = await measure_urls([base + "/ssrf", base + "/missing"], options(base + "/"),
                                       form_factors=("desktop",), guard=TEST_GUARD)
    return base, fixture, extra, private_hits


@pytest.fixture(scope="module")
def lab():
    """One lab session over all fixture pages (keeps the module at ~40 s)."""
    if MISSING:
        pytest.skip(MISSING)
    return asyncio.run(_lab_run())


def _get(report: LabReport, url: str, form_factor: str) -> LabMeasurement:
    found = next(m for m in report.measurements
                 if m.url == url and m.form_factor == form_factor)
    assert found.error is None, found
    return found


@needs_browser
@pytest.mark.parametrize("form_factor", ["mobile", "desktop"])
def test_a_fast_simple_page_is_good_everywhere(lab, form_factor):
    base, report, _, _ = lab
    assert report.status == "measured", report.reason
    page = _get(report, base + "/fast", form_factor)
    assert set(page.ratings.values()) == {"good"}, page
    assert set(page.ratings) == {"ttfb_ms", "fcp_ms", "lcp_ms", "cls", "tbt_ms"}
    assert page.request_count == 1 and 0 < page.page_weight_bytes < 5000
    assert page.weight_by_type == {"document": page.page_weight_bytes}
    assert not page.render_blocking and not page.unused_large_images
    assert page.score is not None and page.score >= 90


@needs_browser
def test_the_emulated_network_is_slower_on_mobile(lab):
    base, report, _, _ = lab
    mobile, desktop = (_get(report, base + "/fast", f) for f in ("mobile", "desktop"))
    # TTFB: server time + 2 round trips (connect, request) of 150 ms vs 40 ms.
    assert mobile.ttfb_ms >= 300 > desktop.ttfb_ms >= 80
    assert mobile.fcp_ms > desktop.fcp_ms
    assert mobile.details()["throttling"]["cpu_slowdown"] == 4


@needs_browser
@pytest.mark.parametrize("form_factor", ["mobile", "desktop"])
def test_a_late_large_image_makes_lcp_poor(lab, form_factor):
    base, report, _, _ = lab
    page = _get(report, base + "/late-image", form_factor)
    assert rate("lcp_ms", page.lcp_ms) == "poor" and page.lcp_ms > 4500
    assert page.lcp_element["url"] == base + "/hero.png"
    assert rate("fcp_ms", page.fcp_ms) == "good"  # the text came early
    assert page.weight_by_type["image"] > 50_000


@needs_browser
@pytest.mark.parametrize("form_factor", ["mobile", "desktop"])
def test_content_inserted_above_makes_cls_poor(lab, form_factor):
    base, report, _, _ = lab
    page = _get(report, base + "/shift", form_factor)
    assert rate("cls", page.cls) == "poor", page.cls
    assert rate("lcp_ms", page.lcp_ms) != "poor" or form_factor == "mobile"
    [image] = page.unused_large_images
    assert image.url == base + "/big.png" and image.reason == "oversized"
    assert (image.natural_w, image.displayed_w) == (400, 100) and image.bytes > 400_000


@needs_browser
@pytest.mark.parametrize("form_factor", ["mobile", "desktop"])
def test_a_long_blocking_script_makes_tbt_poor(lab, form_factor):
    base, report, _, _ = lab
    page = _get(report, base + "/blocking", form_factor)
    assert rate("tbt_ms", page.tbt_ms) == "poor", page.tbt_ms
    assert page.tbt_ms < 2000  # one 800 ms task: ~750 ms blocking, not a runaway sum
    blocking = {item.url: item for item in page.render_blocking}
    assert set(blocking) == {base + "/style.css", base + "/sync.js"}
    assert blocking[base + "/style.css"].type == "stylesheet"
    assert blocking[base + "/style.css"].bytes == page.weight_by_type["stylesheet"]


@needs_browser
def test_private_addresses_are_refused_and_errors_stay_per_page(lab):
    base, _, extra, private_hits = lab
    assert private_hits == []
    assert extra.blocked_requests >= 2
    assert any("127.0.0.2" in example for example in extra.blocked_examples)
    assert _get(extra, base + "/ssrf", "desktop").fcp_ms is not None  # still measured
    missing = next(m for m in extra.measurements if m.url == base + "/missing")
    assert missing.error == "HTTP 404 when loaded in the lab" and missing.lcp_ms is None
    assert extra.summary()["measured"] == 1 and extra.summary()["failed"] == 1


def test_without_chromium_the_lab_is_skipped_with_how_to_enable_it():
    report = asyncio.run(measure_urls(["https://example.com/"], options("https://example.com/"),
                                      executable="/nonexistent/chromium"))
    assert report.status == "skipped" and not report.measurements
    assert "SEOAUDIT_CHROMIUM" in report.reason and "chromium" in report.reason
    assert report.urls == ("https://example.com/",)
    assert report.summary()["status"] == "skipped"
