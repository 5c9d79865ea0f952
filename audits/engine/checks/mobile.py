"""Mobile & HTML: language, viewport, character encoding, document structure."""

from __future__ import annotations

import re
from typing import Any

from ..encoding import META_PRESCAN_LIMIT, codec_for
from ..parse_limits import MAX_ATTRIBUTES, MAX_BLOCK_DEPTH
from ..types import Severity
from .common import REF_CHARSET, html_facts
from .registry import PageContext, page_check

REF_VIEWPORT = "https://developer.mozilla.org/en-US/docs/Web/HTML/Viewport_meta_tag"
REF_LANG = "https://developer.mozilla.org/en-US/docs/Web/HTML/Global_attributes/lang"
#: Zoom limits below this fail WCAG 1.4.4 Resize Text (200 %): axe's meta-viewport rule.
MIN_MAXIMUM_SCALE = 2.0
#: Fixed layout widths up to this fit a phone in portrait; a wider one forces sideways panning.
MAX_PHONE_WIDTH_PX = 480
# Well-formed BCP 47 shape: a 2-3 letter (or registered 5-8 letter) language, then subtags.
_LANGUAGE_TAG = re.compile(r"(?:[A-Za-z]{2,3}|[A-Za-z]{5,8}|[iIxX])(?:-[A-Za-z0-9]{1,8})*")


@page_check(
    "seo.html.lang_missing", category="mobile", severity=Severity.WARNING,
    title="Missing html lang attribute",
    why="The lang attribute tells browsers, screen readers, translation tools and search "
        "engines which language the page is in.",
    fix='Add the page\'s language to the root element, for example <html lang="en">.',
    reference=REF_LANG)
def lang_missing(page: PageContext) -> bool:
    """The <html> element has no lang attribute, or an empty one."""
    facts = html_facts(page)
    return facts is not None and not facts.lang


@page_check(
    "seo.html.lang_invalid", category="mobile", severity=Severity.NOTICE,
    title="Invalid html lang value",
    why="A lang value that is not a language tag (such as en_US or english) is ignored by "
        "browsers and assistive technology.",
    fix='Use a BCP 47 language tag: "en", "en-GB", "pt-BR", "zh-Hant".',
    reference=REF_LANG)
def lang_invalid(page: PageContext) -> dict[str, Any] | None:
    """The lang attribute is present but not shaped like a BCP 47 tag."""
    facts = html_facts(page)
    if facts is not None and facts.lang and not _LANGUAGE_TAG.fullmatch(facts.lang):
        return {"lang": facts.lang[:100]}
    return None


@page_check(
    "seo.mobile.viewport_missing", category="mobile", severity=Severity.WARNING,
    title="Viewport meta tag missing",
    why="Without a viewport tag mobile browsers render the page at desktop width and shrink "
        "it; Google indexes the mobile version of pages.",
    fix='Add <meta name="viewport" content="width=device-width, initial-scale=1"> to <head>.',
    reference=REF_VIEWPORT)
def viewport_missing(page: PageContext) -> bool:
    """No <meta name=viewport>."""
    facts = html_facts(page)
    return facts is not None and facts.viewport is None


@page_check(
    "seo.mobile.viewport_not_responsive", category="mobile", severity=Severity.NOTICE,
    title="Viewport does not adapt to the device",
    why="A viewport without width=device-width or initial-scale keeps a fixed layout width, "
        "so mobile visitors have to zoom and pan.",
    fix='Use content="width=device-width, initial-scale=1".',
    reference=REF_VIEWPORT)
def viewport_not_responsive(page: PageContext) -> dict[str, Any] | None:
    """The viewport content has neither width=device-width nor initial-scale."""
    facts = html_facts(page)
    if facts is None or facts.viewport is None:
        return None
    content = "".join(facts.viewport.lower().split())
    if "width=device-width" in content or "initial-scale" in content:
        return None
    return {"viewport": facts.viewport[:200]}


def viewport_properties(content: str) -> dict[str, str]:
    """The viewport content's key=value pairs, keys lower-cased (browsers accept commas and,
    leniently, semicolons between them)."""
    properties: dict[str, str] = {}
    for part in content.replace(";", ",").split(","):
        key, sep, value = part.partition("=")
        if sep:
            properties[key.strip().lower()] = value.strip().strip("'\"").lower()
    return properties


