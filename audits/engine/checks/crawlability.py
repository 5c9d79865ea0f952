"""Crawlability & status: HTTP errors, redirects, fetch failures, bodies we could not audit."""

from __future__ import annotations

import re
from typing import Any

from ..types import Severity
from .common import REF_HTTP_ERRORS, REF_REDIRECTS, html_facts
from .registry import PageContext, page_check

TEMPORARY_REDIRECTS = frozenset({302, 303, 307})
#: Fetch errors that have a check of their own (or are not failures of the page).
_OWN_CHECK_ERRORS = frozenset({
    "timeout", "dns", "connection_refused", "connection_error", "tls", "robots_blocked",
    "redirect_loop", "too_many_redirects", "too_large",
})
_REFRESH_URL = re.compile(r"""^\s*(\d*\.?\d*)\s*[;,]?\s*(?:url\s*=\s*)?["']?([^"']*)""",
                          re.IGNORECASE)


def _chain(page: PageContext) -> list[dict[str, Any]]:
    fetch = page.fetch
    hops = [{"url": hop.url, "status": hop.status} for hop in fetch.redirect_chain]
    hops.append({"url": fetch.final_url, "status": fetch.status})
    return hops


def _answered(page: PageContext) -> bool:
    """A response for this very URL (not a redirect, not a network failure)."""
    return page.fetch.error is None and not page.fetch.redirect_chain and page.fetch.status > 0


# -- HTTP status -----------------------------------------------------------------------------

@page_check(
    "seo.http.4xx", category="crawlability", severity=Severity.ERROR,
    title="Page returns a 4xx client error",
    why="Search engines drop URLs that answer 404/410 and similar errors from their index, and "
        "visitors who follow a link to them land on an error page.",
    fix="Restore the page, or redirect (301) the URL to its best replacement and update the "
        "links that point to it. Use 410 only for content that is gone for good.",
    reference=REF_HTTP_ERRORS)
def http_4xx(page: PageContext) -> dict[str, Any] | None:
    """The URL answered with 4xx (429 has its own check: it is about our crawl rate)."""
    status = page.fetch.status
    if _answered(page) and 400 <= status < 500 and status != 429:
        return {"status": status}
    return None


@page_check(
    "seo.http.429", category="crawlability", severity=Severity.NOTICE,
    title="Server rate-limited the crawler (429)",
    why="429 Too Many Requests means the server refused to answer at the crawl rate used. "
        "Googlebot slows down on 429s, which can delay the discovery of new pages.",
    fix="Lower the audit's concurrency or add a crawl delay, and check that rate limiting does "
        "not trigger for legitimate search engine crawlers.",
    reference="https://www.rfc-editor.org/rfc/rfc6585#section-4")
def http_429(page: PageContext) -> dict[str, Any] | None:
    """The URL answered 429 even after the fetcher's retries."""
    if _answered(page) and page.fetch.status == 429:
        return {"status": 429, "attempts": page.fetch.attempts}
    return None


@page_check(
    "seo.http.5xx", category="crawlability", severity=Severity.ERROR,
    title="Page returns a 5xx server error",
    why="Server errors stop search engines from reading the page; if they persist, Google "
        "reduces its crawl rate and eventually drops the URL from the index.",
    fix="Check the server and application logs for this URL and fix the cause of the error.",
    reference=REF_HTTP_ERRORS)
def http_5xx(page: PageContext) -> dict[str, Any] | None:
    """The URL answered with a 5xx status."""
    if _answered(page) and page.fetch.status >= 500:
        return {"status": page.fetch.status}
    return None


# -- redirects -------------------------------------------------------------------------------

@page_check(
    "seo.redirect.internal", category="crawlability", severity=Severity.NOTICE,
    title="Internal URL redirects",
    why="Each redirect costs a request for crawlers and a round trip for visitors. Internal "
        "links should point straight at the final URL.",
    fix="Update internal links, canonical tags and sitemaps to the redirect's destination.",
    reference=REF_REDIRECTS)
def redirect_internal(page: PageContext) -> dict[str, Any] | None:
    """A crawled (in-scope) URL answered with a redirect."""
    fetch = page.fetch
    if fetch.redirect_chain and fetch.error is None:
        return {"status": fetch.redirect_chain[0].status, "target": fetch.final_url}
    return None


@page_check(
    "seo.redirect.temporary", category="crawlability", severity=Severity.WARNING,
    title="Temporary redirect (302/303/307)",
    why="A temporary redirect tells search engines the move is not permanent, so they may keep "
        "the old URL indexed instead of passing signals to the new one.",
    fix="Use a permanent redirect (301 or 308) when the content has moved for good.",
    reference=REF_REDIRECTS)
def redirect_temporary(page: PageContext) -> dict[str, Any] | None:
    """At least one hop of the chain used a temporary status."""
    fetch = page.fetch
    if fetch.error is None:
        temporary = [hop.status for hop in fetch.redirect_chain if hop.status in TEMPORARY_REDIRECTS]
        if temporary:
            return {"statuses": temporary, "chain": _chain(page)}
    return None


