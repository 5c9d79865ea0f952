"""Sitemap checks over a SiteView holding SitemapInfo entries and page records."""

from __future__ import annotations

from audits.engine.robots import parse_robots
from audits.engine.site import SiteView
from audits.engine.sitemaps import SitemapInfo
from tests.engine.checks.helpers import Case, record, run, site

HOME = "https://example.com/"
A, B = "https://example.com/a", "https://example.com/b"
DEFAULT = "https://example.com/sitemap.xml"


def sm(url: str = DEFAULT, kind: str = "urlset", source: str = "default", **kw) -> SitemapInfo:
    kw.setdefault("status", 0 if kind == "missing" and "status" not in kw else 200)
    return SitemapInfo(url, kind=kind, source=source, **kw)


def view(*files: SitemapInfo, records=(), listed=(), robots: str | None = "User-agent: *\n",
         cap: bool = False) -> SiteView:
    out = site(*(records or (record(HOME, in_sitemap=True),)))
    out.sitemaps = list(files)
    out.sitemap_urls = set(listed) or {r.url for r in out.pages.values() if r.in_sitemap}
    out.sitemap_url_cap_reached = cap
    if robots is not None:
        out.robots = parse_robots("https://example.com/robots.txt", robots.encode(),
                                  token="SEOAuditBot")
    return out


ROBOTS_SM = "User-agent: *\nSitemap: https://example.com/sm.xml\n"
HTML_ERROR = "an HTML page, not a sitemap"

