"""GEO live check: AI agents vs a browser, against a server that blocks some agents."""

from __future__ import annotations

import asyncio

from aiohttp import web

from audits.engine.crawler import run_crawl
from audits.engine.geo_live import BROWSER_USER_AGENT, compare, live_agents
from audits.engine.types import FetchResult
from tests.conftest import crawl_options
from tests.engine.aioserver import serve

PAGE = ("<!doctype html><html lang=en><head><title>A page about garden tools</title></head>"
        "<body><h1>Garden tools</h1>" + "<p>spades rakes hoes shears</p>" * 200 + "</body></html>")


def result(status: int, size: int = 0, error: str | None = None) -> FetchResult:
    return FetchResult("https://e.com/", "https://e.com/", status, size=size, error=error)


def test_compare_judges_status_size_and_failures():
    ok = result(200, 10_000)
    assert compare("u", "GPTBot", ok, result(200, 9_000)).difference == ""
    assert "HTTP 403" in compare("u", "GPTBot", ok, result(403, 500)).difference
    assert "bytes" in compare("u", "GPTBot", ok, result(200, 900)).difference
    assert "failed" in compare("u", "GPTBot", ok, result(0, error="timeout")).difference
    # A page that fails for browsers too proves nothing about bots.
    assert compare("u", "GPTBot", result(500), result(403)).difference == ""


def test_agents_with_documented_user_agents_are_probed():
    tokens = {agent.token for agent in live_agents()}
    assert {"OAI-SearchBot", "ChatGPT-User", "PerplexityBot"} <= tokens
    assert "GPTBot" not in tokens  # training agents are not answer engines


def crawl_with(blocked_token: str, live: bool):
    seen: list[str] = []

    async def handler(request: web.Request) -> web.Response:
        agent = request.headers.get("User-Agent", "")
        seen.append(agent)
        if request.path == "/robots.txt":
            return web.Response(text="User-agent: *\nAllow: /\n")
        if request.path != "/":
            return web.Response(status=404)
        if blocked_token in agent:
            return web.Response(status=403, text="Access denied")
        return web.Response(text=PAGE, content_type="text/html")

    async def main():
        async with serve(handler) as base:
            loop = asyncio.get_running_loop()
            summary = await loop.run_in_executor(None, lambda: run_crawl(
                crawl_options(base + "/", geo_live_check=live), on_page=lambda r: None))
            return base, summary

    base, summary = asyncio.run(main())
    return base, summary, seen


def test_live_check_flags_an_agent_the_server_refuses():
    base, summary, seen = crawl_with("PerplexityBot", live=True)
    [finding] = [f for f in summary.site_findings if f.code == "seo.geo.agent_refused_live"]
    assert finding.details["agents"] == ["PerplexityBot"]
    assert finding.details["probes"][0]["url"] == base + "/"
    assert finding.details["probes"][0]["agent_status"] == 403
    assert any(agent == BROWSER_USER_AGENT for agent in seen)


def test_live_check_is_off_by_default():
    _, summary, seen = crawl_with("PerplexityBot", live=False)
    assert not [f for f in summary.site_findings if f.code == "seo.geo.agent_refused_live"]
    assert not any("PerplexityBot" in agent for agent in seen)


def test_audit_option_validated_and_passed_to_the_engine(settings):
    from audits.exceptions import InvalidAuditOptions
    from audits.options import clean_audit_options, crawl_options_for

    cleaned = clean_audit_options({"geo_live_check": True})
    assert crawl_options_for("https://example.com/", cleaned).geo_live_check
    try:
        clean_audit_options({"geo_live_check": "yes"})
    except InvalidAuditOptions as exc:
        assert "geo_live_check" in str(exc)
    else:
        raise AssertionError("a non-boolean option was accepted")
