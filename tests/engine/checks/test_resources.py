"""Checks over `SiteView.resources`: broken images, CSS/JS and external links, heavy images."""

from __future__ import annotations

from audits.engine.checks.resources import IMAGE_MAX_BYTES
from audits.engine.resources import ResourceStatus, classify, status_from_page
from audits.engine.site import SiteView
from tests.engine.checks.helpers import Case, fires, record, run, site

HOME = "https://example.com/"
PAGE = "https://example.com/page"
IMG = "https://example.com/img/hero.jpg"
CSS = "https://example.com/assets/site.css"
JS = "https://example.com/assets/app.js"
EXT_LINK = "https://other.org/article"
EXT_IMG = "https://cdn.other.org/pic.png"
EXT_JS = "https://cdn.other.org/lib.js"


def answer(status: int, *, error: str | None = None, external: bool = False,
           headers: tuple[tuple[str, str], ...] = (), content_type: str = "",
           size: int | None = None, method: str = "GET") -> ResourceStatus:
    """A resource answer, judged by the same rules resources.py applies."""
    return ResourceStatus(status=status, error=error, content_type=content_type, size=size,
                          outcome=classify(status, error, headers, external=external),
                          method=method)


def refs(*links: tuple[str, str, str, str], resources: dict[str, ResourceStatus] | None = None,
         pages=()) -> SiteView:
    """A site whose pages reference (source, target, anchor, kind); example.com is ours."""
    view = site(*(pages or (record(HOME), record(PAGE))))
    for source, target, anchor, kind in links:
        if target.startswith("https://example.com/"):
            view.add_link(source, target, anchor, kind)
        else:
            view.add_external_link(source, target, anchor, kind)
    view.resources.update(resources or {})
    return view


def ext_link(status: int, **kw) -> SiteView:
    return refs((PAGE, EXT_LINK, "Read the study", "a"),
                resources={EXT_LINK: answer(status, external=True, **kw)})


def img(status: int, *, url: str = IMG, **kw) -> SiteView:
    external = not url.startswith("https://example.com/")
    return refs((PAGE, url, "A hero", "img"), resources={url: answer(status, external=external, **kw)})


def code(status: int, *, url: str = CSS, kind: str = "css", **kw) -> SiteView:
    external = not url.startswith("https://example.com/")
    return refs((PAGE, url, "", kind), resources={url: answer(status, external=external, **kw)})


def unchecked_link() -> SiteView:
    return refs((PAGE, EXT_LINK, "Read the study", "a"))


def image_page_404() -> SiteView:
    """An image also linked with <a>, so the crawl fetched it as a page: its status counts."""
    view = refs((PAGE, IMG, "Full size", "img"), (HOME, IMG, "Full size", "a"),
                pages=(record(HOME), record(PAGE), record(IMG, status=404, is_html=False)))
    view.resources[IMG] = status_from_page(view.pages[IMG])
    return view


CLOUDFLARE = (("server", "cloudflare"),)
CHALLENGE = (("server", "cloudflare"), ("cf-mitigated", "challenge"))
BIG = IMAGE_MAX_BYTES + 50_000

def with_stats(unchecked: int):
    view = site(record("https://example.com/"))
    view.resource_stats = {"planned": 1500, "checked": 1500 - unchecked, "unchecked": unchecked,
                           "requests": 1000, "budget_spent": False, "outcomes": {}}
    return view


