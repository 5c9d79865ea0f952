"""Posting forms like a browser: fetch the page, keep its CSRF token and hidden fields."""

from __future__ import annotations

import re
from typing import Any

from django.test import Client


def hidden_fields(html: str) -> dict[str, str]:
    """name -> value of the form's hidden inputs (CSRF token, idempotency key)."""
    fields = {}
    for tag in re.findall(r"<input[^>]*type=\"hidden\"[^>]*>", html):
        name = re.search(r'name="([^"]+)"', tag)
        value = re.search(r'value="([^"]*)"', tag)
        if name:
            fields[name.group(1)] = value.group(1) if value else ""
    return fields


def submit_start_form(client: Client, **data: Any) -> Any:
    """GET /audits/, then POST the start form with its hidden fields and `data`."""
    page = client.get("/audits/")
    assert page.status_code == 200
    return client.post("/audits/", {**hidden_fields(page.content.decode()), **data})


def make_audit(owner: Any, *, url: str = "https://example.com/", status: str = "RUNNING",
               progress: int = 40, pages: int = 12, total: int = 30,
               findings: dict[str, int] | None = None, current_url: str | None = None,
               **fields: Any) -> Any:
    """An audit in the given state with `pages` crawled pages and findings by severity, as
    the worker leaves it: a running audit's findings so far and current URL in its persisted
    progress snapshot, a finished one's in its crawl summary."""
    from datetime import timedelta

    from django.utils import timezone

    from audits.models import Audit, Finding, Page, url_hash

    now = timezone.now()
    finished = status in ("COMPLETED", "FAILED", "CANCELLED")
    counts = {"error": 0, "warning": 0, "notice": 0, **(findings or {})}
    if finished:
        fields.setdefault("summary", {"findings_by_severity": counts})
    else:
        fields.setdefault("progress_snapshot", {"findings": counts, "current_url": current_url})
    audit = Audit.objects.create(
        owner=owner, url=url, normalized_url=url, status=status, progress=progress,
        pages_crawled=pages, total_pages=total, started_at=now - timedelta(seconds=75),
        finished_at=now if finished else None, **fields)
    created = [Page.objects.create(audit=audit, url=f"{url}p{i}", url_hash=url_hash(f"{url}p{i}"),
                                   status=200) for i in range(pages)]
    codes = {"error": "seo.title.missing", "warning": "seo.meta_description.missing",
             "notice": "seo.h1.missing"}
    for severity, count in (findings or {}).items():
        for i in range(count):
            Finding.objects.create(audit=audit, page=created[i % len(created)], code=codes[severity],
                                   severity=severity, category="on_page", details={})
    return audit
