"""llms.txt (https://llmstxt.org/): fetch /llms.txt and /llms-full.txt, parse and validate.

The proposal's format, in order: exactly one H1 (the site or project name, required), an
optional blockquote summary, optional free paragraphs, then H2 sections whose markdown lists
hold links `- [name](url): optional notes`. An H2 titled "Optional" marks links a reader may
skip. Problems are recorded as (code, line, message), never raised.

A site without the file very often answers /llms.txt with its HTML 404 page or home page and
status 200 (a soft 404): that counts as "missing", not as an invalid llms.txt.
"""

from __future__ import annotations

import asyncio
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, NamedTuple
from urllib.parse import urlsplit

from .urls import InvalidURL, normalize_url, resolve_href

if TYPE_CHECKING:
    from .fetch import Fetcher
    from .robots import RobotsPolicy
    from .types import CrawlOptions, FetchResult

#: Bytes read of each file; a longer file is parsed up to the cap and reported as oversized.
MAX_LLMS_BYTES = 1024 * 1024
#: Problems kept per file (all are counted).
MAX_PROBLEMS = 100
_PREVIEW = 120

# Parse states of a fetched file.
OK = "ok"                    # a text file that parsed without problems
INVALID = "invalid"          # a text file with problems
MISSING = "missing"          # 4xx/5xx/3xx without target, or an HTML page (soft 404)
NOT_TEXT = "not_text"        # 200 with a binary body
UNREACHABLE = "unreachable"  # no response (network error, SSRF guard)
BLOCKED = "blocked"          # robots.txt disallows it for our crawler (not fetched)

_LIST_ITEM = re.compile(r"^\s*(?:[-*+]|\d{1,3}[.)])\s+(.*)$")
_LINK = re.compile(r"^\[((?:[^\]\\]|\\.)*)\]\(\s*<?([^()<>\s]*(?:\([^()\s]*\)[^()<>\s]*)*)>?"
                   r"(?:\s+(?:\"[^\"]*\"|'[^']*'))?\s*\)(.*)$")
_LINK_WITH_SPACES = re.compile(r"^\[((?:[^\]\\]|\\.)*)\]\(([^)]*)\)(.*)$")
_FENCE = re.compile(r"^\s{0,3}(```|~~~)")
_HTML_START = (b"<!doctype html", b"<html", b"<head", b"<body", b"<!--")


class Problem(NamedTuple):
    code: str
    line: int
    message: str


@dataclass(frozen=True, slots=True)
class LlmsLink:
    name: str
    #: The href as written.
    href: str
    #: Absolute normalized URL ("" when the href is not a valid http(s) URL).
    url: str
    notes: str
    line: int


@dataclass(frozen=True, slots=True)
class LlmsSection:
    title: str
    line: int
    links: tuple[LlmsLink, ...]

    @property
    def optional(self) -> bool:
        """The proposal's "Optional" section: links a reader with a short context may skip."""
        return self.title.strip().lower() == "optional"


@dataclass(frozen=True, slots=True)
class LlmsTxt:
    title: str | None
    summary: str | None
    sections: tuple[LlmsSection, ...]
    problems: tuple[Problem, ...]
    #: Problems found in all (`problems` keeps the first MAX_PROBLEMS).
    problem_count: int = 0

    @property
    def links(self) -> tuple[LlmsLink, ...]:
        return tuple(link for section in self.sections for link in section.links)


@dataclass(frozen=True, slots=True)
class LlmsFile:
    """The outcome of fetching one of /llms.txt or /llms-full.txt."""

    url: str
    state: str
    status: int = 0
    content_type: str = ""
    #: Bytes received (or announced when over the cap).
    size: int = 0
    truncated: bool = False
    final_url: str = ""
    error: str | None = None
    #: Why the state was chosen, for evidence ("HTML page served with status 200", ...).
    reason: str = ""
    parsed: LlmsTxt | None = None


@dataclass(frozen=True, slots=True)
class LlmsTxtInfo:
    llms: LlmsFile
    full: LlmsFile


