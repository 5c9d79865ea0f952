"""Citations in the order an engine gave them: cleaned, deduplicated, numbered 1..n."""

from __future__ import annotations

import re
from collections.abc import Iterable
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from audits.engine.urls import InvalidURL, host_of, normalize_url

from .base import Citation

# Tracking parameters engines append to the links they cite (OpenAI adds utm_source=openai).
_TRACKING_PREFIXES = ("utm_",)
# http(s) URLs in prose: stop at whitespace, quotes, angle brackets and markdown/link closers.
_URL_IN_TEXT = re.compile(r"https?://[^\s<>\"'`\])}|]+", re.IGNORECASE)
_TRAILING = ".,;:!?*_~"


def clean_url(url: str) -> str | None:
    """The normalized http(s) URL without tracking parameters, or None when it is not one."""
    try:
        url = normalize_url(url)
    except InvalidURL:
        return None
    parts = urlsplit(url)
    if "utm_" in parts.query.lower():
        query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
                 if not k.lower().startswith(_TRACKING_PREFIXES)]
        url = urlunsplit(parts._replace(query=urlencode(query, doseq=True)))
    return url


def numbered(sources: Iterable[tuple[str, str, str]]) -> tuple[Citation, ...]:
    """Citations from (url, title, domain) in first-seen order: a URL cited twice keeps its
    first position (and the first non-empty title); positions are 1..n without gaps."""
    seen: dict[str, int] = {}
    rows: list[list[str]] = []
    for url, title, domain in sources:
        cleaned = clean_url(url or "")
        if cleaned is None:
            continue
        if cleaned in seen:
            row = rows[seen[cleaned]]
            row[1] = row[1] or (title or "").strip()
            continue
        seen[cleaned] = len(rows)
        rows.append([cleaned, (title or "").strip(), (domain or "").strip().lower()])
    return tuple(Citation(url=url, title=title, position=i, domain=domain)
                 for i, (url, title, domain) in enumerate(rows, start=1))


def urls_in_text(text: str) -> list[str]:
    """http(s) URLs written in `text`, in order, trailing punctuation stripped; a closing
    parenthesis stays when the URL opened one (https://en.wikipedia.org/wiki/Foo_(bar))."""
    found: list[str] = []
    for match in _URL_IN_TEXT.finditer(text or ""):
        url = match.group(0)
        end = match.end()
        # The character class stops at ')': take it back when the URL has an unbalanced '('.
        while end < len(text) and text[end] == ")" and url.count("(") > url.count(")"):
            url += ")"
            end += 1
        url = url.rstrip(_TRAILING)
        if url.count(")") > url.count("("):
            url = url.rstrip(")")
        found.append(url)
    return found


def host(url: str) -> str:
    """Host of a URL (lower-case, no port); empty when it has none."""
    cleaned = clean_url(url)
    return host_of(cleaned) if cleaned else ""
