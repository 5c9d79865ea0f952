"""GEO: is the content readable without JavaScript? Reads the render sample (render.py): pages
loaded in headless Chromium with JavaScript off (what most AI crawlers get) and on (what
people get), measured the same way."""

from __future__ import annotations

from collections.abc import Iterator

from ..render import RenderedPage, RenderReport
from ..site import SiteView
from ..types import Finding, Severity
from .registry import site_check

REF_AI_CRAWLERS_JS = "https://vercel.com/blog/the-rise-of-the-ai-crawler"
REF_CRAWLABLE_LINKS = ("https://developers.google.com/search/docs/crawling-indexing/"
                       "links-crawlable")
#: Main content is "JavaScript only" when rendering adds at least this many words ...
MIN_ADDED_MAIN_WORDS = 150
#: ... and the HTML as served holds less than this share of the rendered main content.
MAX_RAW_MAIN_SHARE = 0.5
#: Links are "JavaScript only" when at least this many internal targets appear only after
#: rendering ...
MIN_JS_ONLY_LINKS = 5
#: ... and they are at least this share of the rendered page's internal link targets.
MIN_JS_ONLY_LINK_SHARE = 0.3


def _compared(site: SiteView) -> Iterator[RenderedPage]:
    report: RenderReport | None = site.rendering
    if report is None or report.status != "ok":
        return
    yield from (page for page in report.pages if page.error is None)


def main_content_only_after_js(page: RenderedPage) -> bool:
    added = page.rendered_main_words - page.raw_main_words
    return (added >= MIN_ADDED_MAIN_WORDS
            and page.raw_main_words < MAX_RAW_MAIN_SHARE * page.rendered_main_words)


def links_only_after_js(page: RenderedPage) -> bool:
    return (page.js_only_count >= MIN_JS_ONLY_LINKS
            and page.js_only_count >= MIN_JS_ONLY_LINK_SHARE * page.rendered_links)


@site_check(
    "seo.geo.content_needs_js", category="geo", component="rendering", severity=Severity.WARNING,
    title="Main content appears only after JavaScript runs",
    why="GPTBot, ClaudeBot, PerplexityBot and most other AI crawlers read the HTML as served and "
        "do not run JavaScript. Rendered in a browser this page shows its main content, but "
        "the served HTML holds less than half of it, so AI answer engines see an almost empty "
        "page and cannot quote or cite it.",
    fix="Serve the main content in the HTML: server-side rendering or static generation "
        "(Next.js/Nuxt/SvelteKit SSR or SSG, Angular Universal, prerendering), or at least "
        "put the article text in the initial HTML and let JavaScript only enhance it.",
    reference=REF_AI_CRAWLERS_JS)
def content_needs_js(site: SiteView) -> Iterator[Finding]:
    """Per rendered sample page: the rendered main content (main/role=main, else top-level
    articles, else body) has at least 150 more words than the same element with JavaScript
    off, and the JavaScript-off count is under 50% of the rendered one. Cookie banners and
    widgets that add a few dozen words stay below the threshold."""
    for page in _compared(site):
        if main_content_only_after_js(page):
            yield Finding("seo.geo.content_needs_js", page.url, {
                "raw_main_words": page.raw_main_words,
                "rendered_main_words": page.rendered_main_words,
                "raw_words": page.raw_words, "rendered_words": page.rendered_words,
                "main_element": page.main_element,
                "thresholds": {"min_added_words": MIN_ADDED_MAIN_WORDS,
                               "max_raw_share": MAX_RAW_MAIN_SHARE}})


@site_check(
    "seo.geo.links_need_js", category="geo", component="rendering", severity=Severity.WARNING,
    title="Internal links appear only after JavaScript runs",
    why="Crawlers that do not run JavaScript (most AI crawlers) discover pages through the "
        "<a href> links in the served HTML. A large share of this page's internal links exist "
        "only after rendering, so those crawlers cannot find the pages behind them.",
    fix="Render navigation, menus, pagination and related-content links as <a href> elements "
        "in the server HTML (SSR/SSG or prerendering); do not build them from JSON in the "
        "browser or rely on click handlers without an href.",
    reference=REF_CRAWLABLE_LINKS)
def links_need_js(site: SiteView) -> Iterator[Finding]:
    """Per rendered sample page: at least 5 internal link targets are present only with
    JavaScript on, and they make up at least 30% of the rendered page's internal targets."""
    for page in _compared(site):
        if links_only_after_js(page):
            yield Finding("seo.geo.links_need_js", page.url, {
                "js_only_links": page.js_only_count, "examples": list(page.js_only_links),
                "raw_links": page.raw_links, "rendered_links": page.rendered_links,
                "thresholds": {"min_links": MIN_JS_ONLY_LINKS,
                               "min_share": MIN_JS_ONLY_LINK_SHARE}})


@site_check(
    "seo.geo.render_skipped", category="geo", component="rendering", severity=Severity.NOTICE,
    informational=True,
    title="JavaScript rendering check skipped",
    why="The audit compares a sample of pages rendered with and without JavaScript to find "
        "content AI crawlers cannot see. That comparison did not run, so pages that need "
        "JavaScript are not reported.",
    fix="Install Chromium on the audit server (Debian: `apt-get install chromium`, or set "
        "SEOAUDIT_CHROMIUM to its path) and Playwright (`pip install playwright`), then re-run "
        "the audit; the reason below says what was missing.",
    reference="docs/geo-rendering.md")
def render_skipped(site: SiteView) -> Iterator[Finding]:
    """The render sample was on (js_render_sample > 0) but could not run: the reason given by
    render.py (Chromium or Playwright missing, launch failure, no page to render)."""
    report: RenderReport | None = site.rendering
    if report is not None and report.status == "skipped":
        yield Finding("seo.geo.render_skipped", None, {"reason": report.reason})
