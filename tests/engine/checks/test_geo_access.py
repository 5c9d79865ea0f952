"""GEO access checks: AI agents in robots.txt, snippet directives."""

from __future__ import annotations

from audits.engine.geo_live import LiveProbe
from audits.engine.robots import parse_robots
from tests.engine.checks.helpers import Case, doc, page, record, run, site

HOME = "https://example.com/"
GUIDE = "https://example.com/guide"


def with_robots(text: str, status: int = 200):
    view = site(record(HOME), record(GUIDE), links=((HOME, GUIDE, "Guide"),))
    view.robots = parse_robots(HOME + "robots.txt", text.encode(), token="SEOAuditBot",
                               status=status)
    return view


def probed(*probes):
    view = site(record(HOME))
    view.live_probes = probes
    return view


OPEN = "User-agent: *\nDisallow: /admin/\n"
WILDCARD_ALL = "User-agent: *\nDisallow: /\n\nUser-agent: Googlebot\nAllow: /\n"
NAMED = "User-agent: PerplexityBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"
TRAINING_ONLY = "User-agent: GPTBot\nUser-agent: CCBot\nDisallow: /\n\nUser-agent: *\nAllow: /\n"

CASES = [
    Case("seo.geo.answer_agent_blocked",
         fails=[lambda: with_robots(NAMED),
                lambda: with_robots("User-agent: ChatGPT-User\nDisallow: /guide\n")],
         passes=[lambda: with_robots(OPEN), lambda: with_robots(TRAINING_ONLY),
                 # Blocked through the wildcard: the other check reports it.
                 lambda: with_robots(WILDCARD_ALL)]),
    Case("seo.geo.answer_agent_blocked_by_wildcard",
         fails=[lambda: with_robots(WILDCARD_ALL),
                lambda: with_robots("User-agent: *\nDisallow: /guide\n")],
         passes=[lambda: with_robots(OPEN), lambda: with_robots(NAMED),
                 # robots.txt answering 5xx is reported by seo.robots.server_error instead.
                 lambda: with_robots("", status=503),
                 lambda: with_robots("User-agent: *\nDisallow: /\n\nUser-agent: OAI-SearchBot\n"
                                     "User-agent: PerplexityBot\nUser-agent: DuckAssistBot\n"
                                     "User-agent: Claude-SearchBot\nUser-agent: ChatGPT-User\n"
                                     "User-agent: Claude-User\nUser-agent: Perplexity-User\n"
                                     "User-agent: MistralAI-User\nAllow: /\n")]),
    Case("seo.geo.training_policy",
         fails=[lambda: with_robots(TRAINING_ONLY), lambda: with_robots(OPEN)],
         passes=[lambda: site(record(HOME))]),  # no robots.txt read: nothing to summarise
    Case("seo.geo.agent_refused_live",
         fails=[lambda: probed(LiveProbe(HOME, "OAI-SearchBot", 403, 15, 200, 9000,
                                         "agent refused with HTTP 403"))],
         passes=[lambda: probed(LiveProbe(HOME, "OAI-SearchBot", 200, 9000, 200, 9000, "")),
                 lambda: site(record(HOME))]),  # option off: no probes
    Case("seo.geo.snippet_restricted",
         fails=[lambda: page(doc(extra_head='<meta name="robots" content="nosnippet">')),
                lambda: page(doc(), headers={"X-Robots-Tag": "max-snippet: 0"}),
                lambda: page(doc(extra_head='<meta name="googlebot" content="max-snippet:20">'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(extra_head='<meta name="robots" content="max-snippet:-1">')),
                 lambda: page(doc(extra_head='<meta name="robots" content="max-snippet:160">')),
                 lambda: page(doc(extra_head='<meta name="bingbot" content="nosnippet">')),
                 lambda: page(doc(), headers={"X-Robots-Tag": "otherbot: max-snippet: 0"}),
                 # noindex pages are reported as such; their snippet does not matter.
                 lambda: page(doc(extra_head='<meta name="robots" content="noindex, nosnippet">'))]),
    Case("seo.geo.partial_nosnippet",
         fails=[lambda: page(doc(body='<h1>A</h1><div data-nosnippet>Price list</div>'))],
         passes=[lambda: page(doc()),
                 lambda: page(doc(body='<h1>A</h1><p>Use the data-nosnippet attribute.</p>'))]),
    Case("seo.geo.noai",
         fails=[lambda: page(doc(extra_head='<meta name="robots" content="noai, noimageai">')),
                lambda: page(doc(), headers={"X-Robots-Tag": "noimageai"})],
         passes=[lambda: page(doc()),
                 lambda: page(doc(extra_head='<meta name="robots" content="index, follow">'))]),
]


def test_blocked_agents_name_purpose_docs_and_urls():
    [finding] = run("seo.geo.answer_agent_blocked", with_robots(NAMED))
    [agent] = finding.details["agents"]
    assert agent["token"] == "PerplexityBot" and agent["purpose"] == "search"
    assert agent["docs"].startswith("https://") and agent["blocked_urls"] == [HOME, GUIDE]


def test_training_policy_summarises_and_carries_the_matrix():
    [finding] = run("seo.geo.training_policy", with_robots(TRAINING_ONLY))
    assert {"GPTBot", "CCBot"} <= set(finding.details["blocked"])
    assert "ClaudeBot" in finding.details["allowed"]
    tokens = {row["token"] for row in finding.details["matrix"]["agents"]}
    assert {"OAI-SearchBot", "ChatGPT-User", "anthropic-ai"} <= tokens
    assert finding.details["matrix"]["urls"] == [HOME, GUIDE]