def _number(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None


@page_check(
    "seo.mobile.viewport_zoom_disabled", category="mobile", severity=Severity.NOTICE,
    title="Viewport prevents zooming",
    why="user-scalable=no or a maximum-scale below 2 stops visitors from zooming in to read "
        "small text, an accessibility failure (WCAG 1.4.4; Lighthouse's meta-viewport audit). "
        "Some browsers ignore it, others enforce it.",
    fix='Remove user-scalable=no and maximum-scale from the viewport: content="width='
        'device-width, initial-scale=1".',
    reference=REF_VIEWPORT + "#accessibility_concerns")
def viewport_zoom_disabled(page: PageContext) -> dict[str, Any] | None:
    """The viewport sets user-scalable=no (or 0) or a maximum-scale under MIN_MAXIMUM_SCALE."""
    facts = html_facts(page)
    if facts is None or not facts.viewport:
        return None
    properties = viewport_properties(facts.viewport)
    scalable = properties.get("user-scalable")
    scalable_number = _number(scalable)
    maximum = _number(properties.get("maximum-scale"))
    disabled = scalable == "no" or (scalable_number is not None and abs(scalable_number) < 1)
    if not disabled and (maximum is None or maximum >= MIN_MAXIMUM_SCALE):
        return None
    return {"viewport": facts.viewport[:200], "user_scalable": scalable,
            "maximum_scale": maximum}


@page_check(
    "seo.mobile.viewport_fixed_width", category="mobile", severity=Severity.NOTICE,
    title="Viewport has a fixed desktop width",
    why="A viewport with a fixed width wider than a phone (width=1024) lays the page out at "
        "that width even when initial-scale is set, so on phones it is wider than the screen "
        "and visitors pan sideways.",
    fix='Use width=device-width instead of a number: content="width=device-width, '
        'initial-scale=1", and make the layout responsive with CSS.',
    reference=REF_VIEWPORT)
def viewport_fixed_width(page: PageContext) -> dict[str, Any] | None:
    """The viewport width is a number above MAX_PHONE_WIDTH_PX while initial-scale is set
    (without initial-scale, seo.mobile.viewport_not_responsive reports it)."""
    facts = html_facts(page)
    if facts is None or not facts.viewport:
        return None
    properties = viewport_properties(facts.viewport)
    width = _number(properties.get("width"))
    if width is None or width <= MAX_PHONE_WIDTH_PX or "initial-scale" not in properties:
        return None
    return {"viewport": facts.viewport[:200], "width": width}


@page_check(
    "seo.html.charset_not_utf8", category="mobile", severity=Severity.NOTICE,
    title="Character encoding is not UTF-8",
    why="UTF-8 is the encoding the HTML standard requires for new pages; legacy encodings "
        "garble characters they cannot represent and in forms and URLs.",
    fix='Save the page as UTF-8 and declare it: Content-Type: text/html; charset=utf-8 and '
        '<meta charset="utf-8">.',
    reference=REF_CHARSET)
def charset_not_utf8(page: PageContext) -> dict[str, Any] | None:
    """The declared charset (or, undeclared, the detected one) is not UTF-8."""
    facts = html_facts(page)
    if facts is None:
        return None
    effective = codec_for(facts.declared_charset) if facts.declared_charset else facts.encoding
    if effective == "utf-8":
        return None
    return {"declared": facts.declared_charset, "encoding": facts.encoding,
            "source": facts.charset_source}


@page_check(
    "seo.html.encoding_errors", category="mobile", severity=Severity.WARNING,
    title="Invalid characters for the page's encoding",
    why="Some bytes are not valid in the encoding the page uses, so they show as replacement "
        "characters (�) to visitors and search engines.",
    fix="Make sure the file is saved in the encoding it declares (normally UTF-8), including "
        "content coming from the database and includes.",
    reference=REF_CHARSET)
def encoding_errors(page: PageContext) -> dict[str, Any] | None:
    """Decoding with the chosen encoding met invalid bytes."""
    facts = html_facts(page)
    if facts is not None and facts.encoding_errors:
        return {"encoding": facts.encoding, "source": facts.charset_source}
    return None


@page_check(
    "seo.html.charset_missing", category="mobile", severity=Severity.NOTICE,
    title="Character encoding not declared",
    why="Neither the Content-Type header nor a <meta charset> declares the encoding, so "
        "browsers have to guess, and may guess wrong for non-ASCII text.",
    fix='Send Content-Type: text/html; charset=utf-8 and add <meta charset="utf-8"> as the '
        "first element of <head>.",
    reference=REF_CHARSET)
def charset_missing(page: PageContext) -> dict[str, Any] | None:
    """No BOM, HTTP charset or meta declaration; the encoding was guessed."""
    facts = html_facts(page)
    if facts is not None and facts.charset_source in ("detected", "default"):
        return {"guessed": facts.encoding}
    return None


@page_check(
    "seo.html.charset_late", category="mobile", severity=Severity.NOTICE,
    title="Charset declared too late",
    why=f"Browsers look for <meta charset> only in the first {META_PRESCAN_LIMIT} bytes; a "
        "later declaration is ignored and the page may be decoded with the wrong encoding.",
    fix="Move <meta charset> to be the first element inside <head>.",
    reference="https://html.spec.whatwg.org/multipage/semantics.html#charset")
def charset_late(page: PageContext) -> dict[str, Any] | None:
    """The only declaration is a <meta> that starts beyond the prescan limit."""
    facts = html_facts(page)
    if (facts is not None and facts.charset_source == "meta"
            and facts.charset_position is not None
            and facts.charset_position > META_PRESCAN_LIMIT):
        return {"position": facts.charset_position, "limit": META_PRESCAN_LIMIT}
    return None


@page_check(
    "seo.html.too_complex", category="mobile", severity=Severity.WARNING,
    title="HTML too complex to parse completely",
    why=f"Block elements nest more than {MAX_BLOCK_DEPTH} levels deep, or one element carries "
        f"more than {MAX_ATTRIBUTES} attributes. Browsers flatten or slow down on such markup "
        "(Chromium stops nesting at 512 levels), and the audit read only the part before it.",
    fix="Close elements properly (look for unclosed <div>s in templates), remove generated "
        "attribute lists, and simplify the DOM structure.",
    reference="https://web.dev/articles/dom-size-and-interactivity")
def too_complex(page: PageContext) -> dict[str, Any] | None:
    """parse_page stopped at a parser safety limit (nesting depth or attribute count)."""
    facts = html_facts(page)
    if facts is not None and facts.parse_limit:
        return {"limit": facts.parse_limit}
    return None
