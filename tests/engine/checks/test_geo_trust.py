"""GEO authorship and trust checks: article dates and bylines, semantic landmarks, and the
organization behind the site."""

from __future__ import annotations

from audits.engine.content_rules import ORG, ORG_LOGO, ORG_SAME_AS, PERSON
from tests.engine.checks.geo_pages import article_doc, article_ld
from tests.engine.checks.helpers import Case, page, record, run, site

NOW = {"Date": "Sun, 01 Jun 2025 10:00:00 GMT"}
LATER = {"Date": "Wed, 01 Jun 2033 10:00:00 GMT"}
HOME = "https://example.com/"
ABOUT, CONTACT, PRIVACY = (HOME + p for p in ("about-us", "contact", "privacy-policy"))


def article(headers=NOW, **kwargs):
    return page(article_doc(**kwargs), headers=headers)


def undated(**kwargs):
    return article(data=article_ld(datePublished=None, dateModified=None), **kwargs)


def with_pages(*records, links=()):
    return site(record(HOME, depth=0), *records, links=links)


def named(url, *names, **overrides):
    return record(url, site_names="\n".join(f"{source}\t{name}" for source, name in names),
                  **overrides)


FULL_ORG = ORG | ORG_SAME_AS | ORG_LOGO

CASES = [
    Case("seo.geo.article_undated",
         fails=[lambda: undated(),
                lambda: article(data=article_ld(datePublished=None, dateModified=None,
                                                **{"@type": "NewsArticle"}))],
         passes=[lambda: article(),
                 lambda: undated(extra='<p>Updated <time datetime="2025-03-01">March 1</time></p>'),
                 lambda: undated(byline="<p>By Ana Ruiz, published March 5, 2025</p>"),
                 lambda: undated(extra_head='<meta property="article:published_time" '
                                            'content="2025-02-01T08:00:00Z">'),
                 lambda: page(article_doc(data={})),  # not an article
                 # og:type=article without a publication time: some CMSs mark every page so
                 lambda: page(article_doc(data={}, extra_head='<meta property="og:type" '
                                                              'content="article">'))]),
    Case("seo.geo.stale_article",
         fails=[lambda: article(headers=LATER),
                lambda: article(data=article_ld(datePublished="2019-05-01", dateModified=None))],
         passes=[lambda: article(),
                 lambda: undated(headers=LATER),  # no date: article_undated's job
                 # news archives are old by nature
                 lambda: article(headers=LATER, data=article_ld(**{"@type": "NewsArticle"}))]),
    Case("seo.geo.article_no_byline",
         fails=[lambda: article(byline="", data=article_ld(author=None)),
                # WordPress comment markup is not a byline
                lambda: article(byline='<ol><li class="comment-author vcard">Bob</li></ol>',
                                data=article_ld(author=None))],
         passes=[lambda: article(),
                 lambda: article(data=article_ld(author=None)),  # visible byline markup
                 lambda: article(byline="", data=article_ld(author=None),
                                 extra_head='<meta name="author" content="Ana Ruiz">'),
                 lambda: article(byline='<a rel="author" href="/team/ana">Ana</a>',
                                 data=article_ld(author=None)),
                 lambda: page(article_doc(byline="", data={}))]),  # not an article
    Case("seo.geo.byline_without_person",
         fails=[lambda: article(data=article_ld(author=None)),
                lambda: article(data=article_ld(author="Ana Ruiz"))],
         passes=[lambda: article(),
                 lambda: article(data=article_ld(author={"@type": "Organization", "name": "Acme"})),
                 lambda: article(byline="", data=article_ld(author=None)),  # no byline at all
                 lambda: article(data=article_ld(author=None),
                                 byline='<p itemprop="author" itemscope '
                                        'itemtype="https://schema.org/Person">Ana</p>')]),
    Case("seo.geo.div_soup",
         fails=[lambda: article(landmark="div"),
                lambda: page(article_doc(landmark="div", data={}))],
         passes=[lambda: article(), lambda: article(landmark="article"),
                 lambda: page(article_doc(landmark="div").replace(
                     '<div class="content">', '<div class="content" role="main">')),
                 # short pages are not judged
                 lambda: article(landmark="div", sections=1, per_section=2)]),
    Case("seo.geo.no_organization",
         fails=[lambda: with_pages(record(ABOUT)),
                lambda: site(record(HOME, depth=0, organization=ORG_LOGO))],
         passes=[lambda: site(record(HOME, organization=FULL_ORG)),
                 lambda: with_pages(record(ABOUT, organization=ORG)),
                 lambda: site(record(HOME, organization=PERSON)),  # a personal site
                 lambda: site(record(HOME, status=500)),  # home not crawled: cannot tell
                 lambda: site()]),
    Case("seo.geo.organization_incomplete",
         fails=[lambda: site(record(HOME, organization=ORG)),
                lambda: site(record(HOME, organization=ORG | ORG_LOGO))],
         passes=[lambda: site(record(HOME, organization=FULL_ORG)),
                 lambda: site(record(HOME, organization=ORG | ORG_LOGO),
                              record(ABOUT, organization=ORG | ORG_SAME_AS)),
                 lambda: site(record(HOME))]),  # no Organization: no_organization's job
    Case("seo.geo.no_trust_pages",
         fails=[lambda: with_pages(record(ABOUT), record(CONTACT)),
                lambda: with_pages(record(HOME + "blog/post"))],
         passes=[lambda: with_pages(record(ABOUT), record(CONTACT), record(PRIVACY)),
                 # linked (not crawled) targets and link texts in other languages count
                 lambda: with_pages(links=((HOME, HOME + "empresa/quienes-somos.html", "Quiénes somos"),
                                           (HOME, HOME + "kontakt", "Kontakt"),
                                           (HOME, HOME + "legal/pd", "Datenschutz"))),
                 lambda: site(record(ABOUT))]),  # home page not crawled
    Case("seo.geo.inconsistent_site_name",
         fails=[lambda: site(named(HOME, ("og:site_name", "Acme"), ("website", "Acme")),
                             named(ABOUT, ("og:site_name", "Globex"))),
                lambda: site(named(HOME, ("website", "My Garden Blog"),
                                   ("organization", "Ruiz Media S.L.")))],
         passes=[lambda: site(named(HOME, ("og:site_name", "Acme"), ("organization", "ACME, Inc.")),
                              named(ABOUT, ("og:site_name", "Acme Blog"))),
                 lambda: site(named(HOME, ("og:site_name", "Acme")),
                              named(ABOUT, ("og:site_name", "Globex"), status=404)),
                 lambda: site(record(HOME))]),
]


