"""The shared frontier and seen-set of a distributed crawl, in PostgreSQL (`CrawlURL` rows).

* Admission (`frontier_admit`) runs under the audit's `CrawlJob` row lock, so the page cap
  (`max_pages`) and the query-variant trap guard are exact however many workers discover
  links at once; the insert itself is `INSERT ... ON CONFLICT DO NOTHING`-style (an
  upsert that only turns a sitemap-only row into a queued one), so nothing is admitted twice.
* Claiming (`frontier_claim`) takes a batch with `FOR UPDATE SKIP LOCKED` in breadth-first
  order; claims carry a token and a lease (`claimed_at`, renewed while the unit runs). Claims
  whose lease ran out (their worker died) go back to the queue, or to FAILED after
  `max_attempts` claims, so a URL that kills its worker cannot stall the audit forever.
* Only the holder of a claim may complete it (`frontier_lock_claims` in the transaction that
  writes the pages), so a redelivered or overtaken unit never writes a page twice.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction
from django.db.models import DateTimeField, F, Func

from ..engine.batch import BatchItem, Discovered
from ..models import CrawlJob, CrawlURL, url_hash
from ..persistence import clean_text

S = CrawlURL.State


class _StatementTime(Func):
    """The database's clock at this statement (not at the transaction's start, like now()):
    leases are compared on one clock, whichever host a worker runs on."""

    template = "statement_timestamp()"
    output_field = DateTimeField()

_TABLE = CrawlURL._meta.db_table


@dataclass(frozen=True, slots=True)
class FrontierCounts:
    queued: int
    #: Claimed with a live lease (a unit is working on them).
    claimed: int
    #: Claimed, lease run out: their worker died; the next claim takes them back.
    expired: int
    sitemap: int
    done: int

    @property
    def in_flight(self) -> int:
        return self.queued + self.claimed + self.expired


def _query_path_hash(url: str) -> str:
    path, sep, _ = url.partition("?")
    return url_hash(path) if sep else ""


def frontier_seed(*, job: CrawlJob, start_url: str, sitemap_urls: Sequence[str],
                  in_sitemap: set[str]) -> None:
    """The start URL (queued, depth 0) and the sitemap-only URLs (parked) of a new crawl."""
    audit_id = job.audit_id
    rows = [CrawlURL(audit_id=audit_id, url_hash=url_hash(start_url), url=clean_text(start_url),
                     depth=0, in_sitemap=start_url in in_sitemap,
                     query_path_hash=_query_path_hash(start_url), state=S.QUEUED)]
    rows.extend(CrawlURL(audit_id=audit_id, url_hash=url_hash(url), url=clean_text(url),
                         depth=-1, in_sitemap=True, query_path_hash=_query_path_hash(url),
                         state=S.SITEMAP) for url in sitemap_urls if url != start_url)
    CrawlURL.objects.bulk_create(rows, batch_size=5000, ignore_conflicts=True)
    CrawlJob.objects.filter(pk=audit_id).update(admitted=1)


def frontier_admit(*, audit_id: Any, discovered: Iterable[Discovered], max_pages: int,
                   max_query_variants: int, rejected: dict[str, int] | None = None,
                   claim_token: str = "") -> dict[str, bool]:
    """Admit new URLs: {url: in_sitemap} of those admitted now (not those known already).

    With `claim_token` the admitted rows are claimed by that unit at once (redirect targets
    whose content the unit already has). Refusals are added to the job's `rejected`.
    """
    candidates: dict[str, Discovered] = {}
    for item in discovered:
        candidates.setdefault(item.url, item)
    refused: Counter[str] = Counter(rejected or {})
    admitted: dict[str, bool] = {}
    with transaction.atomic():
        job = CrawlJob.objects.select_for_update().only("admitted", "rejected").get(pk=audit_id)
        if candidates:
            hashes = {url: url_hash(url) for url in candidates}
            known = _known(audit_id, list(hashes.values()))
            fresh = [c for url, c in candidates.items() if hashes[url] not in known]
            fresh = _within_query_variants(audit_id, fresh, max_query_variants, refused)
            room = max(0, max_pages - job.admitted)
            if len(fresh) > room:
                refused["max_pages"] += len(fresh) - room
                fresh = fresh[:room]
            if fresh:
                admitted = _upsert(audit_id, fresh, hashes, claim_token)
                job.admitted += len(admitted)
        if refused:
            merged = Counter(job.rejected)
            merged.update(refused)
            job.rejected = dict(merged)
        job.save(update_fields=["admitted", "rejected"])
    return admitted


def _known(audit_id: Any, hashes: list[str]) -> set[str]:
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT url_hash FROM {_TABLE} WHERE audit_id = %s "  # noqa: S608
                       "AND url_hash = ANY(%s) AND state <> %s", [audit_id, hashes, S.SITEMAP])
        return {row[0] for row in cursor.fetchall()}


def _within_query_variants(audit_id: Any, fresh: list[Discovered], limit: int,
                           refused: Counter[str]) -> list[Discovered]:
    """The engine's query-variant trap guard over the whole crawl: at most `limit` URLs with
    a query string per path (CrawlFrontier.trap_reason applies it within one process)."""
    paths = {c.url: _query_path_hash(c.url) for c in fresh if "?" in c.url}
    if not paths:
        return fresh
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT query_path_hash, count(*) FROM {_TABLE} "  # noqa: S608
                       "WHERE audit_id = %s AND query_path_hash = ANY(%s) "
                       "AND state <> %s GROUP BY 1",
                       [audit_id, list(set(paths.values())), S.SITEMAP])
        counts: Counter[str] = Counter(dict(cursor.fetchall()))
    kept: list[Discovered] = []
    for candidate in fresh:
        path = paths.get(candidate.url)
        if path:
            if counts[path] >= limit:
                refused["query_variants"] += 1
                continue
            counts[path] += 1
        kept.append(candidate)
    return kept


def _upsert(audit_id: Any, fresh: list[Discovered], hashes: dict[str, str],
            claim_token: str) -> dict[str, bool]:
    state = S.CLAIMED if claim_token else S.QUEUED
    columns = ([hashes[c.url] for c in fresh], [clean_text(c.url) for c in fresh],
               [c.depth for c in fresh], [clean_text(c.found_on) for c in fresh],
               [_query_path_hash(c.url) for c in fresh])
    with connection.cursor() as cursor:
        # A sitemap-only row found through a link becomes a queued one with the link's depth;
        # any other existing row is left alone.
        cursor.execute(
            f"INSERT INTO {_TABLE} AS c (audit_id, url_hash, url, depth, found_on, in_sitemap, "  # noqa: S608
            "query_path_hash, state, claimed_by, claimed_at, attempt) "
            "SELECT %s, h, u, d, f, false, q, %s, %s, CASE WHEN %s THEN statement_timestamp() END, %s "
            "FROM unnest(%s::text[], %s::text[], %s::int[], %s::text[], %s::text[]) "
            "AS v(h, u, d, f, q) "
            "ON CONFLICT (audit_id, url_hash) DO UPDATE SET state = EXCLUDED.state, "
            "depth = EXCLUDED.depth, found_on = EXCLUDED.found_on, "
            "claimed_by = EXCLUDED.claimed_by, claimed_at = EXCLUDED.claimed_at, "
            "attempt = EXCLUDED.attempt WHERE c.state = %s "
            "RETURNING c.url, c.in_sitemap",
            [audit_id, state, claim_token, bool(claim_token), 1 if claim_token else 0,
             *columns, S.SITEMAP])
        return dict(cursor.fetchall())


def frontier_claim(*, audit_id: Any, token: str, batch: int, lease_s: float,
                   max_attempts: int) -> list[BatchItem]:
    """Claim up to `batch` queued URLs (breadth first) for the unit `token`. Claims whose
    lease expired are put back first (or given up after `max_attempts` claims)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {_TABLE} SET state = CASE WHEN attempt >= %s THEN %s ELSE %s END, "  # noqa: S608
            "claimed_by = '' WHERE audit_id = %s AND state = %s "
            "AND claimed_at < statement_timestamp() - make_interval(secs => %s)",
            [max_attempts, S.FAILED, S.QUEUED, audit_id, S.CLAIMED, lease_s])
        cursor.execute(
            f"UPDATE {_TABLE} AS c SET state = %s, claimed_by = %s, "  # noqa: S608
            "claimed_at = statement_timestamp(), "
            "attempt = c.attempt + 1 FROM ("
            f"SELECT id FROM {_TABLE} WHERE audit_id = %s AND state = %s "
            "ORDER BY depth, id LIMIT %s FOR UPDATE SKIP LOCKED) AS s WHERE c.id = s.id "
            "RETURNING c.url, c.depth, c.found_on, c.in_sitemap",
            [S.CLAIMED, token, audit_id, S.QUEUED, batch])
        rows = cursor.fetchall()
    rows.sort(key=lambda row: row[1])
    return [BatchItem(url, depth, found_on, in_sitemap) for url, depth, found_on, in_sitemap in rows]


