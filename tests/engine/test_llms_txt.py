"""llms.txt: the parser, fetching against a local server, the crawl wiring and the proposal."""

from __future__ import annotations

import asyncio

import pytest
from hypothesis import given
from hypothesis import strategies as st

from audits.engine.checks.geo_llms import propose_llms_txt, site_name
from audits.engine.crawler import run_crawl
from audits.engine.fetch import Fetcher
from audits.engine.llms_txt import (
    BLOCKED,
    INVALID,
    MAX_LLMS_BYTES,
    MISSING,
    NOT_TEXT,
    OK,
    UNREACHABLE,
    LlmsTxtInfo,
    fetch_llms_txt,
    parse_llms_txt,
)
from audits.engine.robots import fetch_robots
from audits.engine.urls import normalize_url
from tests.conftest import crawl_options
from tests.engine.checks.helpers import record, site
from tests.sites import Route, html, serve

VALID = """# FastHTML

> FastHTML is a python library which brings together Starlette, Uvicorn, HTMX, and fastcore.

Important notes:

- Although parts of its API are inspired by FastAPI, it is *not* compatible with FastAPI syntax

## Docs

- [FastHTML quick start](https://fastht.ml/docs/tutorials/quickstart_for_web_devs.html.md): A brief overview
- [HTMX reference](https://raw.githubusercontent.com/path/reference.md): Brief description

## Optional

- [Starlette full documentation](https://gist.githubusercontent.com/path/starlette-sml.md)
"""


def codes(text: str, **kw) -> list[tuple[str, int]]:
    return [(p.code, p.line) for p in parse_llms_txt(text, **kw).problems]


# -- parser ----------------------------------------------------------------------------------

def test_parses_the_proposal_example():
    parsed = parse_llms_txt(VALID)
    assert parsed.problems == ()
    assert parsed.title == "FastHTML"
    assert parsed.summary.startswith("FastHTML is a python library")
    assert [(s.title, s.optional, len(s.links)) for s in parsed.sections] == [
        ("Docs", False, 2), ("Optional", True, 1)]
    first = parsed.sections[0].links[0]
    assert (first.name, first.notes, first.line) == ("FastHTML quick start", "A brief overview", 11)
    # The list in the free paragraphs before the first section is prose, not a file list.
    assert len(parsed.links) == 3


def test_crlf_bom_and_unicode():
    text = ("\ufeff# Café Ünïcode 日本\r\n\r\n> Résumé\r\n\r\n## Docs\r\n"
            "- [Guide é](https://exämple.com/é): note ü\r\n")
    parsed = parse_llms_txt(text)
    assert parsed.problems == ()
    assert parsed.title == "Café Ünïcode 日本"
    assert parsed.summary == "Résumé"
    link = parsed.links[0]
    assert link.url == "https://xn--exmple-cua.com/%C3%A9"
    assert link.notes == "note ü"


@pytest.mark.parametrize(("text", "expected"), [
    ("", [("empty", 1)]),
    ("  \n\n", [("empty", 1)]),
    ("Some text\n## Docs\n- [A](https://a.com)\n", [("h1_missing", 1)]),
    ("Intro line\n# Title\n", [("h1_not_first", 2)]),
    ("# One\n\n## Docs\n- [A](https://a.com)\n# Two\n", [("h1_duplicate", 5)]),
    ("#\n", [("h1_missing", 1)]),
    ("# T\n## Docs\n- just text\n- [A](https://a.com)\n", [("item_not_link", 3)]),
    ("# T\n## Docs\n\n## More\n- [A](https://a.com)\n", [("section_empty", 2)]),
    ("# T\n## Docs\n- [A](mailto:x@y.com)\n- [B](https://)\n- [C](my page.md)\n",
     [("invalid_url", 3), ("invalid_url", 4), ("invalid_url", 5)]),
    ("# T\n## Docs\n- [A]()\n", [("invalid_url", 3)]),
    ("<!DOCTYPE html><html><body>Not found</body></html>", [("html", 1)]),
])
def test_each_problem_is_reported_with_its_line(text, expected):
    assert codes(text) == expected


def test_tolerated_variations():
    text = ("# T\n\n## About\n\nWe make widgets.\n\n## Docs\n- **[A](https://a.com)**: bold link\n"
            "  - a nested note about A\n1. [B](https://b.com) - dash notes\n")
    parsed = parse_llms_txt(text)
    assert parsed.problems == ()
    assert [(link.name, link.notes) for link in parsed.links] == [("A", "bold link"),
                                                                  ("B", "dash notes")]


def test_headings_inside_code_fences_are_not_headings():
    text = "# T\n\n```\n# not a title\n- not a link\n```\n\n## Docs\n- [A](https://a.com)\n"
    assert codes(text) == []


def test_relative_links_resolve_against_the_file_url():
    parsed = parse_llms_txt("# T\n## Docs\n- [A](/docs/a.md)\n- [B](b.md)\n",
                            base_url="https://example.com/llms.txt")
    assert [link.url for link in parsed.links] == ["https://example.com/docs/a.md",
                                                   "https://example.com/b.md"]


