"""Turn an HTML body into text: find the character encoding the way browsers do, then decode.

Order (HTML Standard, "determining the character encoding"): a byte-order mark, then the
HTTP Content-Type charset, then a `<meta charset>` / `http-equiv` declaration near the start,
else a guess: strict UTF-8 first (by far the most common), then charset-normalizer on a bounded
prefix, else windows-1252 (the browsers' default for undeclared legacy pages). Decoding never
raises: invalid bytes become U+FFFD and are reported as `errors`.
"""

from __future__ import annotations

import codecs
import re
from dataclasses import dataclass

#: Browsers only honour a <meta charset> within the first 1024 bytes; we look a little further
#: so a late declaration can be reported instead of silently ignored.
META_SCAN_BYTES = 2048
#: The HTML Standard's prescan limit: declarations beyond it are ignored by browsers.
META_PRESCAN_LIMIT = 1024
#: charset-normalizer is slow on large inputs; a prefix is enough to guess.
DETECT_PREFIX_BYTES = 32 * 1024

_HTTP_CHARSET = re.compile(r"""charset\s*=\s*["']?\s*([^"';,\s]+)""", re.IGNORECASE)
_META_CHARSET = re.compile(rb"""<meta[^>]{0,512}?charset\s*=\s*["']?\s*([A-Za-z0-9_.:\-]{1,40})""",
                           re.IGNORECASE)

# WHATWG Encoding Standard label mappings that differ from Python's codec names: browsers read
# these labels as the superset encoding, so decoding with the narrow codec would invent errors.
_LABEL_ALIASES = {
    "iso-8859-1": "cp1252", "iso8859-1": "cp1252", "latin1": "cp1252", "latin-1": "cp1252",
    "l1": "cp1252", "ascii": "cp1252", "us-ascii": "cp1252", "iso_8859-1": "cp1252",
    "windows-1252": "cp1252", "x-cp1252": "cp1252", "cp819": "cp1252", "ibm819": "cp1252",
    "iso-8859-9": "cp1254", "latin5": "cp1254", "iso-8859-11": "cp874", "tis-620": "cp874",
    "gb2312": "gb18030", "gbk": "gb18030", "x-gbk": "gb18030", "chinese": "gb18030",
    "shift_jis": "cp932", "shift-jis": "cp932", "sjis": "cp932", "x-sjis": "cp932",
    "windows-31j": "cp932", "euc-kr": "cp949", "ks_c_5601-1987": "cp949", "korean": "cp949",
    "big5": "big5hkscs", "x-x-big5": "big5hkscs", "unicode-1-1-utf-8": "utf-8", "utf8": "utf-8",
    "x-unicode20utf8": "utf-8",
}
_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)


@dataclass(frozen=True, slots=True)
class DecodedBody:
    text: str
    #: Python codec name used to decode ("utf-8", "cp1252", ...).
    encoding: str
    #: True when some bytes were invalid in that encoding (replaced by U+FFFD).
    errors: bool
    #: The charset label the page declared (HTTP header wins over <meta>), lower-cased.
    declared: str | None
    #: Where the encoding came from: bom, http, meta, detected, default.
    source: str
    #: Byte offset of the <meta> charset declaration, None when there is none.
    meta_position: int | None
    #: True when `text` decodes the body as UTF-8 without any change (lets the parser take the
    #: original bytes and skip re-encoding).
    is_clean_utf8: bool


def codec_for(label: str | None) -> str | None:
    """Python codec name for a charset label, or None when unknown or not a text encoding."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    label = _LABEL_ALIASES.get(label, label)
    try:
        info = codecs.lookup(label)
    except (LookupError, ValueError):
        return None
    # base64, rot13, zlib ... are codecs too; a page must not pick one of them.
    if not getattr(info, "_is_text_encoding", True):
        return None
    return info.name


def http_charset(content_type: str) -> str | None:
    """The charset parameter of a Content-Type value, lower-cased, or None."""
    if "charset" not in content_type.lower():
        return None
    match = _HTTP_CHARSET.search(content_type)
    return match.group(1).strip().lower() if match else None


def meta_charset(body: bytes) -> tuple[str | None, int | None]:
    """(label, byte offset) of the first <meta> charset declaration in the first 2 KB."""
    head = body[:META_SCAN_BYTES]
    if b"charset" not in head and b"CHARSET" not in head and b"Charset" not in head:
        return None, None
    match = _META_CHARSET.search(head)
    if not match:
        return None, None
    label = match.group(1).decode("ascii", "replace").lower()
    return label, match.start()


def _decode(body: bytes, codec: str) -> tuple[str, bool]:
    try:
        return body.decode(codec), False
    except UnicodeDecodeError:
        return body.decode(codec, "replace"), True
    except (LookupError, ValueError):  # a codec that refuses this input entirely
        return body.decode("cp1252", "replace"), True


def _detect(body: bytes) -> str | None:
    try:
        from charset_normalizer import from_bytes
    except ImportError:  # optional at runtime; windows-1252 is the browsers' own fallback
        return None
    try:
        best = from_bytes(body[:DETECT_PREFIX_BYTES]).best()
    except Exception:  # noqa: BLE001 - a guesser failing must not fail the page
        return None
    return codec_for(best.encoding) if best is not None else None


def decode_body(body: bytes, content_type: str = "") -> DecodedBody:
    """Decode an HTML body following the browsers' precedence; never raises."""
    declared_http = http_charset(content_type)
    declared_meta, meta_pos = meta_charset(body)
    declared = declared_http or declared_meta

    for bom, codec in _BOMS:
        if body.startswith(bom):
            text, errors = _decode(body[len(bom):], codec)
            return DecodedBody(text, codec, errors, declared or codec, "bom", meta_pos, False)

    codec = codec_for(declared_http)
    source = "http"
    if codec is None:
        codec = codec_for(declared_meta)
        source = "meta"
        # A <meta> that claims UTF-16 cannot be right (it was readable as ASCII): the Standard
        # says to use UTF-8 instead.
        if codec is not None and codec.startswith("utf-16"):
            codec = "utf-8"
    if codec is not None:
        text, errors = _decode(body, codec)
        return DecodedBody(text, codec, errors, declared, source, meta_pos,
                           codec == "utf-8" and not errors)

    try:
        return DecodedBody(body.decode("utf-8"), "utf-8", False, declared, "default",
                           meta_pos, True)
    except UnicodeDecodeError:
        pass
    codec = _detect(body) or "cp1252"
    text, errors = _decode(body, codec)
    return DecodedBody(text, codec, errors, declared, "detected", meta_pos, False)
