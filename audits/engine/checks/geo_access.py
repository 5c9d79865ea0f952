"""GEO: can AI answer engines fetch and quote the site? robots.txt per AI agent, and the
snippet directives (nosnippet, max-snippet, data-nosnippet, noai) that limit what they may use."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from ..ai_agents import ANSWER_PURPOSES, AccessMatrix, site_matrix
from ..indexability import directive_sources, robots_directive_values
from ..robots import PARSED
from ..site import SiteView
from ..types import Finding, Severity
from .common import html_facts
from .registry import PageContext, page_check, site_check

REF_AI_CRAWLERS = "https://platform.openai.com/docs/bots"
REF_SNIPPET_CONTROLS = ("https://developers.google.com/search/docs/appearance/"
                        "snippet#nosnippet")
REF_AI_FEATURES = "https://developers.google.com/search/docs/appearance/ai-features"
#: max-snippet values below this many characters leave nothing an answer engine can quote.
MIN_USEFUL_SNIPPET = 50
_MAX_SNIPPET = re.compile(r"max-snippet\s*:\s*(-?\d+)", re.IGNORECASE)
_NOAI = re.compile(r"(?<![\w-])(noai|noimageai)(?![\w-])", re.IGNORECASE)


def _answer_agents(site: SiteView, *, own_group: bool) -> tuple[AccessMatrix | None, list[Any]]:
    matrix = site_matrix(site)
    if matrix is None or matrix.robots_mode != PARSED:
        return matrix, []  # an unusable robots.txt is reported by the seo.robots.* checks
    rows = [row for row in matrix.by_purpose(*ANSWER_PURPOSES)
            if row.blocked and row.own_group == own_group]
    return matrix, rows


def _evidence(matrix: AccessMatrix, rows: list[Any]) -> dict[str, Any]:
    return {"agents": [{"token": row.agent.token, "operator": row.agent.operator,
                        "purpose": row.agent.purpose, "docs": row.agent.docs,
                        "blocked_urls": [url for url, ok in zip(matrix.urls, row.allowed,
                                                                strict=True) if not ok][:10]}
                       for row in rows],
            "urls_checked": len(matrix.urls)}


@site_check(
    "seo.geo.answer_agent_blocked", category="geo", component="access", severity=Severity.WARNING,
    title="robots.txt blocks AI search or assistant agents",
    why="Agents such as OAI-SearchBot, PerplexityBot or ChatGPT-User fetch pages to answer "
        "people's questions and cite sources. A robots.txt group naming them and disallowing "
        "the site's key pages keeps it out of those answers (unlike training crawlers, which "
        "only collect data).",
    fix="If the site should be cited in AI answers, allow these agents (remove their Disallow "
        "rules, or add `Allow: /` in their group); keep blocking training agents separately if "
        "that is the policy.",
    reference=REF_AI_CRAWLERS)
def answer_agent_blocked(site: SiteView) -> Iterator[Finding]:
    """Search/answer and user-initiated AI agents disallowed from the start page or key pages
    by a group that names them."""
    matrix, rows = _answer_agents(site, own_group=True)
    if matrix is not None and rows:
        yield Finding("seo.geo.answer_agent_blocked", None, _evidence(matrix, rows))


@site_check(
    "seo.geo.answer_agent_blocked_by_wildcard", category="geo", component="access", severity=Severity.WARNING,
    title="A wildcard robots.txt rule blocks AI answer agents",
    why="No group names these AI search or assistant agents, so they obey the `User-agent: *` "
        "group, whose Disallow rules (often meant for scrapers) keep the key pages out of AI "
        "answers — usually by accident.",
    fix="Add a group for each answer agent you want to allow, e.g. `User-agent: OAI-SearchBot` "
        "/ `User-agent: PerplexityBot` followed by `Allow: /`, or narrow the wildcard rules.",
    reference=REF_AI_CRAWLERS)
def answer_agent_blocked_by_wildcard(site: SiteView) -> Iterator[Finding]:
    """Answer agents without their own group, disallowed through the `*` group."""
    matrix, rows = _answer_agents(site, own_group=False)
    if matrix is not None and rows:
        yield Finding("seo.geo.answer_agent_blocked_by_wildcard", None, _evidence(matrix, rows))


@site_check(
    "seo.geo.training_policy", category="geo", component="access", severity=Severity.NOTICE,
    informational=True,
    title="AI training crawler policy",
    why="Which AI training crawlers (GPTBot, ClaudeBot, CCBot, Google-Extended, ...) robots.txt "
        "lets in. Blocking them is a legitimate choice and does not remove the site from AI "
        "answers; this summary shows the current policy so it can be checked against intent.",
    fix="Nothing to fix unless the policy is not what you intended: name each training "
        "agent in robots.txt with the rules you want.",
    reference="https://developers.google.com/search/docs/crawling-indexing/"
              "google-common-crawlers#google-extended")
def training_policy(site: SiteView) -> Iterator[Finding]:
    """Summary of training and legacy agents' access to the start page (always reported when
    robots.txt was read), with the full AI agent matrix as evidence."""
    matrix = site_matrix(site)
    if matrix is None:
        return
    training = matrix.by_purpose("training", "legacy")
    yield Finding("seo.geo.training_policy", None, {
        "allowed": [row.agent.token for row in training if row.allowed[0]],
        "blocked": [row.agent.token for row in training if not row.allowed[0]],
        "matrix": matrix.as_dict(),
    })


@page_check(
    "seo.geo.snippet_restricted", category="geo", component="access", severity=Severity.WARNING,
    title="Snippet directives stop AI answers from quoting the page",
    why="nosnippet (or a max-snippet under 50 characters) forbids showing text from the page: "
        "Google applies it to AI Overviews and AI Mode, and other answer engines follow the "
        "same signals, so the page can rank but not be quoted or summarised.",
    fix="Remove nosnippet / raise max-snippet (or use -1 for no limit); to hide only part of a "
        "page, wrap that part in an element with data-nosnippet.",
    reference=REF_AI_FEATURES)
def snippet_restricted(page: PageContext) -> dict[str, Any] | None:
    """nosnippet or max-snippet < 50 applying to Google or us (meta robots or X-Robots-Tag)
    on an indexable page."""
    if html_facts(page) is None or not page.indexable:
        return None
    token = page.options.robots_token
    sources = directive_sources(page.fetch, page.facts, "nosnippet", robots_token=token)
    if sources:
        return {"directive": "nosnippet", "sources": sources}
    for _, value in robots_directive_values(page.fetch, page.facts, robots_token=token):
        for match in _MAX_SNIPPET.finditer(value[:1000]):
            limit = int(match.group(1))
            if 0 <= limit < MIN_USEFUL_SNIPPET:
                return {"directive": f"max-snippet:{limit}"}
    return None


@page_check(
    "seo.geo.partial_nosnippet", category="geo", component="access", severity=Severity.NOTICE,
    title="Parts of the page are hidden from snippets (data-nosnippet)",
    why="Text inside elements with data-nosnippet cannot be shown in snippets or AI answers. "
        "That is right for boilerplate or sensitive text, and a loss when it wraps the main "
        "content.",
    fix="Keep data-nosnippet for text that must not be quoted; remove it from the content "
        "you want AI answers to cite.",
    reference=REF_SNIPPET_CONTROLS)
def partial_nosnippet(page: PageContext) -> dict[str, Any] | None:
    """Elements carrying data-nosnippet on an indexable page."""
    facts = html_facts(page)
    if facts is None or not page.indexable or not facts.data_nosnippet:
        return None
    return {"elements": facts.data_nosnippet}


@page_check(
    "seo.geo.noai", category="geo", component="access", severity=Severity.NOTICE,
    title="noai / noimageai directives",
    why="noai and noimageai are non-standard robots values (introduced by DeviantArt and "
        "used by some platforms) asking AI systems not to use the page or its images. Few "
        "crawlers honour them; they signal intent rather than enforce it.",
    fix="Keep them if that is the policy; to actually keep AI crawlers out, use robots.txt "
        "groups for their tokens (see the AI agent matrix).",
    reference=("https://www.deviantart.com/team/journal/"
               "UPDATE-All-Deviations-Are-Opted-Out-of-AI-Datasets-934500371"))
def noai(page: PageContext) -> dict[str, Any] | None:
    """noai or noimageai in any meta robots tag or X-Robots-Tag header."""
    facts = html_facts(page)
    if facts is None:
        return None
    values = [content for _, content in facts.meta_robots] + page.fetch.header_all("x-robots-tag")
    found = sorted({match.group(1).lower() for value in values
                    for match in _NOAI.finditer(value[:1000])})
    return {"directives": found} if found else None


@site_check(
    "seo.geo.agent_refused_live", category="geo", component="access", severity=Severity.WARNING,
    title="AI agents get a different answer than browsers (bot blocking)",
    why="Fetched with an AI answer agent's User-Agent, key pages were refused (403, 429, a "
        "challenge or a stripped page) while a browser got them. CDN and WAF bot-management "
        "rules often do this even when robots.txt allows the agent, so the site cannot be read "
        "or cited by that engine.",
    fix="Allow the agents you want in the CDN/WAF bot settings (verified-bot lists, or rules "
        "matching their documented User-Agents and IP ranges), then re-run this check.",
    reference="https://developers.cloudflare.com/bots/concepts/bot/")
def agent_refused_live(site: SiteView) -> Iterator[Finding]:
    """Live probes (option geo_live_check) where an agent's answer differed from a browser's."""
    probes = site.live_probes or ()
    differing = [probe for probe in probes if probe.difference]
    if not differing:
        return
    agents = sorted({probe.agent for probe in differing})
    yield Finding("seo.geo.agent_refused_live", None, {
        "agents": agents,
        "probes": [{"url": p.url, "agent": p.agent, "agent_status": p.agent_status,
                    "browser_status": p.browser_status, "difference": p.difference}
                   for p in differing[:20]],
        "probed": len(probes)})
