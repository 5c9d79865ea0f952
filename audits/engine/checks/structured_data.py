"""Structured data & social: JSON-LD syntax, Open Graph tags."""

from __future__ import annotations

from typing import Any

from ..types import Severity
from .common import examples, html_facts
from .registry import PageContext, page_check

REF_OPEN_GRAPH = "https://ogp.me/"
#: Properties the Open Graph protocol marks as required for every page.
OG_REQUIRED = ("og:title", "og:type", "og:image", "og:url")


@page_check(
    "seo.structured_data.json_ld_invalid", category="structured_data", severity=Severity.WARNING,
    title="Invalid JSON-LD",
    why="A JSON-LD block that does not parse is ignored entirely, so the page loses the rich "
        "results its structured data was meant for.",
    fix="Validate the block (Rich Results Test or a JSON linter); common causes are trailing "
        "commas, unescaped quotes and template output inserted without JSON escaping.",
    reference="https://developers.google.com/search/docs/appearance/structured-data/"
              "intro-structured-data")
def json_ld_invalid(page: PageContext) -> dict[str, Any] | None:
    """A <script type=application/ld+json> block failed to parse (or was over 256 KB)."""
    facts = html_facts(page)
    if facts is None:
        return None
    errors = [block.error for block in facts.json_ld if block.error]
    if not errors:
        return None
    return {"invalid_blocks": len(errors), "blocks": len(facts.json_ld), "errors": examples(errors, 3)}


@page_check(
    "seo.social.og_missing", category="structured_data", severity=Severity.NOTICE,
    title="Open Graph tags missing",
    why="Without Open Graph tags, social networks and messaging apps build link previews from "
        "guesses, often with the wrong image or text.",
    fix='Add at least og:title, og:type, og:image and og:url (<meta property="og:title" '
        'content="...">).',
    reference=REF_OPEN_GRAPH)
def og_missing(page: PageContext) -> bool:
    """An indexable HTML page has no og:* property at all."""
    facts = html_facts(page)
    return facts is not None and page.indexable and not facts.open_graph


@page_check(
    "seo.social.og_incomplete", category="structured_data", severity=Severity.NOTICE,
    title="Open Graph tags incomplete",
    why="The Open Graph protocol requires og:title, og:type, og:image and og:url; previews "
        "without them are incomplete or fall back to guesses.",
    fix="Add the missing required og:* properties.",
    reference=REF_OPEN_GRAPH)
def og_incomplete(page: PageContext) -> dict[str, Any] | None:
    """The page has some og:* tags but lacks one of the required four."""
    facts = html_facts(page)
    if facts is None or not facts.open_graph:
        return None
    present = {name for name, content in facts.open_graph if content.strip()}
    missing = [name for name in OG_REQUIRED if name not in present]
    return {"missing": missing} if missing else None
