"""Resources and external links checked after the crawl (`SiteView.resources`, filled by
engine/resources.py): broken images, CSS and JS, broken links to other hosts, heavy images.

Each target gets at most one finding, filed on the first page that references it (the page
someone has to edit), with up to five referencing pages and their anchors as evidence. Only
`broken` and `timeout` outcomes are reported: 429, 999, other hosts' 401/403 and
bot-protection answers are `unverified` and never called broken.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..resources import BROKEN, RESOURCE_KINDS, ResourceStatus
from ..site import LinkTarget, SiteView
from ..types import Finding, Severity
from .common import REF_LINKS
from .registry import site_check

REF_IMAGES = "https://developers.google.com/search/docs/appearance/google-images"
REF_RENDERING = ("https://developers.google.com/search/docs/crawling-indexing/javascript/"
                 "javascript-seo-basics")
REF_IMAGE_SIZE = "https://web.dev/articles/optimize-lcp#reduce-resource-load-time"
#: Image files over this many bytes (Content-Length) are flagged. Audit tools flag from
#: 100 KB (Sitebulb calls that figure "relatively arbitrary"); a well-compressed full-width
#: hero image (about 1600-2000 px, WebP/JPEG) fits within 100-200 KB, so twice the common
#: figure flags only images that are clearly heavier than they need to be, not every banner.
IMAGE_MAX_BYTES = 200 * 1024

_IMAGE = "image"
#: Content types a heavy image may come with besides image/*.
_BINARY_TYPES = frozenset({"", "application/octet-stream", "binary/octet-stream"})
_CODE = "code"
_LINK = "link"


def _role(target: LinkTarget) -> str | None:
    """What a target is to the pages that reference it: image > CSS/JS > link."""
    kinds = {kind for _, _, kind in target.sources}
    if "img" in kinds:
        return _IMAGE
    if kinds & RESOURCE_KINDS:
        return _CODE
    if kinds & {"a", "iframe"}:
        return _LINK
    return None


def _image_type(content_type: str) -> bool:
    media = content_type.split(";", 1)[0].strip().lower()
    return media.startswith("image/") or media in _BINARY_TYPES


def _kinds(role: str) -> frozenset[str]:
    if role == _IMAGE:
        return frozenset({"img"})
    if role == _CODE:
        return frozenset({"script", "css"})
    return frozenset({"a", "iframe"})


def _evidence(url: str, target: LinkTarget, role: str) -> tuple[str, list[dict[str, str]]]:
    kinds = _kinds(role)
    sources = [{"page": page, "anchor": anchor, "kind": kind}
               for page, anchor, kind in target.sources if kind in kinds]
    return sources[0]["page"], sources


def _failure(url: str, status: ResourceStatus, target: LinkTarget, role: str
             ) -> tuple[str, dict[str, Any]]:
    page, sources = _evidence(url, target, role)
    details: dict[str, Any] = {
        "target": url, "status": status.status, "error": status.error,
        "reason": "timeout" if status.outcome != BROKEN else "broken",
        "sources": sources, "inlinks": target.inlinks}
    if status.detail:
        details["detail"] = status.detail
    if status.redirected:
        details["final_url"] = status.final_url
    return page, details


def _broken(site: SiteView, code: str, *, external: bool, roles: tuple[str, ...]
            ) -> Iterator[Finding]:
    targets = site.external if external else site.targets
    for url, status in site.resources.items():
        if not status.failed:
            continue
        target = targets.get(url)
        if target is None:
            continue
        role = _role(target)
        if role in roles:
            page, details = _failure(url, status, target, role)
            yield Finding(code, page, details)


@site_check(
    "seo.links.broken_external", category="links", severity=Severity.WARNING,
    title="Broken external link",
    why="Links to other sites that answer with an error (or no longer exist) send visitors "
        "to a dead end and make the page look neglected.",
    fix="Update the link to the page's new address, link to another source, or remove it.",
    reference=REF_LINKS)
def broken_external_links(site: SiteView) -> Iterator[Finding]:
    """Other-host URLs linked with <a> (or embedded with <iframe>) that answered 4xx/5xx
    (confirmed by GET), timed out or could not be reached (DNS, refused, TLS, redirect
    loop). 401/403, 429 and 999 are treated as unverified, not broken."""
    return _broken(site, "seo.links.broken_external", external=True, roles=(_LINK,))


@site_check(
    "seo.images.broken_internal", category="images", severity=Severity.WARNING,
    title="Broken internal image",
    why="The page shows a missing image: visitors see a gap or a broken-image icon and "
        "search engines cannot index the image.",
    fix="Restore the image file at that address or update the src on the listed pages.",
    reference=REF_IMAGES)
def broken_internal_images(site: SiteView) -> Iterator[Finding]:
    """The site's own <img> sources that answered 4xx/5xx, timed out or failed."""
    return _broken(site, "seo.images.broken_internal", external=False, roles=(_IMAGE,))


