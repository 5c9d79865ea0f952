"""The AI visibility section of an audit report: for the audited site's tracked prompts,
where AI engines cite the site, and the GEO findings of the cited pages in this audit, so
a reader sees which cited pages are hard for AI engines to use.

Cited URLs (tracking parameters already dropped) are normalized the way the crawler
normalizes URLs, moved to the audit's host when they differ only by "www.", and joined with
the audit's Page rows by URL hash (a redirected page is found by its final URL too).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from urllib.parse import urlsplit, urlunsplit

from django.utils import timezone

from audits.engine.checks.registry import REGISTRY
from audits.engine.urls import InvalidURL, normalize_url
from audits.models import Audit, Finding, Page, url_hash
from keywords.models import TrackedSite
from reports.i18n import check_text

from .metrics import counts_of_rows, metrics_from
from .models import AnswerRun
from .selectors import prompt_latest_runs

#: Runs this many days before the audit count as "current".
WINDOW_DAYS = 30
MAX_ROWS = 50


@dataclass(frozen=True, slots=True)
class GeoFindingRef:
    code: str
    title: str
    severity: str


@dataclass(frozen=True, slots=True)
class CitedPrompt:
    question: str
    engine: str
    run_on: date
    position: int | None
    url: str
    #: True when the audit crawled the cited page.
    crawled: bool
    geo_findings: tuple[GeoFindingRef, ...]


@dataclass(frozen=True, slots=True)
class AIVisibilitySection:
    since: date
    until: date
    answers: int
    mention_rate: float | None
    citation_rate: float | None
    share_of_voice: float | None
    cited: tuple[CitedPrompt, ...]
    #: Latest answers (prompt x engine) that do not cite the site.
    not_cited: int


def report_section(*, audit: Audit) -> AIVisibilitySection | None:
    """None when the audit's owner tracks no prompt for the audited site."""
    host = (urlsplit(audit.normalized_url).hostname or "").lower()
    site = TrackedSite.objects.filter(owner_id=audit.owner_id, host=host.removeprefix("www.")).first()
    if site is None or not site.ai_prompts.exists():
        return None
    until = (audit.finished_at or timezone.now()).date()
    since = until - timedelta(days=WINDOW_DAYS - 1)
    latest = [r for r in prompt_latest_runs(site=site, since=since) if r.run_on <= until]
    totals = metrics_from(counts_of_rows(
        {"brand_mentioned": r.brand_mentioned, "cited": r.cited, "cited_position": r.cited_position,
         "competitors_mentioned": r.competitors_mentioned, "competitors_cited": r.competitors_cited}
        for r in latest))
    cited_runs = sorted((r for r in latest if r.cited), key=lambda r: (r.cited_position or 99, r.prompt_id))
    pairs = [(run, url) for run in cited_runs for url in run.cited_urls][:MAX_ROWS]
    pages = _pages_for(audit, host, [url for _run, url in pairs])
    findings = _geo_findings(audit, {page_id for page_id in pages.values()})
    rows = tuple(
        CitedPrompt(question=run.prompt.question, engine=run.engine, run_on=run.run_on,
                    position=_position(run, url), url=url, crawled=url in pages,
                    geo_findings=findings.get(pages.get(url, -1), ()))
        for run, url in pairs)
    return AIVisibilitySection(
        since=since, until=until, answers=totals.runs, mention_rate=totals.mention_rate,
        citation_rate=totals.citation_rate, share_of_voice=totals.share_of_voice, cited=rows,
        not_cited=sum(1 for r in latest if not r.cited))


def _position(run: AnswerRun, url: str) -> int | None:
    """The first position the engine cited `url` at."""
    return next((c.get("position") for c in run.citations if c.get("url") == url), run.cited_position)


def _audit_form(url: str, host: str) -> str | None:
    try:
        normalized = normalize_url(url)
    except (InvalidURL, ValueError):
        return None
    parts = urlsplit(normalized)
    other = (parts.hostname or "").lower()
    if other != host and other.removeprefix("www.") == host.removeprefix("www."):
        netloc = host + (f":{parts.port}" if parts.port else "")
        normalized = urlunsplit((parts.scheme, netloc, parts.path, parts.query, ""))
    return normalized


def _pages_for(audit: Audit, host: str, urls: list[str]) -> dict[str, int]:
    """Cited URL -> the audit's Page id (by URL, else by final URL after redirects)."""
    forms = {url: form for url in urls if (form := _audit_form(url, host))}
    found: dict[str, int] = {}
    by_hash = {url_hash(form): url for url, form in forms.items()}
    for page_id, page_hash, page_url in (Page.objects.filter(audit=audit, url_hash__in=list(by_hash))
                                         .values_list("id", "url_hash", "url")):
        url = by_hash.get(page_hash)
        if url and forms[url] == page_url:
            found[url] = page_id
    missing = {forms[url]: url for url in forms if url not in found}
    if missing:
        for page_id, final in (Page.objects.filter(audit=audit, final_url__in=list(missing))
                               .values_list("id", "final_url")):
            found.setdefault(missing[final], page_id)
    return found


def _geo_findings(audit: Audit, page_ids: set[int]) -> dict[int, tuple[GeoFindingRef, ...]]:
    out: dict[int, list[GeoFindingRef]] = {}
    for page_id, code, severity in (Finding.objects.filter(audit=audit, page_id__in=page_ids, category="geo")
                                    .order_by("page_id", "code").values_list("page_id", "code", "severity")):
        check = REGISTRY.get(code)
        out.setdefault(page_id, []).append(
            GeoFindingRef(code, check_text(check, "title") if check else code, severity))
    return {page_id: tuple(refs) for page_id, refs in out.items()}

