"""llms.txt site checks: missing, invalid, broken links, llms-full.txt not text."""

from __future__ import annotations

from audits.engine.llms_txt import LlmsTxtInfo, interpret_llms_file
from audits.engine.site import SiteView
from tests.engine.checks.helpers import Case, fetch_result, record, run, site

LLMS = "https://example.com/llms.txt"
FULL = "https://example.com/llms-full.txt"
A = "https://example.com/a"
B = "https://example.com/b"
VALID = "# Example\n\n> A shop.\n\n## Docs\n\n- [A](https://example.com/a): the A page\n"
TEXT = "text/plain; charset=utf-8"


def with_llms(view: SiteView, body: str | bytes | None = VALID, *, status: int = 200,
              content_type: str = TEXT, full: str | bytes | None = None, full_status: int = 404,
              full_type: str = TEXT, error: str | None = None) -> SiteView:
    """`view` with /llms.txt (and /llms-full.txt) answered as given."""
    def fetched(url: str, data: str | bytes | None, code: int, ctype: str, err: str | None = None):
        raw = data.encode() if isinstance(data, str) else data
        return interpret_llms_file(url, fetch_result(
            url=url, status=0 if err else code, content_type=ctype, body=raw,
            size=len(raw or b""), error=err))
    view.llms_txt = LlmsTxtInfo(fetched(LLMS, body, status, content_type, error),
                                fetched(FULL, full, full_status, full_type))
    return view


SOFT_404 = "<!doctype html><html><head><title>Not found</title></head><body>Oops</body></html>"

CASES = [
    Case("seo.geo.llms_txt_missing",
         fails=[lambda: with_llms(site(record(A)), "not found", status=404),
                # A soft 404: the home page served with 200 at /llms.txt.
                lambda: with_llms(site(record(A)), SOFT_404, content_type="text/html"),
                lambda: with_llms(site(record(A)), SOFT_404, content_type="")],
         passes=[lambda: with_llms(site(record(A))),
                 # Not fetched (old crawl) or the server did not answer at all.
                 lambda: site(record(A)),
                 lambda: with_llms(site(record(A)), None, error="timeout"),
                 # Present but broken: reported as invalid, not missing.
                 lambda: with_llms(site(record(A)), "Just some text\n"),
                 lambda: with_llms(site(record(A)), VALID, content_type="text/html")]),
    Case("seo.geo.llms_txt_invalid",
         fails=[lambda: with_llms(site(record(A)), "Just some text\n"),
                lambda: with_llms(site(record(A)), "# A\n\n## Docs\n- the A page\n"),
                lambda: with_llms(site(record(A)), "# A\n# B\n"),
                lambda: with_llms(site(record(A)), "# A\n\n## Docs\n- [A](javascript:x)\n"),
                lambda: with_llms(site(record(A)), "")],
         passes=[lambda: with_llms(site(record(A))),
                 lambda: with_llms(site(record(A)), "# Just a title\n"),
                 # Markdown served with a generic content type is still read.
                 lambda: with_llms(site(record(A)), VALID, content_type="application/octet-stream"),
                 lambda: with_llms(site(record(A)), VALID.replace("\n", "\r\n")),
                 # Markdown mislabelled as text/html is read as markdown.
                 lambda: with_llms(site(record(A)), VALID, content_type="text/html"),
                 # Relative links, link titles, " - " notes and prose inside sections are fine.
                 lambda: with_llms(site(record(A)), "# A\n\n## Docs\nSome prose.\n"
                                   '- [A](/a "The A page") - notes\n* [B](b.md)\n'),
                 lambda: with_llms(site(record(A)), SOFT_404, content_type="text/html")]),
    Case("seo.geo.llms_txt_broken_links",
         fails=[lambda: with_llms(site(record(A, status=404))),
                lambda: with_llms(site(record(A, redirect_hops=1, final_url=B))),
                lambda: with_llms(site(record(A, status=0, error="timeout")))],
         passes=[lambda: with_llms(site(record(A))),
                 # A linked page the crawl never reached (other host, not crawled) is not judged.
                 lambda: with_llms(site(record(B, status=404))),
                 lambda: with_llms(site(record(A)), VALID.replace(A, "https://docs.other.org/a")),
                 lambda: site(record(A, status=404))]),
    Case("seo.geo.llms_full_not_text",
         fails=[lambda: with_llms(site(record(A)), full=b"\x89PNG\r\n\x1a\n\x00\x00",
                                  full_status=200, full_type="image/png"),
                lambda: with_llms(site(record(A)), full=b"\xff\xfe\x00a\x00b",
                                  full_status=200, full_type="text/plain")],
         passes=[lambda: with_llms(site(record(A))),
                 lambda: with_llms(site(record(A)), full="# Full\n\nAll the text.\n",
                                   full_status=200),
                 # A soft 404 for llms-full.txt means "absent", not "not text".
                 lambda: with_llms(site(record(A)), full=SOFT_404, full_status=200,
                                   full_type="text/html"),
                 # Text with a few invalid UTF-8 bytes counts as binary only when not UTF-8.
                 lambda: with_llms(site(record(A)), full="# Full — ünïcode\n", full_status=200)]),
]


def test_invalid_lists_problems_with_line_numbers():
    found = run("seo.geo.llms_txt_invalid",
                with_llms(site(record(A)), "# A\n\n## Docs\n- plain item\n\n## Empty\n\n# B\n"))
    problems = found[0].details["problems"]
    assert [(p["line"], p["code"]) for p in problems] == [
        (4, "item_not_link"), (6, "section_empty"), (8, "h1_duplicate")]
    assert found[0].url == LLMS


def test_broken_links_evidence_names_line_and_status():
    found = run("seo.geo.llms_txt_broken_links",
                with_llms(site(record(A, redirect_hops=1, final_url=B, status=200))))
    assert found[0].details["links"] == [{"line": 7, "url": A, "status": 200, "redirects_to": B}]