@site_check(
    "seo.images.broken_external", category="images", severity=Severity.WARNING,
    title="Broken external image",
    why="An image the page loads from another host is missing, so visitors see a gap or a "
        "broken-image icon.",
    fix="Host the image yourself or update the src to a working address.",
    reference=REF_IMAGES)
def broken_external_images(site: SiteView) -> Iterator[Finding]:
    """<img> sources on other hosts (CDNs included) that answered 4xx/5xx (confirmed by
    GET), timed out or failed; 401/403/429/999 are unverified."""
    return _broken(site, "seo.images.broken_external", external=True, roles=(_IMAGE,))


@site_check(
    "seo.resources.broken_internal_css_js", category="crawlability", severity=Severity.ERROR,
    title="Broken internal CSS or JavaScript",
    why="A stylesheet or script the page needs is missing: the page renders unstyled or "
        "without its scripts for visitors, and Google renders it the same way when indexing.",
    fix="Restore the file or update the <link>/<script> reference on the listed pages "
        "(often a stale build hash after a deploy).",
    reference=REF_RENDERING)
def broken_internal_css_js(site: SiteView) -> Iterator[Finding]:
    """The site's own <link rel=stylesheet> / <script src> URLs that answered 4xx/5xx,
    timed out or failed."""
    return _broken(site, "seo.resources.broken_internal_css_js", external=False, roles=(_CODE,))


@site_check(
    "seo.resources.broken_external_css_js", category="crawlability", severity=Severity.WARNING,
    title="Broken external CSS or JavaScript",
    why="A stylesheet or script loaded from another host (a CDN, a widget) is missing, so "
        "the page renders without it for visitors and for Google.",
    fix="Point the reference at a working version of the file, or host it yourself.",
    reference=REF_RENDERING)
def broken_external_css_js(site: SiteView) -> Iterator[Finding]:
    """Other-host stylesheet/script URLs that answered 4xx/5xx (confirmed by GET), timed
    out or failed; 401/403/429/999 are unverified."""
    return _broken(site, "seo.resources.broken_external_css_js", external=True, roles=(_CODE,))


@site_check(
    "seo.images.too_large", category="images", severity=Severity.NOTICE,
    title="Image file over 200 KB",
    why="Heavy images slow the page down, especially on mobile connections, and a slow "
        "largest image delays Largest Contentful Paint (a Core Web Vitals metric).",
    fix="Resize the image to the size it is displayed at, compress it, or serve a modern "
        "format (WebP/AVIF) with srcset for smaller screens.",
    reference=REF_IMAGE_SIZE)
def images_too_large(site: SiteView) -> Iterator[Finding]:
    """<img> sources (the site's and other hosts') answering 200 with a Content-Length over
    IMAGE_MAX_BYTES. Answers that are text or HTML (an error page served with 200) are not
    images; a generic binary type (application/octet-stream, from servers without the image
    MIME types) is. Images without Content-Length are not judged (their size is unknown
    without downloading them)."""
    for url, status in site.resources.items():
        if (status.status != 200 or status.error is not None or status.size is None
                or status.size <= IMAGE_MAX_BYTES or not _image_type(status.content_type)):
            continue
        target = site.targets.get(url) or site.external.get(url)
        if target is None or _role(target) != _IMAGE:
            continue
        page, sources = _evidence(url, target, _IMAGE)
        yield Finding("seo.images.too_large", page, {
            "target": url, "bytes": status.size, "limit": IMAGE_MAX_BYTES,
            "sources": sources, "inlinks": target.inlinks})


@site_check(
    "seo.resources.partly_checked", category="links", severity=Severity.NOTICE,
    informational=True,
    title="Not every image, CSS/JS file and external link was checked",
    why="The after-crawl check of resources and external links stops at its request cap or "
        "time budget, so some of them were not verified and broken ones among them are not "
        "reported.",
    fix="Re-run the audit with a higher max_resource_checks or resource_budget_s (audit "
        "options) to verify the rest.",
    reference=REF_LINKS)
def resources_partly_checked(site: SiteView) -> Iterator[Finding]:
    """The resource phase left URLs unchecked (cap or budget reached)."""
    stats = site.resource_stats
    if stats and stats.get("unchecked", 0) > 0:
        yield Finding("seo.resources.partly_checked", None, dict(stats))
