"""The PageSpeed Insights client against a local fake runPagespeed server (real HTTP)."""

from __future__ import annotations

import pytest

from pagespeed.psi import PsiError, parse_response, run_pagespeed_sync
from tests.pagespeed.fake_psi import API_KEY, PATH, RESPONSE, install


def _run(httpserver, url, *, strategy="mobile", key=API_KEY, timeout_s=5.0):
    return run_pagespeed_sync(url, strategy=strategy, api_key=key,
                              api_url=httpserver.url_for(PATH), timeout_s=timeout_s)


def test_lab_and_field_figures_are_read_from_the_real_shape(httpserver):
    calls = install(httpserver)
    result = _run(httpserver, "https://www.example.com/")
    assert calls == [{"url": "https://www.example.com/", "strategy": "mobile",
                      "category": "performance", "key": API_KEY}]
    assert result.metrics == {"ttfb_ms": 212.4, "fcp_ms": 1812.3, "lcp_ms": 4521.7,
                              "cls": 0.0418, "tbt_ms": 386.5}
    assert result.score == 58 and result.page_weight_bytes == 1263616
    assert result.request_count == 37 and result.lighthouse_version == "12.6.0"
    assert result.field_scope == "page"
    assert result.field["lcp_ms"] == {"p75": 4300, "category": "poor"}
    assert result.field["inp_ms"] == {"p75": 240, "category": "needs-improvement"}
    assert result.field["cls"] == {"p75": 0.06, "category": "good"}  # CrUX sends CLS x 100
    assert result.field["ttfb_ms"]["category"] == "needs-improvement"
    desktop = _run(httpserver, "https://www.example.com/", strategy="desktop")
    assert desktop.form_factor == "desktop" and desktop.metrics["lcp_ms"] == 1900.0


def test_origin_field_data_is_used_when_the_page_has_none():
    payload = dict(RESPONSE, loadingExperience={"id": "x", "initial_url": "x"})
    result = parse_response(payload, "mobile")
    assert result.field_scope == "origin" and result.field == {
        "lcp_ms": {"p75": 2900, "category": "needs-improvement"}}
    assert parse_response(dict(payload, originLoadingExperience={}), "mobile").field == {}


@pytest.mark.parametrize(("url", "code", "text"), [
    ("https://unreachable.example/", "page_failed", "FAILED_DOCUMENT_REQUEST"),
    ("https://quota.example/", "quota", "quota exceeded"),
    ("https://broken.example/", "upstream", "HTTP 500"),
])
def test_errors_are_clear(httpserver, url, code, text):
    install(httpserver)
    with pytest.raises(PsiError) as caught:
        _run(httpserver, url)
    assert caught.value.code == code and text in caught.value.message


def test_a_wrong_key_and_a_missing_key(httpserver):
    install(httpserver)
    with pytest.raises(PsiError, match="API key not valid"):
        _run(httpserver, "https://www.example.com/", key="wrong")
    with pytest.raises(PsiError, match="PSI not configured") as caught:
        _run(httpserver, "https://www.example.com/", key="")
    assert caught.value.code == "not_configured"


def test_a_slow_or_absent_server_times_out_or_fails_cleanly(httpserver):
    import time

    httpserver.expect_request(PATH).respond_with_handler(lambda request: time.sleep(2) or None)
    with pytest.raises(PsiError) as caught:
        _run(httpserver, "https://www.example.com/", timeout_s=0.5)
    assert caught.value.code == "timeout" and "0.5 s" in caught.value.message
    with pytest.raises(PsiError) as refused:
        run_pagespeed_sync("https://www.example.com/", strategy="mobile", api_key=API_KEY,
                           api_url="http://127.0.0.1:9/runPagespeed", timeout_s=2)
    assert refused.value.code == "network"


def test_an_answer_that_is_not_psi_is_an_upstream_error(httpserver):
    httpserver.expect_request(PATH).respond_with_json({"kind": "something else"})
    with pytest.raises(PsiError, match="lighthouseResult"):
        _run(httpserver, "https://www.example.com/")