class _Problems:
    def __init__(self) -> None:
        self.items: list[Problem] = []
        self.count = 0

    def add(self, code: str, line: int, message: str) -> None:
        self.count += 1
        if len(self.items) < MAX_PROBLEMS:
            self.items.append(Problem(code, line, message))


def _link_url(href: str, base_url: str | None) -> str:
    """Normalized absolute URL of `href`, or "" when it is not a usable http(s) URL."""
    if not href or any(c.isspace() for c in href):
        return ""
    try:
        scheme = urlsplit(href).scheme.lower()
    except ValueError:
        return ""
    try:
        if scheme in ("http", "https"):
            return normalize_url(href)
        if scheme or base_url is None:
            # mailto:, javascript:, ... or a relative href with nothing to resolve it against.
            return "" if scheme else href
        return resolve_href(base_url, href)
    except InvalidURL:
        return ""


def looks_like_html(data: bytes) -> bool:
    head = data[:512].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    return head.startswith(_HTML_START)


def parse_llms_txt(text: str, *, base_url: str | None = None) -> LlmsTxt:
    """Parse llms.txt markdown. Relative link hrefs are resolved against `base_url` (the
    file's URL) when given. Never raises: every deviation is a `Problem`."""
    problems = _Problems()
    if text.startswith("\ufeff"):
        text = text[1:]
    if not text.strip():
        problems.add("empty", 1, "the file is empty")
        return LlmsTxt(None, None, (), tuple(problems.items), problems.count)
    if looks_like_html(text[:512].encode("utf-8", "replace")):
        problems.add("html", 1, "the file is an HTML page, not markdown")
        return LlmsTxt(None, None, (), tuple(problems.items), problems.count)

    title: str | None = None
    summary_lines: list[str] = []
    in_summary = False
    content_before_h1 = False
    sections: list[LlmsSection] = []
    #: The open section: title, line, links, lines of content seen (items, prose).
    current: tuple[str, int, list[LlmsLink], list[int]] | None = None
    in_fence = False

    def close_section() -> None:
        if current is not None:
            name, line, links, items = current
            # Only a bare heading is empty: broken items are reported one by one, and prose
            # under an H2 is still read by whoever reads the file.
            if not items:
                problems.add("section_empty", line, f"section '{name[:_PREVIEW]}' lists no links")
            sections.append(LlmsSection(name, line, tuple(links)))

    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if _FENCE.match(raw):
            in_fence = not in_fence
            in_summary = False
            if title is None:
                content_before_h1 = True
            continue
        if in_fence:
            continue
        if not line:
            if summary_lines:
                in_summary = False
            continue
        if line.startswith("# ") or line == "#":
            if title is not None:
                problems.add("h1_duplicate", number, "a second H1 heading: the file must have "
                             "exactly one, its first line")
                continue
            title = line[1:].strip()
            if content_before_h1:
                problems.add("h1_not_first", number, "the H1 heading is not the first content")
            if not title:
                problems.add("h1_missing", number, "the H1 heading is empty")
            in_summary = not sections and current is None
            continue
        if title is None:
            content_before_h1 = True
        if line.startswith("## ") or line == "##":
            close_section()
            current = (line[2:].strip(), number, [], [])
            in_summary = False
            continue
        if in_summary and line.startswith(">"):
            summary_lines.append(line[1:].strip())
            continue
        in_summary = False
        if current is None:
            continue  # free paragraphs between the summary and the first section
        current[3].append(number)
        item = _LIST_ITEM.match(raw)
        if item is None:
            continue  # prose or a sub-heading inside a section is allowed
        # "**[name](url)**": emphasis around the link does not hide it.
        body = item.group(1).strip().lstrip("*_").lstrip()
        match = _LINK.match(body)
        if match is None:
            if len(raw) - len(raw.lstrip()) >= 2:
                continue  # a nested item under a link is a note about it, not a file entry
            spaced = _LINK_WITH_SPACES.match(body)
            if spaced is not None:
                problems.add("invalid_url", number, f"invalid link URL: {spaced.group(2)[:_PREVIEW]!r}")
                continue
            problems.add("item_not_link", number,
                         f"list item is not a markdown link [name](url): {body[:_PREVIEW]!r}")
            continue
        name, href, rest = match.group(1).strip(), match.group(2).strip(), match.group(3).strip()
        url = _link_url(href, base_url)
        if not url:
            problems.add("invalid_url", number, f"invalid link URL: {href[:_PREVIEW]!r}")
            continue
        rest = rest.lstrip("*_").strip()
        notes = rest.lstrip(":-–— \t")  # ": notes" per the proposal; " - notes" is common
        current[2].append(LlmsLink(name, href, url, notes, number))
    close_section()

    if title is None:
        problems.add("h1_missing", 1, "no H1 heading (# Name): the title is required")
    # Keep problems in file order.
    ordered = sorted(problems.items, key=lambda p: p.line)
    summary = " ".join(summary_lines).strip() or None
    return LlmsTxt(title or None, summary, tuple(sections), tuple(ordered), problems.count)


