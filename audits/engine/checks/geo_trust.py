"""GEO authorship and trust: who wrote an article and when, which organization stands behind
the site, whether it says so consistently, and whether its pages are marked up as content.
Answer engines, like Google's quality guidelines, weigh the source of a passage; these are the
signals a crawler can verify. Signals come from `citability.py` (docs/geo-citability.md).

Article checks judge indexable HTML 200 pages marked as articles (Article-family JSON-LD or
og:type article); site checks read the small per-page fields of `site.PageRecord`."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

from .. import content_rules
from ..site import PageRecord, SiteView
from ..types import ContentSignals, Finding, Severity
from .common import examples, html_facts
from .geo_content import MIN_CONTENT_WORDS, content_signals
from .registry import PageContext, page_check, site_check

REF_ARTICLE = "https://developers.google.com/search/docs/appearance/structured-data/article"
REF_ORGANIZATION = ("https://developers.google.com/search/docs/appearance/structured-data/"
                    "organization")
REF_SITE_NAME = "https://developers.google.com/search/docs/appearance/site-names"
REF_EEAT = ("https://developers.google.com/search/docs/fundamentals/creating-helpful-content"
            "#get-to-know-e-e-a-t-and-the-quality-rater-guidelines")
REF_LANDMARKS = "https://developer.mozilla.org/en-US/docs/Web/HTML/Element/main"
#: An article whose newest date is older than this is stale (news articles excepted).
STALE_AFTER_DAYS = 730
#: Article checks apply from this many main-content words (shorter "articles" are often stubs).
MIN_ARTICLE_WORDS = 150
_NAME_WORD = re.compile(r"\w+")


def article_signals(page: PageContext) -> ContentSignals | None:
    """Signals of an indexable HTML 200 article page (Article-family JSON-LD, or og:type
    article with article:published_time) with at least MIN_ARTICLE_WORDS main-content words,
    that is not the home page, a utility page or an about/contact/privacy page; else None."""
    facts = html_facts(page)
    if facts is None or not page.indexable or facts.content is None \
            or content_rules.utility_page(page.url) or content_rules.trust_page_kinds(page.url):
        return None
    content = facts.content
    if not content.article_type or content.main_words < MIN_ARTICLE_WORDS:
        return None
    return content


@page_check(
    "seo.geo.article_undated", category="geo", component="trust", severity=Severity.NOTICE,
    title="Article without a date",
    why="Answer engines and readers weigh how current a source is; an article that shows no "
        "publication or update date anywhere (markup, meta tags, <time>, text) cannot be "
        "judged fresh, and Google recommends datePublished/dateModified for articles.",
    fix="Show the publication date (and the last update) on the page in a <time datetime> "
        "element, and add datePublished/dateModified to the Article JSON-LD.",
    reference=REF_ARTICLE)
def article_undated(page: PageContext) -> dict[str, Any] | None:
    """Article page with no datePublished/dateModified (JSON-LD), no article:published_time /
    modified_time or og:updated_time meta, no <time> in the main content and no date written
    near a year in the first paragraphs."""
    content = article_signals(page)
    if content is None or content.date_published or content.date_modified \
            or content.time_element or content.visible_date:
        return None
    return {"article_type": content.article_type}


@page_check(
    "seo.geo.stale_article", category="geo", component="trust", severity=Severity.NOTICE,
    title="Article not updated in over two years",
    why="Answer engines favour current sources for most questions; an article whose newest "
        "date (update or publication) is more than two years old is likely to lose to fresher "
        "pages, and may no longer be accurate.",
    fix="Review the article: update facts and figures, then update dateModified and the "
        "visible \"Updated\" date. If it is deliberately historical, nothing needs to change.",
    reference=REF_ARTICLE)
def stale_article(page: PageContext) -> dict[str, Any] | None:
    """Article page (not a NewsArticle-family page: archives are old by nature) whose newest
    of dateModified/datePublished (JSON-LD or meta, else <time datetime>) is more than
    STALE_AFTER_DAYS days before the response's Date header (else the check's clock)."""
    content = article_signals(page)
    if content is None or content.news:
        return None
    dates = [d for d in (content_rules.parse_date(content.date_modified),
                         content_rules.parse_date(content.date_published)) if d is not None]
    if not dates:
        time_date = content_rules.parse_date(content.time_element)
        dates = [time_date] if time_date is not None else []
    if not dates:
        return None
    newest = max(dates)
    now = content_rules.fetch_time(page.fetch)
    if now - newest <= timedelta(days=STALE_AFTER_DAYS):
        return None
    return {"newest_date": newest.date().isoformat(), "checked_at": now.date().isoformat(),
            "age_days": (now - newest).days, "threshold_days": STALE_AFTER_DAYS}


@page_check(
    "seo.geo.article_no_byline", category="geo", component="trust", severity=Severity.NOTICE,
    title="Article without an author",
    why="Who wrote a text is one of the first trust signals readers, quality raters and answer "
        "engines look for; this article names no author in meta tags, markup or a byline.",
    fix="Show a byline with the author's name (linking to an author page), add "
        "<meta name=\"author\">, and an author (Person with name and url) in the Article JSON-LD.",
    reference=REF_EEAT)
def article_no_byline(page: PageContext) -> dict[str, Any] | None:
    """Article page with no author: no meta name=author, no rel=author link, no author in
    the Article JSON-LD, no class/itemprop/rel author or byline markup."""
    content = article_signals(page)
    if content is None or content.byline:
        return None
    return {"article_type": content.article_type}


@page_check(
    "seo.geo.byline_without_person", category="geo", component="trust", severity=Severity.NOTICE,
    title="Author named but not marked up as a Person",
    why="The article names an author, but its structured data does not say who that is "
        "(no typed author). A Person with a name and a profile URL lets search and answer "
        "engines connect the article to the author's other work and credentials.",
    fix="In the Article JSON-LD set \"author\": {\"@type\": \"Person\", \"name\": \"...\", "
        "\"url\": \"<author page>\"} (or an Organization when no person wrote it).",
    reference=REF_ARTICLE)
def byline_without_person(page: PageContext) -> dict[str, Any] | None:
    """Article page with an author in meta, rel=author or byline markup, but no JSON-LD
    author node with an @type (Person or Organization), and no schema.org/Person microdata."""
    content = article_signals(page)
    if content is None or not content.byline or content.author_types:
        return None
    if "microdata" in content.byline:
        return None
    return {"byline": list(content.byline), "author": content.author_name}


@page_check(
    "seo.geo.div_soup", category="geo", component="trust", severity=Severity.NOTICE,
    title="Content page without semantic landmarks (div soup)",
    why="<main> and <article> tell crawlers and answer engines which part of the page is the "
        "content and which is navigation or boilerplate. Without them the main text has to be "
        "guessed, and passages may be taken from menus, footers or sidebars.",
    fix="Wrap the page's main content in <main> (and each self-contained text in <article>), "
        "and use <nav>, <header>, <footer> and <aside> for the rest.",
    reference=REF_LANDMARKS)
def div_soup(page: PageContext) -> dict[str, Any] | None:
    """Content page (MIN_CONTENT_WORDS+ main words, not home/utility) with no <main>, no
    <article> and no role="main" element."""
    content = content_signals(page, MIN_CONTENT_WORDS)
    if content is None or content.divs < 0:
        return None
    names = ("main", "article", "nav", "header", "footer", "aside")
    return {"divs": content.divs, "landmarks": dict(zip(names, content.semantic, strict=False))}


# -- site checks -----------------------------------------------------------------------------

def _healthy_html(record: PageRecord) -> bool:
    return (record.is_html and record.status == 200 and record.indexable
            and not record.redirect_hops and record.error is None)


def _home(site: SiteView) -> PageRecord | None:
    record = site.home_record()
    return record if record is not None and _healthy_html(record) else None


@site_check(
    "seo.geo.no_organization", category="geo", component="trust", severity=Severity.WARNING,
    title="No Organization markup: the site does not say who is behind it",
    why="Organization structured data (name, logo, sameAs profiles) tells search and answer "
        "engines which entity publishes the site, so they can attribute its content and "
        "connect it to the organization's profiles and knowledge-graph entry.",
    fix="Add Organization JSON-LD (or the most specific subtype, e.g. LocalBusiness) to the "
        "home page: name, url, logo, and sameAs links to official profiles.",
    reference=REF_ORGANIZATION)
def no_organization(site: SiteView) -> Iterator[Finding]:
    """The home page was crawled (HTML 200, indexable) and no crawled page declares an
    Organization-family entity (directly or as publisher/provider/brand), and the home page
    has no Person entity either (a personal site)."""
    home = _home(site)
    if home is None or home.organization & (content_rules.ORG | content_rules.PERSON):
        return
    if any(record.organization & content_rules.ORG for record in site.pages.values()):
        return
    yield Finding("seo.geo.no_organization", None,
                  {"home": home.url, "pages_checked": sum(1 for r in site.pages.values() if r.is_html)})


@site_check(
    "seo.geo.organization_incomplete", category="geo", component="trust",
    severity=Severity.NOTICE,
    title="Organization markup without logo or sameAs profiles",
    why="An Organization without a logo or sameAs links is hard to tell apart from others "
        "with the same name: sameAs (official social profiles, Wikipedia, Wikidata, business "
        "registries) and a logo are what connect it to a known entity.",
    fix="Add \"logo\" (an image URL) and \"sameAs\" (a list of the organization's official "
        "profile URLs) to the Organization JSON-LD.",
    reference=REF_ORGANIZATION)
def organization_incomplete(site: SiteView) -> Iterator[Finding]:
    """Some crawled page declares an Organization, but none gives it sameAs, or none gives it
    a logo (missing properties listed)."""
    flags = 0
    first: str | None = None
    for record in site.pages.values():
        if record.organization & content_rules.ORG:
            flags |= record.organization
            first = first or record.url
    if first is None:
        return
    missing = [name for name, bit in (("sameAs", content_rules.ORG_SAME_AS),
                                      ("logo", content_rules.ORG_LOGO)) if not flags & bit]
    if missing:
        home = _home(site)
        url = home.url if home is not None and home.organization & content_rules.ORG else first
        yield Finding("seo.geo.organization_incomplete", url, {"missing": missing})


@site_check(
    "seo.geo.no_trust_pages", category="geo", component="trust", severity=Severity.NOTICE,
    title="No about, contact or privacy page found",
    why="Pages that say who runs the site, how to reach them and how data is handled are "
        "basic trust signals for readers, quality raters and answer engines; the crawl found "
        "no link to some of them.",
    fix="Add the missing pages (About / Contact / Privacy policy, or their local equivalents "
        "such as Impressum or Aviso legal) and link them from every page, usually the footer.",
    reference=REF_EEAT)
def no_trust_pages(site: SiteView) -> Iterator[Finding]:
    """With the home page crawled, none of the crawled URLs or internal link targets has a
    path segment or (sampled) link text naming an about, contact or privacy page
    (data/citability.json lists, several languages); the missing kinds are listed."""
    home = _home(site)
    if home is None:
        return
    found: dict[str, str] = {}
    for url in itertools.chain(site.pages, site.targets):
        for kind in content_rules.trust_page_kinds(url):
            found.setdefault(kind, url)
        if len(found) == 3:
            return
    for url, target in site.targets.items():
        for _, anchor, _ in target.sources:
            for kind in content_rules.trust_page_kinds("", anchor):
                found.setdefault(kind, url)
    missing = [kind for kind in ("about", "contact", "privacy") if kind not in found]
    if missing:
        yield Finding("seo.geo.no_trust_pages", home.url, {"missing": missing, "found": found})


def name_key(name: str) -> frozenset[str]:
    """The words of a site name without case, punctuation or company-form words ("Acme,
    Inc." and "ACME" give {"acme"})."""
    words = {word for word in _NAME_WORD.findall(name.casefold())}
    return frozenset(words - content_rules.data().legal_suffixes) or frozenset(words)


@site_check(
    "seo.geo.inconsistent_site_name", category="geo", component="trust",
    severity=Severity.NOTICE,
    title="The site calls itself by different names",
    why="Search and answer engines pick one name for a site and its organization from "
        "og:site_name, the WebSite name and the Organization name; when pages disagree they "
        "may show or attribute the wrong name, and the entity is harder to recognise.",
    fix="Use one name everywhere: the same og:site_name on every page and the same name in "
        "the WebSite and Organization JSON-LD (alternateName can hold variants).",
    reference=REF_SITE_NAME)
def inconsistent_site_name(site: SiteView) -> Iterator[Finding]:
    """Across healthy HTML pages, the og:site_name, WebSite name and Organization names fall
    into more than one group, where two names are one group when the words of one (case,
    punctuation and company-form words ignored) are all in the other ("Acme" and "Acme Inc."
    or "Acme Blog" agree; "Acme" and "Globex" do not)."""
    groups: list[tuple[frozenset[str], dict[str, Any]]] = []
    seen: set[str] = set()
    for record in site.pages.values():
        if not record.site_names or record.site_names in seen or not _healthy_html(record):
            continue
        seen.add(record.site_names)  # interned: one pass per distinct combination
        for line in record.site_names.split("\n"):
            source, _, name = line.partition("\t")
            key = name_key(name)
            if not key:
                continue
            for group_key, _ in groups:
                if key <= group_key or group_key <= key:
                    break
            else:
                if len(groups) < 10:
                    groups.append((key, {"name": name, "source": source, "url": record.url}))
    if len(groups) > 1:
        yield Finding("seo.geo.inconsistent_site_name", None,
                      {"names": examples(group for _, group in groups)})
