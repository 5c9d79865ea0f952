"""Images on one page: alternative text, intrinsic dimensions, lazy loading."""

from __future__ import annotations

from typing import Any

from ..types import ImageFact, Severity
from .common import examples, html_facts
from .links import nameless_links
from .registry import PageContext, page_check

REF_ALT = "https://developers.google.com/search/docs/appearance/google-images#use-descriptive-alt-text"
#: Alt text over this many characters is better given as a caption or surrounding text
#: (the figure common accessibility guidance and audit tools use).
ALT_MAX_CHARS = 125
#: A page with more content images than this, none of them lazy-loaded, almost certainly
#: loads images below the fold up front.
LAZY_MIN_IMAGES = 10


@page_check(
    "seo.images.alt_missing", category="images", severity=Severity.WARNING,
    title="Images without alt attribute",
    why="Alt text is how search engines understand an image and what screen readers read out; "
        "an image without an alt attribute is announced by its file name. Decorative images "
        'should still have alt="" so they are skipped.',
    fix='Add a short, descriptive alt attribute to each content image, and alt="" to purely '
        "decorative ones.",
    reference=REF_ALT)
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


@page_check(
    "seo.images.linked_empty_alt", category="images", severity=Severity.WARNING,
    title="Linked images without alt text",
    why='When an image is the only content of a link, its alt text is the link\'s name. With '
        'alt="" the link has no name at all: screen readers announce just "link" and search '
        "engines get no anchor text for the target page.",
    fix="Describe the link's destination in the image's alt attribute (for a logo linking "
        'home: alt="Acme home"), or add text or an aria-label to the link.',
    reference=REF_ALT)
def images_linked_empty_alt(page: PageContext) -> dict[str, Any] | None:
    """Links whose only content is images with alt="" (or marked decorative): the link has
    no text, aria-label or title either. Images with no alt attribute at all are reported
    by seo.images.alt_missing."""
    facts = html_facts(page)
    if facts is None or not facts.images:
        return None
    unnamed = [(link, images) for link, images in nameless_links(facts)
               if any(img.alt == "" or img.decorative for img in images)]
    if not unnamed:
        return None
    return {"count": len(unnamed),
            "examples": examples({"link": link.url or link.raw_href[:200],
                                  "image": images[0].src[:300]} for link, images in unnamed)}


@page_check(
    "seo.images.alt_too_long", category="images", severity=Severity.NOTICE,
    title=f"Alt text longer than {ALT_MAX_CHARS} characters",
    why="Alt text should say briefly what the image shows; screen readers read it in one go "
        "without a way to skim, and long alt texts are often keyword lists that Google "
        "counts as keyword stuffing.",
    fix="Keep alt text to a short description; put longer explanations (for charts, "
        "diagrams) in a caption or the surrounding text.",
    reference=REF_ALT)
def images_alt_too_long(page: PageContext) -> dict[str, Any] | None:
    """Images whose alt text is longer than ALT_MAX_CHARS after whitespace normalization."""
    facts = html_facts(page)
    if facts is None or not facts.images:
        return None
    long_alts = [(img, text) for img in facts.images if img.alt and len(img.alt) > ALT_MAX_CHARS
                 and len(text := " ".join(img.alt.split())) > ALT_MAX_CHARS]
    if not long_alts:
        return None
    return {"count": len(long_alts), "max": ALT_MAX_CHARS,
            "examples": examples({"src": img.src[:300], "length": len(text), "alt": text[:300]}
                                 for img, text in long_alts)}


def _eagerly_loaded(img: ImageFact) -> bool:
    """A content image the browser fetches as soon as it parses it: a real http(s) src
    (script-driven lazy loaders leave a data: placeholder or only data-src), not a
    tracking pixel, not an SVG icon (small files, little to gain)."""
    src = img.src
    if not src.startswith(("https://", "http://")) or img.width in ("0", "1") \
            or img.height in ("0", "1"):
        return False
    return not src.split("?", 1)[0].lower().endswith(".svg")


@page_check(
    "seo.images.no_lazy_loading", category="images", severity=Severity.NOTICE,
    title="Many images and none lazy-loaded",
    why="Images below the fold that load with the page compete with the content the visitor "
        "sees first for bandwidth, slowing Largest Contentful Paint. With this many images "
        "some are certainly off-screen, yet none uses loading=\"lazy\".",
    fix='Add loading="lazy" to images below the fold (not to the main above-the-fold '
        "image, which should load at once), and keep width and height on them.",
    reference="https://web.dev/articles/browser-level-image-lazy-loading")
def images_no_lazy_loading(page: PageContext) -> dict[str, Any] | None:
    """More than LAZY_MIN_IMAGES distinct eagerly loaded images, and no image on the page
    with a loading attribute or a script lazy-loading placeholder."""
    facts = html_facts(page)
    if facts is None or len(facts.images) <= LAZY_MIN_IMAGES:
        return None
    eager: dict[str, None] = {}
    for img in facts.images:
        if img.loading is not None:
            return None  # the author chose how each image loads
        if not img.src.startswith(("https://", "http://")) and img.src:
            return None  # data: placeholders / data-src only: a script lazy-loads images
        if _eagerly_loaded(img):
            eager[img.src] = None
    if len(eager) <= LAZY_MIN_IMAGES:
        return None
    return {"images": len(eager), "min": LAZY_MIN_IMAGES, "examples": examples(eager)}
