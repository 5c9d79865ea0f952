"""Safety limits for parsing hostile HTML, checked on the decoded text before Lexbor runs.

Lexbor is linear on ordinary markup but super-linear in two shapes a hostile (or broken) page
can take: block elements nested thousands deep, where every start tag scans the stack of open
elements, and elements with thousands of attributes, where every attribute is compared with
the others. Both are found here with cheap scans, and the document is parsed only up to the
first offending tag. Also here: telling a text/html body that is not HTML at all.
"""

from __future__ import annotations

import re

#: Block elements nested deeper than this end the parsed part (Chromium stops nesting at 512).
MAX_BLOCK_DEPTH = 512
#: Attributes on one element; Lexbor's duplicate-attribute check is quadratic beyond this.
MAX_ATTRIBUTES = 1000
#: Only tags longer than two blocks are examined: a shorter one holds at most ~2,000
#: attributes, which Lexbor parses in a few tens of ms.
_TAG_SCAN_BLOCK = 2048
#: With fewer tags than this the worst-case nesting cost is a few tens of ms: skip the scan.
DEPTH_SCAN_MIN_TAGS = 4000

_QUOTED = re.compile(r""""[^"]*"|'[^']*'""")
_CONTROL = re.compile("[\x00-\x08\x0b\x0e-\x1f\ufffd]")
#: An HTML document's start as browsers sniff it (WHATWG MIME sniffing, "text/html" patterns
#: minus the fragments that also start XML and SVG): optional BOM and whitespace, then a
#: doctype or one of the tags only HTML begins with.
_HTML_START = re.compile(rb"(?:\xef\xbb\xbf)?[\t\n\x0c\r ]*<(?:!doctype html|html|head|body)[\s>]",
                         re.IGNORECASE)
_BLOCK_TAG = re.compile(
    r"<(/?)(?:address|article|aside|blockquote|center|details|dialog|dir|div|dl|fieldset|"
    r"figcaption|figure|footer|header|hgroup|listing|main|menu|nav|ol|pre|search|section|"
    r"summary|ul)(?=[\s/>])", re.IGNORECASE)


def unparseable_reason(text: str) -> str | None:
    """Why a text/html body is not an HTML document, None when it looks like one."""
    if not text or text.isspace():
        return "empty"
    prefix = text[:2048]
    if _CONTROL.search(prefix):
        junk = len(_CONTROL.findall(prefix))
        if junk * 10 > len(prefix):
            return "binary"
    if text.find("<", 0, 65536) == -1:
        return "no_markup"
    return None


def sniffs_as_html(body: bytes) -> bool:
    """True when a body starts like an HTML document, whatever its Content-Type says."""
    return _HTML_START.match(body, 0, 1024) is not None


def nesting_cut(text: str) -> int | None:
    """Offset where block nesting first exceeds MAX_BLOCK_DEPTH, None when it never does."""
    if text.count("<") <= DEPTH_SCAN_MIN_TAGS:
        return None
    depth = 0
    for closing in _BLOCK_TAG.findall(text):  # cheap pass: most large pages stop here
        if closing:
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            if depth > MAX_BLOCK_DEPTH:
                break
    else:
        return None
    depth = 0
    for match in _BLOCK_TAG.finditer(text):
        if match.group(1):
            depth = depth - 1 if depth else 0
        else:
            depth += 1
            if depth > MAX_BLOCK_DEPTH:
                return match.start()
    return None


def oversized_tag(text: str) -> int | None:
    """Offset of the first tag with more than MAX_ATTRIBUTES attributes, None when none.

    Such a tag spans at least one whole block of _TAG_SCAN_BLOCK characters free of "<" and
    ">", so only those blocks are examined: two `find` calls per block on normal pages.
    """
    size = len(text)
    if size < 2 * _TAG_SCAN_BLOCK:
        return None
    find, rfind = text.find, text.rfind
    pos = 0
    while pos < size:
        end = pos + _TAG_SCAN_BLOCK
        if find("<", pos, end) != -1 or find(">", pos, end) != -1:
            pos = end
            continue
        # A run without markup boundaries: inside a tag only if the last boundary was "<".
        start = rfind("<", 0, pos)
        close = find(">", pos)
        if start != -1 and find(">", start, pos) == -1:
            stop = close if close != -1 else size
            if len(_QUOTED.sub("", text[start:stop]).split()) > MAX_ATTRIBUTES:
                return start
            pos = stop
        else:  # text, script or style content: go to the next boundary
            following = find("<", pos)
            pos = min(x for x in (close, following, size) if x != -1)
    return None


def parse_limit(text: str) -> tuple[int, str] | None:
    """(offset, reason) of the first safety limit the document hits, None for normal pages.
    Reasons: "nesting_depth", "attribute_count"."""
    found = [(offset, reason) for offset, reason in (
        (nesting_cut(text), "nesting_depth"), (oversized_tag(text), "attribute_count"))
        if offset is not None]
    return min(found) if found else None
