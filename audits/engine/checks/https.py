"""HTTPS & security: pages served over plain HTTP and insecure subresources."""

from __future__ import annotations

from collections import Counter
from typing import Any

from ..types import Severity
from .common import examples, html_facts
from .registry import PageContext, page_check

#: Reference kinds a browser loads as part of the page (links to other pages do not count).
SUBRESOURCE_KINDS = frozenset({"img", "script", "css", "iframe"})


@page_check(
    "seo.https.insecure_page", category="https", severity=Severity.WARNING,
    title="Page served over plain HTTP",
    why="Browsers mark HTTP pages as \"Not secure\", traffic can be read and altered on the "
        "way, and Google prefers HTTPS URLs as canonicals.",
    fix="Serve the site over HTTPS and 301-redirect every http:// URL to its https:// version.",
    reference="https://developers.google.com/search/docs/appearance/page-experience")
def insecure_page(page: PageContext) -> bool:
    """An HTML page answered 200 on an http:// URL."""
    facts = html_facts(page)
    return facts is not None and page.fetch.final_url.lower().startswith("http://")


@page_check(
    "seo.https.mixed_content", category="https", severity=Severity.WARNING,
    title="HTTPS page loads HTTP resources (mixed content)",
    why="Browsers block insecure scripts, stylesheets and frames on HTTPS pages and warn about "
        "insecure images, so parts of the page break or lose the padlock.",
    fix="Load every resource over https:// (or protocol-relative URLs served over HTTPS).",
    reference="https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content")
def mixed_content(page: PageContext) -> dict[str, Any] | None:
    """An https:// page references img/script/css/iframe URLs over http://."""
    facts = html_facts(page)
    if facts is None or not page.fetch.final_url.lower().startswith("https://"):
        return None
    insecure = [link for link in facts.links
                if link.kind in SUBRESOURCE_KINDS and link.url.startswith("http://")]
    if not insecure:
        return None
    return {"count": len(insecure), "kinds": dict(Counter(link.kind for link in insecure)),
            "examples": examples(link.url for link in insecure)}
