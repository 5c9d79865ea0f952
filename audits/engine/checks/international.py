"""International: hreflang annotations on one page (language codes, URLs, self-reference,
x-default, conflicts) and the hreflang graph across pages (return links, targets that are
errors, redirects, noindex or canonicalised, language of the target, sitemap conflicts).

Site checks are one pass over the pages, each annotation resolved by a dict lookup (annotations
per page are capped by site.MAX_HREFLANGS_PER_PAGE), so the work is linear in the crawl.
"""

from __future__ import annotations

import functools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from ..parse import resolved_canonical
from ..site import MAX_HREFLANGS_PER_PAGE, PageRecord, SiteView
from ..types import Finding, Severity
from .common import REF_HREFLANG, examples, html_facts
from .indexability import canonicalised
from .registry import PageContext, page_check, site_check

_ISO_639_1 = """
aa ab ae af ak am an ar as av ay az ba be bg bh bi bm bn bo br bs ca ce ch co cr cs cu cv cy da
de dv dz ee el en eo es et eu fa ff fi fj fo fr fy ga gd gl gn gu gv ha he hi ho hr ht hu hy hz
ia id ie ig ii ik io is it iu ja jv ka kg ki kj kk kl km kn ko kr ks ku kv kw ky la lb lg li ln
lo lt lu lv mg mh mi mk ml mn mr ms mt my na nb nd ne ng nl nn no nr nv ny oc oj om or os pa pi
pl ps pt qu rm rn ro ru rw sa sc sd se sg si sk sl sm sn so sq sr ss st su sv sw ta te tg th ti
tk tl tn to tr ts tt tw ty ug uk ur uz ve vi vo wa wo xh yi yo za zh zu
"""
_ISO_3166_1 = """
ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bl bm bn bo bq br bs
bt bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee
eg eh er es et fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm
hn hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc
li lk lr ls lt lu lv ly ma mc md me mf mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na
nc ne nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw
sa sb sc sd se sg sh si sj sk sl sm sn so sr ss st sv sx sy sz tc td tf tg th tj tk tl tm tn to
tr tt tv tw tz ua ug um us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
"""
#: ISO 639-1 two-letter language codes.
ISO_639_1 = frozenset(_ISO_639_1.split())
#: ISO 3166-1 alpha-2 region codes (lower-cased).
ISO_3166_1 = frozenset(_ISO_3166_1.split())
# language, optional ISO 15924 script (zh-Hant), optional region (alpha-2 or UN M.49 digits)
_HREFLANG = re.compile(r"([a-z]{2})(?:-([a-z]{4}))?(?:-([a-z]{2}|\d{3}))?")


def hreflang_problem(value: str) -> str | None:
    """Why an hreflang value is invalid ("unknown language", ...), None when it is valid."""
    value = value.strip().lower()
    if value == "x-default":
        return None
    match = _HREFLANG.fullmatch(value)
    if match is None:
        return "not language[-region]"
    if match.group(1) not in ISO_639_1:
        return "unknown language"
    region = match.group(3)
    if region and not region.isdigit() and region not in ISO_3166_1:
        return "unknown region"
    return None


@page_check(
    "seo.hreflang.invalid_code", category="international", severity=Severity.WARNING,
    title="Invalid hreflang value",
    why="hreflang values must be an ISO 639-1 language, optionally followed by an ISO 3166-1 "
        "region (en-GB, not en-UK or en_GB), or x-default; invalid ones are ignored.",
    fix="Correct the language/region codes in the hreflang annotations.",
    reference=REF_HREFLANG)
