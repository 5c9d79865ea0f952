"""HTML body -> `PageFacts` (indexability helpers are re-exported from `indexability`).

This is the hot loop of a crawl (about 1,000 pages/s across workers), so the parse makes one
Lexbor pass, one CSS query for every element kind it needs (document order is kept), and does
per-node Python work only on those elements. It never raises on page content: whatever a
server sends (binary, invalid bytes, hostile markup), the result is a `PageFacts`.

Lexbor has super-linear cases that a hostile page can trigger; all are bounded here: block
elements nested thousands deep (each start tag scans the open-element stack) and elements with
thousands of attributes (each attribute is checked against the others) end the parsed part
of the document (`parse_limit`; Chromium also stops nesting at 512), and DOM mutation events
(quadratic on long `<select>` lists) are switched off.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

import numpy as np
from selectolax.lexbor import LexborDocumentOptions, LexborHTMLParser

from .citability import CONTENT_TAGS, ContentReader
from .encoding import DecodedBody, decode_body
from .hrefs import MAX_HREF_LENGTH, RAW_HREF_LIMIT, HrefResolver
from .indexability import (
    compute_indexability,
    directive_sources,
    effective_canonical,
    resolved_canonical,
)
from .microdata import markup_types
from .parse_limits import parse_limit, unparseable_reason
from .types import FetchResult, Heading, ImageFact, JsonLdBlock, LinkFact, PageFacts
from .urls import InvalidURL, normalize_url, resolve_href

__all__ = ["compute_indexability", "directive_sources", "effective_canonical", "parse_page",
           "resolved_canonical"]

ANCHOR_LIMIT = 200
HEADING_LIMIT = 200
#: Titles, descriptions and other meta contents are kept up to this many characters.
TEXT_LIMIT = 2000
JSON_LD_MAX_CHARS = 256 * 1024
JSON_LD_MAX_BLOCKS = 50
#: References kept per page; beyond this a page is a link farm and the rest are dropped.
MAX_LINKS = 10_000
MAX_IMAGES = 5_000
#: Elements read per page; a hostile page with a million tags is read up to here.
MAX_ELEMENTS = 50_000
#: Obsolete elements (HTML Living Standard, "Obsolete features"), reported when used.
DEPRECATED_TAGS = ("acronym", "applet", "basefont", "bgsound", "big", "blink", "center", "dir",
                   "font", "frame", "frameset", "isindex", "keygen", "listing", "marquee",
                   "multicol", "nextid", "nobr", "noembed", "noframes", "plaintext", "spacer",
                   "strike", "tt", "xmp")
_DEPRECATED = frozenset(DEPRECATED_TAGS)
_PLUGINS = frozenset({"object", "embed", "applet"})
#: The elements the parse reads. Walking the tree and filtering by tag name in Python is
#: about 3x cheaper than a Lexbor CSS query with this many alternatives.
WANTED_TAGS = frozenset({"title", "meta", "link", "a", "img", "script", "iframe", "h1", "h2",
                         "h3", "h4", "h5", "h6", "form", "object", "embed"}) | _DEPRECATED \
    | CONTENT_TAGS
#: Elements allowed in <head>; the first other start tag ends the head for a parser (and
#: for Google, which then ignores head-only elements after it).
_HEAD_ELEMENTS = frozenset({"html", "head", "title", "meta", "link", "script", "style", "base",
                            "noscript", "template"})
#: Elements whose content is text, not markup (with scripting on, as in browsers and Google).
_RAW_TEXT_ELEMENTS = frozenset({"script", "style", "title", "noscript", "template", "textarea"})
_TAG_START = re.compile(r"<(/?)([a-zA-Z][a-zA-Z0-9:-]*)|<!--")
_HEAD_OPEN = re.compile(r"<head[\s>/]", re.IGNORECASE)
_CANONICAL_TAG = re.compile(r"<link\b[^>]*\bcanonical\b", re.IGNORECASE)
#: How much of the document the head scan reads at most.
HEAD_SCAN_CHARS = 256 * 1024
#: Pages with fewer words than this get no SimHash (too little text for a stable fingerprint).
SIMHASH_MIN_WORDS = 20
#: Word-hash multipliers that turn three consecutive words into one shingle hash.
_SHINGLE_K = (np.uint64(0x9E3779B97F4A7C15), np.uint64(0xC2B2AE3D27D4EB4F),
              np.uint64(0x165667B19E3779F9))
_NOT_VISIBLE = ["script", "style", "noscript", "template"]
_HEADINGS = {"h1": 1, "h2": 2, "h3": 3, "h4": 4, "h5": 5, "h6": 6}
#: <meta name=...> values kept as robots directives: generic, crawler-specific, ours.
ROBOTS_META_NAMES = frozenset({
    "robots", "googlebot", "googlebot-news", "googlebot-image", "bingbot", "msnbot", "slurp",
    "yandex", "baiduspider", "duckduckbot", "applebot", "seoauditbot",
})
_LINK_HEADER = re.compile(r"<([^>]*)>([^<]*)")
_REL_PARAM = re.compile(r"""\brel\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)
_HREFLANG_PARAM = re.compile(r"""\bhreflang\s*=\s*(?:"([^"]*)"|([^\s;,]+))""", re.IGNORECASE)
#: One pass that maps ASCII whitespace to spaces and lower-cases ASCII letters.
_NORMALIZE_TEXT = bytes.maketrans(b"\t\n\r\x0b\x0cABCDEFGHIJKLMNOPQRSTUVWXYZ",
                                  b"     abcdefghijklmnopqrstuvwxyz")