@page_check(
    "seo.redirect.chain", category="crawlability", severity=Severity.WARNING,
    title="Redirect chain (2 or more hops)",
    why="Every extra hop wastes crawl budget and adds latency; Google stops following after "
        "10 hops and may not pass all signals along long chains.",
    fix="Redirect the first URL straight to the final destination and update links to it.",
    reference=REF_REDIRECTS)
def redirect_chain(page: PageContext) -> dict[str, Any] | None:
    """The URL reached its final response through two or more redirects."""
    fetch = page.fetch
    if fetch.error is None and len(fetch.redirect_chain) >= 2:
        return {"hops": len(fetch.redirect_chain), "chain": _chain(page)}
    return None


@page_check(
    "seo.redirect.loop", category="crawlability", severity=Severity.ERROR,
    title="Redirect loop",
    why="The URL redirects back to itself through one or more hops, so neither browsers nor "
        "search engines can ever reach content.",
    fix="Fix the redirect rules so the chain ends at a URL that answers 200.",
    reference=REF_REDIRECTS)
def redirect_loop(page: PageContext) -> dict[str, Any] | None:
    """The fetcher detected a cycle in the redirect chain."""
    if page.fetch.error == "redirect_loop":
        return {"chain": _chain(page)[:-1] if page.fetch.redirect_chain else []}
    return None


@page_check(
    "seo.redirect.too_many", category="crawlability", severity=Severity.ERROR,
    title="Too many redirects",
    why="The chain is longer than the crawler follows (Google gives up after 10 hops), so the "
        "final content is never fetched.",
    fix="Redirect the URL directly to its final destination.",
    reference=REF_REDIRECTS)
def redirect_too_many(page: PageContext) -> dict[str, Any] | None:
    """The fetcher stopped after `max_redirects` hops."""
    if page.fetch.error == "too_many_redirects":
        return {"hops": len(page.fetch.redirect_chain), "chain": _chain(page)[:-1]}
    return None


@page_check(
    "seo.redirect.broken_target", category="crawlability", severity=Severity.ERROR,
    title="Redirect leads to an error page",
    why="Visitors and crawlers who follow this URL end on a 4xx/5xx page after the redirect.",
    fix="Point the redirect at a live page, or remove it and update the links to the URL.",
    reference=REF_REDIRECTS)
def redirect_broken_target(page: PageContext) -> dict[str, Any] | None:
    """The chain ended with a status of 400 or more."""
    fetch = page.fetch
    if fetch.redirect_chain and fetch.error is None and fetch.status >= 400:
        return {"status": fetch.status, "chain": _chain(page)}
    return None


@page_check(
    "seo.redirect.meta_refresh", category="crawlability", severity=Severity.WARNING,
    title="Meta refresh redirect",
    why="A <meta http-equiv=refresh> redirect is slower and less reliable than an HTTP "
        "redirect; Google treats only an instant one like a permanent redirect, and it is "
        "not supported by all browsers and crawlers.",
    fix="Replace the meta refresh with a server-side 301 redirect.",
    reference=REF_REDIRECTS + "#metarefresh")
def meta_refresh(page: PageContext) -> dict[str, Any] | None:
    """The page carries a meta refresh that names a URL (a plain reload timer is ignored)."""
    facts = html_facts(page)
    if facts is None or not facts.meta_refresh:
        return None
    match = _REFRESH_URL.match(facts.meta_refresh)
    # Browsers ignore a refresh whose content does not start with a delay.
    target = match.group(2).strip() if match and match.group(1) else ""
    if not target:
        return None
    return {"content": facts.meta_refresh[:300], "target": target[:500]}


# -- fetch failures --------------------------------------------------------------------------

def _error_details(page: PageContext) -> dict[str, Any]:
    return {"error": page.fetch.error, "detail": page.fetch.error_detail[:300],
            "attempts": page.fetch.attempts}


@page_check(
    "seo.fetch.timeout", category="crawlability", severity=Severity.ERROR,
    title="Page timed out",
    why="The server did not answer within the time limit; crawlers give up the same way and "
        "slow servers get crawled less.",
    fix="Find out why this URL is slow (server load, slow queries, upstream calls) and make "
        "it respond within a few seconds.",
    reference=REF_HTTP_ERRORS)
def fetch_timeout(page: PageContext) -> dict[str, Any] | None:
    """The request timed out (after the fetcher's retries)."""
    return _error_details(page) if page.fetch.error == "timeout" else None


@page_check(
    "seo.fetch.dns", category="crawlability", severity=Severity.ERROR,
    title="Host name does not resolve (DNS)",
    why="The page's host name has no DNS record, so nobody can reach it.",
    fix="Fix the DNS records of the host, or stop linking to URLs on it.",
    reference=REF_HTTP_ERRORS)
def fetch_dns(page: PageContext) -> dict[str, Any] | None:
    """The host name could not be resolved."""
    return _error_details(page) if page.fetch.error == "dns" else None


