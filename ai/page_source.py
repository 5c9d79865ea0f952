"""The page context a generator reads: stored audit facts, plus the live page text.

Page rows keep titles, descriptions and headings but not the body text or image sources, so the
page is fetched once more — through the crawler's own Fetcher, i.e. the same SSRF guard and
options as the audit (`crawl_options_for`). When the fetch fails the stored facts still make a
usable (smaller) context."""

from __future__ import annotations

import asyncio
from urllib.parse import urljoin, urlsplit

import structlog
from selectolax.lexbor import LexborHTMLParser

from audits.engine.fetch import fetch_once
from audits.models import Audit, Finding, Page
from audits.options import crawl_options_for

from .generators.base import ImageContext, PageContext, one_line

log = structlog.get_logger(__name__)

_DROP = "script, style, noscript, template, svg, nav, footer, header, form, iframe"
MAX_HTML = 2_000_000


def _context_of(node: object) -> str:
    figure = node.parent
    while figure is not None and figure.tag not in ("figure", "body"):
        figure = figure.parent
    if figure is not None and figure.tag == "figure":
        caption = figure.css_first("figcaption")
        if caption is not None:
            return one_line(caption.text())[:200]
    parent = node.parent
    return one_line(parent.text())[:200] if parent is not None else ""


def read_html(html: str, url: str) -> tuple[str, tuple[ImageContext, ...], str]:
    """(visible text, images with context, og:site_name) of an HTML document."""
    tree = LexborHTMLParser(html[:MAX_HTML])
    site = tree.css_first('meta[property="og:site_name"]')
    site_name = one_line(site.attributes.get("content") or "") if site is not None else ""
    images = []
    for img in tree.css("img")[:100]:
        src = img.attributes.get("src") or ""
        if not src or src.startswith("data:"):
            continue
        images.append(ImageContext(src=urljoin(url, src), alt=img.attributes.get("alt"),
                                   context=_context_of(img)))
    body = tree.css_first("main") or tree.css_first("article") or tree.body
    if body is None:
        return "", tuple(images), site_name
    for node in body.css(_DROP):
        node.decompose()
    text = "\n".join(one_line(p.text()) for p in body.css("h1, h2, h3, h4, p, li, td, blockquote")
                     if one_line(p.text()))
    return text or one_line(body.text()), tuple(images), site_name


def _fetch_html(url: str, audit: Audit) -> str:
    try:
        result = asyncio.run(fetch_once(url, crawl_options_for(url, audit.options or {})))
    except Exception as exc:  # noqa: BLE001 - a failed fetch leaves the stored facts
        log.warning("ai.page_fetch_failed", url=url, error=type(exc).__name__)
        return ""
    if result.error or not result.body or "html" not in (result.content_type or "html"):
        return ""
    return result.body.decode("utf-8", "replace")


def page_context(*, audit: Audit, page: Page | None, page_url: str, fetch: bool = True
                 ) -> PageContext:
    """The context for one page (or the site, without a page) of an audit."""
    url = page.url if page is not None else (page_url or audit.normalized_url or audit.url)
    facts = page.facts if page is not None else {}
    text, images, site_name = read_html(_fetch_html(url, audit), url) if fetch else ("", (), "")
    findings = tuple(Finding.objects.filter(audit=audit, page=page).values_list("code", flat=True)
                     .distinct()[:200]) if page is not None else ()
    pages = tuple(Page.objects.filter(audit=audit, status=200).order_by("depth", "id")
                  .values_list("url", "title", "description")[:200])
    summary = audit.summary or {}
    return PageContext(
        url=url, title=page.title if page else "", description=page.description if page else "",
        h1=tuple(facts.get("h1") or ()), lang=facts.get("lang") or "",
        headings=tuple((int(level), str(text_)) for level, text_ in facts.get("headings") or ()),
        text=text, images=images, findings=findings, pages=pages,
        site_name=site_name or (urlsplit(url).hostname or ""),
        llms_txt_proposal=summary.get("llms_txt_proposal") or "")
