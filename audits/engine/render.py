"""Render a sample of pages in headless Chromium: what needs JavaScript to appear?

Most AI crawlers (GPTBot, ClaudeBot, PerplexityBot, ...) read the HTML as served and do not run
JavaScript, so text and links that scripts add are invisible to them. After the crawl this
loads the start page and the most linked indexable pages twice in one browser: in a context
with JavaScript disabled (what those crawlers see) and in one with JavaScript enabled (what
people see). Both views are measured by the same script: words of visible text (text nodes
outside script/style/noscript/template, like the crawler's parse), words of the main content
(<main>/role=main, else the top-level <article>s, else the body) and the internal <a href>
links, resolved and normalised with the crawler's own `HrefResolver`.

Security (render_network.py): Chromium never opens a connection itself. It runs behind a dead
proxy, and every request it makes is intercepted (`route`) and answered from Python through the
crawl's `Fetcher`, i.e. the same SSRF guard (guarded resolver, IP literals, ports, private networks),
size cap and timeouts as the crawl; redirects are followed there too, every hop checked (the
browser gets the final answer under the URL it asked for). Only GET/HEAD over http(s) are forwarded (the
audit must not submit forms or call APIs with side effects); images, media and fonts are not
fetched at all. Bounds: a per-page timeout, a short capped wait for network idle, a total
budget, one browser for the whole sample, always closed.

Missing Playwright or Chromium (or a launch failure) never fails the audit: the report says
`status="skipped"` with the reason, and a notice carries it to the user.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from .ai_agents import key_pages
from .browser import browser_missing, first_line, launch_browser, navigate
from .browser import chromium_path as chromium_path  # re-exported: tests launch Chromium with it
from .fetch import Fetcher
from .hrefs import HrefResolver
from .render_network import RequestGateway
from .urls import host_of

if TYPE_CHECKING:
    import threading

    from aiohttp.abc import AbstractResolver

    from .netguard import AddressGuard
    from .site import SiteView
    from .types import CrawlOptions

log = structlog.get_logger(__name__)

#: Upper bound for one page (each of its two loads runs within it).
PAGE_TIMEOUT_S = 15.0
#: Wall-clock budget for the whole sample (browser start excluded, which has its own bound).
BUDGET_S = 60.0
#: After `load`, wait at most this long for the network to go idle (late XHR content).
NETWORK_IDLE_CAP_S = 3.0
#: Examples of JavaScript-only links kept per page.
MAX_JS_ONLY_SAMPLE = 10
#: <a href> values read per page view (a page with more is judged on the first ones).
MAX_LINKS_READ = 5000
#: One measuring script for both views, so the comparison is apples to apples.
_MEASURE_JS = """(maxLinks) => {
  const SKIP = new Set(["SCRIPT", "STYLE", "NOSCRIPT", "TEMPLATE"]);
  // A plain loop: DOM callbacks (TreeWalker filters) cannot run with JavaScript disabled.
  const words = (root) => {
    let count = 0;
    const stack = [root];
    while (stack.length) {
      for (let node = stack.pop().firstChild; node; node = node.nextSibling) {
        if (node.nodeType === 3) {
          const found = node.data.match(/\\S+/g);
          if (found) count += found.length;
        } else if (node.nodeType === 1 && !SKIP.has(node.tagName)) {
          stack.push(node);
        }
      }
    }
    return count;
  };
  const body = document.body;
  const total = body ? words(body) : 0;
  let main = document.querySelector('main, [role="main"]');
  let mainWords = null, mainElement = "body";
  if (main) {
    mainWords = words(main); mainElement = "main";
  } else {
    const articles = Array.from(document.querySelectorAll("article"))
      .filter((a) => !a.parentElement || !a.parentElement.closest("article"));
    if (articles.length) {
      mainWords = articles.reduce((sum, a) => sum + words(a), 0); mainElement = "article";
    }
  }
  const hrefs = Array.from(document.querySelectorAll("a[href]"), (a) => a.getAttribute("href"))
    .slice(0, maxLinks);
  return {words: total, main: mainWords === null ? total : mainWords, mainElement,
          base: document.baseURI, hrefs};
}"""


@dataclass(frozen=True, slots=True)
class RenderedPage:
    """One sampled page, measured without and with JavaScript."""

    url: str
    raw_words: int = 0
    rendered_words: int = 0
    raw_main_words: int = 0
    rendered_main_words: int = 0
    #: Distinct internal <a href> targets in each view.
    raw_links: int = 0
    rendered_links: int = 0
    #: Internal targets only the rendered view links to: how many, and the first few (sorted).
    js_only_count: int = 0
    js_only_links: tuple[str, ...] = ()
    #: Which element the main-content figures came from in the rendered view.
    main_element: str = "body"
    #: Why the page could not be compared (timeout, HTTP status, browser error); None when fine.
    error: str | None = None
    ms: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return {"url": self.url, "raw_words": self.raw_words,
                "rendered_words": self.rendered_words, "raw_main_words": self.raw_main_words,
                "rendered_main_words": self.rendered_main_words, "raw_links": self.raw_links,
                "rendered_links": self.rendered_links, "js_only_count": self.js_only_count,
                "js_only_links": list(self.js_only_links), "main_element": self.main_element,
                "error": self.error, "ms": round(self.ms, 1)}


@dataclass(frozen=True, slots=True)
class RenderReport:
    """What the render sample did. `status` is "ok" (the browser ran; see `pages`) or
    "skipped" (it could not run: `reason` says why)."""

    status: str
    reason: str = ""
    pages: tuple[RenderedPage, ...] = ()
    #: Wall-clock seconds of the whole phase, browser start included (not part of crawl time).
    elapsed_s: float = 0.0
    #: Browser requests refused (SSRF guard, method, scheme) and a few examples.
    blocked_requests: int = 0
    blocked_examples: tuple[str, ...] = ()

    @property
    def pages_rendered(self) -> int:
        """Pages both views loaded (failed pages get no finding and are not counted)."""
        return sum(1 for p in self.pages if p.error is None)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "reason": self.reason, "elapsed_s": self.elapsed_s,
                "pages_rendered": self.pages_rendered,
                "pages": [page.as_dict() for page in self.pages],
                "blocked_requests": self.blocked_requests,
                "blocked_examples": list(self.blocked_examples)}


@dataclass(frozen=True, slots=True)
class _View:
    """What one browser context saw of a page."""

    words: int
    main_words: int
    main_element: str
    links: frozenset[str]


def render_unmeasured_reason(report: RenderReport | None) -> str:
    """Why the `rendering` GEO component could not be measured ("" when it was): the sample
    was off, skipped, or no page could be compared."""
    if report is None:
        return "the JavaScript render sample is off (js_render_sample 0)"
    if report.status != "ok":
        return f"the JavaScript render sample was skipped: {report.reason}"
    if not any(page.error is None for page in report.pages):
        return "no sampled page could be rendered"
    return ""


def render_candidates(site: SiteView, limit: int) -> list[str]:
    """Up to `limit` indexable HTML 200 pages: the start page first (when it is one), then the
    pages most linked from other pages (the same ranking as the AI access matrix)."""
    if limit <= 0:
        return []

    def renderable(url: str) -> bool:
        record = site.pages.get(url)
        return (record is not None and record.is_html and record.indexable
                and record.status == 200 and record.error is None and not record.redirect_hops)

    return [url for url in key_pages(site, limit) if renderable(url)][:limit]


class _Tab:
    """One reusable page (tab) of a context: opening a page costs a few hundred ms, navigating
    it far less. After a failure the tab is thrown away and the next page gets a fresh one."""

    def __init__(self, context: Any, javascript: bool) -> None:
        self.context = context
        self.javascript = javascript
        self.page: Any = None

    async def get(self) -> Any:
        if self.page is None:
            self.page = await self.context.new_page()
        return self.page

    async def discard(self) -> None:
        page, self.page = self.page, None
        if page is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(page.close(run_before_unload=False), 5)


async def _view(tab: _Tab, url: str, *, deadline: float,
                resolver_args: tuple[str, bool]) -> _View:
    """Load `url` in `tab` and measure it; raise RuntimeError with a short reason."""
    from playwright.async_api import TimeoutError as PlaywrightTimeout

    def left_ms() -> float:
        return max(1.0, (deadline - time.monotonic()) * 1000)

    page = await tab.get()
    await navigate(page, url, wait_until="domcontentloaded", timeout_ms=left_ms(),
                   when="rendered")
    with contextlib.suppress(PlaywrightTimeout):
        await page.wait_for_load_state("load", timeout=left_ms())
    if tab.javascript:
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state(
                "networkidle", timeout=min(NETWORK_IDLE_CAP_S * 1000, left_ms()))
    measured = await page.evaluate(_MEASURE_JS, MAX_LINKS_READ)
    return _View(int(measured["words"]), int(measured["main"]), str(measured["mainElement"]),
                 _internal_links(str(measured["base"] or url), measured["hrefs"], *resolver_args))


def _internal_links(base: str, hrefs: list[Any], start_host: str,
                    include_subdomains: bool) -> frozenset[str]:
    """Internal link targets as the crawler resolves and normalises them."""
    resolver = HrefResolver(base, start_host, include_subdomains)
    found = set()
    for href in hrefs:
        if isinstance(href, str):
            fact = resolver.link(href, "a")
            if fact.url and fact.internal:
                found.add(fact.url)
    return frozenset(found)


def compare_views(url: str, raw: _View, rendered: _View, ms: float) -> RenderedPage:
    js_only = rendered.links - raw.links
    return RenderedPage(url=url, raw_words=raw.words, rendered_words=rendered.words,
                        raw_main_words=raw.main_words, rendered_main_words=rendered.main_words,
                        raw_links=len(raw.links), rendered_links=len(rendered.links),
                        js_only_count=len(js_only),
                        js_only_links=tuple(sorted(js_only)[:MAX_JS_ONLY_SAMPLE]),
                        main_element=rendered.main_element, ms=ms)


async def _render_page(tabs: tuple[_Tab, _Tab], url: str, timeout_s: float,
                       resolver_args: tuple[str, bool]) -> RenderedPage:
    started = time.monotonic()
    deadline = started + timeout_s
    error = ""
    try:
        # Both loads share the page's time: a page gets timeout_s, not twice that.
        raw, rendered = await asyncio.wait_for(asyncio.gather(
            _view(tabs[0], url, deadline=deadline, resolver_args=resolver_args),
            _view(tabs[1], url, deadline=deadline, resolver_args=resolver_args)), timeout_s + 5)
    except (RuntimeError, TimeoutError) as exc:
        error = str(exc) or f"timeout: no answer within {timeout_s:g} s"
    except Exception as exc:  # noqa: BLE001 - a browser error on one page is that page's error
        error = f"browser error: {first_line(exc)}"
    if error:
        for tab in tabs:  # a tab stuck on a hanging page must not delay the next one
            await tab.discard()
        return RenderedPage(url=url, error=error[:300], ms=(time.monotonic() - started) * 1000)
    return compare_views(url, raw, rendered, (time.monotonic() - started) * 1000)


async def render_sample(site: SiteView, options: CrawlOptions, *, fetcher: Fetcher | None = None,
                        guard: AddressGuard | None = None, resolver: AbstractResolver | None = None,
                        executable: str | None = None, page_timeout_s: float = PAGE_TIMEOUT_S,
                        budget_s: float = BUDGET_S,
                        cancel: threading.Event | None = None) -> RenderReport:
    """Render the sample and compare the two views; never raises (failures become a skipped
    report or a page error). `fetcher` is the crawl's (shared politeness and guard); without
    it one is opened here from `options` (`guard`/`resolver` as for `Fetcher`, for tests)."""
    started = time.monotonic()
    if options.js_render_sample <= 0:
        return RenderReport("skipped", "the render sample is off (js_render_sample is 0)")
    urls = render_candidates(site, options.js_render_sample)
    if not urls:
        return RenderReport("skipped", "no indexable HTML 200 page to render")
    missing = browser_missing(executable)
    if missing:
        return RenderReport("skipped", missing)
    async with contextlib.AsyncExitStack() as stack:
        if fetcher is None:
            fetcher = await stack.enter_async_context(Fetcher(options, guard=guard,
                                                              resolver=resolver))
        gateway = RequestGateway(fetcher, page_timeout_s, site_hosts=(
            None if options.check_external_links
            else (host_of(site.start_url), options.include_subdomains)))
        browser, failure = await launch_browser(stack, executable)
        if browser is None:
            return RenderReport("skipped", failure,
                                elapsed_s=round(time.monotonic() - started, 3))
        try:
            pages, reason = await _render_all(browser, gateway, urls, options, site,
                                              time.monotonic() + budget_s, page_timeout_s,
                                              budget_s, cancel)
        except Exception as exc:  # noqa: BLE001 - e.g. the browser crashed
            log.warning("render.failed", error=repr(exc)[:300])
            return RenderReport("skipped", f"the browser failed: {first_line(exc)}",
                                elapsed_s=round(time.monotonic() - started, 3))
    return RenderReport("ok", reason, tuple(pages), round(time.monotonic() - started, 3),
                        gateway.blocked, tuple(gateway.examples))


async def _render_all(browser: Any, gateway: RequestGateway, urls: list[str], options: CrawlOptions,
                      site: SiteView, deadline: float, page_timeout_s: float, budget_s: float,
                      cancel: threading.Event | None) -> tuple[list[RenderedPage], str]:
    """Render `urls` one after the other (both views of a page in parallel) until done, the
    budget's `deadline` or a cancel; (pages, why the sample stopped early or "")."""
    tabs = []
    for javascript in (False, True):
        context = await browser.new_context(java_script_enabled=javascript,
                                            user_agent=options.user_agent,
                                            service_workers="block", accept_downloads=False)
        await context.route("**/*", gateway.handle)
        tabs.append(_Tab(context, javascript))
    resolver_args = (host_of(site.start_url), options.include_subdomains)
    pages: list[RenderedPage] = []
    for url in urls:
        left = deadline - time.monotonic()
        if cancel is not None and cancel.is_set():
            return pages, f"cancelled after {len(pages)} of {len(urls)} pages"
        if left < 1.0:
            return pages, (f"time budget of {budget_s:g} s used up after {len(pages)} of "
                           f"{len(urls)} pages")
        pages.append(await _render_page((tabs[0], tabs[1]), url,
                                        min(page_timeout_s, left), resolver_args))
    return pages, ""
