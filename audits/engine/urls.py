"""URL normalization and resolution (RFC 3986 section 6 plus the usual crawler conventions).

A URL is normalized once, where it is found, so that every later comparison (dedup, scope,
site-wide graphs) is a plain string comparison.
"""

from __future__ import annotations

import re
from functools import lru_cache
from urllib.parse import urljoin, urlsplit, urlunsplit

DEFAULT_PORTS = {"http": 80, "https": 443}
# RFC 3986 unreserved characters: percent-encodings of these are decoded.
_UNRESERVED = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")
_BAD_HOST_CHARS = frozenset(" <>\"'\\{}|^`%")
_PCT = re.compile(r"%([0-9A-Fa-f]{2})")
# Characters that must be escaped in a path or query but browsers send escaped anyway.
_NEEDS_QUOTE = re.compile(r"[\x00-\x20\x7f-\U0010ffff\"<>\\^`{|}]")


class InvalidURL(ValueError):
    """The text is not an absolute http(s) URL we can crawl."""


def _fix_pct(match: re.Match[str]) -> str:
    char = chr(int(match.group(1), 16))
    return char if char in _UNRESERVED else "%" + match.group(1).upper()


def _quote_unsafe(text: str) -> str:
    if not _NEEDS_QUOTE.search(text):
        return text
    return _NEEDS_QUOTE.sub(lambda m: "".join(f"%{b:02X}" for b in m.group(0).encode("utf-8")), text)


def _remove_dot_segments(path: str) -> str:
    if "." not in path:
        return path
    output: list[str] = []
    segments = path.split("/")
    for i, seg in enumerate(segments):
        if seg == "..":
            if len(output) > 1:
                output.pop()
            if i == len(segments) - 1:
                output.append("")
        elif seg == ".":
            if i == len(segments) - 1:
                output.append("")
        else:
            output.append(seg)
    result = "/".join(output)
    return result if result.startswith("/") else "/" + result


def _normalize_host(host: str) -> str:
    host = host.strip().rstrip(".").lower()
    if not host:
        raise InvalidURL("URL has no host")
    if not host.isascii():
        try:
            host = host.encode("idna").decode("ascii")
        except UnicodeError as exc:
            raise InvalidURL(f"invalid internationalized host {host!r}") from exc
    if any(c in host for c in _BAD_HOST_CHARS):
        raise InvalidURL(f"invalid host {host!r}")
    return host


#: Longest URL (or href) the per-process caches keep. They are bounded in entries, so their
#: bytes grow with URL length: 65,536 cached 2-KB trap URLs held ~300 MB. Real URLs are
#: shorter than this; longer ones are simply computed each time.
CACHED_URL_CHARS = 256


def normalize_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL or raise InvalidURL (cached for
    URLs up to CACHED_URL_CHARS)."""
    if len(url) > CACHED_URL_CHARS:
        return _normalize_url(url)
    return _normalize_url_cached(url)


def _normalize_url(url: str) -> str:
    """Return the canonical form of an absolute http(s) URL or raise InvalidURL.

    Lower-cases scheme and host, converts IDN hosts to punycode, drops default ports and the
    fragment, removes dot segments, upper-cases percent-escapes and decodes unreserved ones,
    escapes characters browsers would escape, and gives an empty path as "/". The query string
    keeps its order (parameter order can matter to a server).
    """
    url = url.strip()
    if len(url) > 16384:
        raise InvalidURL("URL longer than 16384 characters")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise InvalidURL(f"malformed URL: {exc}") from exc
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise InvalidURL(f"unsupported scheme {scheme or '(none)'!r}: only http and https")
    host = parts.hostname
    if not host:
        raise InvalidURL("URL has no host")
    if ":" in host:  # IPv6 literal
        netloc_host = f"[{host.lower()}]"
    else:
        netloc_host = _normalize_host(host)
    netloc = netloc_host if port in (None, DEFAULT_PORTS[scheme]) else f"{netloc_host}:{port}"
    if parts.username or parts.password:
        userinfo = parts.username or ""
        if parts.password:
            userinfo += ":" + parts.password
        netloc = f"{userinfo}@{netloc}"
    path = _PCT.sub(_fix_pct, _quote_unsafe(parts.path)) or "/"
    path = _remove_dot_segments(path)
    query = _PCT.sub(_fix_pct, _quote_unsafe(parts.query))
    return urlunsplit((scheme, netloc, path, query, ""))


_normalize_url_cached = lru_cache(maxsize=65536)(_normalize_url)
normalize_url.cache_clear = _normalize_url_cached.cache_clear  # type: ignore[attr-defined]


def resolve_href(base_url: str, href: str) -> str:
    """Resolve `href` against `base_url` and normalize; raise InvalidURL when not crawlable."""
    href = href.strip()
    if href.startswith(("http://", "https://")):
        return normalize_url(href)
    try:
        joined = urljoin(base_url, href)
    except ValueError as exc:
        raise InvalidURL(f"malformed href: {exc}") from exc
    return normalize_url(joined)


def host_of(url: str) -> str:
    """Host (no port) of an already-normalized URL."""
    netloc = url.split("/", 3)[2]
    netloc = netloc.rsplit("@", 1)[-1]
    if netloc.startswith("["):
        return netloc[: netloc.index("]") + 1]
    return netloc.split(":", 1)[0]


def origin_of(url: str) -> str:
    """scheme://netloc of an already-normalized URL."""
    scheme, _, rest = url.partition("://")
    return f"{scheme}://{rest.split('/', 1)[0]}"


def registrable_suffix(host: str) -> str:
    """A cheap registrable-domain approximation for subdomain scope: the last two labels,
    or three when the second-level label is short (co.uk, com.au)."""
    labels = host.split(".")
    if len(labels) >= 3 and len(labels[-2]) <= 3 and len(labels[-1]) == 2:
        return ".".join(labels[-3:])
    return ".".join(labels[-2:])
