"""The lab's arithmetic and sample choice, without a browser: CLS session windows, total
blocking time, unused large images, URL templates, the throttling model, the score."""

from __future__ import annotations

import pytest

from audits.engine.cwv import log_normal_score, performance_score
from audits.engine.lab import LabMeasurement, LabReport, lab_candidates, url_template
from audits.engine.lab_metrics import (
    cumulative_layout_shift,
    render_blocking,
    total_blocking_time,
    unused_large_images,
)
from audits.engine.lab_network import DESKTOP, MOBILE, LabGateway, transfer_bytes
from audits.engine.types import FetchResult
from tests.engine.checks.helpers import record, site


def test_cls_takes_the_worst_session_window():
    # Two bursts: 0.05+0.05 within a second, then (after a 2 s gap) 0.08+0.08+0.08.
    shifts = [(100, 0.05), (600, 0.05), (2600, 0.08), (3000, 0.08), (3500, 0.08)]
    assert cumulative_layout_shift(shifts) == pytest.approx(0.24)
    # A window closes after 5 s even without a 1 s gap.
    steady = [(t, 0.02) for t in range(0, 8000, 500)]
    assert cumulative_layout_shift(steady) == pytest.approx(0.2)
    assert cumulative_layout_shift([]) == 0


def test_tbt_counts_only_the_part_beyond_50ms_after_fcp():
    tasks = [(100, 300), (1000, 120), (2000, 40), (3000, 700)]
    # FCP at 300: the first task counts from 300 (100 ms -> 50), then 70, 0, 650.
    assert total_blocking_time(tasks, 300) == 770
    assert total_blocking_time(tasks, None) == 0
    assert total_blocking_time([], 500) == 0


def test_unused_large_images_rule():
    sizes = {"a": 300_000, "b": 300_000, "c": 50_000, "d": 300_000, "e": 300_000}
    images = [
        # 4x too big on a DPR 1 screen: oversized
        {"url": "a", "displayed_w": 100, "displayed_h": 100, "natural_w": 400, "natural_h": 400},
        # below the fold, not lazy: offscreen
        {"url": "b", "displayed_w": 600, "displayed_h": 400, "natural_w": 600, "natural_h": 400,
         "below_fold": True},
        # small file: never reported
        {"url": "c", "displayed_w": 10, "displayed_h": 10, "natural_w": 900, "natural_h": 900},
        # lazy below the fold: fine
        {"url": "d", "displayed_w": 600, "displayed_h": 400, "natural_w": 600, "natural_h": 400,
         "below_fold": True, "lazy": True},
        # too wide only in one dimension: fine
        {"url": "e", "displayed_w": 100, "displayed_h": 400, "natural_w": 400, "natural_h": 400},
    ]
    found = {image.url: image.reason for image in unused_large_images(images, sizes, 1.0)}
    assert found == {"a": "oversized", "b": "offscreen"}
    # On a DPR 3 phone 400 px for a 100 px slot is not oversized (3 x 1.5 x 100 = 450).
    assert not [i for i in unused_large_images(images[:1], sizes, 3.0)]


def test_render_blocking_takes_bytes_from_the_gateway():
    [item] = render_blocking([{"url": "https://x/s.css", "type": "stylesheet", "ms": 120}],
                             {"https://x/s.css": 4096})
    assert (item.bytes, item.ms, item.type) == (4096, 120.0, "stylesheet")


@pytest.mark.parametrize(("url", "template"), [
    ("https://x.com/", "/"),
    ("https://x.com/about", "/about"),
    ("https://x.com/about-us", "/about-us"),
    ("https://x.com/blog/my-first-long-post", "/blog/*"),
    ("https://x.com/products/123", "/products/*"),
    ("https://x.com/section-3/page-12.html", "/*/*"),
    ("https://x.com/p/3f2a9c1e-77aa-4c5e-9a0b-1234567890ab", "/p/*"),
])
def test_url_templates_collapse_ids_and_slugs(url, template):
    assert url_template(url) == template


