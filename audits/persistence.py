"""Batch persistence of crawl results: pages, links and findings.

On PostgreSQL every row goes in with COPY: a batch's page ids are taken from the table's
sequence first (links and findings need them), then pages, links and findings are copied.
Django's bulk INSERT of pages cost more than copying the batch's ~70 links a page: with
client-side binding psycopg quotes every value of its UNNEST arrays in Python. On SQLite pages,
links and findings go in with bulk INSERTs. Nothing is written row by row. Inlink counts are
resolved with one set-based UPDATE when the crawl ends.
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
#: LinkFact -> its link row's COPY text after the page id, per writer; cleared when full.
LINK_ROW_MEMO_SIZE = 20_000
#: COPY text format: backslash, tab, newline and carriage return are written as escapes.
_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def copy_text(value: str) -> str:
    """`value` as a field of PostgreSQL's COPY text format (never NULL; NUL-free already)."""
    if "\\" in value or "\t" in value or "\n" in value or "\r" in value:
        return value.translate(_COPY_ESCAPES)
    return value


def clean_json(value: Any) -> Any:
    """JSON-safe copy of `value` without NULs, with strings, lists and dicts capped."""
    encoded = _encoded_if_clean(value)
    return value if encoded is not None else _clean_json(value)


def clean_json_text(value: Any) -> str:
    """`json.dumps(clean_json(value))`, encoding the common clean value only once."""
    encoded = _encoded_if_clean(value)
    return encoded if encoded is not None else json.dumps(_clean_json(value))


def _encoded_if_clean(value: Any) -> str | None:
    """The JSON text of `value` when it can be stored as it is (small, no NUL), else None."""
    try:
        encoded = json.dumps(value)
    except (TypeError, ValueError):
        return None
    if len(encoded) <= JSON_FAST_PATH_CHARS and "\\u0000" not in encoded:
        return encoded
    return None


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
        #: id(LinkFact) -> (the LinkFact, so the id is not reused; its row's COPY text after
        #: the page id). The parse pool hands out one object per distinct link (navigation
        #: and cross links repeat on most pages), so most rows are one lookup and a join.
        self._link_rows_text: dict[int, tuple[Any, str]] = {}
        #: The audit id as link and finding rows carry it: COPY takes the text form as it is
        #: (dumping a UUID object per row cost more than the rest of a link row's values).
        self._audit_key: Any = str(audit.pk) if self._postgres else audit.pk

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
        """Write the buffered results in one transaction. When it fails (the database went
        away) nothing was written and the batch stays buffered, so calling flush again is safe."""
        if not self._buffer:
            return
        batch, self._buffer = self._buffer, []
        try:
            self._write_batch(batch)
        except BaseException:
            self._buffer[:0] = batch
            raise
        self.pages_written += len(batch)

    def _write_batch(self, batch: list[PageResult]) -> None:
        with transaction.atomic():
            self._relax_durability()
            pages = self._write_pages([self._page_row(r) for r in batch])
            link_rows: list[tuple[Any, ...]] = []
            link_lines: list[str] = []
            finding_rows: list[tuple[Any, ...]] = []
            for page, result in zip(pages, batch, strict=True):
                if result.facts is not None:
                    if self._postgres:
                        self._link_lines(page.pk, result, link_lines)
                    else:
                        link_rows.extend(self._link_rows(page.pk, result))
                finding_rows.extend(self._finding_rows(page.pk, result.findings))
            if link_lines:
                self._copy_text(Link._meta.db_table, self._LINK_COLUMNS, link_lines)
            self._write_links(link_rows)
            self._write_findings(finding_rows)

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
        audit_id = self._audit_key
        for link in result.facts.links:  # type: ignore[union-attr]
            target = clean_text(link.url or link.raw_href, 4096)
            yield (audit_id, page_id, target, self._hash(target), clean_text(link.anchor, 200),
                   clean_text(" ".join(link.rel), 100), link.nofollow, link.internal,
                   link.kind[:10])

    def _link_lines(self, page_id: int, result: PageResult, out: list[str]) -> None:
        """Append the page's link rows to `out` as COPY text lines (PostgreSQL only): the same
        values as `_link_rows`, each distinct link formatted once per writer."""
        head = f"{self._audit_key}\t{page_id}\t"
        memo = self._link_rows_text
        for link in result.facts.links:  # type: ignore[union-attr]
            known = memo.get(id(link))
            if known is None or known[0] is not link:
                if len(memo) >= LINK_ROW_MEMO_SIZE:
                    memo.clear()
                target = clean_text(link.url or link.raw_href, 4096)
                text = "\t".join((
                    copy_text(target), self._hash(target),
                    copy_text(clean_text(link.anchor, 200)),
                    copy_text(clean_text(" ".join(link.rel), 100)),
                    "t" if link.nofollow else "f", "t" if link.internal else "f",
                    copy_text(link.kind[:10]))) + "\n"
                known = memo[id(link)] = (link, text)
            out.append(head + known[1])

    def _finding_rows(self, page_id: int | None,
                      findings: Iterable[EngineFinding]) -> Iterable[tuple[Any, ...]]:
        audit_id = self._audit_key
        for finding in findings:
            check = REGISTRY.get(finding.code)
            yield (audit_id, page_id, finding.code[:100],
                   check.severity if check else Severity.NOTICE,
                   check.category if check else "crawlability",
                   clean_json_text(finding.details))

    # -- writes ------------------------------------------------------------------------------
    _LINK_COLUMNS = ("audit_id", "source_id", "target_url", "target_hash", "anchor", "rel",
                     "nofollow", "internal", "kind")
    _FINDING_COLUMNS = ("audit_id", "page_id", "code", "severity", "category", "details")

    def _copy(self, table: str, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)

    def _copy_text(self, table: str, columns: tuple[str, ...], lines: list[str]) -> None:
        """COPY rows already in COPY's text format (one line each, escaped by copy_text)."""
        with connection.cursor() as cursor:
            with cursor.cursor.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
                for start in range(0, len(lines), 2000):
                    copy.write("".join(lines[start:start + 2000]))

    def _write_pages(self, pages: list[Page]) -> list[Page]:
        """Insert a batch of pages and give each its id."""
        if not self._postgres:
            return Page.objects.bulk_create(pages)
        table = Page._meta.db_table
        with connection.cursor() as cursor:
            # Ids come from the table's own sequence, as an INSERT would take them.
            cursor.execute("SELECT nextval(pg_get_serial_sequence(%s, 'id')) "
                           "FROM generate_series(1, %s)", [table, len(pages)])
            ids = sorted(row[0] for row in cursor.fetchall())
        for page, pk in zip(pages, ids, strict=True):
            page.pk = pk
        # Every concrete field, prepared by the field itself as bulk_create would, so a field
        # added to Page later is written too (with its model default).
        fields = Page._meta.concrete_fields
        rows = [tuple(field.get_db_prep_save(field.pre_save(page, True), connection)
                      for field in fields) for page in pages]
        self._copy(table, tuple(field.column for field in fields), rows)
        for page in pages:
            page._state.adding = False
            page._state.db = connection.alias
        return pages

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
