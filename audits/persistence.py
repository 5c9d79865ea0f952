"""Batch persistence of crawl results: pages, links and findings.

Pages go in with one bulk INSERT ... RETURNING per batch (their ids are needed by links and
findings); links and findings go in with PostgreSQL COPY, or bulk INSERTs on SQLite. Nothing
is written row by row. Link targets and inlink counts are resolved with two set-based UPDATEs
when the crawl ends.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from django.db import connection, transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce

from .engine.checks.registry import REGISTRY
from .engine.parse import resolved_canonical
from .engine.score import compute_page_geo_score
from .engine.types import Finding as EngineFinding
from .engine.types import PageResult, Severity
from .models import Audit, Finding, Link, Page, url_hash

BATCH_PAGES = 200


def clean_text(value: str, limit: int | None = None) -> str:
    """PostgreSQL text cannot hold NUL; hostile pages put them everywhere."""
    if "\x00" in value:
        value = value.replace("\x00", "")
    return value[:limit] if limit else value


#: JSON documents up to this size that contain no NUL go in as they are (the common case).
JSON_FAST_PATH_CHARS = 64 * 1024
#: URL -> url_hash() memo per writer (navigation links repeat on every page); cleared when full.
HASH_MEMO_SIZE = 100_000


def clean_json(value: Any) -> Any:
    """JSON-safe copy of `value` without NULs, with strings, lists and dicts capped."""
    try:
        encoded = json.dumps(value)
    except (TypeError, ValueError):
        encoded = None
    if encoded is not None and len(encoded) <= JSON_FAST_PATH_CHARS and "\\u0000" not in encoded:
        return value
    return _clean_json(value)


def _clean_json(value: Any) -> Any:
    if isinstance(value, str):
        return clean_text(value, 2000)
    if isinstance(value, dict):
        return {clean_text(str(k), 200): _clean_json(v) for k, v in list(value.items())[:200]}
    if isinstance(value, list | tuple | set | frozenset):
        return [_clean_json(v) for v in list(value)[:200]]
    if value is None or isinstance(value, bool | int | float):
        return value
    return clean_text(str(value), 2000)


def _compact_facts(result: PageResult) -> dict[str, Any]:
    facts = result.facts
    fetch = result.fetch
    data: dict[str, Any] = {"attempts": fetch.attempts} if fetch.attempts > 1 else {}
    if fetch.truncated:
        data["truncated"] = True
    if facts is None:
        return data
    links = facts.links
    data.update({
        "lang": facts.lang,
        "viewport": facts.viewport,
        "encoding": facts.encoding,
        "titles": list(facts.titles[:3]),
        "h1": [h.text for h in facts.headings if h.level == 1][:5],
        "headings": [[h.level, h.text[:120]] for h in facts.headings[:40]],
        "links_internal": sum(1 for link in links if link.internal and link.kind == "a"),
        "links_external": sum(1 for link in links if not link.internal and link.kind == "a"),
        "images": len(facts.images),
        "images_without_alt": sum(1 for img in facts.images if img.alt is None),
        "json_ld_types": sorted({t for block in facts.json_ld for t in block.types})[:20],
        "hreflang": [list(pair) for pair in facts.hreflangs[:50]],
        "text_ratio": round(facts.text_ratio, 4),
        "html_bytes": facts.html_bytes,
    })
    return data


class AuditWriter:
    """Buffers crawl results for one audit and writes them in batches."""

    def __init__(self, audit: Audit) -> None:
        self.audit = audit
        self._buffer: list[PageResult] = []
        self.pages_written = 0
        self._postgres = connection.vendor == "postgresql"
        self._hashes: dict[str, str] = {}

    def _hash(self, url: str) -> str:
        known = self._hashes.get(url)
        if known is None:
            if len(self._hashes) >= HASH_MEMO_SIZE:
                self._hashes.clear()
            known = self._hashes[url] = url_hash(url)
        return known

    def add(self, result: PageResult) -> None:
        self._buffer.append(result)
        if len(self._buffer) >= BATCH_PAGES:
            self.flush()

    def flush(self) -> None:
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        with transaction.atomic():
            self._relax_durability()
            pages = Page.objects.bulk_create([self._page_row(r) for r in batch])
            link_rows: list[tuple[Any, ...]] = []
            finding_rows: list[tuple[Any, ...]] = []
            for page, result in zip(pages, batch, strict=True):
                if result.facts is not None:
                    link_rows.extend(self._link_rows(page.pk, result))
                finding_rows.extend(self._finding_rows(page.pk, result.findings))
            self._write_links(link_rows)
            self._write_findings(finding_rows)
        self.pages_written += len(batch)

    def _relax_durability(self) -> None:
        """Batches commit without waiting for the WAL flush (PostgreSQL `synchronous_commit =
        off` for this transaction only): a database crash can lose the last fraction of a
        second of an audit that is then failed and re-run anyway, never corrupt data."""
        if self._postgres:
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL synchronous_commit = off")

    # -- rows --------------------------------------------------------------------------------
    def _page_row(self, result: PageResult) -> Page:
        fetch = result.fetch
        facts = result.facts
        chain = [{"url": hop.url, "status": hop.status, "location": clean_text(hop.location, 2048)}
                 for hop in fetch.redirect_chain]
        if chain:
            chain.append({"url": fetch.final_url, "status": fetch.status, "location": ""})
        canonical = resolved_canonical(facts) if facts is not None else None
        error = fetch.error or ""
        if error and fetch.error_detail:
            error = f"{error}: {fetch.error_detail}"
        return Page(
            audit=self.audit, url=clean_text(result.url), url_hash=url_hash(result.url),
            final_url=clean_text(fetch.final_url),
            status=fetch.redirect_chain[0].status if fetch.redirect_chain else fetch.status,
            redirect_chain=chain, depth=result.depth,
            content_type=clean_text(fetch.content_type, 200), size=min(fetch.size, 2**31 - 1),
            ttfb_ms=round(fetch.ttfb_ms, 1), elapsed_ms=round(fetch.elapsed_ms, 1),
            title=clean_text(facts.titles[0], 2000) if facts and facts.titles else "",
            description=(clean_text(facts.meta_descriptions[0], 4000)
                         if facts and facts.meta_descriptions else ""),
            canonical=clean_text(canonical or ""),
            indexable=result.indexable,
            indexability_reason=clean_text(result.indexability_reason, 500),
            word_count=facts.word_count if facts else 0,
            content_hash=facts.content_hash[:64] if facts else "",
            in_sitemap=result.in_sitemap, error=clean_text(error, 500),
            facts=clean_json(_compact_facts(result)),
            geo_score=(compute_page_geo_score(f.code for f in result.findings)
                       if facts is not None and fetch.status == 200 else None),
        )

    def _link_rows(self, page_id: int, result: PageResult) -> Iterable[tuple[Any, ...]]:
        audit_id = self.audit.pk
        for link in result.facts.links:  # type: ignore[union-attr]
            target = clean_text(link.url or link.raw_href, 4096)
            yield (audit_id, page_id, target, self._hash(target), clean_text(link.anchor, 200),
                   clean_text(" ".join(link.rel), 100), link.nofollow, link.internal,
                   link.kind[:10])

    def _finding_rows(self, page_id: int | None,
                      findings: Iterable[EngineFinding]) -> Iterable[tuple[Any, ...]]:
        audit_id = self.audit.pk
        for finding in findings:
            check = REGISTRY.get(finding.code)
            yield (audit_id, page_id, finding.code[:100],
                   check.severity if check else Severity.NOTICE,
                   check.category if check else "crawlability",
                   json.dumps(clean_json(finding.details)))

    # -- writes ------------------------------------------------------------------------------
    _LINK_COLUMNS = ("audit_id", "source_id", "target_url", "target_hash", "anchor", "rel",
                     "nofollow", "internal", "kind")
    _FINDING_COLUMNS = ("audit_id", "page_id", "code", "severity", "category", "details")

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _write_links(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._postgres:
            self._copy(Link._meta.db_table, self._LINK_COLUMNS, rows)
            return
        Link.objects.bulk_create(
            [Link(**dict(zip(self._LINK_COLUMNS, row, strict=True))) for row in rows],
            batch_size=2000)

    def _write_findings(self, rows: list[tuple[Any, ...]]) -> None:
        if not rows:
            return
        if self._postgres:
            self._copy(Finding._meta.db_table, self._FINDING_COLUMNS, rows)
            return
        Finding.objects.bulk_create(
            [Finding(**dict(zip(self._FINDING_COLUMNS[:-1], row[:-1], strict=True)),
                     details=json.loads(row[-1])) for row in rows], batch_size=1000)

    # -- end of crawl ------------------------------------------------------------------------
    def write_site_findings(self, findings: Iterable[EngineFinding]) -> None:
        """Site-check findings name their page by URL; attach them to the saved pages."""
        findings = list(findings)
        wanted = {url_hash(f.url) for f in findings if f.url}
        page_ids: dict[str, int] = {}
        hashes = list(wanted)
        for start in range(0, len(hashes), 5000):
            page_ids.update(Page.objects.filter(audit=self.audit, url_hash__in=hashes[start:start + 5000])
                            .values_list("url_hash", "id"))
        rows: list[tuple[Any, ...]] = []
        for finding in findings:
            page_id = page_ids.get(url_hash(finding.url)) if finding.url else None
            rows.extend(self._finding_rows(page_id, [finding]))
        with transaction.atomic():
            self._write_findings(rows)

    def resolve_links(self) -> None:
        """Count each page's internal <a> inlinks (links reach their target page through
        Link.target_hash = Page.url_hash, so no link row is rewritten)."""
        audit = self.audit
        if self._postgres:
            self._count_inlinks_postgres()
            return
        inlinks = (Link.objects.filter(audit=audit, kind=Link.Kind.A, internal=True,
                                       target_hash=OuterRef("url_hash"))
                   .order_by().values("target_hash").annotate(n=Count("id")).values("n"))
        Page.objects.filter(audit=audit).update(
            inlinks=Coalesce(Subquery(inlinks, output_field=IntegerField()), Value(0)))

    def _count_inlinks_postgres(self) -> None:
        """One aggregate over the audit's links joined to its pages by hash."""
        # Table names come from model metadata, values are bound parameters.
        link, page = Link._meta.db_table, Page._meta.db_table
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {page} AS p SET inlinks = c.n FROM (SELECT target_hash, count(*) AS n "  # noqa: S608
                f"FROM {link} WHERE audit_id = %s AND kind = 'a' AND internal "
                "GROUP BY target_hash) AS c WHERE p.audit_id = %s AND p.url_hash = c.target_hash",
                [self.audit.pk, self.audit.pk])
