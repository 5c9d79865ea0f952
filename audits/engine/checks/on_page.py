"""On-page: title, meta description, headings and amount of text of HTML pages that
answered 200.

Lengths are counted in characters after whitespace normalization (what a search result
shows); the thresholds are the ones common audit tools apply (see SEO-REFERENCE.md). Widths
are measured in pixels with Arial's advance widths, the font Google's desktop results use.
"""

from __future__ import annotations

from collections.abc import Iterator
from itertools import pairwise
from typing import Any

from ..site import PageRecord, SiteView
from ..types import Finding, Severity
from .common import REF_HEADINGS, REF_SNIPPET, REF_TITLE, html_facts
from .registry import PageContext, page_check, site_check
from .text_width import text_width_px

TITLE_MAX_CHARS = 60
TITLE_MIN_CHARS = 30
DESCRIPTION_MAX_CHARS = 160
DESCRIPTION_MIN_CHARS = 70

#: Google's desktop title link is 600 px wide at 20 px Arial; longer titles end in "...".
TITLE_MAX_PX = 600
#: Desktop snippets are two lines of 14 px text. The often-quoted 920 px measures only about
#: 148 characters of ordinary text in 14 px Arial, fewer than the 155-160 characters Google
#: is seen to show; 985 px (the limit Screaming Frog applies) matches ~158 characters.
DESCRIPTION_MAX_PX = 985
DESCRIPTION_FONT_PX = 14
#: About 15 words: longer than nearly all news and blog headlines (Screaming Frog's 70 flags
#: many ordinary ones), yet short of the paragraphs and banners wrongly marked up as h1.
H1_MAX_CHARS = 100
#: Pages with fewer words than this are "low content" (Screaming Frog's and Semrush's
#: default threshold).
THIN_CONTENT_WORDS = 200
#: Visible text below this share of the HTML is flagged (Semrush's threshold) ...
TEXT_RATIO_MIN = 0.10
#: ... but only on pages big enough for markup weight to matter: below ~14 KB (ten TCP
#: segments, a typical initial congestion window) a page arrives in one round trip anyway.
TEXT_RATIO_MIN_HTML_BYTES = 14_600


def _first(values: tuple[str, ...]) -> str | None:
    """The value browsers and search engines use (the first), whitespace-normalized."""
    return " ".join(values[0].split()) if values else None


def _same_text(a: str, b: str) -> bool:
    """Equal after whitespace normalization and case folding."""
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


# -- title -----------------------------------------------------------------------------------

@page_check(
    "seo.title.missing", category="on_page", severity=Severity.ERROR,
    title="Title tag missing",
    why="The <title> is the main source of the clickable headline in search results and the "
        "browser tab label; without it search engines make one up from the page.",
    fix="Add a unique, descriptive <title> to the page's <head>.",
    reference=REF_TITLE)
def title_missing(page: PageContext) -> bool:
    """The HTML page has no <title> element (SVG titles do not count)."""
    facts = html_facts(page)
    return facts is not None and not facts.titles


@page_check(
    "seo.title.empty", category="on_page", severity=Severity.ERROR,
    title="Title tag empty",
    why="An empty <title> gives search engines nothing to show as the result headline.",
    fix="Write a descriptive title for the page.",
    reference=REF_TITLE)
def title_empty(page: PageContext) -> bool:
    """The (first) <title> holds only whitespace."""
    facts = html_facts(page)
    return facts is not None and _first(facts.titles) == ""


@page_check(
    "seo.title.multiple", category="on_page", severity=Severity.WARNING,
    title="Multiple title tags",
    why="Only one title is used; several usually mean a template and a plugin both add one, "
        "and the one shown may not be the one you wrote.",
    fix="Keep exactly one <title> element in the <head>.",
    reference=REF_TITLE)
def title_multiple(page: PageContext) -> dict[str, Any] | None:
    """More than one <title> element in the document."""
    facts = html_facts(page)
    if facts is not None and len(facts.titles) > 1:
        return {"count": len(facts.titles), "titles": [t[:200] for t in facts.titles[:5]]}
    return None