def hreflang_invalid_code(page: PageContext) -> dict[str, Any] | None:
    """At least one hreflang annotation has an invalid language/region code."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs:
        return None
    bad = [{"hreflang": lang, "problem": problem} for lang, _ in facts.hreflangs
           if (problem := hreflang_problem(lang))]
    return {"count": len(bad), "examples": examples(bad)} if bad else None


@page_check(
    "seo.hreflang.invalid_url", category="international", severity=Severity.WARNING,
    title="hreflang URL is invalid",
    why="An hreflang alternate whose href is empty or not an http(s) URL cannot be followed, "
        "so that language version is left out of the cluster.",
    fix="Give every hreflang annotation the absolute URL of the alternate page.",
    reference=REF_HREFLANG)
def hreflang_invalid_url(page: PageContext) -> dict[str, Any] | None:
    """An hreflang annotation whose href did not resolve to an http(s) URL."""
    facts = html_facts(page)
    if facts is None:
        return None
    bad = [lang for lang, url in facts.hreflangs if not url]
    return {"count": len(bad), "hreflangs": examples(bad)} if bad else None


@page_check(
    "seo.hreflang.relative", category="international", severity=Severity.WARNING,
    title="hreflang URL is not fully qualified",
    why="Google requires hreflang alternates to be fully-qualified URLs, including the scheme "
        "(https://example.com/de/); a relative href such as /de/ may be ignored.",
    fix="Write every hreflang href as an absolute URL with https:// and the host.",
    reference=REF_HREFLANG)
def hreflang_relative(page: PageContext) -> dict[str, Any] | None:
    """<link rel=alternate hreflang> (or Link header) whose href is relative."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs:
        return None
    relative = [link.raw_href for link in facts.links
                if link.kind == "hreflang" and link.url and link.raw_href
                and not link.raw_href.lower().startswith(("http://", "https://"))]
    return {"count": len(relative), "hrefs": examples(relative)} if relative else None


@page_check(
    "seo.hreflang.missing_self", category="international", severity=Severity.WARNING,
    title="hreflang annotations do not include the page itself",
    why="Each language version must list itself as well as the others; without the "
        "self-reference Google may ignore the page's annotations.",
    fix="Add an hreflang entry that points to this page's own URL.",
    reference=REF_HREFLANG)
