"""URL hygiene: how readable, stable and duplicate-free a page's own URL is.

Judged on the normalized URL of HTML pages that were fetched with status 200 and no redirect
(a redirecting URL is reported by the redirect checks, and its target is judged on its own).
Normalization upper-cases percent-escapes and escapes what browsers escape, so non-ASCII
characters and spaces show up here as %XX sequences.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qsl, unquote_to_bytes, urlsplit

from ..types import Severity
from .common import html_facts
from .registry import PageContext, page_check

REF_URL_STRUCTURE = "https://developers.google.com/search/docs/crawling-indexing/url-structure"
#: Screaming Frog's default for "URL over 115 characters"; longer URLs are cut in search
#: results and hard to read, quote or share.
URL_MAX_CHARS = 115
#: More query parameters than this usually mean tracking or faceted-navigation combinations.
MAX_QUERY_PARAMETERS = 3
#: Query parameters that carry nothing but a session (any non-empty value).
SESSION_PARAMETERS = frozenset({
    "phpsessid", "jsessionid", "sessionid", "session_id", "sessid", "aspsessionid",
    "cfid", "cftoken", "oscsid", "zenid", "sess_id",
})
#: Ambiguous names ("sid" can be a site or store id): flagged only with a token-like value.
TOKEN_SESSION_PARAMETERS = frozenset({"sid", "s_id", "sess"})
_TOKEN = re.compile(r"[A-Za-z0-9_-]{16,}")
_PERCENT_ESCAPE = re.compile(r"%[0-9A-Fa-f]{2}")
_NON_ASCII_ESCAPE = re.compile(r"%[89A-Fa-f][0-9A-Fa-f]")
#: ASP.NET cookieless sessions put the id in a path segment: /(S(abc...))/page.aspx.
_ASPNET_COOKIELESS = re.compile(r"/\([A-Z]\([A-Za-z0-9]{16,}\)\)", re.IGNORECASE)


def _path(page: PageContext) -> str | None:
    """The path of a crawled HTML page's own URL (None for pages these checks skip)."""
    if html_facts(page) is None:
        return None
    return urlsplit(page.url).path


@page_check(
    "seo.url.uppercase", category="url", severity=Severity.NOTICE,
    title="Uppercase letters in URL path",
    why="URL paths are case-sensitive: /About and /about are different URLs to search "
        "engines, so mixed case invites duplicate pages and broken links when someone types "
        "or links the URL in another case.",
    fix="Use lower-case paths and 301-redirect the mixed-case URLs to them; update internal "
        "links.",
    reference=REF_URL_STRUCTURE)
def url_uppercase(page: PageContext) -> dict[str, Any] | None:
    """The path (percent-escapes aside) contains A-Z. The host and query are not judged."""
    path = _path(page)
    if not path:
        return None
    bare = _PERCENT_ESCAPE.sub("", path) if "%" in path else path
    if bare == bare.lower():
        return None
    return {"path": path[:300]}


@page_check(
    "seo.url.underscores", category="url", severity=Severity.NOTICE,
    title="Underscores in URL path",
    why="Google recommends hyphens rather than underscores to separate words in URLs: "
        "hyphens make the words easier for people and search engines to tell apart.",
    fix="Use hyphens in new URLs (/summer-clothing). Renaming existing URLs costs redirects, "
        "so do it only together with other URL changes.",
    reference=REF_URL_STRUCTURE)
def url_underscores(page: PageContext) -> dict[str, Any] | None:
    """The path contains "_"."""
    path = _path(page)
    return {"path": path[:300]} if path and "_" in path else None


@page_check(
    "seo.url.too_long", category="url", severity=Severity.NOTICE,
    title=f"URL longer than {URL_MAX_CHARS} characters",
    why="Long URLs are cut off in search results and are hard to read, remember and share; "
        "they usually carry parameters or deep folders that add nothing for the visitor.",
    fix="Use short, descriptive paths with a few meaningful words and no unnecessary "
        "parameters or folder levels.",
    reference=REF_URL_STRUCTURE)
def url_too_long(page: PageContext) -> dict[str, Any] | None:
    """The page's normalized URL is longer than URL_MAX_CHARS."""
    if html_facts(page) is None or len(page.url) <= URL_MAX_CHARS:
        return None
    return {"length": len(page.url), "max": URL_MAX_CHARS}


def _session_parameter(name: str, value: str) -> bool:
    key = name.lower()
    if key in SESSION_PARAMETERS:
        return bool(value)
    return key in TOKEN_SESSION_PARAMETERS and bool(_TOKEN.fullmatch(value))


@page_check(
    "seo.url.session_id", category="url", severity=Severity.WARNING,
    title="Session ID in URL",
    why="A session ID in the URL gives every visit, and every crawl, a new URL for the same "
        "page: search engines waste crawl budget on endless duplicates, and shared links can "
        "hand a visitor's session to someone else.",
    fix="Keep sessions in cookies; turn off URL-based sessions (PHP session.use_trans_sid, "
        "Java ;jsessionid URL rewriting, ASP.NET cookieless sessions).",
    reference=REF_URL_STRUCTURE)