@page_check(
    "seo.title.too_long", category="on_page", severity=Severity.NOTICE,
    title=f"Title too long (over {TITLE_MAX_CHARS} characters)",
    why="Google truncates titles at about 600 pixels (roughly 50-60 characters); the end of "
        "a longer title is cut off in search results.",
    fix="Shorten the title and put the most important words first.",
    reference=REF_TITLE)
def title_too_long(page: PageContext) -> dict[str, Any] | None:
    """The first title is longer than TITLE_MAX_CHARS after whitespace normalization."""
    facts = html_facts(page)
    title = _first(facts.titles) if facts is not None else None
    if title and len(title) > TITLE_MAX_CHARS:
        return {"length": len(title), "max": TITLE_MAX_CHARS, "title": title[:300]}
    return None


@page_check(
    "seo.title.too_short", category="on_page", severity=Severity.NOTICE,
    title=f"Title too short (under {TITLE_MIN_CHARS} characters)",
    why="A very short title rarely describes the page well enough to earn the click, and "
        "search engines are more likely to rewrite it.",
    fix="Write a more descriptive title, including what the page offers and the brand.",
    reference=REF_TITLE)
def title_too_short(page: PageContext) -> dict[str, Any] | None:
    """The first title is non-empty but shorter than TITLE_MIN_CHARS."""
    facts = html_facts(page)
    title = _first(facts.titles) if facts is not None else None
    if title and len(title) < TITLE_MIN_CHARS:
        return {"length": len(title), "min": TITLE_MIN_CHARS, "title": title}
    return None


@page_check(
    "seo.title.too_wide", category="on_page", severity=Severity.NOTICE,
    title=f"Title wider than {TITLE_MAX_PX} pixels",
    why="Google cuts titles by their rendered width, not their character count: the desktop "
        f"title link is about {TITLE_MAX_PX} px of 20 px Arial, and wide letters (capitals, "
        "W, M) reach it sooner. The end of a wider title is replaced by an ellipsis.",
    fix="Shorten the title or use narrower wording (fewer capitals) so the important words "
        "fit; put the brand at the end where truncation hurts least.",
    reference=REF_TITLE)
def title_too_wide(page: PageContext) -> dict[str, Any] | None:
    """The first title measures more than TITLE_MAX_PX in 20 px Arial."""
    facts = html_facts(page)
    title = _first(facts.titles) if facts is not None else None
    if not title:
        return None
    width = text_width_px(title)
    if width <= TITLE_MAX_PX:
        return None
    return {"width_px": round(width), "max_px": TITLE_MAX_PX, "length": len(title),
            "title": title[:300]}


# -- meta description ------------------------------------------------------------------------

@page_check(
    "seo.description.missing", category="on_page", severity=Severity.WARNING,
    title="Meta description missing",
    why="Without a meta description search engines build the result snippet from page text, "
        "which is often less compelling.",
    fix='Add <meta name="description" content="..."> summarising the page in a sentence or two.',
    reference=REF_SNIPPET)
def description_missing(page: PageContext) -> bool:
    """The HTML page has no <meta name=description>."""
    facts = html_facts(page)
    return facts is not None and not facts.meta_descriptions


@page_check(
    "seo.description.empty", category="on_page", severity=Severity.WARNING,
    title="Meta description empty",
    why="An empty description tag gives search engines nothing to use for the snippet.",
    fix="Fill in the description's content attribute, or remove the empty tag.",
    reference=REF_SNIPPET)
def description_empty(page: PageContext) -> bool:
    """The (first) meta description has empty content."""
    facts = html_facts(page)
    return facts is not None and _first(facts.meta_descriptions) == ""


@page_check(
    "seo.description.multiple", category="on_page", severity=Severity.WARNING,
    title="Multiple meta descriptions",
    why="Several description tags usually mean duplicated template output; which one search "
        "engines use is not defined.",
    fix="Keep exactly one meta description per page.",
    reference=REF_SNIPPET)
