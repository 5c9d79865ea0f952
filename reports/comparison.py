"""Audit-to-audit comparison: which issues are new, fixed or persisting, and the score change.

A finding is identified across audits by a stable fingerprint: check code + page URL + an
evidence key (the one detail that tells two findings of the same check on the same page apart,
e.g. the broken link's target). Reports and analytics both read `audit_compare`.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from audits.engine.checks.registry import REGISTRY
from audits.models import Audit, Finding

#: Detail keys that identify *which* thing a finding is about, most specific first. A finding
#: whose details carry none of them is keyed by code and page URL alone (numbers such as
#: counts, sizes or timings change from crawl to crawl and must not make an issue "new").
EVIDENCE_KEYS = ("target", "target_url", "url", "src", "href", "resource", "file", "path",
                 "parameter", "directive", "lang", "agent", "hreflang")
#: How many example findings (code, URL) of each kind `audit_compare` returns.
EXAMPLES_CAP = 10


def evidence_key(details: Mapping[str, Any] | None) -> str:
    """The identifying detail of a finding ('' when it has none)."""
    if not isinstance(details, Mapping):
        return ""
    for key in EVIDENCE_KEYS:
        value = details.get(key)
        if isinstance(value, str | int) and not isinstance(value, bool) and value != "":
            return f"{key}={value}"
    return ""


def finding_fingerprint(*, code: str, page_url: str | None,
                        details: Mapping[str, Any] | None) -> str:
    """32 hex chars of BLAKE2b over code, page URL ('' for site-wide) and evidence key."""
    raw = "\x1f".join((code, page_url or "", evidence_key(details)))
    return hashlib.blake2b(raw.encode("utf-8", "surrogatepass"), digest_size=16).hexdigest()


@dataclass(frozen=True, slots=True)
class CheckDelta:
    """One check's issues between two audits."""

    code: str
    title: str
    severity: str
    category: str
    new: int
    fixed: int
    persisting: int


@dataclass(frozen=True, slots=True)
class AuditComparison:
    """`audit` against `previous` (None: no earlier completed audit of the same site)."""

    audit_id: str
    previous_id: str | None
    previous_finished_at: datetime | None
    seo_score: float | None
    previous_seo_score: float | None
    geo_score: float | None
    previous_geo_score: float | None
    new: int
    fixed: int
    persisting: int
    #: Per check with any change or persisting issue: most new first, then most fixed.
    checks: tuple[CheckDelta, ...]
    #: Up to EXAMPLES_CAP (code, page URL or '') of new and of fixed issues.
    new_examples: tuple[tuple[str, str], ...]
    fixed_examples: tuple[tuple[str, str], ...]

    @property
    def has_previous(self) -> bool:
        return self.previous_id is not None

    @property
    def seo_change(self) -> float | None:
        return _change(self.seo_score, self.previous_seo_score)

    @property
    def geo_change(self) -> float | None:
        return _change(self.geo_score, self.previous_geo_score)

    def as_dict(self) -> dict[str, Any]:
        return {
            "audit_id": self.audit_id, "previous_id": self.previous_id,
            "previous_finished_at": self.previous_finished_at.isoformat()
            if self.previous_finished_at else None,
            "seo_score": self.seo_score, "previous_seo_score": self.previous_seo_score,
            "seo_change": self.seo_change, "geo_score": self.geo_score,
            "previous_geo_score": self.previous_geo_score, "geo_change": self.geo_change,
            "new": self.new, "fixed": self.fixed, "persisting": self.persisting,
            "checks": [{"code": c.code, "title": c.title, "severity": c.severity,
                        "category": c.category, "new": c.new, "fixed": c.fixed,
                        "persisting": c.persisting} for c in self.checks],
            "new_examples": [{"code": code, "url": url} for code, url in self.new_examples],
            "fixed_examples": [{"code": code, "url": url} for code, url in self.fixed_examples],
        }


def _change(now: float | None, before: float | None) -> float | None:
    return None if now is None or before is None else round(now - before, 1)


def audit_previous(*, audit: Audit) -> Audit | None:
    """The same owner's latest completed audit of the same normalized URL before `audit`."""
    return (Audit.objects.filter(owner_id=audit.owner_id, normalized_url=audit.normalized_url,
                                 status=Audit.Status.COMPLETED, created_at__lt=audit.created_at)
            .exclude(pk=audit.pk).order_by("-created_at").first())


def _fingerprints(audit: Audit) -> Iterator[tuple[str, str, str]]:
    """(fingerprint, code, page URL) of every finding, streamed; engine.* findings are our own
    bugs, not the site's issues."""
    rows = (Finding.objects.filter(audit=audit).exclude(code__startswith="engine.")
            .order_by("id").values_list("code", "page__url", "details"))
    for code, url, details in rows.iterator(chunk_size=5000):
        yield finding_fingerprint(code=code, page_url=url, details=details), code, url or ""


def audit_compare(*, audit: Audit, previous: Audit | None = None) -> AuditComparison:
    """Compare `audit` with `previous` (default: `audit_previous`). Without a previous audit
    all counts are 0 and `has_previous` is False: there is nothing to compare with.

    Three queries at most (previous audit, and one streamed pass over each audit's findings);
    memory holds one fingerprint per finding of the previous audit.
    """
    if previous is None:
        previous = audit_previous(audit=audit)
    if previous is None:
        return AuditComparison(str(audit.pk), None, None, audit.seo_score, None,
                               audit.geo_score, None, 0, 0, 0, (), (), ())
    before: dict[str, tuple[str, str]] = {fp: (code, url) for fp, code, url in
                                          _fingerprints(previous)}
    new: Counter[str] = Counter()
    persisting: Counter[str] = Counter()
    new_examples: list[tuple[str, str]] = []
    seen: set[str] = set()
    for fp, code, url in _fingerprints(audit):
        if fp in seen:  # the same issue twice in one audit counts once
            continue
        seen.add(fp)
        if fp in before:
            persisting[code] += 1
        else:
            new[code] += 1
            if len(new_examples) < EXAMPLES_CAP:
                new_examples.append((code, url))
    fixed: Counter[str] = Counter()
    fixed_examples: list[tuple[str, str]] = []
    for fp, (code, url) in before.items():
        if fp not in seen:
            fixed[code] += 1
            if len(fixed_examples) < EXAMPLES_CAP:
                fixed_examples.append((code, url))
    deltas = []
    for code in set(new) | set(fixed) | set(persisting):
        check = REGISTRY.get(code)
        deltas.append(CheckDelta(code, check.title if check else code,
                                 check.severity if check else "notice",
                                 check.category if check else "", new[code], fixed[code],
                                 persisting[code]))
    deltas.sort(key=lambda d: (-d.new, -d.fixed, -d.persisting, d.code))
    return AuditComparison(
        str(audit.pk), str(previous.pk), previous.finished_at, audit.seo_score,
        previous.seo_score, audit.geo_score, previous.geo_score, sum(new.values()),
        sum(fixed.values()), sum(persisting.values()), tuple(deltas), tuple(new_examples),
        tuple(fixed_examples))
