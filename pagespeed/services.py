"""Page-speed writes: store an audit's lab sample, request and run ad-hoc measurements (lab in
headless Chromium, or PageSpeed Insights)."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

import structlog
from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from audits import services as audit_services
from audits.engine.cwv import rate
from audits.engine.lab import FORM_FACTORS, LabMeasurement, LabReport, measure_urls
from audits.engine.types import CrawlOptions
from audits.models import Audit, Page, url_hash

from .exceptions import PsiNotConfigured
from .models import Measurement
from .psi import PSI_NOT_CONFIGURED, PsiError, PsiResult, run_pagespeed

log = structlog.get_logger(__name__)

#: A RUNNING row older than this belongs to a run that died (twice the task's time limit).
STALE_RUN_S = 600
FORM_FACTOR_CHOICES = {"mobile": ("mobile",), "desktop": ("desktop",), "both": FORM_FACTORS}


# --- audits ----------------------------------------------------------------------------------

def audit_lab_persist(*, audit: Audit, report: LabReport | None) -> int:
    """Store the audit's lab sample as Measurement rows (one per page and form factor, the
    crawled Page linked), replacing rows of an earlier run of the same audit. A skipped lab
    gives "skipped" rows for the pages it would have measured, with the reason. Returns the
    number of rows."""
    if report is None:
        return 0
    # (audit, url_hash) is the pages' unique index: no scan over a large audit's pages.
    pages = dict(Page.objects.filter(audit=audit, url_hash__in=[url_hash(u) for u in report.urls])
                 .values_list("url", "pk"))
    now = timezone.now()
    rows = []
    if report.status == "measured":
        for item in report.measurements:
            row = Measurement(owner_id=audit.owner_id, audit=audit, page_id=pages.get(item.url),
                              url=item.url, source=Measurement.Source.LAB,
                              form_factor=item.form_factor, finished_at=now)
            _apply_lab(row, item)
            rows.append(row)
    else:
        rows = [Measurement(owner_id=audit.owner_id, audit=audit, page_id=pages.get(url), url=url,
                            source=Measurement.Source.LAB, form_factor=form_factor,
                            status=Measurement.Status.SKIPPED, error=report.reason[:1000],
                            finished_at=now)
                for url in report.urls for form_factor in report.form_factors]
    with transaction.atomic():
        Measurement.objects.filter(audit=audit, source=Measurement.Source.LAB).delete()
        Measurement.objects.bulk_create(rows)
    return len(rows)


def _apply_lab(row: Measurement, item: LabMeasurement) -> None:
    if item.error is not None:
        row.status, row.error = Measurement.Status.FAILED, item.error[:1000]
        row.details = {"load_ms": round(item.ms, 1)}
        return
    row.status = Measurement.Status.DONE
    row.ttfb_ms, row.fcp_ms, row.lcp_ms = item.ttfb_ms, item.fcp_ms, item.lcp_ms
    row.cls, row.tbt_ms, row.score = item.cls, item.tbt_ms, item.score
    row.page_weight_bytes, row.request_count = item.page_weight_bytes, item.request_count
    row.details = item.details()


def _apply_psi(row: Measurement, result: PsiResult) -> None:
    row.status = Measurement.Status.DONE
    metrics = result.metrics
    row.ttfb_ms, row.fcp_ms, row.lcp_ms = (metrics.get("ttfb_ms"), metrics.get("fcp_ms"),
                                           metrics.get("lcp_ms"))
    row.cls, row.tbt_ms, row.score = metrics.get("cls"), metrics.get("tbt_ms"), result.score
    row.page_weight_bytes, row.request_count = result.page_weight_bytes, result.request_count
    row.details = {
        "field": result.field, "field_scope": result.field_scope,
        "ratings": {metric: rating for metric, value in metrics.items()
                    if (rating := rate(metric, value)) is not None},
        "final_url": result.final_url, "lighthouse_version": result.lighthouse_version,
        "throttling": {"form_factor": result.form_factor,
                       "method": "PageSpeed Insights (Lighthouse on Google's servers, "
                                 "simulated throttling)"},
    }


# --- ad-hoc measurements (API) ---------------------------------------------------------------

def measurement_request(*, owner: Any, url: str, form_factor: str = "both",
                        source: str = Measurement.Source.LAB) -> list[Measurement]:
    """Create pending measurements of one URL (one per form factor) and enqueue the run once
    the transaction commits. The URL is validated like an audit's start URL, and must be a
    public target unless the deployment allows private networks (InvalidAuditURL). PSI needs
    PAGESPEED_API_KEY (PsiNotConfigured)."""
    _, normalized = audit_services.target_url_clean(url=url, public_only=True)
    if source == Measurement.Source.PSI and not settings.PAGESPEED_API_KEY:
        raise PsiNotConfigured(PSI_NOT_CONFIGURED)
    rows = [Measurement(owner=owner, url=normalized, source=source, form_factor=factor)
            for factor in FORM_FACTOR_CHOICES[form_factor]]
    with transaction.atomic():
        Measurement.objects.bulk_create(rows)
        ids = [str(row.pk) for row in rows]

        def enqueue() -> None:
            from .tasks import measure

            measure.delay(ids)

        transaction.on_commit(enqueue)
    log.info("pagespeed.requested", url=normalized, source=source, ids=ids)
    return rows


def _claim(ids: Iterable[str]) -> list[Measurement]:
    """PENDING -> RUNNING for the given rows, or take over RUNNING rows whose run must have
    died (older than STALE_RUN_S: the worker was killed and the message redelivered). Only rows
    this call moved are returned, so a redelivered message for finished rows does nothing.
    Conditional UPDATEs: two workers cannot both win a row."""
    stale = Q(status=Measurement.Status.RUNNING,
              created_at__lt=timezone.now() - timedelta(seconds=STALE_RUN_S))
    claimed = [pk for pk in ids
               if Measurement.objects.filter(Q(status=Measurement.Status.PENDING) | stale, pk=pk)
               .update(status=Measurement.Status.RUNNING)]
    return list(Measurement.objects.filter(pk__in=claimed).order_by("form_factor"))


def measurement_run(*, measurement_ids: Iterable[str]) -> list[Measurement]:
    """Run pending measurements of one URL (the rows of one request) and store the results.
    Idempotent: rows that are not PENDING are left alone."""
    rows = _claim(measurement_ids)
    if not rows:
        return []
    lab = [row for row in rows if row.source == Measurement.Source.LAB]
    psi = [row for row in rows if row.source == Measurement.Source.PSI]
    try:
        if lab:
            _run_lab(lab)
        for row in psi:
            _run_psi(row)
    except Exception as exc:
        log.exception("pagespeed.run_failed", ids=[str(row.pk) for row in rows])
        for row in rows:
            if row.status == Measurement.Status.RUNNING:
                row.status, row.error = Measurement.Status.FAILED, f"internal error: {exc}"[:1000]
    now = timezone.now()
    for row in rows:
        row.finished_at = now
        row.save()
    return rows


def lab_options(url: str) -> CrawlOptions:
    """Fetch options for an ad-hoc lab load: the deployment's user agent and private-network
    policy (the SSRF guard checks every browser request against it)."""
    kwargs: dict[str, Any] = {"start_url": url,
                              "allow_private": bool(settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS),
                              "max_retries": 0}
    if settings.SEOAUDIT_USER_AGENT:
        kwargs["user_agent"] = settings.SEOAUDIT_USER_AGENT
    return CrawlOptions(**kwargs)


def _run_lab(rows: list[Measurement]) -> None:
    url = rows[0].url
    # The Fetcher's guard follows options.allow_private: every browser request is checked.
    report = asyncio.run(measure_urls([url], lab_options(url),
                                      form_factors=[row.form_factor for row in rows]))
    by_factor = {item.form_factor: item for item in report.measurements}
    for row in rows:
        item = by_factor.get(row.form_factor)
        if report.status == "skipped" or item is None:
            row.status = Measurement.Status.SKIPPED
            row.error = (report.reason or "not measured")[:1000]
        else:
            _apply_lab(row, item)


def _run_psi(row: Measurement) -> None:
    try:
        result = asyncio.run(run_pagespeed(
            row.url, strategy=row.form_factor, api_key=settings.PAGESPEED_API_KEY,
            api_url=settings.PAGESPEED_API_URL, timeout_s=settings.PAGESPEED_TIMEOUT_S))
    except PsiError as exc:
        row.status = (Measurement.Status.SKIPPED if exc.code == "not_configured"
                      else Measurement.Status.FAILED)
        row.error = exc.message[:1000]
        row.details = {"error_code": exc.code}
        return
    _apply_psi(row, result)