def test_stale_article_reports_age_from_the_date_header():
    [finding] = run("seo.geo.stale_article", article(headers=LATER))
    assert finding.details["newest_date"] == "2025-06-01"
    assert finding.details["checked_at"] == "2033-06-01"
    assert finding.details["age_days"] > finding.details["threshold_days"] == 730


def test_no_trust_pages_lists_what_is_missing_and_found():
    [finding] = run("seo.geo.no_trust_pages", with_pages(record(ABOUT), record(CONTACT)))
    assert finding.details["missing"] == ["privacy"]
    assert finding.details["found"] == {"about": ABOUT, "contact": CONTACT}


def test_inconsistent_site_name_names_each_variant_once():
    view = site(*(named(f"{HOME}p{i}", ("og:site_name", "Acme")) for i in range(50)),
                named(ABOUT, ("og:site_name", "Globex")))
    [finding] = run("seo.geo.inconsistent_site_name", view)
    assert [n["name"] for n in finding.details["names"]] == ["Acme", "Globex"]


def test_about_and_utility_pages_are_not_judged_as_articles():
    for url in ("https://example.com/about-us", "https://example.com/cart"):
        html = article_doc(byline="", data=article_ld(author=None)).replace(
            "https://example.com/page", url)
        assert not run("seo.geo.article_no_byline", page(html, url=url, headers=NOW))
    assert run("seo.geo.article_no_byline", article(byline="", data=article_ld(author=None)))
