"""robots.txt (RFC 9309 and Google's reading of it): how the file answered, whether it parses,
its size, and what it blocks (the whole site, or the CSS/JS pages need to render).

All checks are site checks over `SiteView.robots` (None before robots.txt was fetched: then
they stay silent). Blocked linked pages and sitemap URLs have checks of their own in
checks/site.py.
"""

from __future__ import annotations

from collections.abc import Iterator

from ..robots import DISALLOW_ALL, PARSED, RobotsPolicy
from ..site import SiteView
from ..types import Finding, Severity
from ..urls import origin_of
from .common import MAX_EXAMPLES
from .registry import site_check

REF_ROBOTS_SPEC = ("https://developers.google.com/search/docs/crawling-indexing/robots/"
                   "robots_txt")
REF_RFC9309 = "https://www.rfc-editor.org/rfc/rfc9309.html"
#: Google reads the first 500 KiB of robots.txt and ignores the rest (RFC 9309 section 2.5).
ROBOTS_LIMIT_BYTES = 500 * 1024
GOOGLEBOT = "Googlebot"
#: An agent no file names: it gets the `User-agent: *` group (or no rules).
ANY_AGENT = "AnyOtherBot"
#: Reference kinds needed to render a page.
RENDER_KINDS = frozenset({"css", "script"})
_NETWORK_FAILURES = frozenset({"timeout", "connection_error", "connection_refused", "dns", "tls"})


def _answered(robots: RobotsPolicy) -> bool:
    return robots.error is None and robots.status > 0


@site_check(
    "seo.robots.missing", category="crawlability", severity=Severity.NOTICE,
    title="No robots.txt (404)",
    why="Without a robots.txt every URL may be crawled, which is fine for many sites, but "
        "there is no place to keep crawlers out of search, cart or filter URLs or to point "
        "them at the sitemap.",
    fix="Add a /robots.txt (even `User-agent: *` with `Allow: /` and a `Sitemap:` line).",
    reference=REF_ROBOTS_SPEC)
def robots_missing(site: SiteView) -> Iterator[Finding]:
    """robots.txt answered 404 or 410: crawlers treat everything as allowed."""
    robots = site.robots
    if robots is not None and _answered(robots) and robots.status in (404, 410):
        yield Finding("seo.robots.missing", None, {"url": robots.url, "status": robots.status})


@site_check(
    "seo.robots.client_error", category="crawlability", severity=Severity.NOTICE,
    title="robots.txt answers a 4xx error or an unusable redirect",
    why="A robots.txt answering 401, 403 or another 4xx (or redirecting in a loop or to an "
        "invalid URL) counts as unavailable: crawlers treat the whole site as allowed, so "
        "any rules you meant to publish are not applied.",
    fix="Serve robots.txt with status 200 to everyone, crawlers included, from a URL that "
        "redirects at most a few times.",
    reference=REF_ROBOTS_SPEC)
def robots_client_error(site: SiteView) -> Iterator[Finding]:
    """robots.txt answered a 4xx other than 404/410 and 429, or a redirect that could not
    be followed: a loop, too many hops, a bad or missing Location (RFC 9309: "unavailable",
    everything allowed)."""
    robots = site.robots
    if robots is None:
        return
    if _answered(robots) and 300 <= robots.status < 500 and robots.status not in (404, 410, 429):
        # 3xx here is a redirect without a Location header (followed ones end elsewhere).
        yield Finding("seo.robots.client_error", None, {"url": robots.url, "status": robots.status})
    elif robots.error is not None and robots.mode != DISALLOW_ALL:
        yield Finding("seo.robots.client_error", None, {
            "url": robots.url, "status": robots.status, "error": robots.error,
            "detail": robots.error_detail[:300]})


@site_check(
    "seo.robots.server_error", category="crawlability", severity=Severity.ERROR,
    title="robots.txt answers a server error",
    why="When robots.txt answers 5xx (or 429), Google treats the whole site as disallowed and "
        "stops crawling it; if the error lasts more than 30 days it may fall back to the last "
        "good copy or crawl without rules.",
    fix="Make /robots.txt answer 200 (or 404 if you have none); check the server or CDN "
        "rules that produce the error for this path.",
    reference=REF_ROBOTS_SPEC)
def robots_server_error(site: SiteView) -> Iterator[Finding]:
    """robots.txt answered 5xx or 429 (after retries)."""
    robots = site.robots
    if robots is not None and _answered(robots) and (robots.status >= 500 or robots.status == 429):
        yield Finding("seo.robots.server_error", None, {
            "url": robots.url, "status": robots.status, "crawl_blocked": robots.respect})


@site_check(
    "seo.robots.unreachable", category="crawlability", severity=Severity.ERROR,
    title="robots.txt cannot be fetched",
    why="When robots.txt cannot be fetched (timeout, dropped connection), Google treats the "
        "site as fully disallowed and may stop crawling it until the file is reachable again.",
    fix="Make sure /robots.txt answers quickly from every server and location crawlers use; "
        "check firewalls, bot protection and timeouts on this path.",
    reference=REF_ROBOTS_SPEC)
def robots_unreachable(site: SiteView) -> Iterator[Finding]:
    """No response arrived for robots.txt (network failure): RFC 9309 "unreachable"."""
    robots = site.robots
    if robots is not None and robots.error in _NETWORK_FAILURES:
        yield Finding("seo.robots.unreachable", None, {
            "url": robots.url, "error": robots.error, "detail": robots.error_detail[:300],
            "crawl_blocked": robots.respect})


