"""Content across pages: near-duplicate text (SimHash clusters, see ../duplicates.py).

Exact duplicates (same text hash) are `seo.content.duplicate` in site.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..duplicates import NEAR_DUPLICATE_DISTANCE, near_duplicate_clusters
from ..site import PageRecord, SiteView
from ..types import Finding, Severity
from .common import MAX_EXAMPLES, REF_CANONICAL
from .registry import site_check

#: Fewer words give SimHashes of a handful of shingles, too unstable to call near duplicates
#: (thin pages have their own check).
NEAR_DUPLICATE_MIN_WORDS = 50


def _candidate(record: PageRecord) -> bool:
    """An indexable 200 HTML page that declares no other URL as its canonical."""
    return (record.is_html and record.indexable and record.status == 200
            and record.error is None and not record.redirect_hops and record.simhash != 0
            and record.word_count >= NEAR_DUPLICATE_MIN_WORDS
            and record.canonical in (None, record.url))


@site_check(
    "seo.content.near_duplicate", category="content", severity=Severity.NOTICE,
    title="Near-duplicate content",
    why="These indexable pages have almost the same visible text (SimHash fingerprints within "
        f"{NEAR_DUPLICATE_DISTANCE} of 64 bits). Search engines cluster such pages and show "
        "one of them, not necessarily the one you prefer, and the others compete for nothing.",
    fix="Make each page's content distinct, or consolidate the variants: a canonical tag to "
        "the preferred page, a 301 redirect, or one page with the variants as options.",
    reference=REF_CANONICAL)
def content_near_duplicate(site: SiteView) -> Iterator[Finding]:
    """One finding per cluster (on its first member) of indexable, self-canonical pages of at
    least NEAR_DUPLICATE_MIN_WORDS words whose SimHashes are within NEAR_DUPLICATE_DISTANCE
    bits. Pages with identical text count once (they are seo.content.duplicate); pages that
    canonicalise elsewhere are excluded (they are consolidated on purpose)."""
    by_text: dict[str, PageRecord] = {}
    for record in site.pages.values():
        if _candidate(record):
            by_text.setdefault(record.content_hash or record.url, record)
    found = near_duplicate_clusters((record.url, record.simhash) for record in by_text.values())
    for members, distance in zip(found.clusters, found.distances, strict=True):
        details = {"pages": len(members), "members": members[:MAX_EXAMPLES + 1],
                   "max_distance_bits": distance, "threshold_bits": NEAR_DUPLICATE_DISTANCE}
        if found.windowed_buckets:
            details["windowed_buckets"] = found.windowed_buckets
        yield Finding("seo.content.near_duplicate", str(members[0]), details)
