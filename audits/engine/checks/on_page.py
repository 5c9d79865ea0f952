"""On-page: title, meta description and h1 of HTML pages that answered 200.

Lengths are counted in characters after whitespace normalization (what a search result
shows); the thresholds are the ones common audit tools apply (see SEO-REFERENCE.md).
"""

from __future__ import annotations

from typing import Any

from ..types import Severity
from .common import REF_HEADINGS, REF_SNIPPET, REF_TITLE, html_facts
from .registry import PageContext, page_check

TITLE_MAX_CHARS = 60
TITLE_MIN_CHARS = 30
DESCRIPTION_MAX_CHARS = 160
DESCRIPTION_MIN_CHARS = 70


def _first(values: tuple[str, ...]) -> str | None:
    """The value browsers and search engines use (the first), whitespace-normalized."""
    return " ".join(values[0].split()) if values else None


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
