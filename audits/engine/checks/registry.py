"""The one registry of checks. Docs, the API, reports and tests all read `REGISTRY`.

Adding a check is one small function:

    @page_check("seo.title.missing", category="on_page", severity=Severity.ERROR,
                title="Title tag missing", why="...", fix="...", reference="https://...")
    def title_missing(page: PageContext):
        if page.facts and not page.facts.titles:
            return {}          # a dict (details) or True means "finding"; None/False means pass

A page check may also return/yield several dicts (one finding each). A site check receives the
`SiteView` and yields `Finding`s (it knows which URL each belongs to).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..types import CrawlOptions, FetchResult, Finding, PageFacts, Severity

if TYPE_CHECKING:
    from ..site import SiteView

CATEGORIES = {
    "crawlability": "Crawlability & status",
    "indexability": "Indexability",
    "on_page": "On-page",
    "links": "Links",
    "content": "Content",
    "images": "Images",
    "international": "International",
    "mobile": "Mobile & HTML",
    "performance": "Performance",
    "https": "HTTPS & security",
    "structured_data": "Structured data & social",
    "sitemaps": "Sitemaps",
    "url": "URL hygiene",
    "geo": "GEO (AI answer engines)",
}

#: The parts of the GEO score (docs/scoring.md, "GEO score"): every `geo` check belongs to one.
GEO_COMPONENTS = {
    "access": "AI crawler access",
    "llms_txt": "llms.txt",
    "structured_data": "Structured data",
    "citability": "Citability of content",
    "trust": "Authorship & trust",
    "rendering": "Readable without JavaScript",
}


@dataclass(frozen=True, slots=True)
class PageContext:
    """What a page check sees: the fetch (without body), the parsed facts (None for non-HTML
    or failed fetches), and the crawl options."""

    url: str
    depth: int
    fetch: FetchResult
    facts: PageFacts | None
    options: CrawlOptions
    indexable: bool
    indexability_reason: str
    #: The body starts like an HTML document although its Content-Type is not HTML (the
    #: body itself is gone by the time checks run).
    html_in_disguise: bool = False


@dataclass(frozen=True, slots=True)
class Check:
    code: str
    scope: str  # "page" or "site"
    category: str
    severity: str
    title: str
    why: str
    fix: str
    reference: str
    func: Callable[..., Any]
    #: Reports a state rather than a problem (e.g. the training-bot policy): never scored.
    informational: bool = False
    #: For `geo` checks: the GEO score component they count in (`GEO_COMPONENTS`).
    component: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code, "scope": self.scope, "category": self.category,
            "severity": self.severity, "informational": self.informational,
            "component": self.component,
            "title": self.title, "why": self.why,
            "fix": self.fix, "reference": self.reference,
        }


REGISTRY: dict[str, Check] = {}


def _register(scope: str, code: str, *, category: str, severity: str, title: str, why: str,
              fix: str, reference: str = "", informational: bool = False,
              component: str | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    if category not in CATEGORIES:
        raise ValueError(f"{code}: unknown category {category!r}")
    if (category == "geo") != (component is not None) or \
            (component is not None and component not in GEO_COMPONENTS):
        raise ValueError(f"{code}: a geo check needs a component from GEO_COMPONENTS "
                         f"(and only geo checks have one), got {component!r}")
    if severity not in Severity.ALL:
        raise ValueError(f"{code}: unknown severity {severity!r}")

    def decorator(func: Callable[..., Any]) -> Callable[..., Any]:
        if code in REGISTRY:
            raise ValueError(f"duplicate check code {code}")
        REGISTRY[code] = Check(code, scope, category, severity, title, why.strip(),
                               fix.strip(), reference, func, informational, component)
        return func

    return decorator


def page_check(code: str, **meta: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return _register("page", code, **meta)


def site_check(code: str, **meta: Any) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    return _register("site", code, **meta)


def _as_details(result: Any) -> Iterable[dict[str, Any]]:
    if result is None or result is False:
        return ()
    if result is True:
        return ({},)
    if isinstance(result, dict):
        return (result,)
    return (item if isinstance(item, dict) else {} for item in result)


def run_page_checks(page: PageContext) -> tuple[Finding, ...]:
    """Run every page check; a check that raises is a bug, recorded as an engine finding
    rather than allowed to stop the crawl."""
    found: list[Finding] = []
    for check in PAGE_CHECKS(geo=page.options.geo):
        try:
            for details in _as_details(check.func(page)):
                found.append(Finding(check.code, page.url, details))
        except Exception as exc:  # noqa: BLE001 - one broken check must not stop an audit
            found.append(Finding("engine.check_error", page.url,
                                 {"check": check.code, "error": repr(exc)[:300]}))
    return tuple(found)


def run_site_checks(site: SiteView, *, geo: bool = True) -> list[Finding]:
    """Run every site check (the `geo` ones only when `geo`) over the crawl-wide index; a
    failing check becomes an `engine.check_error` finding instead of stopping the audit."""
    found: list[Finding] = []
    for check in REGISTRY.values():
        if check.scope != "site" or (not geo and check.category == "geo"):
            continue
        try:
            found.extend(check.func(site))
        except Exception as exc:  # noqa: BLE001
            found.append(Finding("engine.check_error", None,
                                 {"check": check.code, "error": repr(exc)[:300]}))
    return found


_PAGE_CHECKS: list[Check] = []
_SEO_PAGE_CHECKS: list[Check] = []
_PAGE_CHECKS_BUILT_FROM: list[int] = [-1]


def PAGE_CHECKS(*, geo: bool = True) -> list[Check]:  # noqa: N802 - reads like the constant it caches
    """Page checks in registry order; without the `geo` ones when `geo` is False."""
    # Rebuilt only when the registry changed size: this runs once per crawled page.
    if _PAGE_CHECKS_BUILT_FROM[0] != len(REGISTRY):
        _PAGE_CHECKS[:] = [c for c in REGISTRY.values() if c.scope == "page"]
        _SEO_PAGE_CHECKS[:] = [c for c in _PAGE_CHECKS if c.category != "geo"]
        _PAGE_CHECKS_BUILT_FROM[0] = len(REGISTRY)
    return _PAGE_CHECKS if geo else _SEO_PAGE_CHECKS


def unregister(code: str) -> None:
    """Remove a check (tests register throwaway checks and clean up after themselves)."""
    REGISTRY.pop(code, None)
    _PAGE_CHECKS_BUILT_FROM[0] = -1