@site_check(
    "seo.robots.invalid_lines", category="crawlability", severity=Severity.WARNING,
    title="robots.txt has invalid lines",
    why="Lines that are not `User-agent`, `Allow`, `Disallow`, `Sitemap` or another known "
        "directive are ignored by crawlers, so the rule they were meant to express is not "
        "applied (Lighthouse fails its robots.txt audit on them).",
    fix="Fix or remove the listed lines: one `field: value` directive per line, comments "
        "after `#`.",
    reference=REF_RFC9309)
def robots_invalid_lines(site: SiteView) -> Iterator[Finding]:
    """The parsed file contains lines that are neither blank, comments nor known directives."""
    robots = site.robots
    if robots is None or robots.mode != PARSED or not robots.invalid_line_count:
        return
    yield Finding("seo.robots.invalid_lines", None, {
        "url": robots.url, "count": robots.invalid_line_count,
        "lines": [{"line": number, "text": text}
                  for number, text in robots.invalid_lines[:MAX_EXAMPLES * 2]]})


@site_check(
    "seo.robots.too_large", category="crawlability", severity=Severity.WARNING,
    title="robots.txt is larger than 500 KiB",
    why="Google reads only the first 500 KiB of robots.txt and ignores the rest, so rules "
        "after that point have no effect.",
    fix="Shorten the file: merge rules with wildcards, remove obsolete lines.",
    reference=REF_ROBOTS_SPEC)
def robots_too_large(site: SiteView) -> Iterator[Finding]:
    """A 200 robots.txt over 500 KiB (size announced or received)."""
    robots = site.robots
    if robots is None or robots.mode != PARSED:
        return
    if robots.truncated or robots.size > ROBOTS_LIMIT_BYTES:
        yield Finding("seo.robots.too_large", None, {
            "url": robots.url, "bytes": robots.size, "limit_bytes": ROBOTS_LIMIT_BYTES})


def _site_blocked(robots: RobotsPolicy, origin: str) -> bool:
    """The root and an arbitrary deep URL are disallowed for Googlebot and for any agent."""
    probes = (origin + "/", origin + "/any-page-7f3a/")
    return all(not robots.allowed_for(url, agent)
               for url in probes for agent in (GOOGLEBOT, ANY_AGENT))


@site_check(
    "seo.robots.disallow_all", category="crawlability", severity=Severity.ERROR,
    title="robots.txt blocks the whole site",
    why="robots.txt disallows every URL for all crawlers (`Disallow: /`), so search engines "
        "cannot crawl any page and the site drops out of search results or shows bare URLs "
        "without descriptions. A leftover from a staging site is the usual cause. When the "
        "audit obeys robots.txt it is blocked too, so only the start URL appears.",
    fix="Remove `Disallow: /` from the `User-agent: *` group (and from the Googlebot group), "
        "keeping only the paths you really want to keep crawlers out of.",
    reference=REF_ROBOTS_SPEC)
def robots_disallow_all(site: SiteView) -> Iterator[Finding]:
    """A parsed robots.txt disallows the root and every path for Googlebot and any agent."""
    robots = site.robots
    if robots is None or robots.mode != PARSED:
        return
    origin = origin_of(robots.url)
    if _site_blocked(robots, origin):
        yield Finding("seo.robots.disallow_all", None, {
            "url": robots.url,
            "crawl_blocked": robots.respect and not robots.allowed(site.start_url)})


@site_check(
    "seo.robots.blocked_resources", category="crawlability", severity=Severity.WARNING,
    title="CSS or JavaScript blocked by robots.txt",
    why="Google renders pages like a browser; stylesheets and scripts it may not fetch can "
        "make pages look broken or empty to it, hurting mobile-friendliness and indexing of "
        "content added by JavaScript.",
    fix="Allow the listed CSS and JavaScript URLs (or their folders) in robots.txt.",
    reference="https://developers.google.com/search/docs/crawling-indexing/robots/intro"
              "#understand-the-limitations-of-a-robots.txt-file")
def robots_blocked_resources(site: SiteView) -> Iterator[Finding]:
    """Internal stylesheets and scripts (on the robots.txt host) disallowed for Googlebot or
    for the audit's own token; one finding with examples and the pages using them."""
    robots = site.robots
    if robots is None or robots.mode != PARSED:
        return
    origin = origin_of(robots.url)
    agents = list(dict.fromkeys((GOOGLEBOT, robots.token or site.options.robots_token)))
    blocked: list[dict[str, object]] = []
    count = 0
    for url, target in site.targets.items():
        kinds = {kind for _, _, kind in target.sources if kind in RENDER_KINDS}
        if not kinds or not url.startswith(origin + "/"):
            continue
        refused = [agent for agent in agents if not robots.allowed_for(url, agent)]
        if not refused:
            continue
        count += 1
        if len(blocked) < MAX_EXAMPLES:
            blocked.append({"url": url, "kind": sorted(kinds)[0], "blocked_for": refused,
                            "used_on": [source for source, _, _ in target.sources][:5]})
    if count:
        yield Finding("seo.robots.blocked_resources", None,
                      {"count": count, "examples": blocked, "robots_url": robots.url})