def frontier_renew(*, audit_id: Any, token: str) -> int:
    """Extend the lease of the unit's claims; the number of claims it still holds."""
    return CrawlURL.objects.filter(audit_id=audit_id, claimed_by=token, state=S.CLAIMED).update(
        claimed_at=_StatementTime())


def frontier_lock_claims(*, audit_id: Any, token: str) -> set[str]:
    """Inside a transaction: lock and return the url hashes this unit still holds."""
    return set(CrawlURL.objects.select_for_update()
               .filter(audit_id=audit_id, claimed_by=token, state=S.CLAIMED)
               .values_list("url_hash", flat=True))


def frontier_complete(*, audit_id: Any, token: str, records: dict[str, Any]) -> None:
    """Inside the transaction that saved the pages: their URLs are DONE (with the site-check
    record); claims of this unit without a page go back to the queue."""
    if records:
        hashes = list(records)
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} AS c SET state = %s, claimed_by = '', record = v.r::jsonb "  # noqa: S608
                "FROM unnest(%s::text[], %s::text[]) AS v(h, r) "
                "WHERE c.audit_id = %s AND c.url_hash = v.h AND c.claimed_by = %s",
                [S.DONE, hashes, [records[h] for h in hashes], audit_id, token])
    CrawlURL.objects.filter(audit_id=audit_id, claimed_by=token, state=S.CLAIMED).update(
        state=S.QUEUED, claimed_by="")