def hreflang_missing_self(page: PageContext) -> dict[str, Any] | None:
    """An indexable page has hreflang annotations, none of them pointing to its own URL."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs or not page.indexable:
        return None
    own = {facts.url, resolved_canonical(facts)}
    if any(url in own for _, url in facts.hreflangs):
        return None
    return {"hreflangs": examples(f"{lang} {url}" for lang, url in facts.hreflangs)}


def _by_code(pairs: Iterable[tuple[str, str]]) -> dict[str, set[str]]:
    """hreflang value (lower-cased) -> the valid URLs it names."""
    out: defaultdict[str, set[str]] = defaultdict(set)
    for lang, url in pairs:
        if url:
            out[lang.strip().lower()].add(url)
    return out


@page_check(
    "seo.hreflang.x_default_missing", category="international", severity=Severity.NOTICE,
    title="hreflang annotations without x-default",
    why="x-default names the page for visitors whose language matches none of the listed "
        "versions (often a language chooser or the main version). Without it, search engines "
        "pick a fallback themselves.",
    fix='Add <link rel="alternate" hreflang="x-default" href="..."> to every page of the '
        "cluster, naming the fallback page.",
    reference=REF_HREFLANG)
def hreflang_x_default_missing(page: PageContext) -> dict[str, Any] | None:
    """An indexable page annotates two or more languages and no x-default."""
    facts = html_facts(page)
    if facts is None or not facts.hreflangs or not page.indexable:
        return None
    codes = _by_code(facts.hreflangs)
    if "x-default" in codes or len(codes) < 2:
        return None
    return {"hreflangs": examples(sorted(codes))}


@page_check(
    "seo.hreflang.conflicting_urls", category="international", severity=Severity.WARNING,
    title="One hreflang value names different URLs",
    why="The page gives the same language (or x-default) more than one alternate URL, so "
        "search engines cannot tell which version to show and may ignore the annotations.",
    fix="Keep exactly one URL per hreflang value on each page (tags and HTTP headers "
        "together).",
    reference=REF_HREFLANG)
def hreflang_conflicting_urls(page: PageContext) -> dict[str, Any] | None:
    """Two hreflang annotations (HTML or Link header) with the same value name different
    URLs (case of the value ignored)."""
    facts = html_facts(page)
    if facts is None or len(facts.hreflangs) < 2:
        return None
    conflicts = [{"hreflang": lang, "urls": examples(sorted(urls))}
                 for lang, urls in _by_code(facts.hreflangs).items() if len(urls) > 1]
    return {"conflicts": examples(conflicts)} if conflicts else None


# -- hreflang graph (site-wide) --------------------------------------------------------------

#: Language subtags that name the same language (deprecated ISO 639 codes, Norwegian macro
#: language, three-letter Filipino), so they are not a mismatch.
_LANGUAGE_ALIASES = {"iw": "he", "in": "id", "ji": "yi", "jw": "jv", "mo": "ro", "nb": "no",
                     "nn": "no", "fil": "tl"}
#: Fetch errors that say nothing about the target (skipped by robots.txt, or too big to read).
_NOT_ANSWERS = frozenset({"robots_blocked", "too_large"})


@functools.lru_cache(maxsize=4096)
def _valid_value(value: str) -> bool:
    # A site uses a handful of values on every page: validate each once.
    return hreflang_problem(value) is None


def _live_html(record: PageRecord) -> bool:
    return (record.is_html and record.status == 200 and record.error is None
            and not record.redirect_hops)


def _annotations(site: SiteView) -> Iterator[tuple[PageRecord, str, PageRecord]]:
    """(indexable page, hreflang value, crawled target) for each valid annotation of an
    indexable 200 HTML page that names another crawled URL. Targets never crawled (other
    hosts, out of scope) cannot be judged, and invalid values are ignored by search engines
    (seo.hreflang.invalid_code), so both are left out."""
    pages = site.pages
    for record in pages.values():
        if not record.hreflangs or not record.indexable or not _live_html(record):
            continue
        for lang, url in record.hreflangs:
            if url and url != record.url and _valid_value(lang):
                target = pages.get(url)
                if target is not None and target.error not in _NOT_ANSWERS:
                    yield record, lang, target


def _per_page(site: SiteView, code: str,
              describe: Callable[[PageRecord, str, PageRecord], dict[str, Any] | None],
              ) -> Iterator[Finding]:
    """One finding per page whose annotations `describe` flags (a dict of evidence)."""
    bad: dict[str, list[dict[str, Any]]] = {}
    for record, lang, target in _annotations(site):
        evidence = describe(record, lang, target)
        if evidence is not None:
            bad.setdefault(record.url, []).append({"hreflang": lang, "url": target.url,
                                                   **evidence})
    for url, items in bad.items():
        yield Finding(code, url, {"count": len(items), "annotations": examples(items)})


@site_check(
    "seo.hreflang.no_return_link", category="international", severity=Severity.WARNING,
    title="hreflang without return link",
    why="The page names an alternate language version, but that version does not name this "
        "page back. Google requires annotations to be confirmed by both pages and ignores "
        "the pair otherwise (its most common hreflang error).",
    fix="Add the missing annotations on the listed alternate pages so each one lists every "
        "version of the cluster, this page included.",
    reference=REF_HREFLANG)
def hreflang_no_return_link(site: SiteView) -> Iterator[Finding]:
    """An indexable page's hreflang target is an indexable 200 HTML page whose annotations
    (HTML, headers and sitemaps) do not name the page. Targets whose annotations were cut at
    MAX_HREFLANGS_PER_PAGE are not judged."""
    sitemap_hreflangs = getattr(site, "sitemap_hreflangs", None) or {}

    def missing(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if (not target.indexable or not _live_html(target)
                or len(target.hreflangs) >= MAX_HREFLANGS_PER_PAGE):
            return None
        if any(url == record.url for _, url in target.hreflangs):
            return None
        if any(url == record.url for _, url in sitemap_hreflangs.get(target.url, ())):
            return None
        return {"target_hreflangs": len(target.hreflangs)}

    return _per_page(site, "seo.hreflang.no_return_link", missing)


@site_check(
    "seo.hreflang.to_redirect", category="international", severity=Severity.WARNING,
    title="hreflang points to a redirect",
    why="hreflang alternates must be the final URLs of the versions. A redirecting URL "
        "cannot confirm the annotation, so search engines may drop that version.",
    fix="Replace the redirecting URL with its destination in the annotations.",
    reference=REF_HREFLANG)
def hreflang_to_redirect(site: SiteView) -> Iterator[Finding]:
    """An indexable page's hreflang target redirected (to a URL that answered)."""
    def redirects(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if target.redirect_hops and target.error is None and target.status < 400:
            return {"redirects_to": target.final_url}
        return None

    return _per_page(site, "seo.hreflang.to_redirect", redirects)


@site_check(
    "seo.hreflang.to_error", category="international", severity=Severity.WARNING,
    title="hreflang points to an error page",
    why="An alternate language version answers an error (or could not be fetched), so "
        "search engines ignore it and the cluster is incomplete.",
    fix="Fix the alternate page or remove/replace the annotation.",
    reference=REF_HREFLANG)
def hreflang_to_error(site: SiteView) -> Iterator[Finding]:
    """An indexable page's hreflang target failed or answered something other than 200
    (after any redirects)."""
    def failed(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if target.error is not None or target.status >= 400 or (
                target.status != 200 and not target.redirect_hops):
            return {"status": target.status, "error": target.error}
        return None

    return _per_page(site, "seo.hreflang.to_error", failed)


@site_check(
    "seo.hreflang.to_non_canonical", category="international", severity=Severity.WARNING,
    title="hreflang points to a canonicalised URL",
    why="The alternate URL declares another URL as canonical. hreflang must name canonical "
        "URLs; otherwise the annotations conflict and are ignored.",
    fix="Use the canonical URL of each version in the hreflang annotations.",
    reference=REF_HREFLANG)
def hreflang_to_non_canonical(site: SiteView) -> Iterator[Finding]:
    """An indexable page's hreflang target is a 200 HTML page canonicalised elsewhere."""
    def non_canonical(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if canonicalised(target):
            return {"canonical": target.canonical}
        return None

    return _per_page(site, "seo.hreflang.to_non_canonical", non_canonical)


@site_check(
    "seo.hreflang.to_noindex", category="international", severity=Severity.WARNING,
    title="hreflang points to a noindex page",
    why="An alternate language version says noindex, so it cannot be shown in results and "
        "the annotation pointing to it is wasted (or signals a mistake on that page).",
    fix="Remove noindex from the alternate page if it should rank, or remove it from the "
        "hreflang annotations.",
    reference=REF_HREFLANG)
def hreflang_to_noindex(site: SiteView) -> Iterator[Finding]:
    """An indexable page's hreflang target answered 200 with a noindex directive."""
    def noindexed(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if _live_html(target) and target.indexability_reason.startswith("noindex"):
            return {"reason": target.indexability_reason}
        return None

    return _per_page(site, "seo.hreflang.to_noindex", noindexed)


def _language(value: str) -> str:
    """The primary language subtag, lower-cased, with aliases folded ("" when none)."""
    primary = value.strip().replace("_", "-").split("-", 1)[0].lower()
    return _LANGUAGE_ALIASES.get(primary, primary)


@site_check(
    "seo.hreflang.lang_mismatch", category="international", severity=Severity.NOTICE,
    title="hreflang language differs from the target's declared language",
    why="The annotation says the alternate page is in one language, while that page's "
        "<html lang> declares another. One of them is wrong: either the annotation names the "
        "wrong URL or the page template declares the wrong language.",
    fix="Check the alternate page: fix the hreflang value or URL, or the page's lang "
        "attribute.",
    reference=REF_HREFLANG)
def hreflang_lang_mismatch(site: SiteView) -> Iterator[Finding]:
    """The language part of an hreflang value differs from the target page's <html lang>
    language part. x-default, invalid values and targets without (or with a non two-letter)
    lang attribute are not judged."""
    def mismatch(record: PageRecord, lang: str, target: PageRecord) -> dict[str, Any] | None:
        if not target.lang or not _live_html(target) or lang.strip().lower() == "x-default":
            return None
        declared = _language(target.lang)
        if len(declared) != 2 or not declared.isalpha():
            return None
        return {"lang": target.lang} if declared != _language(lang) else None

    return _per_page(site, "seo.hreflang.lang_mismatch", mismatch)


@site_check(
    "seo.hreflang.sitemap_conflict", category="international", severity=Severity.WARNING,
    title="Sitemap and page disagree on hreflang",
    why="The sitemap's hreflang annotations for this page name a different URL for a "
        "language than the page's own annotations (HTML or HTTP header). Search engines get "
        "two answers and may use either or neither.",
    fix="Generate hreflang from one source, or make the sitemap and the page list the same "
        "URL for every language.",
    reference=REF_HREFLANG)
def hreflang_sitemap_conflict(site: SiteView) -> Iterator[Finding]:
    """For a crawled 200 HTML page annotated both in a sitemap and on the page, an hreflang
    value present in both names different URLs (a value present on one side only is not a
    conflict)."""
    sitemap_hreflangs = getattr(site, "sitemap_hreflangs", None) or {}
    pages = site.pages
    for url, pairs in sitemap_hreflangs.items():
        record = pages.get(url)
        if record is None or not record.hreflangs or not _live_html(record):
            continue
        if len(record.hreflangs) >= MAX_HREFLANGS_PER_PAGE:
            continue
        on_page = _by_code(record.hreflangs)
        conflicts = [{"hreflang": lang, "sitemap": sorted(urls), "page": sorted(on_page[lang])}
                     for lang, urls in _by_code(pairs).items()
                     if lang in on_page and urls != on_page[lang]]
        if conflicts:
            yield Finding("seo.hreflang.sitemap_conflict", url, {
                "count": len(conflicts), "conflicts": examples(conflicts)})
