"""Sitemaps (sitemaps.org protocol, Google's sitemap docs): whether one exists and can be
read, the protocol's limits, the lastmod dates, and whether the URLs it lists are the
site's live, canonical pages.

File-level problems give one site-wide finding listing the files concerned (a sitemap is not
a page). Listed URLs that answer an error, redirect or are canonicalised elsewhere give one
finding per URL. Listed URLs that are noindex (and robots-blocked ones) are reported by
`seo.sitemap.non_indexable` and `seo.sitemap.blocked_by_robots` in checks/site.py.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..site import PageRecord, SiteView
from ..sitemaps import PROTOCOL_MAX_BYTES, PROTOCOL_MAX_URLS, SitemapInfo
from ..types import Finding, Severity
from ..urls import host_of
from .common import MAX_EXAMPLES, REF_SITEMAPS
from .registry import site_check

REF_BUILD_SITEMAP = ("https://developers.google.com/search/docs/crawling-indexing/sitemaps/"
                     "build-sitemap")
REF_SITEMAP_ROBOTS = ("https://developers.google.com/search/docs/crawling-indexing/sitemaps/"
                      "build-sitemap#addsitemap")
#: Files that were read as sitemaps.
_READ_KINDS = frozenset({"urlset", "index", "text"})
#: Statuses at /sitemap.xml that simply mean "there is none".
_ABSENT_STATUSES = frozenset({404, 410})


def _default_absent(info: SitemapInfo) -> bool:
    """The guessed /sitemap.xml is not there: an error status, or an HTML page answering 200
    (a catch-all route), which is "no sitemap" rather than a broken one."""
    if info.source != "default":
        return False
    if info.kind == "missing":
        return True
    return info.kind == "invalid" and "HTML page" in (info.error or "")


def _file(info: SitemapInfo, **extra: Any) -> dict[str, Any]:
    return {"url": info.url, "source": info.source, **extra}


@site_check(
    "seo.sitemap.missing", category="sitemaps", severity=Severity.NOTICE,
    title="No XML sitemap found",
    why="Neither robots.txt names a sitemap nor does /sitemap.xml exist. A sitemap helps "
        "search engines find new and deep pages, especially on large or poorly linked sites.",
    fix="Publish an XML sitemap of your canonical, indexable URLs and reference it in "
        "robots.txt with a `Sitemap:` line (and in Search Console).",
    reference=REF_BUILD_SITEMAP)
def sitemap_missing(site: SiteView) -> Iterator[Finding]:
    """Sitemaps were looked for (robots.txt, then /sitemap.xml) and none was found."""
    if site.sitemaps and all(_default_absent(info) for info in site.sitemaps):
        info = site.sitemaps[0]
        yield Finding("seo.sitemap.missing", None, {"looked_at": info.url, "status": info.status})


@site_check(
    "seo.sitemap.unreachable", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap cannot be fetched",
    why="A sitemap named in robots.txt or in a sitemap index answers an error (or nothing), "
        "so search engines cannot read the URLs it should list.",
    fix="Make the sitemap URL answer 200 with the file, or correct the URL in robots.txt or "
        "the sitemap index.",
    reference=REF_BUILD_SITEMAP)
def sitemap_unreachable(site: SiteView) -> Iterator[Finding]:
    """Sitemaps listed in robots.txt or an index that did not answer 200."""
    failed = [_file(info, status=info.status, error=info.error) for info in site.sitemaps
              if info.kind == "missing" and info.source != "default"]
    if failed:
        yield Finding("seo.sitemap.unreachable", None,
                      {"count": len(failed), "sitemaps": failed[:MAX_EXAMPLES]})


@site_check(
    "seo.sitemap.invalid", category="sitemaps", severity=Severity.ERROR,
    title="Sitemap is not valid XML or not a sitemap",
    why="Search engines reject a sitemap they cannot parse (broken XML, wrong root element, "
        "an HTML page, bad gzip), so none of its URLs are submitted.",
    fix="Serve a well-formed <urlset> or <sitemapindex> document (sitemaps.org schema), "
        "UTF-8 encoded; validate it before publishing.",
    reference=REF_SITEMAPS)
def sitemap_invalid(site: SiteView) -> Iterator[Finding]:
    """Fetched sitemap files that could not be read as a sitemap (an HTML page answering at
    the guessed /sitemap.xml counts as no sitemap, not an invalid one)."""
    bad = [_file(info, error=info.error) for info in site.sitemaps
           if info.kind == "invalid" and not _default_absent(info)]
    if bad:
        yield Finding("seo.sitemap.invalid", None, {"count": len(bad), "sitemaps": bad[:MAX_EXAMPLES]})


@site_check(
    "seo.sitemap.too_large", category="sitemaps", severity=Severity.ERROR,
    title="Sitemap over 50,000 URLs or 50 MB",
    why="The sitemap protocol limits one file to 50,000 URLs and 50 MB uncompressed; search "
        "engines reject or cut larger files, so URLs beyond the limit are not submitted.",
    fix="Split the file into several sitemaps and list them in a sitemap index.",
    reference=REF_SITEMAPS)
def sitemap_too_large(site: SiteView) -> Iterator[Finding]:
    """Files holding more than 50,000 entries or more than 50 MB once decompressed."""
    big = [_file(info, urls=info.url_count, over_url_limit=info.over_url_limit,
                 over_size_limit=info.over_size_limit, bytes_read=info.size)
           for info in site.sitemaps
           if info.kind in _READ_KINDS and (info.over_url_limit or info.over_size_limit)]
    if big:
        yield Finding("seo.sitemap.too_large", None, {
            "count": len(big), "sitemaps": big[:MAX_EXAMPLES],
            "max_urls": PROTOCOL_MAX_URLS, "max_bytes": PROTOCOL_MAX_BYTES})


def _listed(site: SiteView) -> Iterator[tuple[str, PageRecord]]:
    """Crawled URLs that a sitemap lists."""
    for url, record in site.pages.items():
        if record.in_sitemap:
            yield url, record


@site_check(
    "seo.sitemap.error_status", category="sitemaps", severity=Severity.ERROR,
    title="Sitemap lists a URL that answers 4xx/5xx",
    why="Sitemaps should list only live pages; error URLs waste crawl budget and make "
        "search engines trust the sitemap less.",
    fix="Remove the URL from the sitemap, or restore the page (or list its replacement).",
    reference=REF_BUILD_SITEMAP)
def sitemap_error_status(site: SiteView) -> Iterator[Finding]:
    """Sitemap URLs answering 4xx or 5xx directly (redirects have their own check)."""
    for url, record in _listed(site):
        if record.error is None and not record.redirect_hops and record.status >= 400:
            yield Finding("seo.sitemap.error_status", url, {"status": record.status})


@site_check(
    "seo.sitemap.redirect", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap lists a URL that redirects",
    why="A redirecting URL is not the canonical one; listing it sends mixed signals and "
        "costs an extra request per URL.",
    fix="List the redirect's final URL in the sitemap instead.",
    reference=REF_BUILD_SITEMAP)
def sitemap_redirect(site: SiteView) -> Iterator[Finding]:
    """Sitemap URLs that answered with a redirect."""
    for url, record in _listed(site):
        if record.redirect_hops and record.error != "robots_blocked":
            yield Finding("seo.sitemap.redirect", url, {
                "redirects_to": record.final_url, "hops": record.redirect_hops,
                "final_status": record.status})


@site_check(
    "seo.sitemap.canonicalised", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap lists a URL canonicalised to another URL",
    why="The page names another URL as its canonical; the sitemap should list that canonical "
        "URL, otherwise the two signals contradict each other.",
    fix="Replace the URL in the sitemap with its canonical URL (or fix the canonical tag).",
    reference=REF_BUILD_SITEMAP)
def sitemap_canonicalised(site: SiteView) -> Iterator[Finding]:
    """200 HTML sitemap URLs whose effective canonical names a different URL (and that are
    not noindex: that case is seo.sitemap.non_indexable)."""
    prefix = "canonicalised to "
    for url, record in _listed(site):
        if (record.status == 200 and not record.redirect_hops and record.error is None
                and record.indexability_reason.startswith(prefix)):
            yield Finding("seo.sitemap.canonicalised", url, {
                "canonical": record.indexability_reason[len(prefix):]})


def _lastmods(site: SiteView, count: str, samples: str) -> tuple[int, list[dict[str, str]]]:
    total = 0
    found: list[dict[str, str]] = []
    for info in site.sitemaps:
        total += getattr(info, count)
        for loc, value in getattr(info, samples):
            if len(found) < MAX_EXAMPLES:
                found.append({"sitemap": info.url, "url": loc, "lastmod": value})
    return total, found


@site_check(
    "seo.sitemap.lastmod_invalid", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap lastmod is not a W3C Datetime",
    why="`<lastmod>` must use the W3C Datetime format (e.g. 2024-05-01 or "
        "2024-05-01T10:00:00+00:00); search engines ignore values they cannot read, losing "
        "the hint of which pages changed.",
    fix="Write lastmod as YYYY-MM-DD or a full date-time with a time zone, reflecting the "
        "last significant change of the page.",
    reference=REF_BUILD_SITEMAP)
def sitemap_lastmod_invalid(site: SiteView) -> Iterator[Finding]:
    """<lastmod> values that are not W3C Datetime (a time without a zone is tolerated)."""
    total, found = _lastmods(site, "lastmod_invalid", "lastmod_invalid_examples")
    if total:
        yield Finding("seo.sitemap.lastmod_invalid", None, {"count": total, "examples": found})


@site_check(
    "seo.sitemap.lastmod_future", category="sitemaps", severity=Severity.NOTICE,
    title="Sitemap lastmod in the future",
    why="A lastmod date in the future is impossible; search engines learn that the sitemap's "
        "dates are unreliable and ignore them.",
    fix="Set lastmod to the date the page content last changed (generated from the content, "
        "not the current time or a publication schedule).",
    reference=REF_BUILD_SITEMAP)
def sitemap_lastmod_future(site: SiteView) -> Iterator[Finding]:
    """<lastmod> values more than a day after the time the sitemap was read."""
    total, found = _lastmods(site, "lastmod_future", "lastmod_future_examples")
    if total:
        yield Finding("seo.sitemap.lastmod_future", None, {"count": total, "examples": found})


@site_check(
    "seo.sitemap.not_in_robots", category="sitemaps", severity=Severity.NOTICE,
    title="Sitemap not referenced in robots.txt",
    why="The sitemap was found only at the conventional /sitemap.xml; a `Sitemap:` line in "
        "robots.txt lets every search engine discover it without guessing.",
    fix="Add `Sitemap: <absolute sitemap URL>` to robots.txt.",
    reference=REF_SITEMAP_ROBOTS)
def sitemap_not_in_robots(site: SiteView) -> Iterator[Finding]:
    """A sitemap was read at /sitemap.xml and robots.txt has no Sitemap line."""
    robots = site.robots
    if robots is None or robots.sitemaps:
        return
    for info in site.sitemaps:
        if info.source == "default" and info.kind in _READ_KINDS:
            yield Finding("seo.sitemap.not_in_robots", None, {"sitemap": info.url,
                                                              "robots_url": robots.url})
            return


def _sitemaps_complete(site: SiteView) -> bool:
    """Every sitemap was read in full: no cap hit, no file failed or was cut short."""
    if (site.sitemap_url_cap_reached or site.sitemap_time_budget_reached
            or len(site.sitemaps) >= site.options.max_sitemaps):
        return False
    return all(info.kind in _READ_KINDS and not info.truncated for info in site.sitemaps)


@site_check(
    "seo.sitemap.missing_pages", category="sitemaps", severity=Severity.NOTICE,
    title="Indexable pages missing from the sitemap",
    why="Crawled pages that are indexable but not in the sitemap may be discovered late or "
        "seen as less important; an incomplete sitemap is often a stale one.",
    fix="Generate the sitemap from the same source as the site's pages so every canonical, "
        "indexable URL is listed.",
    reference=REF_BUILD_SITEMAP)
def sitemap_missing_pages(site: SiteView) -> Iterator[Finding]:
    """Indexable 200 HTML pages of the start host not listed, when the sitemaps were read
    completely (other subdomains have sitemaps of their own)."""
    if not site.sitemap_urls or not _sitemaps_complete(site):
        return
    listed = site.sitemap_urls
    own = host_of(site.start_url)
    missing = [url for url, record in site.pages.items()
               if record.indexable and record.is_html and record.status == 200
               and not record.redirect_hops and record.error is None and url not in listed
               and host_of(url) == own]
    if missing:
        yield Finding("seo.sitemap.missing_pages", None, {
            "count": len(missing), "examples": missing[:MAX_EXAMPLES],
            "sitemap_urls": len(listed)})


@site_check(
    "seo.sitemap.off_host", category="sitemaps", severity=Severity.WARNING,
    title="Sitemap lists URLs of another host",
    why="A sitemap may only list URLs of its own host (unless the other host's robots.txt "
        "cross-submits it); search engines drop the others, e.g. www URLs in the sitemap of "
        "the bare domain.",
    fix="List only URLs of the sitemap's own host (same scheme and www/non-www form), or "
        "publish a sitemap on each host.",
    reference="https://www.sitemaps.org/protocol.html#location")
def sitemap_off_host(site: SiteView) -> Iterator[Finding]:
    """Sitemaps on the audited host listing URLs of other hosts (sitemaps hosted elsewhere
    may be cross-submitted through robots.txt and are left alone)."""
    own = host_of(site.start_url)
    files = [_file(info, off_host_urls=info.off_host_urls, examples=list(info.off_host_examples))
             for info in site.sitemaps
             if info.off_host_urls and info.kind in _READ_KINDS and host_of(info.url) == own]
    if files:
        yield Finding("seo.sitemap.off_host", None, {
            "count": sum(item["off_host_urls"] for item in files), "sitemaps": files[:MAX_EXAMPLES]})
