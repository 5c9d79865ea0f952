"""Images on one page: alternative text and intrinsic dimensions."""

from __future__ import annotations

from typing import Any

from ..types import Severity
from .common import examples, html_facts
from .registry import PageContext, page_check


@page_check(
    "seo.images.alt_missing", category="images", severity=Severity.WARNING,
    title="Images without alt attribute",
    why="Alt text is how search engines understand an image and what screen readers read out; "
        "an image without an alt attribute is announced by its file name. Decorative images "
        'should still have alt="" so they are skipped.',
    fix='Add a short, descriptive alt attribute to each content image, and alt="" to purely '
        "decorative ones.",
    reference="https://developers.google.com/search/docs/appearance/google-images"
              "#use-descriptive-alt-text")
def images_alt_missing(page: PageContext) -> dict[str, Any] | None:
    """<img> elements with no alt attribute at all (alt="" and role=presentation pass)."""
    facts = html_facts(page)
    if facts is None:
        return None
    missing = [img.src for img in facts.images if img.alt is None and not img.decorative]
    if not missing:
        return None
    return {"count": len(missing), "total": len(facts.images),
            "examples": examples(src[:300] for src in missing)}


@page_check(
    "seo.images.missing_dimensions", category="images", severity=Severity.NOTICE,
    title="Images without width and height",
    why="Without width and height attributes the browser cannot reserve space for an image "
        "before it loads, so the layout shifts (a Core Web Vitals metric, CLS).",
    fix="Add width and height attributes with the image's intrinsic size (CSS can still make "
        "it responsive).",
    reference="https://web.dev/articles/optimize-cls#images-without-dimensions")
def images_missing_dimensions(page: PageContext) -> dict[str, Any] | None:
    """<img> elements lacking a width or a height attribute."""
    facts = html_facts(page)
    if facts is None:
        return None
    unsized = [img.src for img in facts.images if not img.width or not img.height]
    if not unsized:
        return None
    return {"count": len(unsized), "total": len(facts.images),
            "examples": examples(src[:300] for src in unsized)}