def _norm(text: str) -> str:
    return " ".join(text.split()) if text else ""


def _attr(attrs: dict[str, str | None], name: str) -> str | None:
    """Attribute value; "" for a valueless attribute (`<img alt>`), None when absent."""
    value = attrs.get(name)
    if value is None and name in attrs:
        return ""
    return value


def _page_url(fetch: FetchResult) -> str:
    url = fetch.final_url or fetch.requested_url
    try:
        return normalize_url(url)
    except InvalidURL:
        return url


def _json_ld_types(data: Any) -> tuple[str, ...]:
    """@type values of the top-level entities, including those inside @graph."""
    found: list[str] = []
    stack = [data]
    seen = 0
    while stack and seen < 1000:
        item = stack.pop()
        seen += 1
        if isinstance(item, list):
            stack.extend(reversed(item))
        elif isinstance(item, dict):
            kind = item.get("@type")
            if isinstance(kind, str):
                found.append(kind)
            elif isinstance(kind, list):
                found.extend(k for k in kind if isinstance(k, str))
            graph = item.get("@graph")
            if isinstance(graph, list | dict):
                stack.append(graph)
    return tuple(dict.fromkeys(found))


def _json_ld(raw: str) -> JsonLdBlock:
    if len(raw) > JSON_LD_MAX_CHARS:
        return JsonLdBlock(None, f"block larger than {JSON_LD_MAX_CHARS // 1024} KB")
    try:
        data = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        return JsonLdBlock(None, str(exc)[:200] or type(exc).__name__)
    return JsonLdBlock(data, None, _json_ld_types(data))


def _in_svg(node: Any) -> bool:
    parent = node.parent
    for _ in range(1000):
        if parent is None:
            return False
        if parent.tag == "svg":
            return True
        parent = parent.parent
    return False


_HIDDEN_STYLE = re.compile(r"display\s*:\s*none|visibility\s*:\s*hidden", re.IGNORECASE)


def _accessible_name(tree: LexborHTMLParser, node: Any, attrs: dict[str, str | None]) -> str:
    """The rarer ways a link gets its name: aria-labelledby (first id), or an inner element
    with aria-label (an <svg role="img" aria-label=...> icon). Only reached for links with no
    text, alt, aria-label or title."""
    labelledby = (attrs.get("aria-labelledby") or "").split()
    if labelledby and _SIMPLE_ID.fullmatch(labelledby[0]):
        target = tree.css_first(f'[id="{labelledby[0]}"]')
        if target is not None:
            name = _norm(target.text(separator=" "))
            if name:
                return name
    inner = node.css_first("[aria-label]")
    return _norm(inner.attributes.get("aria-label") or "") if inner is not None else ""


_SIMPLE_ID = re.compile(r"[A-Za-z0-9_:.-]{1,100}")


