"""Optional GEO live check: do AI agents get the same answer as a browser?

Many CDNs and WAFs (bot-management rules) answer AI crawlers with 403, a challenge page or an
empty shell while browsers get the page, which robots.txt analysis cannot see. For the start
page and a few key pages this fetches once with a browser User-Agent and once per AI answer
agent (the User-Agent its vendor documents) and compares status and size. Off by default
(`CrawlOptions.geo_live_check`): it sends requests that present themselves as other crawlers.
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass, replace

from .ai_agents import ANSWER_PURPOSES, AIAgent, key_pages, load_agents
from .fetch import Fetcher
from .site import SiteView
from .types import CrawlOptions, FetchResult

BROWSER_USER_AGENT = ("Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) "
                      "Chrome/131.0.0.0 Safari/537.36")
#: Pages probed: the start page and the most linked ones.
LIVE_PAGES = 3
#: An agent's 200 answer smaller than this share of the browser's is a stripped/challenge page.
MIN_SIZE_RATIO = 0.25
#: Statuses that mean "refused" when the browser got a 200.
REFUSALS = frozenset({401, 403, 406, 429, 451, 503})


@dataclass(frozen=True, slots=True)
class LiveProbe:
    url: str
    agent: str
    agent_status: int
    agent_bytes: int
    browser_status: int
    browser_bytes: int
    #: "" when the answers match; else why they differ.
    difference: str


def compare(url: str, agent: str, browser: FetchResult, bot: FetchResult) -> LiveProbe:
    """Judge one pair of answers. Only a browser 200 can reveal a difference."""
    difference = ""
    if browser.status == 200 and browser.error is None:
        if bot.error is not None:
            difference = f"agent request failed: {bot.error}"
        elif bot.status in REFUSALS:
            difference = f"agent refused with HTTP {bot.status}"
        elif bot.status != 200:
            difference = f"agent got HTTP {bot.status}"
        elif browser.size and bot.size < browser.size * MIN_SIZE_RATIO:
            difference = (f"agent got {bot.size} bytes against {browser.size} for a browser "
                          "(challenge or stripped page)")
    return LiveProbe(url, agent, bot.status, bot.size, browser.status, browser.size, difference)


def live_agents() -> list[AIAgent]:
    return [agent for agent in load_agents()
            if agent.purpose in ANSWER_PURPOSES and agent.user_agent]


async def live_agent_check(site: SiteView, options: CrawlOptions) -> tuple[LiveProbe, ...]:
    """Fetch the key pages as a browser and as each answer agent; never raises. The crawl's
    SSRF guard, timeouts and body cap apply (same options, another User-Agent)."""
    urls = key_pages(site, LIVE_PAGES - 1)
    probe_options = replace(options, max_retries=0, max_body_bytes=min(options.max_body_bytes,
                                                                       2 * 1024 * 1024))
    probes: list[LiveProbe] = []
    async with Fetcher(replace(probe_options, user_agent=BROWSER_USER_AGENT)) as browser:
        baseline = await asyncio.gather(*(browser.fetch(url) for url in urls))
    for agent in live_agents():
        async with Fetcher(replace(probe_options, user_agent=agent.user_agent)) as bot:
            answers = await asyncio.gather(*(bot.fetch(url) for url in urls))
        probes.extend(compare(url, agent.token, base, answer)
                      for url, base, answer in zip(urls, baseline, answers, strict=True))
    return tuple(probes)