def url_session_id(page: PageContext) -> dict[str, Any] | None:
    """A session parameter in the query (phpsessid, jsessionid, sessionid, sid with a token
    value ...), a ;jsessionid= path parameter, or an ASP.NET cookieless /(S(...))/ segment.
    The value itself is not recorded."""
    if html_facts(page) is None:
        return None
    parts = urlsplit(page.url)
    lowered = parts.path.lower()
    if ";jsessionid=" in lowered:
        return {"parameter": "jsessionid", "where": "path"}
    if "/(" in parts.path and _ASPNET_COOKIELESS.search(parts.path):
        return {"parameter": "ASP.NET cookieless session", "where": "path"}
    if not parts.query:
        return None
    for name, value in parse_qsl(parts.query, keep_blank_values=True):
        if _session_parameter(name, value):
            return {"parameter": name[:100], "where": "query", "value_length": len(value)}
    return None


@page_check(
    "seo.url.too_many_parameters", category="url", severity=Severity.NOTICE,
    title=f"More than {MAX_QUERY_PARAMETERS} query parameters",
    why="URLs with many parameters are usually tracking tags or filter and sort combinations; "
        "each combination is a separate URL to crawl, and together they multiply into "
        "duplicate and near-duplicate pages.",
    fix="Keep tracking parameters out of internal links, link to filtered views sparingly, "
        "and point such URLs at the main version with rel=canonical.",
    reference=REF_URL_STRUCTURE)
def url_too_many_parameters(page: PageContext) -> dict[str, Any] | None:
    """The query string holds more than MAX_QUERY_PARAMETERS parameters."""
    if html_facts(page) is None:
        return None
    query = urlsplit(page.url).query
    if query.count("&") + query.count(";") < MAX_QUERY_PARAMETERS:
        return None  # cheap pre-check: fewer separators than the limit
    names = [name for name, _ in parse_qsl(query, keep_blank_values=True)]
    if len(names) <= MAX_QUERY_PARAMETERS:
        return None
    return {"count": len(names), "max": MAX_QUERY_PARAMETERS,
            "parameters": [name[:100] for name in names[:20]]}


@page_check(
    "seo.url.non_ascii", category="url", severity=Severity.NOTICE,
    title="Non-ASCII characters in URL path",
    why="Characters outside ASCII travel percent-encoded (/caf%C3%A9). Google handles UTF-8 "
        "URLs, but the encoded form is what many tools, emails and chat apps show, links "
        "break when a system encodes them differently, and bytes that are not valid UTF-8 "
        "turn into garbled addresses.",
    fix="Prefer ASCII words in paths (/cafe); where the language needs other characters, "
        "use UTF-8 consistently and link to one encoded form.",
    reference=REF_URL_STRUCTURE)
def url_non_ascii(page: PageContext) -> dict[str, Any] | None:
    """The path holds percent-escaped bytes of 0x80 and above (non-ASCII characters once
    normalized) or raw non-ASCII characters."""
    path = _path(page)
    if not path or ("%" not in path and path.isascii()):
        return None
    if path.isascii() and not _NON_ASCII_ESCAPE.search(path):
        return None
    raw = unquote_to_bytes(path)
    try:
        decoded = raw.decode("utf-8")
        valid = True
    except UnicodeDecodeError:
        decoded = raw.decode("utf-8", "replace")
        valid = False
    return {"path": path[:300], "decoded": decoded[:200], "valid_utf8": valid}


@page_check(
    "seo.url.double_slash", category="url", severity=Severity.NOTICE,
    title="Double slash in URL path",
    why="An empty path segment (/blog//post) is usually a template joining paths badly. "
        "Most servers answer both forms with the same page, creating duplicate URLs, and "
        "relative links on such pages resolve to unexpected places.",
    fix="Fix the template or link that builds the URL, and 301-redirect the double-slash "
        "form to the single-slash one.",
    reference=REF_URL_STRUCTURE)
def url_double_slash(page: PageContext) -> dict[str, Any] | None:
    """The path contains "//"."""
    path = _path(page)
    return {"path": path[:300]} if path and "//" in path else None


@page_check(
    "seo.url.spaces", category="url", severity=Severity.NOTICE,
    title="Spaces in URL path",
    why="Spaces are not allowed in URLs and travel as %20: links containing them break when "
        "copied into emails or documents, and they are hard to read and type.",
    fix="Use hyphens instead of spaces in file and folder names, and 301-redirect the old "
        "URLs.",
    reference=REF_URL_STRUCTURE)
def url_spaces(page: PageContext) -> dict[str, Any] | None:
    """The path contains an encoded (%20) or raw space."""
    path = _path(page)
    if not path or ("%20" not in path and " " not in path):
        return None
    return {"path": path[:300], "spaces": path.count("%20") + path.count(" ")}
