"""The crawl summary carries the AI agent matrix and an llms.txt draft."""

from __future__ import annotations

from audits.engine.crawler import run_crawl
from audits.engine.llms_txt import parse_llms_txt
from tests.conftest import crawl_options
from tests.sites import Route, html, serve


def test_summary_has_ai_access_matrix_and_llms_txt_proposal():
    nav = '<a href="/guides/a">Guide A</a> <a href="/guides/b">Guide B</a>'
    routes = {
        "/": Route(html("Garden Guides | Home", nav)),
        "/guides/a": Route(html("Guide A: sowing seeds indoors", nav)),
        "/guides/b": Route(html("Guide B: pruning fruit trees", nav)),
        "/robots.txt": Route("User-agent: GPTBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n",
                             headers={"Content-Type": "text/plain"}),
    }
    with serve(routes) as base:
        summary = run_crawl(crawl_options(base + "/"), on_page=lambda result: None)
    agents = {row["token"]: row for row in summary.ai_access["agents"]}
    assert agents["GPTBot"]["blocked_urls"] and agents["GPTBot"]["own_group"]
    assert agents["OAI-SearchBot"]["blocked_urls"] == []
    assert summary.ai_access["urls"][0] == base + "/"
    proposal = summary.llms_txt_proposal
    assert proposal.startswith("# Garden Guides")
    assert not parse_llms_txt(proposal).problems