def description_multiple(page: PageContext) -> dict[str, Any] | None:
    """More than one <meta name=description>."""
    facts = html_facts(page)
    if facts is not None and len(facts.meta_descriptions) > 1:
        return {"count": len(facts.meta_descriptions),
                "descriptions": [d[:200] for d in facts.meta_descriptions[:5]]}
    return None


@page_check(
    "seo.description.too_long", category="on_page", severity=Severity.NOTICE,
    title=f"Meta description too long (over {DESCRIPTION_MAX_CHARS} characters)",
    why="Snippets are truncated at about 920 pixels on desktop (roughly 155-160 characters); "
        "the rest of a longer description is not shown.",
    fix="Shorten the description and put the key message first.",
    reference=REF_SNIPPET)
def description_too_long(page: PageContext) -> dict[str, Any] | None:
    """The first description is longer than DESCRIPTION_MAX_CHARS."""
    facts = html_facts(page)
    text = _first(facts.meta_descriptions) if facts is not None else None
    if text and len(text) > DESCRIPTION_MAX_CHARS:
        return {"length": len(text), "max": DESCRIPTION_MAX_CHARS, "description": text[:400]}
    return None


@page_check(
    "seo.description.too_short", category="on_page", severity=Severity.NOTICE,
    title=f"Meta description too short (under {DESCRIPTION_MIN_CHARS} characters)",
    why="A very short description wastes the space of the snippet and is more likely to be "
        "replaced by text picked from the page.",
    fix="Expand the description to summarise the page's value in about 120-155 characters.",
    reference=REF_SNIPPET)
def description_too_short(page: PageContext) -> dict[str, Any] | None:
    """The first description is non-empty but shorter than DESCRIPTION_MIN_CHARS."""
    facts = html_facts(page)
    text = _first(facts.meta_descriptions) if facts is not None else None
    if text and len(text) < DESCRIPTION_MIN_CHARS:
        return {"length": len(text), "min": DESCRIPTION_MIN_CHARS, "description": text}
    return None


@page_check(
    "seo.description.too_wide", category="on_page", severity=Severity.NOTICE,
    title=f"Meta description wider than {DESCRIPTION_MAX_PX} pixels",
    why="Desktop snippets show two lines of 14 px text and cut the rest, by rendered width "
        f"rather than characters: about {DESCRIPTION_MAX_PX} px of 14 px Arial, which wide "
        "letters and capitals fill sooner.",
    fix="Shorten the description so its key message fits in about 150 characters of normal "
        "text; avoid long runs of capitals.",
    reference=REF_SNIPPET)
def description_too_wide(page: PageContext) -> dict[str, Any] | None:
    """The first meta description measures more than DESCRIPTION_MAX_PX in 14 px Arial."""
    facts = html_facts(page)
    text = _first(facts.meta_descriptions) if facts is not None else None
    if not text:
        return None
    width = text_width_px(text, DESCRIPTION_FONT_PX)
    if width <= DESCRIPTION_MAX_PX:
        return None
    return {"width_px": round(width), "max_px": DESCRIPTION_MAX_PX, "length": len(text),
            "description": text[:400]}


@page_check(
    "seo.description.same_as_title", category="on_page", severity=Severity.NOTICE,
    title="Meta description repeats the title",
    why="The title and the description are shown together in search results; a description "
        "that repeats the title wastes the snippet and is likely to be replaced by text "
        "Google picks from the page.",
    fix="Write a description that adds to the title: what the page offers, for whom, and why "
        "it is worth the click.",
    reference=REF_SNIPPET)
def description_same_as_title(page: PageContext) -> dict[str, Any] | None:
    """The first meta description equals the first title (case and whitespace ignored)."""
    facts = html_facts(page)
    if facts is None:
        return None
    title = _first(facts.titles)
    description = _first(facts.meta_descriptions)
    if title and description and _same_text(title, description):
        return {"title": title[:300], "description": description[:300]}
    return None


# -- h1 --------------------------------------------------------------------------------------

@page_check(
    "seo.h1.missing", category="on_page", severity=Severity.WARNING,
    title="H1 heading missing",
    why="The h1 tells visitors and search engines what the page is about; pages without one "
        "lack a clear main heading.",
    fix="Add one <h1> that states the page's topic.",
    reference=REF_HEADINGS)
