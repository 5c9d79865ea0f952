"""HTTPS & security: pages served over plain HTTP, insecure subresources and forms, and the
site probes of probes.py (HTTP->HTTPS redirect, www/non-www, HSTS, security headers)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator
from typing import Any

from ..probes import HostVariants, ProbeOutcome
from ..site import SiteView
from ..types import Finding, Severity
from .common import REF_CANONICAL, examples, html_facts
from .registry import PageContext, page_check, site_check

#: Reference kinds a browser loads as part of the page (links to other pages do not count).
SUBRESOURCE_KINDS = frozenset({"img", "script", "css", "iframe"})


@page_check(
    "seo.https.insecure_page", category="https", severity=Severity.WARNING,
    title="Page served over plain HTTP",
    why="Browsers mark HTTP pages as \"Not secure\", traffic can be read and altered on the "
        "way, and Google prefers HTTPS URLs as canonicals.",
    fix="Serve the site over HTTPS and 301-redirect every http:// URL to its https:// version.",
    reference="https://developers.google.com/search/docs/appearance/page-experience")
def insecure_page(page: PageContext) -> bool:
    """An HTML page answered 200 on an http:// URL."""
    facts = html_facts(page)
    return facts is not None and page.fetch.final_url.lower().startswith("http://")


@page_check(
    "seo.https.mixed_content", category="https", severity=Severity.WARNING,
    title="HTTPS page loads HTTP resources (mixed content)",
    why="Browsers block insecure scripts, stylesheets and frames on HTTPS pages and warn about "
        "insecure images, so parts of the page break or lose the padlock.",
    fix="Load every resource over https:// (or protocol-relative URLs served over HTTPS).",
    reference="https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content")
def mixed_content(page: PageContext) -> dict[str, Any] | None:
    """An https:// page references img/script/css/iframe URLs over http://."""
    facts = html_facts(page)
    if facts is None or not page.fetch.final_url.lower().startswith("https://"):
        return None
    insecure = [link for link in facts.links
                if link.kind in SUBRESOURCE_KINDS and link.url.startswith("http://")]
    if not insecure:
        return None
    return {"count": len(insecure), "kinds": dict(Counter(link.kind for link in insecure)),
            "examples": examples(link.url for link in insecure)}


@page_check(
    "seo.https.insecure_form", category="https", severity=Severity.WARNING,
    title="Form on an HTTPS page submits over HTTP",
    why="A form whose action is an http:// URL sends what visitors type (logins, addresses, "
        "messages) unencrypted, even though the page itself is secure; browsers warn before "
        "submitting it.",
    fix="Point the form's action at the https:// URL (or a relative URL).",
    reference="https://developer.mozilla.org/en-US/docs/Web/Security/Mixed_content")
def insecure_form(page: PageContext) -> dict[str, Any] | None:
    """An https:// page has a <form> whose resolved action URL is http://."""
    facts = html_facts(page)
    if facts is None or not facts.forms or not page.fetch.final_url.startswith("https://"):
        return None
    insecure = [action for action, _method in facts.forms if action.startswith("http://")]
    if not insecure:
        return None
    return {"count": len(insecure), "actions": examples(insecure)}


# -- site probes (probes.py) -----------------------------------------------------------------

def _variants(site: SiteView) -> HostVariants | None:
    variants = site.variants
    return variants if isinstance(variants, HostVariants) else None


def _outcome(probe: ProbeOutcome | None) -> dict[str, Any] | None:
    if probe is None:
        return None
    return {"url": probe.requested_url, "final_url": probe.final_url, "status": probe.status}


@site_check(
    "seo.https.http_not_redirected", category="https", severity=Severity.ERROR,
    title="HTTP version of the site does not redirect to HTTPS",
    why="The site works over HTTPS, but its http:// URL also serves the page instead of "
        "redirecting. Visitors and links can stay on the insecure version, and search "
        "engines see two copies of every page.",
    fix="301-redirect every http:// URL to the same https:// URL (and consider HSTS).",
    reference="https://developers.google.com/search/docs/crawling-indexing/site-move-with-url-changes")
def http_not_redirected(site: SiteView) -> Iterator[Finding]:
    """The start page's http:// URL answered 200 without redirecting to https:// while the
    https:// URL answered 200."""
    variants = _variants(site)
    if variants is not None and variants.http_not_redirected:
        yield Finding("seo.https.http_not_redirected", None, {
            "http": _outcome(variants.http), "https": _outcome(variants.https)})


@site_check(
    "seo.https.host_variant_not_redirected", category="https", severity=Severity.WARNING,
    title="www and non-www versions both serve the site",
    why="The www (or non-www) counterpart of the site answers 200 itself instead of "
        "redirecting to the host the site uses, so the same pages exist under two host names "
        "and links and signals are split between them.",
    fix="301-redirect every URL of the other host name to the same URL on the preferred host.",
    reference=REF_CANONICAL)
def host_variant_not_redirected(site: SiteView) -> Iterator[Finding]:
    """The start page's URL on the www/non-www counterpart host answered 200 on that host."""
    variants = _variants(site)
    if variants is not None and variants.counterpart_not_redirected:
        yield Finding("seo.https.host_variant_not_redirected", None, {
            "site": _outcome(variants.start), "counterpart": _outcome(variants.counterpart)})


@site_check(
    "seo.https.hsts_missing", category="https", severity=Severity.NOTICE,
    title="No HSTS header",
    why="Without Strict-Transport-Security, a visitor's first request (typed or from an old "
        "http:// link) goes out unencrypted and can be intercepted before the redirect to "
        "HTTPS.",
    fix="Send `Strict-Transport-Security: max-age=31536000` (add includeSubDomains once "
        "every subdomain supports HTTPS) on HTTPS responses.",
    reference="https://developer.mozilla.org/en-US/docs/Web/HTTP/Headers/Strict-Transport-Security")
def hsts_missing(site: SiteView) -> Iterator[Finding]:
    """The HTTPS start page has no Strict-Transport-Security header with max-age > 0."""
    variants = _variants(site)
    if variants is not None and variants.hsts_missing and variants.start is not None:
        yield Finding("seo.https.hsts_missing", None, {
            "url": variants.start.final_url,
            "header": variants.header("strict-transport-security")})


@site_check(
    "seo.https.security_headers_missing", category="https", severity=Severity.NOTICE,
    title="Security headers missing",
    why="X-Content-Type-Options, a Content-Security-Policy (or X-Frame-Options) and a "
        "Referrer-Policy protect visitors against MIME sniffing, clickjacking and leaking "
        "URLs to other sites; their absence is flagged by security scanners and browsers' "
        "audits.",
    fix="Send `X-Content-Type-Options: nosniff`, a Content-Security-Policy with "
        "`frame-ancestors` (or `X-Frame-Options: SAMEORIGIN`) and `Referrer-Policy: "
        "strict-origin-when-cross-origin` on HTML responses.",
    reference="https://owasp.org/www-project-secure-headers/")
def security_headers_missing(site: SiteView) -> Iterator[Finding]:
    """The start page lacks one or more of the listed security headers (one finding)."""
    variants = _variants(site)
    if variants is None or variants.start is None:
        return
    missing = variants.missing_security_headers()
    if missing:
        yield Finding("seo.https.security_headers_missing", None, {
            "url": variants.start.final_url, "missing": missing})
