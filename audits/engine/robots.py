"""robots.txt (RFC 9309): fetch, parse with protego, and answer "may this agent fetch X?".

Outcome by response (RFC 9309 section 2.3.1):
* 2xx: the first `max_robots_bytes` (500 KiB) are parsed; a line cut by the cap is dropped.
* 4xx, a redirect we could not follow (loop, more than 5 hops, bad Location), or a 3xx
  without Location: "unavailable", everything is allowed.
* 5xx, 429 and network failures: "unreachable", everything is disallowed. 429 is treated
  like a server error, as Google does: the server is asking us to stay away.

`allowed()` answers for our own token and honours `respect_robots=False` (then everything is
allowed); `allowed_for()` always answers from the file itself, for any agent, because the
AI-crawler matrix reports what the site says to other bots whether or not we obey it.
The raw text is not kept: only the parsed rules, the sitemaps and a bounded list of
invalid lines.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from protego import Protego

from .types import CrawlOptions
from .urls import InvalidURL, resolve_href

if TYPE_CHECKING:
    from .fetch import Fetcher

#: RFC 9309 asks crawlers to follow at least five redirects for robots.txt.
ROBOTS_MAX_REDIRECTS = 5
#: How many invalid lines are kept for the report (all are counted).
MAX_INVALID_LINES = 100
MAX_USER_AGENTS = 200
_LINE_PREVIEW = 200

#: Directives we accept as valid, including widespread non-standard ones and the spellings
#: protego itself tolerates (so a line protego obeys is never reported as invalid).
KNOWN_DIRECTIVES = frozenset({
    "user-agent", "allow", "disallow", "sitemap", "crawl-delay", "host", "request-rate",
    "visit-time", "clean-param", "noindex",
    "useragent", "user agent", "dissallow", "dissalow", "disalow", "diasllow", "disallaw",
    "sitemaps", "site-map", "crawl delay", "request rate", "visit time",
})
_UNAVAILABLE_FETCH_ERRORS = frozenset({"redirect_loop", "too_many_redirects", "invalid_redirect"})

ALLOW_ALL = "allow_all"
DISALLOW_ALL = "disallow_all"
PARSED = "parsed"


@dataclass
class RobotsPolicy:
    """The robots.txt rules of one origin, as far as a crawler needs them."""

    url: str
    #: HTTP status of the final robots.txt response; 0 when none arrived.
    status: int
    #: Fetch error code (dns, timeout, ssrf_blocked, redirect_loop, ...) or None;
    #: "invalid_redirect" when robots.txt redirected to a non-HTTP or malformed URL.
    error: str | None = None
    error_detail: str = ""
    #: Crawl-delay for our token (seconds), None when absent or unreadable.
    crawl_delay: float | None = None
    #: Sitemap URLs listed in the file, absolute and normalized, in file order.
    sitemaps: list[str] = field(default_factory=list)
    #: (line number, line text) of lines that are neither blank, comment nor a known directive.
    invalid_lines: list[tuple[int, str]] = field(default_factory=list)
    invalid_line_count: int = 0
    #: User-agent values named in the file (lower-cased, first MAX_USER_AGENTS).
    user_agents: list[str] = field(default_factory=list)
    #: Bytes of robots.txt (announced or received; more than parsed when truncated).
    size: int = 0
    truncated: bool = False
    #: parsed | allow_all | disallow_all: how the response was turned into rules.
    mode: str = PARSED
    token: str = ""
    respect: bool = True
    _parser: Protego | None = field(default=None, repr=False, compare=False)

    def allowed(self, url: str) -> bool:
        """May our crawler (options.robots_token) fetch `url`? Always True when not respecting."""
        return True if not self.respect else self.allowed_for(url, self.token)

    def allowed_for(self, url: str, user_agent_token: str) -> bool:
        """What the file says for `user_agent_token` (product token, e.g. "GPTBot")."""
        if self.mode == ALLOW_ALL:
            return True
        if self.mode == DISALLOW_ALL:
            return False
        assert self._parser is not None
        return self._parser.can_fetch(url, user_agent_token)

    def crawl_delay_for(self, user_agent_token: str) -> float | None:
        """Crawl-delay of the group that applies to `user_agent_token`."""
        if self._parser is None:
            return None
        return self._parser.crawl_delay(user_agent_token)


def parse_robots(url: str, data: bytes, *, token: str, status: int = 200, size: int | None = None,
                 truncated: bool = False, respect: bool = True) -> RobotsPolicy:
    """Parse robots.txt bytes (any bytes: garbage and binary are tolerated) into a policy."""
    if truncated:
        # The cap may have cut the last line in half ("Disallow: /priv" of "/private/"); a
        # half rule means something else than the whole one, so it is dropped.
        cut = data.rfind(b"\n")
        data = data[: cut + 1] if cut >= 0 else b""
    text = data.decode("utf-8", errors="replace")
    if text.startswith("\ufeff"):
        text = text[1:]
    parser = Protego.parse(text)
    policy = RobotsPolicy(url=url, status=status, size=len(data) if size is None else size,
                          truncated=truncated, mode=PARSED, token=token, respect=respect,
                          _parser=parser, crawl_delay=parser.crawl_delay(token))
    _scan_lines(text, policy)
    seen: set[str] = set()
    for raw in parser.sitemaps:
        try:
            sitemap = resolve_href(url, raw)
        except InvalidURL:
            continue
        if sitemap not in seen:
            seen.add(sitemap)
            policy.sitemaps.append(sitemap)
    return policy


def _scan_lines(text: str, policy: RobotsPolicy) -> None:
    """Record invalid lines and the user agents named (protego exposes neither)."""
    agents: set[str] = set()
    seen_agent = False
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.split("#", 1)[0].strip()
        if not line:
            continue
        name, colon, value = line.partition(":")
        name = name.strip().lower()
        if not colon or name not in KNOWN_DIRECTIVES:
            # protego also reads "User-agent foo" (no colon); accept what it accepts.
            words = line.lower().split()
            if words[0] in ("user-agent", "useragent") or words[:2] == ["user", "agent"]:
                seen_agent = True
            if not (words[0] in KNOWN_DIRECTIVES or " ".join(words[:2]) in KNOWN_DIRECTIVES):
                policy.invalid_line_count += 1
                if len(policy.invalid_lines) < MAX_INVALID_LINES:
                    policy.invalid_lines.append((number, raw.strip()[:_LINE_PREVIEW]))
            continue
        if name in ("allow", "disallow") and not seen_agent:
            # RFC 9309 section 2.1: rules belong to a group that starts with user-agent lines;
            # crawlers (Google included) ignore a rule that comes before any of them.
            policy.invalid_line_count += 1
            if len(policy.invalid_lines) < MAX_INVALID_LINES:
                policy.invalid_lines.append(
                    (number, raw.strip()[:_LINE_PREVIEW] + "  [before any User-agent line]"))
            continue
        if name in ("user-agent", "useragent", "user agent"):
            seen_agent = True
        if name in ("user-agent", "useragent", "user agent") and len(agents) < MAX_USER_AGENTS:
            agent = value.strip().lower()
            if agent and agent not in agents:
                agents.add(agent)
                policy.user_agents.append(agent)


async def fetch_robots(fetcher: Fetcher, origin: str, options: CrawlOptions) -> RobotsPolicy:
    """Fetch and interpret `origin`/robots.txt. Never raises for network or HTTP trouble."""
    url = origin.rstrip("/") + "/robots.txt"
    result = await fetcher.fetch(url, max_bytes=options.max_robots_bytes, keep_prefix=True,
                                 max_redirects=ROBOTS_MAX_REDIRECTS)
    token, respect = options.robots_token, options.respect_robots
    if result.error is None and 200 <= result.status < 300:
        return parse_robots(url, result.body or b"", token=token, status=result.status,
                            size=result.size, truncated=result.truncated, respect=respect)
    error = result.error
    if error in ("invalid_url", "unsupported_scheme") and result.redirect_chain:
        # The origin answered; only its redirect was unusable. Not the crawler's
        # "cannot reach the site" codes, which would abort the whole audit.
        error = "invalid_redirect"
    if error in _UNAVAILABLE_FETCH_ERRORS or (
            result.error is None and (300 <= result.status < 500 and result.status != 429)):
        mode = ALLOW_ALL
    else:
        mode = DISALLOW_ALL
    detail = result.error_detail
    if result.error is None and mode == DISALLOW_ALL:
        detail = f"robots.txt answered HTTP {result.status}: treated as disallowing everything"
    return RobotsPolicy(url=url, status=result.status, error=error, error_detail=detail,
                        size=result.size, mode=mode, token=token, respect=respect)
