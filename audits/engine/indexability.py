"""Is a page indexable, and why not: robots directives, canonicals, status.

`compute_indexability` gives the one-line reason shown in reports ("noindex (meta robots)",
"canonicalised to https://..."); `directive_sources` tells which meta tag or header carries
a robots directive.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from dateutil import parser as date_parser

from .types import FetchResult, PageFacts

_DIRECTIVE_SPLIT = re.compile(r"[,;\s]+")
_UA_SCOPED = re.compile(r"\s*([A-Za-z][A-Za-z0-9_\-]*)\s*:(.*)", re.DOTALL)
#: X-Robots-Tag directives that carry a ":" value, so "max-snippet: 5" is not a user agent.
_VALUE_DIRECTIVES = frozenset({"unavailable_after", "max-snippet", "max-image-preview",
                               "max-video-preview"})


def _has_directive(content: str, directive: str) -> bool:
    tokens = {token.split(":", 1)[0] for token in _DIRECTIVE_SPLIT.split(content.lower()) if token}
    return directive in tokens or ("none" in tokens and directive in ("noindex", "nofollow"))


def robots_directive_values(fetch: FetchResult, facts: PageFacts | None, *,
                            robots_token: str) -> list[tuple[str, str]]:
    """(source, directives) of every robots meta tag and X-Robots-Tag header that applies to us
    or Googlebot: "meta robots", "meta googlebot", "X-Robots-Tag", "X-Robots-Tag (googlebot)".
    Values scoped to other crawlers ("otherbot: noindex") are left out; a value directive
    ("max-snippet: 5", "unavailable_after: ...") is not mistaken for a crawler name."""
    agents = {"googlebot", robots_token.lower()}
    found: list[tuple[str, str]] = []
    if facts is not None:
        found.extend((f"meta {name}", content) for name, content in facts.meta_robots
                     if name == "robots" or name in agents)
    for value in fetch.header_all("x-robots-tag"):
        scoped = _UA_SCOPED.match(value)
        source = "X-Robots-Tag"
        if scoped is not None:
            agent = scoped.group(1).lower()
            if agent not in _VALUE_DIRECTIVES:
                if agent not in agents:
                    continue  # "otherbot: noindex" is not for us
                source = f"X-Robots-Tag ({agent})"
                value = scoped.group(2)
        found.append((source, value))
    return found


def directive_sources(fetch: FetchResult, facts: PageFacts | None, directive: str, *,
                      robots_token: str) -> list[str]:
    """Where `directive` (noindex, nofollow, ...) applies to us or Google ("none" counts as
    both noindex and nofollow); see robots_directive_values."""
    return list(dict.fromkeys(
        source for source, value in robots_directive_values(fetch, facts, robots_token=robots_token)
        if _has_directive(value, directive)))


#: Time zone names Google's examples use in unavailable_after dates (RFC 850 style).
_TZ_NAMES = {name: hours * 3600 for name, hours in {
    "UTC": 0, "GMT": 0, "Z": 0, "EST": -5, "EDT": -4, "CST": -6, "CDT": -5, "MST": -7,
    "MDT": -6, "PST": -8, "PDT": -7, "CET": 1, "CEST": 2}.items()}
_UNAVAILABLE_AFTER = re.compile(r"unavailable_after\s*:\s*([^,;]+(?:,[^,;:]+)?)", re.IGNORECASE)


def unavailable_after(fetch: FetchResult, facts: PageFacts | None, *,
                      robots_token: str) -> datetime | None:
    """The earliest `unavailable_after` date (meta robots / googlebot / ours, or X-Robots-Tag)
    that applies to us or Google; None when absent or unparseable. Google drops the page from
    its results after that date."""
    dates = []
    for _, value in robots_directive_values(fetch, facts, robots_token=robots_token):
        for match in _UNAVAILABLE_AFTER.finditer(value[:1000]):
            try:
                when = date_parser.parse(match.group(1).strip(), fuzzy=False, tzinfos=_TZ_NAMES)
            except (ValueError, OverflowError):
                continue
            dates.append(when if when.tzinfo else when.replace(tzinfo=UTC))
    return min(dates) if dates else None


def resolved_canonical(facts: PageFacts) -> str | None:
    """The page's canonical URL: the first valid one (HTML tags before HTTP headers)."""
    for url in facts.canonical_urls:
        if url:
            return url
    return None


def effective_canonical(facts: PageFacts) -> str | None:
    """The canonical a search engine would follow: None when absent or when several
    different ones conflict (Google then ignores them all)."""
    valid = [url for url in facts.canonical_urls if url]
    if not valid or any(url != valid[0] for url in valid):
        return None
    return valid[0]


def compute_indexability(fetch: FetchResult, facts: PageFacts | None, *, robots_allowed: bool,
                         robots_token: str) -> tuple[bool, str]:
    """(indexable, reason): reason is "" for an indexable page, else a short explanation such
    as "noindex (meta robots)" or "canonicalised to https://..."."""
    if fetch.error == "robots_blocked" or not robots_allowed:
        return False, "blocked by robots.txt"
    if fetch.error:
        return False, f"fetch error: {fetch.error}"
    if fetch.redirect_chain:
        return False, f"redirects to {fetch.final_url}"
    if fetch.status != 200:
        return False, f"HTTP {fetch.status}"
    if not fetch.is_html:
        return False, "not HTML"
    noindex = directive_sources(fetch, facts, "noindex", robots_token=robots_token)
    if noindex:
        return False, f"noindex ({noindex[0]})"
    expiry = unavailable_after(fetch, facts, robots_token=robots_token)
    if expiry is not None and expiry < datetime.now(UTC):
        return False, f"unavailable_after {expiry.date().isoformat()} has passed"
    if facts is None:
        return False, "not analysed: body over the size cap" if fetch.truncated else "not analysed"
    if facts.unparseable:
        return False, f"not parseable as HTML ({facts.unparseable.split(':', 1)[0]})"
    canonical = effective_canonical(facts)
    if canonical and canonical != facts.url:
        return False, f"canonicalised to {canonical}"
    return True, ""
