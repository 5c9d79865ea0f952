"""Links on one page: crawlable hrefs, internal nofollow, descriptive anchor text, links
without a name, and how many links a page carries."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..types import ImageFact, LinkFact, PageFacts, Severity
from .common import REF_LINKS, examples, html_facts
from .registry import PageContext, page_check

#: Reasons that make an <a> a dead end for crawlers. mailto:, tel:, data: and app schemes
#: (sms:, whatsapp:, ...) are legitimate links that are simply not web pages.
UNCRAWLABLE_REASONS = frozenset({"javascript", "missing", "malformed"})
#: Non-descriptive link texts, English: Lighthouse's link-text list plus common variants.
GENERIC_ANCHORS = frozenset({
    "click here", "click this", "go", "here", "information", "learn more", "more", "more info",
    "more information", "right here", "read more", "see more", "start", "this", "link",
    "continue", "continue reading", "details", "click", "see all",
})
#: Google's former guideline: "keep the links on a given page to a reasonable number (a few
#: thousand at most)"; Semrush flags pages over 3,000 links.
MAX_LINKS_PER_PAGE = 3000
#: How far ahead an <img> reference is searched for among the page's images (they are
#: recorded in the same document order, so a match is normally the next one).
_IMAGE_LOOKAHEAD = 20


def nameless_links(facts: PageFacts) -> list[tuple[LinkFact, list[ImageFact]]]:
    """<a href> links without an accessible name, each with the images found inside it.

    The parser names a link by its text, else its first image's alt, else aria-label or
    title, so an empty anchor means none of those. Images are placed in their link through
    document order: an <a> is recorded before the <img> elements it contains, and every
    <img src> yields both a reference (`links`, kind "img") and an `ImageFact`. Images that
    cannot be matched (no src attribute) are left out rather than guessed. Computed once per
    page (two checks read it).
    """
    global _LAST_NAMELESS
    last_facts, last = _LAST_NAMELESS
    if last_facts is facts:
        return last
    found = _nameless_links(facts)
    _LAST_NAMELESS = (facts, found)
    return found


def _nameless_links(facts: PageFacts) -> list[tuple[LinkFact, list[ImageFact]]]:
    links = facts.links
    if not any(link.kind == "a" and not link.anchor and link.uncrawlable_reason != "missing"
               for link in links):
        return []  # the common case: every link has a name
    found: dict[int, tuple[LinkFact, list[ImageFact]]] = {}
    images = facts.images
    next_image = 0
    current: int | None = None
    for index, link in enumerate(links):
        kind = link.kind
        if kind == "a":
            current = index
            if not link.anchor and link.uncrawlable_reason != "missing":
                found[index] = (link, [])
            continue
        if kind != "img" or next_image >= len(images):
            continue
        key = link.url or link.raw_href
        if images[next_image].src == key:
            match: int | None = next_image
        else:
            stop = min(len(images), next_image + _IMAGE_LOOKAHEAD)
            match = next((i for i in range(next_image + 1, stop) if images[i].src == key), None)
            if match is None:
                continue
        next_image = match + 1
        if current in found and images[match].in_link:
            found[current][1].append(images[match])
    # A link whose anchor came out empty from its first image can still be named by a
    # later image's alt text.
    return [(link, imgs) for link, imgs in found.values() if not any(img.alt for img in imgs)]


_LAST_NAMELESS: tuple[PageFacts | None, list[tuple[LinkFact, list[ImageFact]]]] = (None, [])


@page_check(
    "seo.links.uncrawlable", category="links", severity=Severity.NOTICE,
    title="Links crawlers cannot follow",
    why="Google follows only <a> elements with an href that resolves to a URL. Links made of "
        "javascript: hrefs, click handlers without href or malformed URLs are invisible to it.",
    fix='Give every link a real URL in href (<a href="/page">), and keep JavaScript handlers '
        "as an addition, not a replacement.",
    reference=REF_LINKS)
def links_uncrawlable(page: PageContext) -> dict[str, Any] | None:
    """<a> elements whose href is javascript:, missing or malformed."""
    facts = html_facts(page)
    if facts is None:
        return None
    bad = [link for link in facts.links
           if link.kind == "a" and link.uncrawlable_reason in UNCRAWLABLE_REASONS]
    if not bad:
        return None
    return {"count": len(bad),
            "reasons": dict(Counter(link.uncrawlable_reason for link in bad)),
            "examples": examples({"href": link.raw_href[:200], "anchor": link.anchor[:100],
                                  "reason": link.uncrawlable_reason} for link in bad)}


@page_check(
    "seo.links.nofollow_internal", category="links", severity=Severity.NOTICE,
    title="Internal links marked nofollow",
    why="rel=nofollow on links to your own pages asks search engines not to follow them, "
        "which can keep those pages from being discovered and from receiving link signals.",
    fix="Remove rel=nofollow from internal links; keep it for untrusted external links.",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "qualify-outbound-links")
def links_nofollow_internal(page: PageContext) -> dict[str, Any] | None:
    """<a> links to internal URLs carry rel=nofollow."""
    facts = html_facts(page)
    if facts is None:
        return None
    nofollowed = [link for link in facts.links
                  if link.kind == "a" and link.internal and "nofollow" in link.rel]
    if not nofollowed:
        return None
    return {"count": len(nofollowed),
            "examples": examples({"url": link.url, "anchor": link.anchor[:100]}
                                 for link in nofollowed)}


@page_check(
    "seo.links.generic_anchor", category="links", severity=Severity.NOTICE,
    title="Links with non-descriptive text",
    why='Anchor text such as "click here" or "read more" tells neither users nor search '
        "engines what the target page is about.",
    fix="Use link text that describes the destination (for example \"pricing plans\" instead "
        'of "click here").',
    reference=REF_LINKS + "#anchor-text-placement")
def links_generic_anchor(page: PageContext) -> dict[str, Any] | None:
    """Crawlable <a> links to other pages whose whole text is one of the generic phrases
    (links to a place on the same page and nofollow links pass no anchor text to a page)."""
    facts = html_facts(page)
    if facts is None:
        return None
    generic = [link for link in facts.links
               if link.kind == "a" and link.url and len(link.anchor) <= 20
               and link.anchor.lower().strip(" .:!>»→") in GENERIC_ANCHORS
               and link.url != facts.url and "nofollow" not in link.rel]
    if not generic:
        return None
    return {"count": len(generic),
            "examples": examples({"url": link.url, "anchor": link.anchor} for link in generic)}


@page_check(
    "seo.links.empty_anchor", category="links", severity=Severity.NOTICE,
    title="Links without text",
    why="A link with no text, no image alt text, aria-label or title has no name: screen "
        "readers announce only \"link\", and search engines get no anchor text describing "
        "the target. Icon-font and empty \"card\" links are the usual cause.",
    fix='Put descriptive text in the link, or name an icon link with aria-label (<a '
        'href="/cart" aria-label="Shopping cart">) or visually hidden text.',
    reference=REF_LINKS + "#anchor-text-placement")
def links_empty_anchor(page: PageContext) -> dict[str, Any] | None:
    """<a href> links with no accessible name that contain no image (linked images without
    alt text are reported by the image checks)."""
    facts = html_facts(page)
    if facts is None or not facts.links:
        return None
    empty = [link for link, images in nameless_links(facts) if not images]
    if not empty:
        return None
    return {"count": len(empty),
            "examples": examples(link.url or link.raw_href[:200] for link in empty)}


@page_check(
    "seo.links.too_many", category="links", severity=Severity.NOTICE,
    title=f"Too many links on the page (over {MAX_LINKS_PER_PAGE:,})",
    why="Google's guidance was to keep the links on a page to a reasonable number, a few "
        "thousand at most. Thousands of links dilute the signals each one passes, may not "
        "all be followed, and make the page hard to use.",
    fix="Cut navigation and footer link lists down to the important pages, paginate long "
        "lists, and move exhaustive link lists to HTML sitemaps split by section.",
    reference=REF_LINKS)
def links_too_many(page: PageContext) -> dict[str, Any] | None:
    """The page has more than MAX_LINKS_PER_PAGE <a href> links (references beyond the
    parser's cap count too)."""
    facts = html_facts(page)
    if facts is None or len(facts.links) + facts.links_dropped <= MAX_LINKS_PER_PAGE:
        return None
    anchors = sum(1 for link in facts.links
                  if link.kind == "a" and link.uncrawlable_reason != "missing")
    total = anchors + facts.links_dropped
    if total <= MAX_LINKS_PER_PAGE:
        return None
    return {"links": total, "internal": sum(1 for link in facts.links
                                            if link.kind == "a" and link.internal),
            "max": MAX_LINKS_PER_PAGE, "not_read": facts.links_dropped}