def h1_missing(page: PageContext) -> bool:
    """The HTML page has no <h1> element."""
    facts = html_facts(page)
    return facts is not None and not any(h.level == 1 for h in facts.headings)


@page_check(
    "seo.h1.multiple", category="on_page", severity=Severity.NOTICE,
    title="Multiple H1 headings",
    why="Several h1s are valid HTML, but one clear main heading makes the page's topic and "
        "outline easier to understand for users of assistive technology and for crawlers.",
    fix="Keep one h1 for the page's main topic and use h2-h6 for sections.",
    reference=REF_HEADINGS + "#avoid_using_multiple_h1_elements_on_one_page")
def h1_multiple(page: PageContext) -> dict[str, Any] | None:
    """More than one <h1>."""
    facts = html_facts(page)
    if facts is None:
        return None
    h1s = [h.text for h in facts.headings if h.level == 1]
    return {"count": len(h1s), "headings": h1s[:5]} if len(h1s) > 1 else None


@page_check(
    "seo.h1.empty", category="on_page", severity=Severity.WARNING,
    title="Empty H1 heading",
    why="An h1 with no text (and no image alt text) is an empty main heading for screen "
        "readers and crawlers.",
    fix="Put the page's main heading text in the h1, or remove the empty element.",
    reference=REF_HEADINGS)
def h1_empty(page: PageContext) -> dict[str, Any] | None:
    """An <h1> whose text and image alt text are empty."""
    facts = html_facts(page)
    if facts is None:
        return None
    empty = sum(1 for h in facts.headings if h.level == 1 and not h.text)
    return {"count": empty} if empty else None


@page_check(
    "seo.h1.same_as_title", category="on_page", severity=Severity.NOTICE,
    title="H1 identical to the title",
    why="The title and the h1 are two chances to describe the page: the title for search "
        "results (often with the brand), the h1 for the visitor on the page. Identical text "
        "misses a chance to cover another way of phrasing the topic.",
    fix="Keep both on topic but vary them, for example a concise title with the brand and a "
        "more descriptive h1.",
    reference=REF_TITLE)
def h1_same_as_title(page: PageContext) -> dict[str, Any] | None:
    """The first non-empty h1 equals the first title (case and whitespace ignored)."""
    facts = html_facts(page)
    if facts is None:
        return None
    title = _first(facts.titles)
    h1 = next((h.text for h in facts.headings if h.level == 1 and h.text), None)
    if title and h1 and _same_text(title, h1):
        return {"title": title[:300], "h1": h1[:300]}
    return None


@page_check(
    "seo.h1.too_long", category="on_page", severity=Severity.NOTICE,
    title=f"H1 longer than {H1_MAX_CHARS} characters",
    why="A main heading is a short statement of the topic. An h1 over about 15 words usually "
        "means a paragraph or a whole banner was marked up as the heading, which blurs what "
        "the page is about.",
    fix="Keep the h1 to a concise headline and move the rest of the text into a paragraph.",
    reference=REF_HEADINGS)
def h1_too_long(page: PageContext) -> dict[str, Any] | None:
    """The first h1 with text is longer than H1_MAX_CHARS after whitespace normalization."""
    facts = html_facts(page)
    if facts is None:
        return None
    h1 = next((h.text for h in facts.headings if h.level == 1 and h.text), None)
    if h1 and len(h1) > H1_MAX_CHARS:
        return {"length": len(h1), "max": H1_MAX_CHARS, "h1": h1[:300]}
    return None


# -- heading outline -------------------------------------------------------------------------

@page_check(
    "seo.headings.skipped_level", category="on_page", severity=Severity.NOTICE,
    title="Heading level skipped",
    why="Headings form the page's outline for screen-reader users, who navigate by them, and "
        "for search engines reading the structure. Jumping down more than one level (an h2 "
        "followed by an h4) suggests a missing section or headings chosen for their size.",
    fix="Use heading levels in order (h2 sections, h3 subsections ...) and change the look "
        "with CSS instead of picking a level for its font size.",
    reference="https://www.w3.org/WAI/tutorials/page-structure/headings/")
