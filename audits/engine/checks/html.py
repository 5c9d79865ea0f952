"""HTML document structure: a <head> closed early, obsolete elements, plugins, frames."""

from __future__ import annotations

from typing import Any

from ..types import Severity
from .common import html_facts
from .registry import PageContext, page_check

REF_HEAD = ("https://developers.google.com/search/docs/crawling-indexing/"
            "valid-page-metadata#use-valid-elements-in-the-head-element")
REF_OBSOLETE = "https://html.spec.whatwg.org/multipage/obsolete.html#non-conforming-features"
REF_PLUGINS = "https://developer.chrome.com/docs/lighthouse/seo/plugins"
REF_IFRAMES = "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/iframe"


@page_check(
    "seo.html.head_broken", category="mobile", severity=Severity.ERROR,
    title="Invalid element in <head> hides head metadata",
    why="An element that does not belong in <head> (an <img>, <div>, <iframe>, text...) ends the "
        "head for HTML parsers and for Google, which ignores head-only elements after it. "
        "A canonical, robots meta tag, hreflang or description placed after it is lost.",
    fix="Move the offending element into <body> (or remove it), so that <head> holds only "
        "<title>, <meta>, <link>, <script>, <style>, <base>, <noscript> and <template>.",
    reference=REF_HEAD)
def head_broken(page: PageContext) -> dict[str, Any] | None:
    """A start tag not allowed in <head> appears before head-only elements that therefore
    end up in <body> (only reported when such metadata is actually displaced)."""
    facts = html_facts(page)
    if facts is None or not facts.head_elements_in_body or facts.head_breaker is None:
        return None
    return {"breaking_element": facts.head_breaker,
            "displaced": list(facts.head_elements_in_body)}


@page_check(
    "seo.html.deprecated_tags", category="mobile", severity=Severity.NOTICE,
    title="Obsolete HTML elements",
    why="Elements such as <center>, <font>, <marquee> or <frameset> are obsolete in HTML: "
        "browsers may drop support, and they mix presentation into content, which hurts "
        "accessibility and mobile rendering.",
    fix="Replace presentational elements with CSS (text-align, font, animations) and frames "
        "with normal pages or <iframe>.",
    reference=REF_OBSOLETE)
def deprecated_tags(page: PageContext) -> dict[str, Any] | None:
    """The page uses elements listed as obsolete by the HTML standard."""
    facts = html_facts(page)
    if facts is None or not facts.deprecated_tags:
        return None
    return {"elements": list(facts.deprecated_tags)}


@page_check(
    "seo.html.plugins", category="mobile", severity=Severity.WARNING,
    title="Content in browser plugins",
    why="Content in <object>, <embed> or <applet> (Flash, Java, Silverlight...) cannot be "
        "indexed and does not run on mobile devices or current browsers.",
    fix="Replace plugin content with HTML, <video>/<audio> or images; link documents such as "
        "PDFs with a normal <a href>.",
    reference=REF_PLUGINS)
def plugins(page: PageContext) -> dict[str, Any] | None:
    """<object>, <embed> or <applet> elements on the page (Lighthouse's plugins audit)."""
    facts = html_facts(page)
    if facts is None or not facts.plugins:
        return None
    return {"count": facts.plugins}


@page_check(
    "seo.html.frameset", category="mobile", severity=Severity.WARNING,
    title="Page built from frames",
    why="A <frameset> page has no content of its own: search engines index the framed "
        "documents separately, and visitors arriving on them lose the site's navigation.",
    fix="Rebuild the page as one HTML document; use server-side includes or templates for "
        "shared parts instead of frames.",
    reference=REF_OBSOLETE)
def frameset(page: PageContext) -> bool:
    """The document uses <frameset>/<frame> (obsolete framing of whole pages)."""
    facts = html_facts(page)
    return facts is not None and ("frameset" in facts.deprecated_tags
                                  or "frame" in facts.deprecated_tags)


@page_check(
    "seo.canonical.outside_head", category="indexability", severity=Severity.WARNING,
    title="Canonical link outside <head> is ignored",
    why="Google only honours rel=canonical in the <head> (or an HTTP Link header); a canonical "
        "in the body is ignored, so the page's preferred URL is not declared at all.",
    fix='Move <link rel="canonical" href="..."> into <head>, before any element that does not '
        "belong there.",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "consolidate-duplicate-urls#rel-canonical-link-method")
def canonical_outside_head(page: PageContext) -> dict[str, Any] | None:
    """rel=canonical elements written in <body>. (Those pushed there by an invalid element in
    <head> are reported once, by seo.html.head_broken.)"""
    facts = html_facts(page)
    if facts is None or not facts.ignored_canonicals or facts.head_breaker is not None:
        return None
    return {"canonicals": list(facts.ignored_canonicals[:5])}


@page_check(
    "seo.html.internal_iframe", category="mobile", severity=Severity.NOTICE,
    title="Own content shown through an iframe",
    why="A framed document is a separate URL: search engines may index it on its own and do "
        "not reliably credit its text and links to the page that embeds it (Google tries, "
        "without guarantee). Third-party embeds such as videos and maps are expected and not "
        "reported.",
    fix="Put the site's own content into the page's HTML (server-side include or template) "
        "instead of framing another page of the same site.",
    reference=REF_IFRAMES)
def internal_iframe(page: PageContext) -> dict[str, Any] | None:
    """<iframe> elements whose src is a page of the same site."""
    facts = html_facts(page)
    if facts is None:
        return None
    framed = [link.url for link in facts.links
              if link.kind == "iframe" and link.internal and link.url and link.url != facts.url]
    if not framed:
        return None
    return {"count": len(framed), "examples": framed[:5]}