def test_problem_list_is_bounded():
    text = "# T\n## Docs\n" + "- nope\n" * 500
    parsed = parse_llms_txt(text)
    assert len(parsed.problems) == 100
    assert parsed.problem_count == 500


# -- fetching ---------------------------------------------------------------------------------

def fetch(routes: dict[str, Route], **kw) -> LlmsTxtInfo:
    with serve(routes) as base:
        opts = crawl_options(base + "/", **kw)

        async def main() -> LlmsTxtInfo:
            async with Fetcher(opts) as fetcher:
                robots = await fetch_robots(fetcher, base, opts)
                return await fetch_llms_txt(fetcher, base, opts, robots)
        return asyncio.run(main())


TEXT = {"Content-Type": "text/plain; charset=utf-8"}


def test_fetches_and_parses_both_files():
    info = fetch({"/llms.txt": Route(VALID, headers={"Content-Type": "text/markdown"}),
                  "/llms-full.txt": Route("# Everything\n\nAll the docs.\n", headers=TEXT)})
    assert info.llms.state == OK
    assert info.llms.status == 200
    assert info.llms.content_type.startswith("text/markdown")
    assert info.llms.size == len(VALID.encode())
    assert info.llms.parsed.title == "FastHTML"
    assert info.full.state == OK


def test_404_is_missing_and_soft_404_html_is_missing_not_invalid():
    info = fetch({"/llms-full.txt": Route(html("Page not found"), status=200)})
    assert info.llms.state == MISSING and info.llms.status == 404
    assert info.full.state == MISSING and info.full.status == 200
    assert "HTML" in info.full.reason


def test_soft_404_by_redirect_to_home_is_missing():
    info = fetch({"/llms.txt": Route(status=302, headers={"Location": "/"}),
                  "/": Route(html("Home"))})
    assert info.llms.state == MISSING


def test_invalid_file_and_binary_file():
    info = fetch({"/llms.txt": Route("no title here\n", headers=TEXT),
                  "/llms-full.txt": Route(b"\x00\x01\x02binary",
                                          headers={"Content-Type": "application/octet-stream"})})
    assert info.llms.state == INVALID
    assert [p.code for p in info.llms.parsed.problems] == ["h1_missing"]
    assert info.full.state == NOT_TEXT


def test_oversized_file_is_read_up_to_the_cap():
    body = "# Big\n\n## Docs\n" + "- [A page](https://example.com/a): note\n" * 30_000
    assert len(body) > MAX_LLMS_BYTES
    info = fetch({"/llms.txt": Route(body, headers=TEXT)})
    assert info.llms.truncated
    assert info.llms.state == INVALID
    assert [p.code for p in info.llms.parsed.problems][:1] == ["too_large"]
    assert len(info.llms.parsed.links) > 20_000


def test_robots_disallow_is_respected():
    info = fetch({"/robots.txt": Route("User-agent: *\nDisallow: /llms\n", headers=TEXT),
                  "/llms.txt": Route(VALID, headers=TEXT)})
    assert info.llms.state == BLOCKED and info.full.state == BLOCKED


def test_unreachable_never_raises():
    opts = crawl_options("http://127.0.0.1:9/")

    async def main() -> LlmsTxtInfo:
        async with Fetcher(opts) as fetcher:
            return await fetch_llms_txt(fetcher, "http://127.0.0.1:9", opts)
    info = asyncio.run(main())
    assert info.llms.state == UNREACHABLE and info.full.state == UNREACHABLE


def test_ssrf_guard_applies():
    # Without allow_private, a loopback origin is refused by the fetcher's guard.
    with serve({"/llms.txt": Route(VALID, headers=TEXT)}) as base:
        opts = crawl_options(base + "/", allow_private=False)

        async def main() -> LlmsTxtInfo:
            async with Fetcher(opts) as fetcher:
                return await fetch_llms_txt(fetcher, base, opts)
        info = asyncio.run(main())
    assert info.llms.state == UNREACHABLE
    assert info.llms.error == "ssrf_blocked"


# -- the crawl ---------------------------------------------------------------------------------

def test_crawl_reports_broken_llms_links_and_invalid_file():
    routes = {
        "/": Route(html("Home of the llms test site", '<a href="/gone">Gone</a> <a href="/a">A</a>')),
        "/a": Route(html("Alpha page of the llms test site")),
        "/gone": Route("gone", status=404, headers=TEXT),
    }
    with serve(routes) as base:
        routes["/llms.txt"] = Route(f"# Site\n\n## Docs\n- [A]({base}/a)\n- [Gone]({base}/gone)\n"
                                    "- not a link\n", headers=TEXT)
        summary = run_crawl(crawl_options(base + "/"), on_page=lambda result: None)
    found = {f.code: f for f in summary.site_findings}
    assert found["seo.geo.llms_txt_broken_links"].details["links"] == [
        {"line": 5, "url": base + "/gone", "status": 404}]
    assert found["seo.geo.llms_txt_invalid"].details["problems"][0]["line"] == 6
    assert "seo.geo.llms_txt_missing" not in found