def headings_skipped_level(page: PageContext) -> dict[str, Any] | None:
    """The first heading that is more than one level below the heading before it (a page
    may start at any level: only a jump after a heading counts)."""
    facts = html_facts(page)
    if facts is None or len(facts.headings) < 2:
        return None
    headings = facts.headings
    for previous, heading in pairwise(headings):
        if heading.level > previous.level + 1:
            return {"from": f"h{previous.level}", "to": f"h{heading.level}",
                    "from_text": previous.text[:150], "to_text": heading.text[:150],
                    "sequence": [f"h{h.level}" for h in headings[:30]]}
    return None


@page_check(
    "seo.headings.empty", category="on_page", severity=Severity.NOTICE,
    title="Empty subheadings",
    why="An h2-h6 with no text (and no image alt text) is announced as an empty heading by "
        "screen readers and adds nothing to the page's outline.",
    fix="Give the heading text, or remove the element if it is only used for spacing or "
        "styling.",
    reference=REF_HEADINGS)
def headings_empty(page: PageContext) -> dict[str, Any] | None:
    """h2-h6 elements whose text and image alt text are empty (empty h1s are seo.h1.empty)."""
    facts = html_facts(page)
    if facts is None:
        return None
    empty = [f"h{h.level}" for h in facts.headings if h.level > 1 and not h.text]
    return {"count": len(empty), "levels": sorted(set(empty))} if empty else None


# -- amount of text --------------------------------------------------------------------------

@page_check(
    "seo.content.low_text_ratio", category="content", severity=Severity.NOTICE,
    title=f"Low text-to-HTML ratio (under {TEXT_RATIO_MIN:.0%})",
    why="Little visible text in a lot of markup usually means heavy templates, inline scripts "
        "or styles, or content that only JavaScript fills in. It makes pages slower to "
        "download and parse and can leave crawlers that do not run scripts little to read.",
    fix="Move inline scripts and styles to cached files, trim unused markup, and make sure "
        "the main content is in the HTML the server sends.",
    reference="https://web.dev/articles/dom-size-and-interactivity")
def low_text_ratio(page: PageContext) -> dict[str, Any] | None:
    """Visible text is under TEXT_RATIO_MIN of the HTML bytes, on pages of at least
    TEXT_RATIO_MIN_HTML_BYTES (the ratio of a tiny page says nothing about bloat)."""
    facts = html_facts(page)
    if (facts is None or facts.html_bytes < TEXT_RATIO_MIN_HTML_BYTES
            or facts.text_ratio >= TEXT_RATIO_MIN):
        return None
    return {"ratio": round(facts.text_ratio, 4), "min": TEXT_RATIO_MIN,
            "html_bytes": facts.html_bytes, "words": facts.word_count}


def _thin(record: PageRecord) -> bool:
    return (record.is_html and record.indexable and record.status == 200
            and record.error is None and not record.redirect_hops
            and record.word_count < THIN_CONTENT_WORDS)


@site_check(
    "seo.content.thin", category="content", severity=Severity.NOTICE,
    title=f"Thin content (under {THIN_CONTENT_WORDS} words)",
    why="Indexable pages with very little text give search engines little to understand and "
        "rank, and many of them can make a site look low in value. Some pages (contact, "
        "login, galleries) are short by nature; most content pages are not.",
    fix="Expand pages that should rank with useful, original text; merge near-empty pages "
        "into stronger ones, or mark pages that are not meant to rank noindex.",
    reference="https://developers.google.com/search/docs/fundamentals/creating-helpful-content")
def content_thin(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages with fewer than THIN_CONTENT_WORDS words of visible body text
    (navigation and footer included, as the crawler sees the page without running scripts).
    A site check over the crawl index: noindexed and canonicalised pages are skipped."""
    for record in site.pages.values():
        if _thin(record):
            yield Finding("seo.content.thin", record.url,
                          {"words": record.word_count, "min": THIN_CONTENT_WORDS})