def frontier_counts(*, audit_id: Any, lease_s: float) -> FrontierCounts:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FILTER (WHERE state = %s), "  # noqa: S608
            "count(*) FILTER (WHERE state = %s "
            "AND claimed_at >= statement_timestamp() - make_interval(secs => %s)), "
            "count(*) FILTER (WHERE state = %s "
            "AND claimed_at < statement_timestamp() - make_interval(secs => %s)), "
            "count(*) FILTER (WHERE state = %s), count(*) FILTER (WHERE state = %s) "
            f"FROM {_TABLE} WHERE audit_id = %s",
            [S.QUEUED, S.CLAIMED, lease_s, S.CLAIMED, lease_s, S.SITEMAP, S.DONE, audit_id])
        queued, claimed, expired, sitemap, done = cursor.fetchone()
    return FrontierCounts(queued, claimed, expired, sitemap, done)


def frontier_promote_sitemap(*, audit_id: Any, max_pages: int) -> int:
    """Links are exhausted: queue the sitemap-only URLs, as many as the page cap leaves."""
    with transaction.atomic():
        job = CrawlJob.objects.select_for_update().only("admitted").get(pk=audit_id)
        room = max(0, max_pages - job.admitted)
        if not room:
            return 0
        with connection.cursor() as cursor:
            cursor.execute(
                f"UPDATE {_TABLE} SET state = %s WHERE id IN (SELECT id FROM {_TABLE} "  # noqa: S608
                "WHERE audit_id = %s AND state = %s ORDER BY id LIMIT %s)",
                [S.QUEUED, audit_id, S.SITEMAP, room])
            promoted = cursor.rowcount
        CrawlJob.objects.filter(pk=audit_id).update(admitted=F("admitted") + promoted)
    return promoted


def frontier_discard(*, audit_id: Any) -> int:
    """Drop the audit's frontier rows (finished or cancelled crawl)."""
    return CrawlURL.objects.filter(audit_id=audit_id).delete()[0]
