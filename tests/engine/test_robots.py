"""robots.txt: fetch outcomes (RFC 9309 section 2.3.1), matching, and hostile files."""

from __future__ import annotations

import asyncio
import time

from hypothesis import given
from hypothesis import strategies as st

from audits.engine.fetch import Fetcher
from audits.engine.robots import fetch_robots, parse_robots
from tests.engine.aioserver import closed_port, options, serve, text

RULES = """\
# comment line
User-agent: *
Disallow: /

User-agent: SEOAuditBot
Disallow: /private
Allow: /private/public
Disallow: /*.pdf$
Allow: /tie
Disallow: /tie
Crawl-delay: 2.5

User-agent: GPTBot
Disallow: /articles/

Sitemap: /sitemap-main.xml
Sitemap: HTTPS://Example.COM:443/other.xml
"""


async def robots_from(routes, **kw):
    opts = options(**kw)
    async with serve(routes) as base, Fetcher(opts) as fetcher:
        return base, await fetch_robots(fetcher, base, opts)


def test_rules_for_our_token_use_longest_match():
    policy = parse_robots("https://example.com/robots.txt", RULES.encode(), token="SEOAuditBot")
    url = "https://example.com"
    assert not policy.allowed(url + "/private/x")
    assert policy.allowed(url + "/private/public/x")  # longer Allow beats shorter Disallow
    assert policy.allowed(url + "/other")
    assert not policy.allowed(url + "/files/doc.pdf")
    assert policy.allowed(url + "/files/doc.pdf?download=1")  # $ anchors the end
    assert policy.allowed(url + "/tie")  # equal length: Allow wins
    assert policy.crawl_delay == 2.5
    assert policy.sitemaps == ["https://example.com/sitemap-main.xml", "https://example.com/other.xml"]


def test_other_agents_read_the_same_file():
    policy = parse_robots("https://example.com/robots.txt", RULES.encode(), token="SEOAuditBot")
    assert not policy.allowed_for("https://example.com/articles/1", "GPTBot")
    assert policy.allowed_for("https://example.com/about", "GPTBot")
    assert not policy.allowed_for("https://example.com/about", "ClaudeBot")  # falls to "*"
    assert policy.user_agents == ["*", "seoauditbot", "gptbot"]
    assert policy.crawl_delay_for("GPTBot") is None


def test_invalid_lines_are_reported_leniently():
    data = (b"User-agent: *\nDisallow: /x\nClean-param: ref /articles\nHost: example.com\n"
            b"Noindex: /y\nRequest-rate: 1/5\nVisit-time: 0600-0845\nthis is not a rule\n"
            b"Favorite-color: blue\n\n# fine\nuser agent: Foo\n")
    policy = parse_robots("https://example.com/robots.txt", data, token="SEOAuditBot")
    assert policy.invalid_lines == [(8, "this is not a rule"), (9, "Favorite-color: blue")]
    assert policy.invalid_line_count == 2


def test_404_allows_everything():
    _, policy = asyncio.run(robots_from({}))
    assert policy.status == 404 and policy.error is None
    assert policy.allowed("http://127.0.0.1/anything")


def test_5xx_disallows_everything():
    for status in (500, 503):
        _, policy = asyncio.run(robots_from({"/robots.txt": text("oops", status=status)},
                                            max_retries=0))
        assert policy.status == status
        assert not policy.allowed("http://127.0.0.1/")
        assert not policy.allowed_for("http://127.0.0.1/", "GPTBot")
        assert "disallowing everything" in policy.error_detail


def test_unreachable_disallows_everything():
    async def main():
        opts = options()
        async with Fetcher(opts) as fetcher:
            return await fetch_robots(fetcher, f"http://127.0.0.1:{closed_port()}", opts)
    policy = asyncio.run(main())
    assert policy.status == 0 and policy.error == "connection_refused"
    assert not policy.allowed("http://127.0.0.1/")