@page_check(
    "seo.fetch.connection", category="crawlability", severity=Severity.ERROR,
    title="Connection failed",
    why="The server refused or dropped the connection, so the page could not be read.",
    fix="Check that the web server is running and reachable on this host and port, and that "
        "no firewall or bot protection blocks crawlers.",
    reference=REF_HTTP_ERRORS)
def fetch_connection(page: PageContext) -> dict[str, Any] | None:
    """Connection refused, reset or otherwise failed."""
    if page.fetch.error in ("connection_refused", "connection_error"):
        return _error_details(page)
    return None


@page_check(
    "seo.fetch.tls", category="crawlability", severity=Severity.ERROR,
    title="TLS/SSL error",
    why="The HTTPS handshake failed (expired, self-signed or mismatched certificate, or an "
        "unsupported protocol); browsers show a security warning and crawlers stop.",
    fix="Install a valid certificate that covers this host name and chain it correctly.",
    reference="https://developers.google.com/search/docs/crawling-indexing/http-network-errors"
              "#network-and-dns-errors")
def fetch_tls(page: PageContext) -> dict[str, Any] | None:
    """The TLS handshake or certificate check failed."""
    return _error_details(page) if page.fetch.error == "tls" else None


@page_check(
    "seo.fetch.failed", category="crawlability", severity=Severity.WARNING,
    title="Page could not be fetched",
    why="The crawler could not fetch this URL (for example it redirects to a private network "
        "address or to an unsupported scheme), so it could not be audited.",
    fix="Look at the error detail; make the URL reachable over public HTTP(S) or stop "
        "linking to it.",
    reference=REF_HTTP_ERRORS)
def fetch_failed(page: PageContext) -> dict[str, Any] | None:
    """Any other fetch error (ssrf_blocked, invalid_url, unsupported_scheme, ...)."""
    error = page.fetch.error
    if error is not None and error not in _OWN_CHECK_ERRORS:
        return _error_details(page)
    return None


# -- bodies we could not audit ---------------------------------------------------------------

@page_check(
    "seo.page.truncated", category="crawlability", severity=Severity.WARNING,
    title="Page too large to audit",
    why="The response was larger than the audit's size limit, so its content was not "
        "analysed. Googlebot also reads only the first 15 MB of an HTML file.",
    fix="Reduce the size of the HTML (inline data, embedded images, huge lists), or raise the "
        "audit's size limit if the page is meant to be this large.",
    reference="https://developers.google.com/search/docs/crawling-indexing/googlebot"
              "#how-googlebot-accesses-your-site")
def page_truncated(page: PageContext) -> dict[str, Any] | None:
    """The body went over the size cap and was not kept."""
    fetch = page.fetch
    if fetch.truncated or fetch.error == "too_large":
        return {"size": fetch.size, "limit": page.options.max_body_bytes}
    return None


@page_check(
    "seo.content.not_html", category="crawlability", severity=Severity.WARNING,
    title="Served as HTML but not an HTML document",
    why="The response says text/html but the body is empty, binary or has no markup, so "
        "search engines cannot read a title, text or links from it.",
    fix="Serve the right Content-Type for non-HTML files, or fix the page so it returns its "
        "HTML (look for compression or encoding errors).",
    reference="https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Content-Type")
def content_not_html(page: PageContext) -> dict[str, Any] | None:
    """parse_page flagged the body as empty, binary or markup-free."""
    facts = page.facts
    fetch = page.fetch
    if facts is not None and facts.unparseable and fetch.status == 200 and not fetch.redirect_chain:
        return {"reason": facts.unparseable, "content_type": fetch.content_type[:100]}
    return None


@page_check(
    "seo.content.type_mismatch", category="crawlability", severity=Severity.WARNING,
    title="HTML page served with a non-HTML Content-Type",
    why="The body is an HTML document but the Content-Type header names another type (an "
        "image, a download, plain text). Search engines go by the header, so the page's "
        "title, text and links are not indexed, and browsers may download it or show its "
        "source.",
    fix="Serve HTML pages with `Content-Type: text/html; charset=utf-8` (check the server's "
        "or CDN's type mapping for this path and its file extension).",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "indexable-file-types")
def content_type_mismatch(page: PageContext) -> dict[str, Any] | None:
    """A 200 response whose body starts like HTML under a non-HTML Content-Type."""
    if page.html_in_disguise:
        return {"content_type": page.fetch.content_type[:100] or None, "sniffed": "text/html"}
    return None


@page_check(
    "engine.check_error", category="crawlability", severity=Severity.NOTICE,
    title="Audit check failed on this page",
    why="One of the audit's own checks failed with an internal error on this page, so its "
        "result is missing. This is a bug in the audit tool, not in the site.",
    fix="Nothing to fix on the site; report the error detail to the audit tool's maintainers.",
    reference="docs/scoring.md#engine-findings")
def engine_check_error(page: PageContext) -> None:
    """Never fires by itself: the registry emits this code when another check raises."""
    return None
