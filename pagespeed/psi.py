"""PageSpeed Insights API v5 client (`runPagespeed`): Google's Lighthouse run and the Chrome UX
Report field data (75th percentiles of real users) for one URL and strategy.

    GET {PAGESPEED_API_URL}?url=...&strategy=mobile|desktop&category=performance&key=...

Lab figures come from `lighthouseResult.audits[<id>].numericValue` (first-contentful-paint,
largest-contentful-paint, cumulative-layout-shift, total-blocking-time, server-response-time,
total-byte-weight), the score from `lighthouseResult.categories.performance.score` (0..1),
field data from `loadingExperience.metrics.<METRIC>.{percentile, category}` (FAST / AVERAGE /
SLOW; CLS percentiles are hundredths). Errors have Google's shape
`{"error": {"code", "message", "status"}}`: 400 "Lighthouse returned error: ..." (the page
could not be loaded), 429 quota, 5xx. Without a key the client refuses with "PSI not
configured" (the lab does not need it). The API URL is the operator's setting, not user input.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import structlog

log = structlog.get_logger(__name__)

STRATEGIES = ("mobile", "desktop")
#: Lighthouse audit id -> our metric column.
LAB_AUDITS = {
    "server-response-time": "ttfb_ms", "first-contentful-paint": "fcp_ms",
    "largest-contentful-paint": "lcp_ms", "cumulative-layout-shift": "cls",
    "total-blocking-time": "tbt_ms",
}
#: CrUX metric -> (our metric, divisor of the percentile).
FIELD_METRICS = {
    "LARGEST_CONTENTFUL_PAINT_MS": ("lcp_ms", 1), "CUMULATIVE_LAYOUT_SHIFT_SCORE": ("cls", 100),
    "INTERACTION_TO_NEXT_PAINT": ("inp_ms", 1), "FIRST_CONTENTFUL_PAINT_MS": ("fcp_ms", 1),
    "EXPERIMENTAL_TIME_TO_FIRST_BYTE": ("ttfb_ms", 1),
}
FIELD_CATEGORIES = {"FAST": "good", "AVERAGE": "needs-improvement", "SLOW": "poor"}
MAX_RESPONSE_BYTES = 20 * 1024 * 1024
PSI_NOT_CONFIGURED = ("PSI not configured: set PAGESPEED_API_KEY to use PageSpeed Insights "
                      "(the lab works without it)")


class PsiError(Exception):
    """A PSI call that gave no result. `code`: not_configured, page_failed (Lighthouse could
    not load the page), quota, upstream (5xx or unreadable answer), timeout, network."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