def test_not_respecting_robots_allows_but_still_reports():
    routes = {"/robots.txt": text("User-agent: *\nDisallow: /\nSitemap: /s.xml\n")}
    base, policy = asyncio.run(robots_from(routes, respect_robots=False))
    assert policy.allowed(base + "/secret")
    assert not policy.allowed_for(base + "/secret", "SEOAuditBot")
    assert policy.sitemaps == [base + "/s.xml"]
    _, down = asyncio.run(robots_from({"/robots.txt": text("x", status=500)},
                                      respect_robots=False, max_retries=0))
    assert down.allowed("http://127.0.0.1/") and down.status == 500


def test_redirects_are_followed_up_to_five_hops():
    routes = {f"/r{i}": text("", status=301, Location=f"/r{i + 1}") for i in range(10)}
    routes["/robots.txt"] = text("", status=301, Location="/r6")  # 5 hops to /r10
    routes["/r10"] = text("User-agent: *\nDisallow: /nope\n")
    _, policy = asyncio.run(robots_from(routes))
    assert policy.status == 200 and not policy.allowed("http://127.0.0.1/nope")
    routes["/robots.txt"] = text("", status=301, Location="/r0")  # 11 hops: unavailable
    _, policy = asyncio.run(robots_from(routes))
    assert policy.error == "too_many_redirects" and policy.allowed("http://127.0.0.1/nope")


def test_huge_binary_robots_is_cut_and_parsed_quickly():
    junk = bytes(range(256)) * 4096 + b"\nUser-agent: *\nDisallow: /late\n"  # ~1 MiB of binary
    data = b"User-agent: *\nDisallow: /early\n" + junk + junk
    started = time.perf_counter()
    base, policy = asyncio.run(robots_from({"/robots.txt": text(data)}))
    assert time.perf_counter() - started < 5
    assert policy.truncated and policy.size == len(data) > 2_000_000
    assert not policy.allowed(base + "/early")
    assert policy.allowed(base + "/late")  # beyond the 500 KiB we read
    assert policy.invalid_line_count > 0 and len(policy.invalid_lines) == 100


def test_cut_line_is_dropped():
    data = b"User-agent: *\nDisallow: /private-area\n"
    policy = parse_robots("https://e.com/robots.txt", data[:-8], token="x", truncated=True)
    assert policy.allowed("https://e.com/private")  # no half rule "Disallow: /priv"


def test_bom_and_invalid_utf8_are_tolerated():
    data = b"\xef\xbb\xbfUser-agent: *\nDisallow: /caf\xe9\nDisallow: /b\n"
    policy = parse_robots("https://e.com/robots.txt", data, token="x")
    assert not policy.allowed("https://e.com/b")
    assert policy.invalid_lines == []


SEGMENT = st.text(alphabet="abcxyz019-", min_size=1, max_size=6)


@given(rule=st.lists(SEGMENT, min_size=1, max_size=3), path=st.lists(SEGMENT, max_size=4))
def test_disallow_is_a_path_prefix_match(rule, path):
    prefix = "/" + "/".join(rule)
    url_path = "/" + "/".join(path)
    policy = parse_robots("https://e.com/robots.txt", f"User-agent: *\nDisallow: {prefix}\n".encode(),
                          token="SEOAuditBot")
    assert policy.allowed("https://e.com" + url_path) == (not url_path.startswith(prefix))


@given(rule=st.lists(SEGMENT, min_size=1, max_size=3), extra=st.lists(SEGMENT, max_size=2))
def test_more_specific_allow_wins(rule, extra):
    prefix = "/" + "/".join(rule)
    data = f"User-agent: *\nDisallow: /\nAllow: {prefix}\n".encode()
    policy = parse_robots("https://e.com/robots.txt", data, token="SEOAuditBot")
    assert policy.allowed("https://e.com" + prefix + "".join("/" + e for e in extra))


def test_rules_before_any_user_agent_are_invalid():
    data = b"# shop\nDisallow: /cart/\nSitemap: https://example.com/s.xml\nUser-agent: *\nDisallow: /x\n"
    policy = parse_robots("https://example.com/robots.txt", data, token="SEOAuditBot")
    assert policy.invalid_lines == [(2, "Disallow: /cart/  [before any User-agent line]")]
    lenient = parse_robots("https://example.com/robots.txt", b"User-agent *\nDisallow: /x\n",
                           token="SEOAuditBot")
    assert lenient.invalid_lines == []
