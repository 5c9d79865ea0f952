"""AI crawlers and what a site's robots.txt lets each of them fetch.

The agents live in `data/ai_agents.json` (token, operator, purpose, documentation link) so the
list can be updated without touching code. Matching is robots.txt's own (RFC 9309, through
protego, exactly as for our crawler): an agent obeys the group naming its product token, or the
`*` group when no group names it. `own_group` tells which of the two applied, which is how an
accidental block (a wildcard rule meant for scrapers) is told from a deliberate one.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .robots import RobotsPolicy
    from .site import SiteView

DATA_FILE = Path(__file__).resolve().parent / "data" / "ai_agents.json"
PURPOSES = ("training", "search", "user", "legacy")
#: Agents whose block keeps the site out of AI answers (not just out of training data).
ANSWER_PURPOSES = frozenset({"search", "user"})
#: Key pages judged besides the start page: the most linked indexable pages.
KEY_PAGES = 10


@dataclass(frozen=True, slots=True)
class AIAgent:
    token: str
    operator: str
    purpose: str
    docs: str
    #: The User-Agent header the vendor documents ("" when we do not ship one).
    user_agent: str = ""


@dataclass(frozen=True, slots=True)
class AgentAccess:
    agent: AIAgent
    #: One verdict per URL of the matrix (same order).
    allowed: tuple[bool, ...]
    #: robots.txt has a group naming this agent's token (else the `*` group, if any, applies).
    own_group: bool

    @property
    def blocked(self) -> bool:
        return not all(self.allowed)


@dataclass(frozen=True, slots=True)
class AccessMatrix:
    urls: tuple[str, ...]
    rows: tuple[AgentAccess, ...]
    #: How robots.txt was read: parsed, allow_all (4xx/missing) or disallow_all (5xx/unreachable).
    robots_mode: str

    def by_purpose(self, *purposes: str) -> list[AgentAccess]:
        return [row for row in self.rows if row.agent.purpose in purposes]

    def as_dict(self) -> dict[str, Any]:
        return {
            "urls": list(self.urls),
            "robots_mode": self.robots_mode,
            "agents": [{"token": row.agent.token, "operator": row.agent.operator,
                        "purpose": row.agent.purpose, "docs": row.agent.docs,
                        "own_group": row.own_group,
                        "blocked_urls": [url for url, ok in zip(self.urls, row.allowed,
                                                                strict=True) if not ok]}
                       for row in self.rows],
        }


@lru_cache(maxsize=1)
def load_agents() -> tuple[AIAgent, ...]:
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    agents = tuple(AIAgent(item["token"], item["operator"], item["purpose"], item["docs"],
                           item.get("user_agent", "")) for item in data["agents"])
    unknown = {agent.purpose for agent in agents} - set(PURPOSES)
    if unknown:
        raise ValueError(f"{DATA_FILE}: unknown purposes {sorted(unknown)}")
    return agents


def has_own_group(policy: RobotsPolicy, token: str) -> bool:
    """Does a user-agent line of robots.txt name `token` (case-insensitive, RFC 9309)?"""
    token = token.lower()
    return any(agent == token for agent in policy.user_agents)


def access_matrix(policy: RobotsPolicy, urls: list[str] | tuple[str, ...],
                  agents: tuple[AIAgent, ...] | None = None) -> AccessMatrix:
    """Every agent's robots.txt verdict for every URL."""
    agents = load_agents() if agents is None else agents
    rows = tuple(AgentAccess(agent, tuple(policy.allowed_for(url, agent.token) for url in urls),
                             has_own_group(policy, agent.token)) for agent in agents)
    return AccessMatrix(tuple(urls), rows, policy.mode)


def key_pages(site: SiteView, limit: int = KEY_PAGES) -> list[str]:
    """The start URL and the indexable 200 HTML pages most linked from other pages."""
    ranked = sorted((url for url, record in site.pages.items()
                     if record.indexable and record.status == 200 and url != site.start_url),
                    key=lambda url: (-site.inlinks(url), url))
    return [site.start_url, *ranked[:limit]]


def site_matrix(site: SiteView) -> AccessMatrix | None:
    """The matrix for the start page and key pages; None before robots.txt was fetched."""
    if site.robots is None:
        return None
    return access_matrix(site.robots, key_pages(site))
