"""The AI agent list and robots.txt matching for AI agents, against protego's semantics."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from protego import Protego

from audits.engine.ai_agents import PURPOSES, access_matrix, has_own_group, load_agents
from audits.engine.checks.registry import REGISTRY
from audits.engine.robots import parse_robots
from audits.engine.score import compute_score_from_counts

URL = "https://example.com/"
REQUIRED = {"GPTBot", "ClaudeBot", "CCBot", "Google-Extended", "Applebot-Extended", "Bytespider",
            "meta-externalagent", "Amazonbot", "OAI-SearchBot", "Claude-SearchBot",
            "PerplexityBot", "DuckAssistBot", "ChatGPT-User", "Claude-User", "Perplexity-User",
            "MistralAI-User", "anthropic-ai", "Claude-Web"}


def test_data_file_lists_every_agent_with_purpose_and_docs():
    agents = load_agents()
    assert {agent.token for agent in agents} >= REQUIRED
    assert all(agent.purpose in PURPOSES and agent.docs.startswith("https://") for agent in agents)
    assert len({agent.token.lower() for agent in agents}) == len(agents)


TOKENS = [*sorted(REQUIRED), "*", "Googlebot"]
PATHS = ["/", "/a", "/a/b", "/guide", "/private/x"]


@st.composite
def robots_files(draw):
    groups = []
    for _ in range(draw(st.integers(1, 4))):
        agents = draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=3, unique=True))
        rules = draw(st.lists(st.tuples(st.sampled_from(["Allow", "Disallow"]),
                                        st.sampled_from(["/", "/a", "/a/", "/guide", "/private"])),
                              max_size=3))
        groups.append("".join(f"User-agent: {a}\n" for a in agents)
                      + "".join(f"{kind}: {path}\n" for kind, path in rules))
    return "\n".join(groups)


@settings(max_examples=150, deadline=None)
@given(robots_files())
def test_matrix_matches_protego_for_every_agent(text):
    policy = parse_robots(URL + "robots.txt", text.encode(), token="SEOAuditBot")
    urls = [URL.rstrip("/") + path for path in PATHS]
    matrix = access_matrix(policy, urls)
    reference = Protego.parse(text)
    named = {line.split(":", 1)[1].strip().lower() for line in text.splitlines()
             if line.lower().startswith("user-agent:")}
    for row in matrix.rows:
        assert row.allowed == tuple(reference.can_fetch(url, row.agent.token) for url in urls)
        assert row.own_group == (row.agent.token.lower() in named)
        assert has_own_group(policy, row.agent.token) == row.own_group


def test_informational_checks_cost_no_points():
    assert REGISTRY["seo.geo.training_policy"].informational
    score = compute_score_from_counts(10, 0, {}, ["seo.geo.training_policy"])
    assert score.score == 100.0
    assert all(category.score == 100.0 for category in score.category_scores)