def _decode(data: bytes) -> str | None:
    """Text of `data`, or None when it is binary (NUL bytes or not UTF-8)."""
    if b"\x00" in data[:8192]:
        return None
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as exc:
        if len(data) - exc.start <= 3:  # the size cap cut a multi-byte character
            return data[:exc.start].decode("utf-8")
        return None


def interpret_llms_file(url: str, result: FetchResult) -> LlmsFile:
    """Turn a fetch of an llms file into a state (see module constants) and parsed content."""
    common = {"url": url, "status": result.status, "content_type": result.content_type,
              "size": result.size, "truncated": result.truncated, "final_url": result.final_url,
              "error": result.error}
    if result.error is not None and result.status == 0:
        return LlmsFile(state=UNREACHABLE, reason=result.error_detail or result.error, **common)
    if result.error is not None or result.status != 200:
        reason = result.error_detail or f"HTTP {result.status}"
        return LlmsFile(state=MISSING, reason=reason, **common)
    data = result.body or b""
    if looks_like_html(data) or ("html" in result.content_type.lower()
                                 and not data.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"#")):
        # Markdown mislabelled text/html (it starts with its "# Title") is still read.
        return LlmsFile(state=MISSING, reason="an HTML page was served (soft 404)", **common)
    text = _decode(data)
    if text is None:
        return LlmsFile(state=NOT_TEXT, reason="the body is not UTF-8 text", **common)
    parsed = parse_llms_txt(text, base_url=result.final_url or url)
    if result.truncated:
        extra = Problem("too_large", 1, f"the file is larger than {MAX_LLMS_BYTES} bytes: "
                        "only the start was read")
        parsed = LlmsTxt(parsed.title, parsed.summary, parsed.sections,
                         (extra, *parsed.problems), parsed.problem_count + 1)
    return LlmsFile(state=INVALID if parsed.problems else OK, parsed=parsed, **common)


async def _fetch_one(fetcher: Fetcher, url: str, robots: RobotsPolicy | None) -> LlmsFile:
    if robots is not None and not robots.allowed(url):
        return LlmsFile(url=url, state=BLOCKED, reason="disallowed by robots.txt")
    result = await fetcher.fetch(url, max_bytes=MAX_LLMS_BYTES, keep_prefix=True)
    return interpret_llms_file(url, result)


async def fetch_llms_txt(fetcher: Fetcher, origin: str, options: CrawlOptions,
                         robots: RobotsPolicy | None = None) -> LlmsTxtInfo:
    """Fetch and interpret `origin`/llms.txt and `origin`/llms-full.txt with the crawl's
    fetcher (SSRF guard, timeouts, per-host limits). Never raises."""
    del options  # the fetcher carries them; kept for the same signature as fetch_robots
    base = origin.rstrip("/")
    llms, full = await asyncio.gather(_fetch_one(fetcher, base + "/llms.txt", robots),
                                      _fetch_one(fetcher, base + "/llms-full.txt", robots))
    return LlmsTxtInfo(llms=llms, full=full)