def _tracking_pixel(attrs: dict[str, str | None]) -> bool:
    """A 0/1-pixel or CSS-hidden image: an analytics beacon, not content that needs alt."""
    width = (attrs.get("width") or "").strip()
    height = (attrs.get("height") or "").strip()
    if width in ("0", "1", "0px", "1px") and height in ("0", "1", "0px", "1px"):
        return True
    style = attrs.get("style")
    return bool(style) and _HIDDEN_STYLE.search(style) is not None


def _placement(node: Any) -> str:
    """Where a head-only element sits: "head", "body", or "other" (inside svg, noscript or
    template, where it is not a document-level element)."""
    parent = node.parent
    for _ in range(1000):
        if parent is None:
            return "other"
        tag = parent.tag
        if tag == "head":
            return "head"
        if tag == "body":
            return "body"
        if tag in ("svg", "noscript", "template"):
            return "other"
        parent = parent.parent
    return "other"


def scan_head(text: str) -> tuple[str | None, int, int]:
    """(breaker, start, end): the first start tag inside <head> that is not allowed there and
    so ends it early (None when the head ends normally with </head> or <body>), and the
    character span of the head. Reads the source as browsers do with scripting on (noscript,
    script, style and title contents are text), so a tracking pixel's
    `<noscript><img></noscript>` does not count."""
    opened = _HEAD_OPEN.search(text, 0, HEAD_SCAN_CHARS)
    start = pos = opened.end() if opened else 0
    end = min(len(text), HEAD_SCAN_CHARS)
    lowered: str | None = None
    for _ in range(5000):
        match = _TAG_START.search(text, pos, end)
        if match is None:
            return None, start, end
        if match.group(0) == "<!--":
            close = text.find("-->", match.end(), end)
            if close < 0:
                return None, start, end
            pos = close + 3
            continue
        name = match.group(2).lower()
        if match.group(1):
            if name == "head":
                return None, start, match.start()
            pos = match.end()
            continue
        if name == "body":
            return None, start, match.start()
        if name not in _HEAD_ELEMENTS:
            return name[:40], start, match.start()
        pos = match.end()
        if name in _RAW_TEXT_ELEMENTS:
            if lowered is None:
                lowered = text[:end].lower()
            close = lowered.find("</" + name, pos)
            if close < 0:
                return None, start, end
            pos = close
    return None, start, pos


def _word_starts(visible: bytes) -> Any:
    """Offsets of the spaces of whitespace-normalized text (one between words)."""
    return np.flatnonzero(np.frombuffer(visible, dtype=np.uint8) == 32)


def simhash(visible: bytes, spaces: Any = None) -> int:
    """64-bit SimHash (Charikar; Manku et al. use it for near-duplicate web pages) of
    whitespace-normalized text: pages whose fingerprints differ in at most a few bits are near
    duplicates. Features are word 3-shingles, each word represented by its first 8 bytes, with
    a content-defined 1-in-4 sample of them (an edit changes the same features wherever it
    sits). Vectorised: about 0.15 ms for a 9,000-word page, 0 when under SIMHASH_MIN_WORDS.
    `spaces` are the text's space offsets when the caller has them already."""
    if spaces is None:
        spaces = _word_starts(visible)
    if len(spaces) + 1 < SIMHASH_MIN_WORDS:
        return 0
    starts = np.empty(len(spaces) + 1, dtype=np.intp)
    starts[0] = 0
    starts[1:] = spaces + 1
    padded = visible + bytes(8)
    # An unaligned 8-byte window at every byte offset (no copy), read at word starts.
    windows = np.ndarray((len(visible) + 1,), dtype="<u8", buffer=padded, strides=(1,))
    words = windows[starts]
    hashes = words[:-2] * _SHINGLE_K[0]
    hashes ^= words[1:-1] * _SHINGLE_K[1]
    hashes ^= words[2:] * _SHINGLE_K[2]
    # splitmix64 finaliser: spreads every input bit over all 64 output bits.
    hashes ^= hashes >> np.uint64(30)
    hashes *= np.uint64(0xBF58476D1CE4E5B9)
    hashes ^= hashes >> np.uint64(27)
    hashes *= np.uint64(0x94D049BB133111EB)
    hashes ^= hashes >> np.uint64(31)
    sample = hashes[(hashes & np.uint64(3)) == 0]
    if len(sample) < SIMHASH_MIN_WORDS // 2:
        sample = hashes
    bits = np.unpackbits(sample.view(np.uint8)).reshape(-1, 64)
    ones = bits.sum(axis=0, dtype=np.int32)
    return int.from_bytes(np.packbits(ones * 2 > len(sample)).tobytes(), "big")