def test_sample_is_start_page_then_one_per_template_by_links():
    pages = ["https://example.com/", "https://example.com/blog/first-long-post",
             "https://example.com/blog/second-long-post", "https://example.com/products/1",
             "https://example.com/about", "https://example.com/noindex"]
    records = [record(url) for url in pages[:-1]] + [record(pages[-1], indexable=False)]
    links = [("https://example.com/", target, "x") for target in pages[1:]]
    links += [("https://example.com/about", pages[1], "x"), ("https://example.com/about", pages[2], "x"),
              ("https://example.com/about", pages[5], "x"), ("https://example.com/blog/first-long-post",
                                                            pages[2], "x")]
    view = site(*records, links=tuple(links))
    # blog pages are the most linked, but the second blog post waits until every template had
    # its turn; the noindex page is never measured.
    assert lab_candidates(view, 10) == [
        "https://example.com/", "https://example.com/blog/second-long-post",
        "https://example.com/about", "https://example.com/products/1",
        "https://example.com/blog/first-long-post"]
    assert lab_candidates(view, 2) == ["https://example.com/",
                                       "https://example.com/blog/second-long-post"]
    assert lab_candidates(view, 0) == []


def test_gateway_throttles_latency_and_a_shared_downlink():
    gateway = LabGateway(fetcher=None, timeout_s=5, profile=MOBILE)  # type: ignore[arg-type]
    # First https request: request + TCP + TLS round trips (3 x 150 ms), then 20 KB at 1.6 Mbps.
    first = gateway.delay_s(gateway.round_trips("https://a.test/"), 20_000, now=10.0)
    assert first == pytest.approx(0.45 + 0.1)
    # A second response fetched at the same moment waits for the link: one RTT, then after the
    # first transfer (ends at 10.55) its own 200 KB (1 s).
    second = gateway.delay_s(gateway.round_trips("https://a.test/img.png"), 200_000, now=10.0)
    assert second == pytest.approx(0.55 + 1.0)
    desktop = LabGateway(fetcher=None, timeout_s=5, profile=DESKTOP)  # type: ignore[arg-type]
    assert desktop.delay_s(desktop.round_trips("http://a.test/"), 0, now=0.0) == pytest.approx(0.08)


def test_transfer_size_prefers_the_compressed_length():
    gzip = FetchResult("u", "u", 200, headers=(("content-encoding", "gzip"),
                                                ("content-length", "1200")), body=b"x" * 9000)
    assert transfer_bytes(gzip) == 1200
    assert transfer_bytes(FetchResult("u", "u", 200, body=b"x" * 9000)) == 9000


def test_lighthouse_style_score():
    assert log_normal_score(0, 2500, 4000) == 1.0
    assert log_normal_score(2500, 2500, 4000) == pytest.approx(0.9, abs=0.001)
    assert log_normal_score(4000, 2500, 4000) == pytest.approx(0.5, abs=0.001)
    fast = {"fcp_ms": 500, "lcp_ms": 700, "tbt_ms": 0, "cls": 0}
    assert performance_score(fast, "mobile") == 100
    slow = {"fcp_ms": 4000, "lcp_ms": 8000, "tbt_ms": 1500, "cls": 0.5}
    assert performance_score(slow, "mobile") < 20
    # Desktop curves are stricter: the same figures score lower there.
    middling = {"fcp_ms": 1500, "lcp_ms": 2200, "tbt_ms": 250, "cls": 0.05}
    assert performance_score(middling, "desktop") < performance_score(middling, "mobile")
    assert performance_score({}, "mobile") is None


def test_measurement_details_hold_the_documented_keys():
    item = LabMeasurement("https://x/", "mobile", lcp_ms=5000, cls=0.01)
    details = item.details()
    assert {"weight_by_type", "render_blocking", "unused_large_images", "throttling",
            "ratings"} <= set(details)
    assert details["ratings"] == {"lcp_ms": "poor", "cls": "good"}
    assert details["throttling"]["cpu_slowdown"] == 4 and details["throttling"]["rtt_ms"] == 150
    report = LabReport("measured", "", (item, LabMeasurement("https://x/", "desktop", error="x")),
                       ("https://x/",))
    assert report.summary()["measured"] == 1 and report.summary()["failed"] == 1