CASES = [
    Case("seo.sitemap.missing",
         fails=[lambda: view(sm(kind="missing", status=404, error="HTTP 404")),
                lambda: view(sm(kind="invalid", error=HTML_ERROR))],
         passes=[lambda: view(sm()),
                 lambda: view(sm("https://example.com/sm.xml", kind="missing", source="robots",
                                 status=404), robots=ROBOTS_SM),
                 lambda: site(record(HOME))]),
    Case("seo.sitemap.unreachable",
         fails=[lambda: view(sm("https://example.com/sm.xml", kind="missing", source="robots",
                                status=404, error="HTTP 404"), robots=ROBOTS_SM),
                lambda: view(sm(), sm("https://example.com/part.xml", kind="missing",
                                      source="index", status=0, error="timeout: ..."))],
         passes=[lambda: view(sm(kind="missing", status=404)), lambda: view(sm())]),
    Case("seo.sitemap.invalid",
         fails=[lambda: view(sm(kind="invalid", error="invalid XML: mismatched tag")),
                lambda: view(sm("https://example.com/sm.xml", kind="invalid", source="robots",
                                error=HTML_ERROR), robots=ROBOTS_SM)],
         passes=[lambda: view(sm()), lambda: view(sm(kind="invalid", error=HTML_ERROR))]),
    Case("seo.sitemap.too_large",
         fails=[lambda: view(sm(url_count=50_001, truncated=True)),
                lambda: view(sm(size=50 * 1024 * 1024, truncated=True, url_count=10))],
         passes=[lambda: view(sm(url_count=50_000)),
                 # cut short by a small crawl cap, not over the protocol's limits
                 lambda: view(sm(url_count=100, truncated=True, size=5000))]),
    Case("seo.sitemap.error_status",
         fails=[lambda: view(sm(), records=(record(A, in_sitemap=True, status=404, is_html=False,
                                                   indexable=False),)),
                lambda: view(sm(), records=(record(A, in_sitemap=True, status=503,
                                                   indexable=False),))],
         passes=[lambda: view(sm(), records=(record(A, in_sitemap=True),)),
                 lambda: view(sm(), records=(record(A, status=404, indexable=False),)),
                 lambda: view(sm(), records=(record(A, in_sitemap=True, redirect_hops=1,
                                                   final_url=B, status=404, indexable=False),))]),
    Case("seo.sitemap.redirect",
         fails=[lambda: view(sm(), records=(record(A, in_sitemap=True, redirect_hops=1,
                                                   final_url=B, indexable=False),))],
         passes=[lambda: view(sm(), records=(record(A, in_sitemap=True),)),
                 lambda: view(sm(), records=(record(A, redirect_hops=1, final_url=B,
                                                   indexable=False),))]),
    Case("seo.sitemap.canonicalised",
         fails=[lambda: view(sm(), records=(record(A, in_sitemap=True, canonical=B,
                                                   indexable=False,
                                                   indexability_reason=f"canonicalised to {B}"),))],
         passes=[lambda: view(sm(), records=(record(A, in_sitemap=True),)),
                 # noindex is reported by seo.sitemap.non_indexable
                 lambda: view(sm(), records=(record(A, in_sitemap=True, canonical=B,
                                                   indexable=False,
                                                   indexability_reason="noindex (meta robots)"),)),
                 lambda: view(sm(), records=(record(A, canonical=B, indexable=False,
                                                   indexability_reason=f"canonicalised to {B}"),))]),
    Case("seo.sitemap.lastmod_invalid",
         fails=[lambda: view(sm(lastmod_invalid=3,
                                lastmod_invalid_examples=((A, "01/02/2024"),)))],
         passes=[lambda: view(sm()), lambda: view(sm(lastmod_future=1))]),
    Case("seo.sitemap.lastmod_future",
         fails=[lambda: view(sm(lastmod_future=1, lastmod_future_examples=((A, "2999-01-01"),)))],
         passes=[lambda: view(sm()), lambda: view(sm(lastmod_invalid=1))]),
    Case("seo.sitemap.not_in_robots",
         fails=[lambda: view(sm()), lambda: view(sm(kind="index"))],
         passes=[lambda: view(sm("https://example.com/sm.xml", source="robots"), robots=ROBOTS_SM),
                 lambda: view(sm(kind="missing", status=404)),
                 lambda: view(sm(kind="invalid", error=HTML_ERROR)),
                 lambda: view(sm(), robots=None)]),
    Case("seo.sitemap.missing_pages",
         fails=[lambda: view(sm(), records=(record(HOME, in_sitemap=True), record(A)))],
         passes=[lambda: view(sm(), records=(record(HOME, in_sitemap=True),
                                             record(A, in_sitemap=True))),
                 # not indexable, redirected or an error: rightly absent
                 lambda: view(sm(), records=(record(HOME, in_sitemap=True),
                                             record(A, indexable=False,
                                                    indexability_reason="noindex (meta robots)"),
                                             record(B, status=404, indexable=False))),
                 # the URL cap or a failed file means the list is incomplete
                 lambda: view(sm(), records=(record(HOME, in_sitemap=True), record(A)), cap=True),
                 lambda: view(sm(), sm("https://example.com/2.xml", kind="missing", source="index",
                                       status=500),
                              records=(record(HOME, in_sitemap=True), record(A))),
                 lambda: view(sm(kind="missing", status=404), records=(record(A),)),
                 # a page of another subdomain (include_subdomains) has its own sitemap
                 lambda: view(sm(), records=(record(HOME, in_sitemap=True),
                                             record("https://blog.example.com/post")))]),
    Case("seo.sitemap.off_host",
         fails=[lambda: view(sm(off_host_urls=2, off_host_examples=("https://www.example.com/a",)))],
         passes=[lambda: view(sm()),
                 # hosted elsewhere and named in robots.txt: cross-submission
                 lambda: view(sm("https://cdn.example.net/sm.xml", source="robots",
                                 off_host_urls=5), robots=ROBOTS_SM)]),
]



def test_missing_pages_gives_count_and_examples():
    [finding] = run("seo.sitemap.missing_pages",
                    view(sm(), records=(record(HOME, in_sitemap=True), record(A), record(B))))
    assert finding.url is None
    assert finding.details["count"] == 2 and set(finding.details["examples"]) == {A, B}


def test_listed_url_findings_belong_to_the_url():
    [finding] = run("seo.sitemap.redirect",
                    view(sm(), records=(record(A, in_sitemap=True, redirect_hops=2, final_url=B,
                                               indexable=False),)))
    assert finding.url == A and finding.details["redirects_to"] == B