def _visible_text_stats(tree: LexborHTMLParser) -> tuple[int, int, str, int]:
    """(word count, bytes, hash, SimHash) of the body's visible text, whitespace-normalized.

    Works on UTF-8 bytes: splitting or lower-casing a non-ASCII str costs several times more,
    and byte-level lower-casing (ASCII letters) is enough for exact-duplicate detection. The
    text is lower-cased before counting bytes, which does not change its length.
    """
    tree.strip_tags(_NOT_VISIBLE, recursive=True)
    body_node = tree.body
    if body_node is None:
        return 0, 0, "", 0
    text = body_node.text(separator=" ", strip=True, skip_empty=True)
    if "\xa0" in text:
        text = text.replace("\xa0", " ")
    visible = text.encode("utf-8", "replace").translate(_NORMALIZE_TEXT)
    while b"  " in visible:
        visible = visible.replace(b"  ", b" ")
    visible = visible.strip()
    if not visible:
        return 0, 0, "", 0
    digest = hashlib.sha1(visible, usedforsecurity=False).hexdigest()
    # Words are separated by exactly one space now: the simhash's space offsets count them.
    spaces = _word_starts(visible)
    return len(spaces) + 1, len(visible), digest, simhash(visible, spaces)


def _header_links(fetch: FetchResult) -> list[tuple[str, list[str], str | None]]:
    """(target, rel tokens, hreflang) for each entry of the HTTP Link headers."""
    found = []
    for value in fetch.header_all("link"):
        for match in _LINK_HEADER.finditer(value[:16384]):
            params = match.group(2)
            rel = _REL_PARAM.search(params)
            if rel is None:
                continue
            lang = _HREFLANG_PARAM.search(params)
            found.append((match.group(1).strip(), (rel.group(1) or rel.group(2) or "").lower().split(),
                          (lang.group(1) or lang.group(2)).strip() if lang else None))
    return found


def parse_page(fetch: FetchResult, body: bytes, *, start_host: str,
               include_subdomains: bool = False, geo: bool = True) -> PageFacts:
    """Parse an HTML body into `PageFacts`; never raises on any content. Without `geo` the
    content signals (`PageFacts.content`, read only by GEO checks) are not computed."""
    page_url = _page_url(fetch)
    try:
        decoded = decode_body(body, fetch.content_type)
    except Exception:  # noqa: BLE001 - decoding is defensive already; this is the last net
        decoded = DecodedBody(body.decode("cp1252", "replace"), "cp1252", True, None, "default",
                              None, False)
    try:
        return _extract(fetch, body, decoded, page_url, start_host, include_subdomains, geo)
    except Exception as exc:  # noqa: BLE001 - a parser bug must cost one page, not the crawl
        return PageFacts(url=page_url, encoding=decoded.encoding,
                         encoding_errors=decoded.errors, declared_charset=decoded.declared,
                         charset_position=decoded.meta_position, html_bytes=len(body),
                         charset_source=decoded.source,
                         unparseable=f"parser_error: {type(exc).__name__}: {exc}"[:200])


