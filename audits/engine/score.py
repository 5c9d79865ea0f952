"""SEO health score and category scores, explainable down to the check code.

The formula is documented in docs/scoring.md. In short:

* health = 100 x (pages without an error-level finding) / pages scored, minus a bounded
  penalty for site-wide (URL-less) findings;
* each category starts at 100 and loses 100 x weight x (pages affected / pages scored) per
  check code (error 1.0, warning 0.4, notice 0.1), plus a fixed amount per site-wide finding;
* every point lost is attributed to a check code (`top_losses`, `CategoryScore.losses`), and
  the attributed points add up to exactly what was lost (up to rounding).

Both entry points are linear in their input and need no per-page state beyond what the caller
aggregates, so the Django layer can score from database counts.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

from . import checks  # noqa: F401 - the registry must be filled to know severities
from .checks.registry import CATEGORIES, GEO_COMPONENTS, REGISTRY
from .types import CategoryScore, Finding, GeoComponentScore, GeoScore, ScoreBreakdown, Severity

#: Per-page weight of a finding in its category score.
SEVERITY_WEIGHTS = {Severity.ERROR: 1.0, Severity.WARNING: 0.4, Severity.NOTICE: 0.1}
#: Health points taken off per distinct site-wide finding code, capped at SITE_PENALTY_CAP.
SITE_PENALTY_POINTS = {Severity.ERROR: 5.0, Severity.WARNING: 2.0, Severity.NOTICE: 0.0}
SITE_PENALTY_CAP = 20.0
#: Category points taken off per site-wide finding code (as if it hit 10% of the pages at
#: full weight).
SITE_CATEGORY_POINTS = {Severity.ERROR: 10.0, Severity.WARNING: 4.0, Severity.NOTICE: 1.0}
#: Error points that no reported code accounts for (inconsistent caller counts).
UNATTRIBUTED = "(unattributed)"


@dataclass(frozen=True, slots=True)
class _Scored:
    code: str
    category: str
    severity: str
    component: str | None = None


def _scored(code: str) -> _Scored | None:
    """Registry metadata for a code that counts towards the score; None for codes that do not
    (engine.* findings are our bugs, and unknown codes have no severity to weigh)."""
    if code.startswith("engine."):
        return None
    check = REGISTRY.get(code)
    if check is None or check.informational:
        return None
    return _Scored(code, check.category, check.severity, check.component)


def _seo_scored(code: str) -> _Scored | None:
    """Like `_scored`, for the SEO score: `geo` checks count in the GEO score only."""
    meta = _scored(code)
    return meta if meta is not None and meta.category != "geo" else None


def counts_as_seo_error(code: str) -> bool:
    """Whether a finding with this code makes its page an error page for the health score."""
    meta = _seo_scored(code)
    return meta is not None and meta.severity == Severity.ERROR


def _scale(losses: dict[str, float], available: float) -> dict[str, float]:
    """Scale losses down proportionally so they add up to at most `available` points."""
    total = sum(losses.values())
    if total <= available or total == 0:
        return losses
    factor = available / total
    return {code: points * factor for code, points in losses.items()}


def _rounded(losses: Mapping[str, float]) -> tuple[tuple[str, float], ...]:
    ordered = sorted(((code, round(points, 2)) for code, points in losses.items() if points > 0),
                     key=lambda pair: (-pair[1], pair[0]))
    return tuple((code, points) for code, points in ordered if points > 0)


def _group_losses(counts: Mapping[str, tuple[_Scored, int]], site_codes: Iterable[str], pages: int,
                  group: Callable[[_Scored], str | None], site_points: Mapping[str, float],
                  scored: Callable[[str], _Scored | None],
                  group_pages: Mapping[str, int] | None = None
                  ) -> tuple[dict[str, dict[str, float]], Counter[str]]:
    """Points lost per group (category or GEO component) and code: each page code costs
    100 x severity weight x its share of the pages (of `group_pages[group]` pages for a group
    judged on a sample only); each site-wide finding costs `site_points[severity]`. Unscaled;
    the caller caps each group at 100."""
    losses: dict[str, dict[str, float]] = {}
    findings: Counter[str] = Counter()
    for code, (meta, n) in counts.items():
        key = group(meta)
        if key is None:
            continue
        bucket = losses.setdefault(key, {})
        sample = (group_pages or {}).get(key) or pages
        bucket[code] = 100.0 * SEVERITY_WEIGHTS[meta.severity] * min(n, sample) / sample
        findings[key] += n
    for code in site_codes:
        meta = scored(code)
        key = group(meta) if meta is not None else None
        if meta is None or key is None:
            continue
        bucket = losses.setdefault(key, {})
        bucket[code] = bucket.get(code, 0.0) + site_points[meta.severity]
        findings[key] += 1
    return losses, findings


def _page_code_counts(per_code_page_counts: Mapping[str, int], pages: int,
                      scored: Callable[[str], _Scored | None]) -> dict[str, tuple[_Scored, int]]:
    counts: dict[str, tuple[_Scored, int]] = {}
    for code, count in per_code_page_counts.items():
        meta = scored(code)
        if meta is not None and count > 0:
            counts[code] = (meta, min(int(count), pages))
    return counts


def compute_score_from_counts(pages_scored: int, pages_with_error: int,
                              per_code_page_counts: Mapping[str, int],
                              site_codes: Iterable[str]) -> ScoreBreakdown:
    """Score from aggregated counts.

    `per_code_page_counts`: for each check code, on how many scored pages it was found (page
    findings, including site checks that name a page). `site_codes`: codes of site-wide
    findings (those without a URL); repeated codes count once for the health penalty.
    """
    pages = max(0, int(pages_scored))
    site_list = list(site_codes)
    if pages == 0:
        return ScoreBreakdown(score=0.0, category_scores=(), top_losses=(), pages_scored=0)
    with_error = min(max(0, int(pages_with_error)), pages)

    counts = _page_code_counts(per_code_page_counts, pages, _seo_scored)

    # Health: the share of error pages, attributed to error codes by the pages each affects.
    health_losses: dict[str, float] = {}
    error_points = 100.0 * with_error / pages
    error_counts = {code: n for code, (meta, n) in counts.items()
                    if meta.severity == Severity.ERROR}
    total_error_pages = sum(error_counts.values())
    if error_points > 0:
        if total_error_pages:
            for code, n in error_counts.items():
                health_losses[code] = error_points * n / total_error_pages
        else:
            health_losses[UNATTRIBUTED] = error_points

    site_meta = [meta for meta in map(_seo_scored, dict.fromkeys(site_list)) if meta is not None]
    penalties = {meta.code: SITE_PENALTY_POINTS[meta.severity] for meta in site_meta}
    penalties = _scale(_scale(penalties, SITE_PENALTY_CAP), 100.0 - error_points)
    site_penalty = sum(penalties.values())
    for code, points in penalties.items():
        health_losses[code] = health_losses.get(code, 0.0) + points
    score = max(0.0, 100.0 - error_points - site_penalty)

    # Categories: weighted share of affected pages per code, plus site-wide findings.
    category_losses, category_findings = _group_losses(
        counts, site_list, pages, lambda meta: meta.category, SITE_CATEGORY_POINTS, _seo_scored)
    checked = {check.category for check in REGISTRY.values()
               if not check.code.startswith("engine.") and check.category != "geo"}
    category_scores = []
    for category in CATEGORIES:
        if category not in checked and category not in category_losses:
            continue
        losses = _scale(category_losses.get(category, {}), 100.0)
        category_scores.append(CategoryScore(
            category=category, score=round(max(0.0, 100.0 - sum(losses.values())), 1),
            findings=category_findings[category], losses=_rounded(losses)))

    return ScoreBreakdown(score=round(score, 1), category_scores=tuple(category_scores),
                          top_losses=_rounded(health_losses), pages_scored=pages,
                          pages_with_error=with_error, site_penalty=round(site_penalty, 2))


def compute_score(findings: Iterable[Finding | tuple[str | None, str]],
                  pages_scored: int) -> ScoreBreakdown:
    """Score from a stream of findings (`Finding`s or `(url | None, code)` pairs).

    A code counts once per page however many findings it produced there; findings without a
    URL are site-wide.
    """
    seen: set[tuple[str, str]] = set()
    per_code: Counter[str] = Counter()
    error_pages: set[str] = set()
    site_codes: list[str] = []
    for item in findings:
        url, code = (item.url, item.code) if isinstance(item, Finding) else item
        if url is None:
            site_codes.append(code)
            continue
        if (code, url) in seen:
            continue
        seen.add((code, url))
        per_code[code] += 1
        if counts_as_seo_error(code):
            error_pages.add(url)
    return compute_score_from_counts(pages_scored, len(error_pages), per_code, site_codes)


# -- GEO score -------------------------------------------------------------------------------
#: Weight of each GEO component in the GEO score (docs/scoring.md, "GEO score").
GEO_WEIGHTS = {"access": 25.0, "citability": 25.0, "structured_data": 20.0, "trust": 10.0,
               "llms_txt": 10.0, "rendering": 10.0}
#: Component points a site-wide GEO finding costs: as if it were found on every page (a
#: robots.txt rule or a missing llms.txt concerns the whole site).
GEO_SITE_POINTS = {severity: 100.0 * weight for severity, weight in SEVERITY_WEIGHTS.items()}


def _geo_component(meta: _Scored) -> str | None:
    return meta.component if meta.category == "geo" else None


def compute_geo_score_from_counts(pages_scored: int, per_code_page_counts: Mapping[str, int],
                                  site_codes: Iterable[str], *,
                                  unmeasured: Mapping[str, str] | None = None,
                                  component_pages: Mapping[str, int] | None = None
                                  ) -> GeoScore | None:
    """GEO score of a site from aggregated counts (same inputs as the SEO score).

    Each component starts at 100 and loses points like a category does (page share x severity
    weight; a site-wide finding as if on every page), capped at 100; the GEO score is the
    weighted mean of the measured components. `unmeasured` maps components that could not be
    measured in this audit (e.g. rendering without Chromium) to the reason: they are left out
    and the other weights renormalised. `component_pages` gives the number of pages a
    component was judged on when that is a sample (rendering: the pages rendered), so its
    findings count as a share of the sample, not of the whole crawl. None when no page was
    scored."""
    pages = max(0, int(pages_scored))
    if pages == 0:
        return None
    skipped = dict(unmeasured or {})
    counts = _page_code_counts(per_code_page_counts, pages, _scored)
    losses, findings = _group_losses(counts, list(site_codes), pages, _geo_component,
                                     GEO_SITE_POINTS, _scored, component_pages)
    measured_weight = sum(w for c, w in GEO_WEIGHTS.items() if c not in skipped)
    components = []
    total_losses: dict[str, float] = {}
    total = 0.0
    for component, weight in GEO_WEIGHTS.items():
        if component in skipped:
            components.append(GeoComponentScore(component, GEO_COMPONENTS[component], weight, None,
                                                0, (), skipped[component]))
            continue
        scaled = _scale(losses.get(component, {}), 100.0)
        score = max(0.0, 100.0 - sum(scaled.values()))
        share = weight / measured_weight
        total += share * score
        for code, points in scaled.items():
            total_losses[code] = total_losses.get(code, 0.0) + points * share
        components.append(GeoComponentScore(component, GEO_COMPONENTS[component], weight,
                                            round(score, 1), findings[component],
                                            _rounded(scaled)))
    return GeoScore(score=round(total, 1), components=tuple(components),
                    top_losses=_rounded(total_losses), pages_scored=pages)


def compute_page_geo_score(codes: Iterable[str]) -> float:
    """GEO score of one page from the codes of its own page findings (site-wide issues such
    as robots.txt rules for AI agents are in the site score, not here): each component loses
    100 x severity weight per code found on the page. For HTML pages (callers pass no others)."""
    losses: dict[str, float] = {}
    for code in set(codes):
        meta = _scored(code)
        if meta is None or meta.category != "geo" or meta.component is None:
            continue
        losses[meta.component] = losses.get(meta.component, 0.0) \
            + 100.0 * SEVERITY_WEIGHTS[meta.severity]
    weight = sum(GEO_WEIGHTS.values())
    return round(sum(w * max(0.0, 100.0 - losses.get(c, 0.0)) for c, w in GEO_WEIGHTS.items())
                 / weight, 1)