def test_crawl_without_llms_txt_gets_only_a_notice():
    with serve({"/": Route(html("Home of a site without llms.txt"))}) as base:
        summary = run_crawl(crawl_options(base + "/"), on_page=lambda result: None)
    geo = [f.code for f in summary.site_findings if "llms" in f.code]
    assert geo == ["seo.geo.llms_txt_missing"]


# -- the proposal ------------------------------------------------------------------------------

@pytest.mark.parametrize(("title", "name"), [
    ("Acme Widgets | Home", "Acme Widgets"),
    ("Home - Acme", "Acme"),
    ("Acme — Widgets for everyone", "Acme"),
    ("Acme", "Acme"),
    (None, "example.com"),
    ("Home", "example.com"),
])
def test_site_name_trims_brand_style_parts(title, name):
    assert site_name(title, "example.com") == name


def proposal_site():
    home = "https://example.com/"
    pages = [record(home, title="Acme Shop | Home", description="Acme sells  widgets.\nCheap.")]
    links = []
    for i in range(12):
        url = f"https://example.com/blog/post-{i}"
        pages.append(record(url, title=f"Post [{i}] \\ news", description=f"About post {i}"))
        links += [(home, url, "x")] * (12 - i)
    pages += [
        record("https://example.com/about", title="About us", description=None),
        record("https://example.com/docs/a(1)", title="", description="Paren URL"),
        record("https://example.com/docs/b", title="Docs B"),
        record("https://example.com/hidden/x", indexable=False),
        record("https://example.com/moved/x", redirect_hops=1, final_url=home),
        record("https://example.com/missing/x", status=404),
        record("https://example.com/pdf/x", is_html=False),
    ]
    for i in range(10):
        pages.append(record(f"https://example.com/s{i}/x", title=f"Section {i}"))
        pages.append(record(f"https://example.com/s{i}/y", title=f"Section {i} y"))
    return site(*pages, links=tuple(links))


def test_proposal_round_trips_through_the_parser():
    text = propose_llms_txt(proposal_site())
    parsed = parse_llms_txt(text, base_url="https://example.com/llms.txt")
    assert parsed.problems == ()
    assert parsed.title == "Acme Shop"
    assert parsed.summary == "Acme sells widgets. Cheap."
    assert len(parsed.sections) == 8
    blog = parsed.sections[0]
    assert blog.title == "Blog"
    assert len(blog.links) == 10
    # Most linked first; brackets and backslashes cannot break the link syntax.
    assert blog.links[0].url == "https://example.com/blog/post-0"
    assert blog.links[0].name == "Post (0) / news"
    assert blog.links[0].notes == "About post 0"
    urls = {link.url for link in parsed.links}
    for skipped in ("hidden", "moved", "missing", "pdf"):
        assert not any(f"/{skipped}/" in url for url in urls)
    assert "https://example.com/" not in urls


def test_proposal_of_an_empty_crawl_still_parses():
    text = propose_llms_txt(site())
    assert text == "# example.com\n"
    assert parse_llms_txt(text).problems == ()


def test_proposal_keeps_awkward_urls_and_lone_pages():
    view = site(record("https://example.com/", title="Shop"),
                record("https://example.com/about", title="About us"),
                record("https://example.com/docs/a(1)", title="", description="Paren URL"),
                record("https://example.com/docs/b", title="Docs B"))
    parsed = parse_llms_txt(propose_llms_txt(view))
    assert parsed.problems == ()
    sections = {s.title: [(link.name, link.url) for link in s.links] for s in parsed.sections}
    assert sections["Pages"] == [("About us", "https://example.com/about")]
    assert ("/docs/a(1)", "https://example.com/docs/a%281%29") in sections["Docs"]


@given(st.text(max_size=400))
def test_parser_never_raises_and_keeps_problems_in_file_order(text):
    parsed = parse_llms_txt(text, base_url="https://example.com/llms.txt")
    lines = [p.line for p in parsed.problems]
    assert lines == sorted(lines)
    assert all(1 <= line <= max(1, len(text.splitlines())) for line in lines)


@given(st.text(max_size=80), st.one_of(st.none(), st.text(max_size=80)),
       st.lists(st.tuples(st.text(alphabet="abc-é()[] _%", min_size=1, max_size=12),
                          st.one_of(st.none(), st.text(max_size=40))), max_size=6))
def test_any_proposal_parses_without_problems(home_title, description, pages):
    records = [record("https://example.com/", title=home_title, description=description)]
    for i, (path, title) in enumerate(pages):
        url = normalize_url(f"https://example.com/{i}/{path.strip('/') or 'x'}")
        records.append(record(url, title=title))
    assert parse_llms_txt(propose_llms_txt(site(*records))).problems == ()