@dataclass(frozen=True, slots=True)
class PsiResult:
    url: str
    form_factor: str
    metrics: dict[str, float | None]
    score: int | None
    page_weight_bytes: int | None
    request_count: int | None
    #: metric -> {"p75", "category"} from CrUX ({} when Google has no field data).
    field: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: "page" or "origin" (Google fell back to the whole origin's data), "" without data.
    field_scope: str = ""
    final_url: str = ""
    lighthouse_version: str = ""


def parse_response(payload: dict[str, Any], strategy: str) -> PsiResult:
    """A runPagespeed answer -> PsiResult; PsiError("upstream") when it is not one."""
    lighthouse = payload.get("lighthouseResult")
    if not isinstance(lighthouse, dict):
        raise PsiError("upstream", "PSI answered without a lighthouseResult")
    audits = lighthouse.get("audits") or {}
    metrics: dict[str, float | None] = {}
    for audit_id, metric in LAB_AUDITS.items():
        value = (audits.get(audit_id) or {}).get("numericValue")
        metrics[metric] = round(float(value), 4 if metric == "cls" else 1) \
            if isinstance(value, int | float) else None
    score = ((lighthouse.get("categories") or {}).get("performance") or {}).get("score")
    weight = (audits.get("total-byte-weight") or {}).get("numericValue")
    requests = ((audits.get("network-requests") or {}).get("details") or {}).get("items")
    field_data, scope = _field(payload)
    return PsiResult(
        url=str(payload.get("id") or lighthouse.get("requestedUrl") or ""), form_factor=strategy,
        metrics=metrics, score=round(score * 100) if isinstance(score, int | float) else None,
        page_weight_bytes=int(weight) if isinstance(weight, int | float) else None,
        request_count=len(requests) if isinstance(requests, list) else None,
        field=field_data, field_scope=scope,
        final_url=str(lighthouse.get("finalDisplayedUrl") or lighthouse.get("finalUrl") or ""),
        lighthouse_version=str(lighthouse.get("lighthouseVersion") or ""))


def _field(payload: dict[str, Any]) -> tuple[dict[str, dict[str, Any]], str]:
    for key, scope in (("loadingExperience", "page"), ("originLoadingExperience", "origin")):
        experience = payload.get(key) or {}
        metrics = experience.get("metrics") or {}
        if not metrics:
            continue
        if key == "loadingExperience" and experience.get("origin_fallback"):
            scope = "origin"
        found = {}
        for name, (metric, divisor) in FIELD_METRICS.items():
            entry = metrics.get(name) or {}
            percentile = entry.get("percentile")
            if isinstance(percentile, int | float):
                found[metric] = {"p75": percentile / divisor,
                                 "category": FIELD_CATEGORIES.get(entry.get("category", ""))}
        if found:
            return found, scope
    return {}, ""


def _error(status: int, payload: Any) -> PsiError:
    error = payload.get("error") if isinstance(payload, dict) else None
    message = str(error.get("message", "")) if isinstance(error, dict) else ""
    message = message[:500] or f"HTTP {status}"
    if status == 429:
        return PsiError("quota", f"PSI quota exceeded: {message}")
    if status in (400, 404) and "Lighthouse returned error" in message:
        return PsiError("page_failed", f"PSI could not load the page: {message}")
    if status in (401, 403):
        return PsiError("not_configured", f"PSI refused the API key: {message}")
    if status >= 500:
        return PsiError("upstream", f"PSI failed (HTTP {status}): {message}")
    return PsiError("upstream", f"PSI refused the request (HTTP {status}): {message}")


async def run_pagespeed(url: str, *, strategy: str, api_key: str, api_url: str,
                        timeout_s: float) -> PsiResult:
    """One runPagespeed call; PsiError with a clear message on every failure."""
    if not api_key:
        raise PsiError("not_configured", PSI_NOT_CONFIGURED)
    if strategy not in STRATEGIES:
        raise ValueError(f"strategy must be one of {STRATEGIES}")
    params = {"url": url, "strategy": strategy, "category": "performance", "key": api_key}
    timeout = aiohttp.ClientTimeout(total=timeout_s, sock_connect=min(10.0, timeout_s))
    try:
        async with aiohttp.ClientSession(timeout=timeout) as session, \
                session.get(api_url, params=params, allow_redirects=False) as response:
            body = await response.content.read(MAX_RESPONSE_BYTES + 1)
            status = response.status
    except TimeoutError as exc:
        raise PsiError("timeout", f"PSI did not answer within {timeout_s:g} s") from exc
    except aiohttp.ClientError as exc:
        raise PsiError("network", f"PSI unreachable: {type(exc).__name__}: {exc}"[:300]) from exc
    if len(body) > MAX_RESPONSE_BYTES:
        raise PsiError("upstream", "PSI answer too large")
    try:
        payload = json.loads(body)
    except ValueError:
        payload = None
    if status != 200:
        log.warning("psi.error", status=status, strategy=strategy)
        raise _error(status, payload)
    if not isinstance(payload, dict):
        raise PsiError("upstream", "PSI answered with something that is not JSON")
    return parse_response(payload, strategy)


def run_pagespeed_sync(url: str, **kwargs: Any) -> PsiResult:
    return asyncio.run(run_pagespeed(url, **kwargs))
