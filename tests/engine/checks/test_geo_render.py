"""GEO rendering checks, on hand-made render reports (no browser needed)."""

from __future__ import annotations

from dataclasses import replace

from audits.engine.checks.geo_render import (
    MIN_ADDED_MAIN_WORDS,
    MIN_JS_ONLY_LINKS,
    links_only_after_js,
    main_content_only_after_js,
)
from audits.engine.render import RenderedPage, RenderReport
from tests.engine.checks.helpers import Case, run, site

URL = "https://example.com/"
#: A server-rendered page: both views agree.
SAME = RenderedPage(url=URL, raw_words=900, rendered_words=900, raw_main_words=700,
                    rendered_main_words=700, raw_links=40, rendered_links=40)


def _rendered(*pages: RenderedPage, status: str = "ok", reason: str = ""):
    def factory():
        view = site()
        view.rendering = RenderReport(status, reason, tuple(pages), elapsed_s=1.0)
        return view
    return factory


def _links(js_only: int, rendered: int) -> RenderedPage:
    return replace(SAME, raw_links=rendered - js_only, rendered_links=rendered,
                   js_only_count=js_only,
                   js_only_links=tuple(f"{URL}p{i}" for i in range(min(js_only, 10))))


SPA = replace(SAME, raw_words=12, rendered_words=850, raw_main_words=1, rendered_main_words=640)
#: A cookie banner and a newsletter widget: +60 words, not the main content.
WIDGETS = replace(SAME, rendered_words=960)
#: Half the main content arrives by script, but only 100 words of it.
SMALL_GAIN = replace(SAME, raw_main_words=80, rendered_main_words=180)
#: Comments loaded by script: +200 words on a long article (raw holds > 50%).
COMMENTS = replace(SAME, rendered_main_words=900)

CASES = [
    Case("seo.geo.content_needs_js",
         fails=[_rendered(SPA),
                _rendered(SAME, replace(SPA, url=URL + "app", raw_main_words=140,
                                        rendered_main_words=300))],
         passes=[_rendered(SAME), _rendered(WIDGETS), _rendered(SMALL_GAIN),
                 _rendered(COMMENTS),
                 _rendered(replace(SPA, error="timeout: the page did not finish loading")),
                 _rendered(SPA, status="skipped", reason="Chromium not found"),
                 site]),
    Case("seo.geo.links_need_js",
         fails=[_rendered(_links(12, 15)), _rendered(_links(5, 16))],
         passes=[_rendered(SAME), _rendered(_links(4, 4)), _rendered(_links(10, 60)),
                 _rendered(replace(_links(12, 15), error="HTTP 500 when rendered")), site]),
    Case("seo.geo.render_skipped",
         fails=[_rendered(status="skipped", reason="Chromium not found at /usr/bin/chromium")],
         passes=[_rendered(SAME), _rendered(SPA), site]),
]


def test_thresholds_are_inclusive_at_the_documented_values():
    at = replace(SAME, raw_main_words=0, rendered_main_words=MIN_ADDED_MAIN_WORDS)
    assert main_content_only_after_js(at)
    assert not main_content_only_after_js(replace(at, rendered_main_words=MIN_ADDED_MAIN_WORDS - 1))
    # 50% exactly is not "less than half".
    assert not main_content_only_after_js(replace(SAME, raw_main_words=200, rendered_main_words=400))
    assert links_only_after_js(_links(MIN_JS_ONLY_LINKS, 3 * MIN_JS_ONLY_LINKS))
    assert not links_only_after_js(_links(MIN_JS_ONLY_LINKS, 17))


def test_findings_carry_the_evidence():
    [content] = run("seo.geo.content_needs_js", _rendered(SPA)())
    assert content.url == URL
    assert content.details["raw_main_words"] == 1 and content.details["rendered_main_words"] == 640
    assert content.details["thresholds"] == {"min_added_words": 150, "max_raw_share": 0.5}
    [links] = run("seo.geo.links_need_js", _rendered(_links(12, 15))())
    assert links.details["js_only_links"] == 12 and len(links.details["examples"]) == 10
    assert links.details["raw_links"] == 3 and links.details["rendered_links"] == 15
    [skipped] = run("seo.geo.render_skipped", _rendered(status="skipped", reason="no Chromium")())
    assert skipped.url is None and skipped.details == {"reason": "no Chromium"}