CASES = [
    Case("seo.resources.partly_checked",
         fails=[lambda: with_stats(504)],
         passes=[lambda: with_stats(0), lambda: site(record("https://example.com/"))]),
    Case("seo.links.broken_external",
         fails=[lambda: ext_link(404), lambda: ext_link(410), lambda: ext_link(500),
                lambda: ext_link(0, error="timeout"), lambda: ext_link(0, error="dns"),
                lambda: ext_link(0, error="connection_refused"),
                lambda: ext_link(301, error="redirect_loop"),
                lambda: refs((PAGE, EXT_LINK, "", "iframe"),
                             resources={EXT_LINK: answer(404, external=True)})],
         passes=[lambda: ext_link(200), lambda: ext_link(429), lambda: ext_link(999),
                 lambda: ext_link(403), lambda: ext_link(401), lambda: ext_link(451),
                 lambda: ext_link(503, headers=CHALLENGE),
                 lambda: ext_link(0, error="ssrf_blocked"),
                 unchecked_link,
                 # a broken image is reported as an image, not as a link
                 lambda: img(404, url=EXT_IMG)]),
    Case("seo.images.broken_internal",
         fails=[lambda: img(404), lambda: img(500), lambda: img(0, error="timeout"),
                lambda: img(403), image_page_404],
         passes=[lambda: img(200), lambda: img(403, headers=CHALLENGE),
                 lambda: img(503, headers=CHALLENGE), lambda: img(429),
                 lambda: img(0, error="robots_blocked"),
                 lambda: img(404, url=EXT_IMG),
                 lambda: code(404),
                 lambda: refs((PAGE, IMG, "A hero", "img"))]),
    Case("seo.images.broken_external",
         fails=[lambda: img(404, url=EXT_IMG), lambda: img(0, url=EXT_IMG, error="dns"),
                lambda: img(0, url=EXT_IMG, error="tls")],
         passes=[lambda: img(200, url=EXT_IMG), lambda: img(403, url=EXT_IMG),
                 lambda: img(429, url=EXT_IMG), lambda: img(404), lambda: ext_link(404)]),
    Case("seo.resources.broken_internal_css_js",
         fails=[lambda: code(404), lambda: code(500, url=JS, kind="script"),
                lambda: code(0, error="timeout", url=JS, kind="script"),
                lambda: code(0, error="connection_error")],
         passes=[lambda: code(200), lambda: code(304),
                 lambda: code(503, headers=CHALLENGE), lambda: code(403, headers=CLOUDFLARE),
                 lambda: code(0, error="robots_blocked"), lambda: img(404),
                 lambda: code(404, url=EXT_JS, kind="script")]),
    Case("seo.resources.broken_external_css_js",
         fails=[lambda: code(404, url=EXT_JS, kind="script"),
                lambda: code(0, url=EXT_JS, kind="script", error="dns")],
         passes=[lambda: code(200, url=EXT_JS, kind="script"),
                 lambda: code(403, url=EXT_JS, kind="script"),
                 lambda: code(429, url=EXT_JS, kind="script"), lambda: code(404)]),
    Case("seo.images.too_large",
         fails=[lambda: img(200, content_type="image/jpeg", size=BIG),
                lambda: img(200, url=EXT_IMG, content_type="image/png", size=2_000_000),
                lambda: img(200, content_type="application/octet-stream", size=BIG)],
         passes=[lambda: img(200, content_type="image/jpeg", size=150_000),
                 lambda: img(200, content_type="image/jpeg", size=IMAGE_MAX_BYTES),
                 lambda: img(200, content_type="image/jpeg"),  # no Content-Length
                 # a soft-404 HTML page behind an image URL is not a heavy image
                 lambda: img(200, content_type="text/html", size=BIG),
                lambda: img(200, content_type="text/plain; charset=utf-8", size=BIG),
                 lambda: img(404, content_type="image/jpeg", size=BIG),
                 lambda: code(200, content_type="text/css", size=BIG)]),
]



def test_one_finding_per_target_on_its_first_page_with_anchors():
    view = refs((PAGE, EXT_LINK, "Read the study", "a"), (HOME, EXT_LINK, "The study", "a"),
                ("https://example.com/c", EXT_LINK, "", "a"),
                resources={EXT_LINK: answer(404, external=True)})
    [finding] = run("seo.links.broken_external", view)
    assert finding.url == PAGE
    assert finding.details["target"] == EXT_LINK
    assert finding.details["status"] == 404
    assert finding.details["inlinks"] == 3
    assert [(s["page"], s["anchor"]) for s in finding.details["sources"]] == [
        (PAGE, "Read the study"), (HOME, "The study"), ("https://example.com/c", "")]


def test_timeout_is_reported_as_a_timeout():
    [finding] = run("seo.images.broken_internal", img(0, error="timeout"))
    assert finding.details["reason"] == "timeout"
    assert finding.details["error"] == "timeout"
    [finding] = run("seo.images.broken_internal", img(404))
    assert finding.details["reason"] == "broken"


def test_image_used_as_link_and_image_is_one_image_finding():
    view = refs((PAGE, EXT_IMG, "", "img"), (HOME, EXT_IMG, "zoom", "a"),
                resources={EXT_IMG: answer(404, external=True)})
    assert fires("seo.images.broken_external", view)
    assert not fires("seo.links.broken_external", view)
    [finding] = run("seo.images.broken_external", view)
    assert [s["page"] for s in finding.details["sources"]] == [PAGE]


def test_large_image_reports_bytes_and_limit():
    [finding] = run("seo.images.too_large", img(200, content_type="image/jpeg", size=BIG))
    assert finding.url == PAGE
    assert finding.details["bytes"] == BIG and finding.details["limit"] == IMAGE_MAX_BYTES