def _extract(fetch: FetchResult, body: bytes, decoded: DecodedBody, page_url: str,
             start_host: str, include_subdomains: bool, geo: bool) -> PageFacts:
    text = decoded.text
    unparseable = unparseable_reason(text)
    limit = parse_limit(text)
    if limit is not None:
        source: str | bytes = text[:limit[0]]
    else:
        # Clean UTF-8 bytes go in as they are: Lexbor would re-encode a str to UTF-8 anyway.
        source = body if decoded.is_clean_utf8 else text
    tree = LexborHTMLParser(source, options=LexborDocumentOptions.WO_EVENTS)

    resolver = HrefResolver(page_url, start_host, include_subdomains)
    header_resolver = resolver
    base_href = None
    # <base> belongs in <head>; searching only there keeps this query cheap.
    base_node = tree.head.css_first("base[href]") if tree.head is not None else None
    if base_node is not None:
        raw_base = base_node.attributes.get("href") or ""
        try:
            base_href = resolve_href(page_url, raw_base)
            resolver = HrefResolver(base_href, start_host, include_subdomains)
        except InvalidURL:
            base_href = raw_base[:RAW_HREF_LIMIT]

    links: list[LinkFact] = []
    links_dropped = 0
    images: list[tuple[int, ImageFact]] = []
    titles: list[str] = []
    descriptions: list[str] = []
    meta_robots: list[tuple[str, str]] = []
    canonical_tags: list[str] = []
    canonical_urls: list[str] = []
    hreflangs: list[tuple[str, str]] = []
    headings: list[Heading] = []
    json_ld: list[JsonLdBlock] = []
    open_graph: list[tuple[str, str]] = []
    twitter: list[tuple[str, str]] = []
    viewport = meta_refresh = None
    forms: list[tuple[str, str]] = []
    plugins = 0
    deprecated: dict[str, None] = {}
    in_body: list[str] = []
    body_canonicals: list[tuple[str, str]] = []
    reader = ContentReader()
    content_nodes, content_tags = reader.nodes.append, reader.tags.append

    root_node = tree.root
    nodes = [node for node in root_node.traverse() if node.tag in WANTED_TAGS] \
        if root_node is not None else []
    if len(nodes) > MAX_ELEMENTS:
        links_dropped += len(nodes) - MAX_ELEMENTS
        nodes = nodes[:MAX_ELEMENTS]
    for node in nodes:
        tag = node.tag
        if tag == "a":
            attrs = node.attributes
            raw = _attr(attrs, "href")
            if raw is None and ("name" in attrs or "id" in attrs) and "onclick" not in attrs:
                continue  # a fragment target (<a name=...>), not a link
            if raw is None and (attrs.get("role") or "link").strip().lower() != "link":
                continue  # <a role="button"> without href is a button, not a link
            if len(links) >= MAX_LINKS:
                links_dropped += 1
                continue
            anchor = _norm(node.text(separator=" "))
            if not anchor:
                img = node.css_first("img[alt]")
                if img is not None:
                    anchor = _norm(img.attributes.get("alt") or "")
                if not anchor:  # an icon link named for assistive tech and search engines
                    anchor = _norm(attrs.get("aria-label") or attrs.get("title") or "")
                if not anchor:
                    anchor = _accessible_name(tree, node, attrs)
            link = resolver.link(raw, "a", anchor[:ANCHOR_LIMIT], attrs.get("rel"))
            links.append(link)
            reader.add_link(node, link)
        elif tag == "img":
            attrs = node.attributes
            src = _attr(attrs, "src")
            url = ""
            if src is not None and len(links) < MAX_LINKS:
                link = resolver.link(src, "img")
                url = link.url
                links.append(link)
            if len(images) < MAX_IMAGES:
                alt = _attr(attrs, "alt")
                role = (attrs.get("role") or "").strip().lower()
                hidden = (attrs.get("aria-hidden") or "").strip().lower() == "true" \
                    or "hidden" in attrs or _tracking_pixel(attrs)
                images.append((node.mem_id, ImageFact(
                    url or (src or attrs.get("data-src") or "")[:RAW_HREF_LIMIT],
                    alt[:TEXT_LIMIT] if alt is not None else None,
                    attrs.get("width"), attrs.get("height"), attrs.get("loading"),
                    decorative=hidden or role in ("presentation", "none"))))
        elif tag == "meta":
            attrs = node.attributes
            content = attrs.get("content") or ""
            name = attrs.get("name")
            prop = attrs.get("property")
            if name:
                name = name.strip().lower()
                if (name == "description" or name == "viewport" or name in ROBOTS_META_NAMES) \
                        and "itemprop" not in attrs and node.parent.tag != "head" \
                        and _placement(node) == "body":
                    in_body.append("meta:" + ("robots" if name in ROBOTS_META_NAMES else name))
                if name == "description":
                    descriptions.append(_norm(content)[:TEXT_LIMIT])
                elif name == "viewport":
                    viewport = viewport if viewport is not None else content[:TEXT_LIMIT]
                elif name in ROBOTS_META_NAMES or name.endswith("bot"):
                    meta_robots.append((name[:100], content.strip()[:TEXT_LIMIT]))
                elif name.startswith("twitter:"):
                    twitter.append((name[:100], content[:TEXT_LIMIT]))
                elif name.startswith("og:") and not prop:
                    open_graph.append((name[:100], content[:TEXT_LIMIT]))
                elif name == "author":
                    reader.meta.append((name, content[:TEXT_LIMIT]))
            if prop:
                prop = prop.strip().lower()
                if prop.startswith("og:"):
                    open_graph.append((prop[:100], content[:TEXT_LIMIT]))
                elif prop.startswith("article:"):
                    reader.meta.append((prop[:100], content[:TEXT_LIMIT]))
                elif prop.startswith("twitter:") and not name:
                    twitter.append((prop[:100], content[:TEXT_LIMIT]))
            equiv = attrs.get("http-equiv")
            if equiv and meta_refresh is None and equiv.strip().lower() == "refresh":
                meta_refresh = content.strip()[:TEXT_LIMIT]
        elif tag in _HEADINGS:
            heading = _norm(node.text(separator=" "))
            if not heading:
                img = node.css_first("img[alt]")
                heading = _norm(img.attributes.get("alt") or "") if img is not None else ""
            headings.append(Heading(_HEADINGS[tag], heading[:HEADING_LIMIT]))
            if tag == "h1":
                content_nodes(node)
                content_tags(tag)
        elif tag == "link":
            attrs = node.attributes
            rel = attrs.get("rel")
            if not rel:
                continue
            tokens = rel.lower().split()
            raw = _attr(attrs, "href")
            if len(links) >= MAX_LINKS:
                links_dropped += 1
                continue
            outside_head = False
            if ("canonical" in tokens or ("alternate" in tokens and "hreflang" in attrs)) \
                    and node.parent.tag != "head" and _placement(node) == "body":
                outside_head = True
                in_body.append("link:canonical" if "canonical" in tokens else "link:hreflang")
            if "canonical" in tokens:
                link = resolver.link(raw, "canonical")
                links.append(link)
                if outside_head:
                    # Outside <head>: Google ignores it, unless only our parser (scripting off)
                    # moved it there; decided once the head has been scanned, below.
                    body_canonicals.append(((raw or "")[:MAX_HREF_LENGTH], link.url))
                else:
                    canonical_tags.append((raw or "")[:MAX_HREF_LENGTH])
                    canonical_urls.append(link.url)
            if "alternate" in tokens and "hreflang" in attrs:
                lang = (attrs.get("hreflang") or "").strip()[:35]
                link = resolver.link(raw, "hreflang", hreflang=lang)
                hreflangs.append((lang, link.url))
                links.append(link)
            if "stylesheet" in tokens and raw is not None:
                links.append(resolver.link(raw, "css"))
        elif tag == "script":
            attrs = node.attributes
            src = attrs.get("src")
            if src is not None and len(links) < MAX_LINKS:
                links.append(resolver.link(src, "script"))
            kind = attrs.get("type")
            if kind and len(json_ld) < JSON_LD_MAX_BLOCKS \
                    and kind.strip().lower().startswith("application/ld+json"):
                json_ld.append(_json_ld(node.text()))
        elif tag == "title":
            parent = node.parent
            if (parent is None or parent.tag != "head") and _in_svg(node):
                continue  # an SVG <title> is a tooltip, not the document title
            if parent is not None and parent.tag != "head" and _placement(node) == "body":
                in_body.append("title")
            titles.append(_norm(node.text())[:TEXT_LIMIT])
        elif tag == "iframe":
            src = node.attributes.get("src")
            if src is not None and len(links) < MAX_LINKS:
                links.append(resolver.link(src, "iframe"))
        elif tag == "form":
            attrs = node.attributes
            action = attrs.get("action")
            method = (attrs.get("method") or "get").strip().lower()[:10]
            if len(forms) < 100:
                forms.append((resolver.link(action, "form").url if action else "", method))
        elif tag in CONTENT_TAGS:
            content_nodes(node)
            content_tags(tag)
        else:
            if tag in _PLUGINS:
                plugins += 1
            if tag in _DEPRECATED:
                deprecated[tag] = None

    canonical_headers: list[str] = []
    header_canonical_urls: list[str] = []
    header_hreflangs: list[tuple[str, str]] = []
    for target, rels, lang in _header_links(fetch):
        if "canonical" in rels:
            link = header_resolver.link(target, "canonical")
            canonical_headers.append(target[:MAX_HREF_LENGTH])
            header_canonical_urls.append(link.url)
            links.append(link)
        if "alternate" in rels and lang is not None:
            link = header_resolver.link(target, "hreflang", hreflang=lang[:35])
            hreflangs.append((lang[:35], link.url))
            header_hreflangs.append((lang[:35], link.url))
            links.append(link)

    image_facts: tuple[ImageFact, ...] = ()
    if images:
        # Which images sit inside a link: one query instead of walking up from every image.
        linked = {n.mem_id for n in tree.css("a img")} if any(k.kind == "a" for k in links) else set()
        image_facts = tuple(
            ImageFact(img.src, img.alt, img.width, img.height, img.loading, True, img.decorative)
            if mem_id in linked else img for mem_id, img in images)

    root = tree.root
    lang_attr = _attr(root.attributes, "lang") if root is not None and root.tag == "html" else None

    breaker = None
    ignored_canonicals: list[str] = []
    if in_body:
        # Lexbor parses with scripting off, so a <noscript><img> in <head> ends the head for it
        # but not for browsers or Google: only a real breaker in the source counts.
        breaker, head_start, head_end = scan_head(text)
        # Canonicals the source has in <head> beyond those Lexbor also placed there.
        real_head_canonicals = 0 if breaker is not None else max(
            0, len(_CANONICAL_TAG.findall(text, head_start, head_end)) - len(canonical_tags))
        for raw_canonical, url in body_canonicals:
            if real_head_canonicals > 0:
                real_head_canonicals -= 1
                canonical_tags.append(raw_canonical)
                canonical_urls.append(url)
            else:
                ignored_canonicals.append(raw_canonical)
        if breaker is None:
            in_body = []
    # A byte search first: the attribute is rare, the CSS query is not free.
    data_nosnippet = len(tree.css("[data-nosnippet]")) if b"data-nosnippet" in body else 0
    microdata_types, rdfa_types, microdata_items = markup_types(tree, body, base_href or page_url)
    if geo:
        reader.read(body)  # before the visible-text pass strips scripts out of the tree
    word_count, visible_bytes, content_hash, fingerprint = _visible_text_stats(tree)
    html_bytes = len(body)

    facts = PageFacts(
        url=page_url,
        encoding=decoded.encoding,
        encoding_errors=decoded.errors,
        declared_charset=decoded.declared,
        charset_position=decoded.meta_position,
        titles=tuple(titles),
        meta_descriptions=tuple(descriptions),
        meta_robots=tuple(meta_robots),
        canonical_tags=tuple(canonical_tags),
        canonical_headers=tuple(canonical_headers),
        hreflangs=tuple(hreflangs),
        headings=tuple(headings),
        links=tuple(links),
        images=image_facts,
        lang=lang_attr.strip()[:100] if lang_attr is not None else None,
        viewport=viewport,
        meta_refresh=meta_refresh,
        base_href=base_href,
        json_ld=tuple(json_ld),
        open_graph=tuple(open_graph),
        twitter=tuple(twitter),
        word_count=word_count,
        text_ratio=min(1.0, visible_bytes / html_bytes) if html_bytes else 0.0,
        content_hash=content_hash,
        html_bytes=html_bytes,
        canonical_urls=tuple(canonical_urls + header_canonical_urls),
        charset_source=decoded.source,
        unparseable=unparseable,
        parse_limit=limit[1] if limit is not None else None,
        links_dropped=links_dropped,
        forms=tuple(forms),
        plugins=plugins,
        deprecated_tags=tuple(deprecated),
        head_elements_in_body=tuple(dict.fromkeys(in_body)),
        head_breaker=breaker,
        simhash=fingerprint,
        header_hreflangs=tuple(header_hreflangs),
        ignored_canonicals=tuple(ignored_canonicals),
        data_nosnippet=data_nosnippet,
        microdata_types=microdata_types,
        rdfa_types=rdfa_types,
        microdata_items=microdata_items,
    )
    if not geo:
        return facts
    # Content signals read the finished facts (word count, headings, JSON-LD, Open Graph).
    # `content` is PageFacts' last field, so the facts are rebuilt from their own values
    # (the pickling tuple) with it set: a quarter of the cost of dataclasses.replace.
    cls, values = facts.__reduce__()
    return cls(*values[:-1], reader.signals(facts))
