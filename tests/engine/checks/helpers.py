"""Build pages and crawl indexes by hand, and run one check on them."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import pytest

import audits.engine.checks  # noqa: F401 - fills the registry
from audits.engine.checks.registry import PageContext, run_page_checks, run_site_checks
from audits.engine.parse import compute_indexability, parse_page
from audits.engine.site import PageRecord, SiteView
from audits.engine.types import CrawlOptions, FetchResult, Finding, RedirectHop

URL = "https://example.com/page"
HOST = "example.com"
GOOD_TITLE = "A descriptive page title of decent length"
GOOD_DESCRIPTION = ("A meta description long enough to be useful for searchers who are deciding "
                    "whether this result answers their question.")


def doc(body: str = "<h1>Main heading</h1><p>Some text.</p>", *, head: str | None = None,
        title: str | None = GOOD_TITLE, description: str | None = GOOD_DESCRIPTION,
        lang: str | None = "en", viewport: bool = True, charset: bool = True,
        canonical: str | None = URL, extra_head: str = "") -> str:
    """A complete, clean HTML document; each argument removes or changes one part."""
    if head is None:
        parts = []
        if charset:
            parts.append('<meta charset="utf-8">')
        if viewport:
            parts.append('<meta name="viewport" content="width=device-width, initial-scale=1">')
        if title is not None:
            parts.append(f"<title>{title}</title>")
        if description is not None:
            parts.append(f'<meta name="description" content="{description}">')
        if canonical is not None:
            parts.append(f'<link rel="canonical" href="{canonical}">')
        parts.append('<meta property="og:title" content="T"><meta property="og:type" '
                     'content="website"><meta property="og:image" content="https://example.com/i.png">'
                     f'<meta property="og:url" content="{URL}">')
        head = "".join(parts)
    html_attr = f' lang="{lang}"' if lang is not None else ""
    return f"<!doctype html><html{html_attr}><head>{head}{extra_head}</head><body>{body}</body></html>"


def fetch_result(*, url: str = URL, status: int = 200, headers: dict[str, str] | None = None,
                 content_type: str = "text/html; charset=utf-8", **kwargs: Any) -> FetchResult:
    final_url = kwargs.pop("final_url", url)
    return FetchResult(requested_url=url, final_url=final_url, status=status,
                       headers=tuple((k.lower(), v) for k, v in (headers or {}).items()),
                       content_type=content_type, **kwargs)


def page(html: str | bytes | None = None, *, url: str = URL, status: int = 200,
         headers: dict[str, str] | None = None, content_type: str = "text/html; charset=utf-8",
         robots_allowed: bool = True, options: CrawlOptions | None = None,
         **fetch_kwargs: Any) -> PageContext:
    """Parse `html` (None: no body) as the crawler would and wrap it for the checks."""
    fetch = fetch_result(url=url, status=status, headers=headers, content_type=content_type,
                         **fetch_kwargs)
    facts = None
    if html is not None:
        body = html.encode() if isinstance(html, str) else html
        facts = parse_page(fetch, body, start_host=HOST)
    options = options or CrawlOptions(start_url="https://example.com/")
    indexable, reason = compute_indexability(fetch, facts, robots_allowed=robots_allowed,
                                             robots_token=options.robots_token)
    return PageContext(url=url, depth=1, fetch=fetch, facts=facts, options=options,
                       indexable=indexable, indexability_reason=reason)


def redirected(*hops: tuple[str, int], final_status: int = 200, error: str | None = None,
               final_url: str = "https://example.com/final") -> PageContext:
    """A URL that went through `hops` ((url, status), ...) and ended at `final_url`."""
    chain = tuple(RedirectHop(u, s, hops[i + 1][0] if i + 1 < len(hops) else final_url)
                  for i, (u, s) in enumerate(hops))
    return page(None, url=hops[0][0], status=final_status, final_url=final_url,
                redirect_chain=chain, error=error)


def run(code: str, context: PageContext | SiteView) -> list[Finding]:
    """Findings with `code`, from running every check the way the crawler does (so a check
    that crashes shows up as engine.check_error instead of passing silently)."""
    if isinstance(context, SiteView):
        found = run_site_checks(context)
    else:
        found = list(run_page_checks(context))
    crashed = [f for f in found if f.code == "engine.check_error"]
    assert not crashed or code == "engine.check_error", crashed
    return [f for f in found if f.code == code]


def fires(code: str, context: PageContext | SiteView) -> bool:
    return bool(run(code, context))


# -- site views ------------------------------------------------------------------------------

def record(url: str, **overrides: Any) -> PageRecord:
    """A healthy, indexable HTML page record; override what the test is about."""
    values: dict[str, Any] = {
        "url": url, "status": 200, "final_url": url, "depth": 1, "is_html": True,
        "indexable": True, "title": f"Title of {url}", "description": f"Description of {url}",
        "content_hash": f"hash-{url}", "canonical": url, "redirect_hops": 0, "error": None,
        "in_sitemap": False,
    }
    values.update(overrides)
    if "final_url" not in overrides:
        values["final_url"] = url
    return PageRecord(**values)


def site(*records: PageRecord, links: tuple[tuple[str, str, str], ...] = ()) -> SiteView:
    """A SiteView holding `records` and (source, target, anchor) <a> links."""
    view = SiteView("https://example.com/", CrawlOptions(start_url="https://example.com/"))
    for item in records:
        view.pages[item.url] = item
    for source, target, anchor in links:
        view.add_link(source, target, anchor, "a")
    return view


# -- table-driven cases ----------------------------------------------------------------------

Factory = Callable[[], "PageContext | SiteView"]


@dataclass(frozen=True)
class Case:
    """A check with pages it must flag (`fails`) and pages it must leave alone (`passes`)."""

    code: str
    fails: Sequence[Factory]
    passes: Sequence[Factory]


def params(cases: Sequence[Case], which: str) -> list[Any]:
    """pytest params (code, factory) for every failing or passing variant of `cases`."""
    out = []
    for case in cases:
        for i, factory in enumerate(getattr(case, which)):
            out.append(pytest.param(case.code, factory, id=f"{case.code}-{which}{i}"))
    return out
