"""llms.txt checks (llmstxt.org) and a proposed llms.txt built from the crawl.

The files are fetched once before the crawl (llms_txt.fetch_llms_txt) into `SiteView.llms_txt`;
these site checks only read that result and the crawl index.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterator
from typing import TYPE_CHECKING
from urllib.parse import unquote, urlsplit

from ..llms_txt import INVALID, MISSING, NOT_TEXT, LlmsTxtInfo
from ..types import Finding, Severity
from ..urls import InvalidURL, normalize_url, origin_of
from .common import examples
from .registry import site_check

if TYPE_CHECKING:
    from ..site import PageRecord, SiteView

REF_LLMS_TXT = "https://llmstxt.org/"
#: Sections and links per section in a proposed llms.txt.
PROPOSAL_SECTIONS = 8
PROPOSAL_LINKS = 10

_TITLE_SEPARATOR = re.compile(r"\s+(?:\||-|–|—|·|::|:|/|»)\s+")
_GENERIC_TITLES = frozenset({"home", "homepage", "home page", "welcome", "index", "start",
                             "accueil", "startseite", "inicio", "start page"})
_SPACES = re.compile(r"\s+")


def _info(site: SiteView) -> LlmsTxtInfo | None:
    info = site.llms_txt
    return info if isinstance(info, LlmsTxtInfo) else None


@site_check(
    "seo.geo.llms_txt_missing", category="geo", component="llms_txt", severity=Severity.NOTICE,
    title="No llms.txt file",
    why="llms.txt is a proposed markdown file at the site root that gives AI assistants and "
        "answer engines a short summary of the site and links to its key pages. It is not "
        "a ranking factor and few engines read it yet, but it is cheap to provide.",
    fix="Publish /llms.txt as text/plain or text/markdown: a `# Site name` line, a `> summary` "
        "line, then `## Section` headings each with a list of `- [Page name](url): note` "
        "links. The report's proposal is a starting point. Serve a real 404 when absent.",
    reference=REF_LLMS_TXT)
def llms_txt_missing(site: SiteView) -> Iterator[Finding]:
    """/llms.txt answered with an error status or an HTML page (a soft 404). Not reported
    when the server did not answer or robots.txt kept us from asking."""
    info = _info(site)
    if info is not None and info.llms.state == MISSING:
        llms = info.llms
        yield Finding("seo.geo.llms_txt_missing", llms.url, {
            "status": llms.status, "content_type": llms.content_type, "reason": llms.reason,
            "final_url": llms.final_url})


@site_check(
    "seo.geo.llms_txt_invalid", category="geo", component="llms_txt", severity=Severity.WARNING,
    title="llms.txt does not follow the llms.txt format",
    why="Tools that read llms.txt expect its structure: one H1 title first, then H2 sections "
        "of markdown link lists. Missing titles, list items that are not links and invalid "
        "URLs make the file unreadable or lose the pages it is meant to point to.",
    fix="Fix the lines listed: start with exactly one `# Name` heading, write every list item "
        "in a section as `- [name](https://...)` with an optional `: note`, and remove empty "
        "sections.",
    reference=REF_LLMS_TXT)
def llms_txt_invalid(site: SiteView) -> Iterator[Finding]:
    """/llms.txt is text but breaks the format; the problems are listed with line numbers."""
    info = _info(site)
    if info is None or info.llms.state != INVALID or info.llms.parsed is None:
        return
    parsed = info.llms.parsed
    yield Finding("seo.geo.llms_txt_invalid", info.llms.url, {
        "problem_count": parsed.problem_count,
        "problems": [{"line": p.line, "code": p.code, "message": p.message}
                     for p in examples(parsed.problems, 20)],
        "size": info.llms.size, "content_type": info.llms.content_type})


@site_check(
    "seo.geo.llms_txt_broken_links", category="geo", component="llms_txt", severity=Severity.WARNING,
    title="llms.txt links to broken or redirected pages",
    why="The pages llms.txt lists are the ones you want AI assistants to read. A link that "
        "answers with an error sends them nowhere; a redirect costs a hop and often means the "
        "file is out of date.",
    fix="Update the listed links to the final URLs of live pages, or remove them.",
    reference=REF_LLMS_TXT)
def llms_txt_broken_links(site: SiteView) -> Iterator[Finding]:
    """Links in /llms.txt to URLs the crawl fetched that answered non-200, failed or
    redirected. Links to pages the crawl did not reach (other hosts included) are not judged."""
    info = _info(site)
    if info is None or info.llms.parsed is None:
        return
    bad: list[dict[str, object]] = []
    seen: set[str] = set()
    for link in info.llms.parsed.links:
        record = site.pages.get(link.url)
        if record is None or link.url in seen:
            continue
        seen.add(link.url)
        if record.status == 200 and not record.redirect_hops and record.error is None:
            continue
        entry: dict[str, object] = {"line": link.line, "url": link.url, "status": record.status}
        if record.redirect_hops:
            entry["redirects_to"] = record.final_url
        if record.error:
            entry["error"] = record.error
        bad.append(entry)
    if bad:
        yield Finding("seo.geo.llms_txt_broken_links", info.llms.url,
                      {"count": len(bad), "links": examples(bad)})


@site_check(
    "seo.geo.llms_full_not_text", category="geo", component="llms_txt", severity=Severity.NOTICE,
    title="llms-full.txt is not a text file",
    why="/llms-full.txt is meant to hold the site's key content as plain markdown for AI "
        "tools; this one answered with a binary body that they cannot read.",
    fix="Serve /llms-full.txt as UTF-8 text (text/plain or text/markdown), or remove it.",
    reference=REF_LLMS_TXT)
def llms_full_not_text(site: SiteView) -> Iterator[Finding]:
    """/llms-full.txt answered 200 with a body that is not UTF-8 text."""
    info = _info(site)
    if info is not None and info.full.state == NOT_TEXT:
        yield Finding("seo.geo.llms_full_not_text", info.full.url, {
            "content_type": info.full.content_type, "size": info.full.size,
            "reason": info.full.reason})


# -- a proposed llms.txt ---------------------------------------------------------------------

def _one_line(text: str | None) -> str:
    return _SPACES.sub(" ", text or "").strip()


def site_name(title: str | None, fallback: str) -> str:
    """The site's name from its home page title: "Acme | Home" and "Home - Acme" give "Acme",
    "Acme — Widgets for everyone" gives "Acme"."""
    parts = [p.strip() for p in _TITLE_SEPARATOR.split(_one_line(title)) if p.strip()]
    for part in parts:
        if part.lower() not in _GENERIC_TITLES:
            return part
    return fallback


def _link_name(text: str) -> str:
    return _one_line(text).replace("[", "(").replace("]", ")").replace("\\", "/")


def _link_url(url: str) -> str:
    return url.replace("(", "%28").replace(")", "%29")


def _section_title(segment: str) -> str:
    words = _one_line(unquote(segment).replace("-", " ").replace("_", " "))
    return _link_name(words[:1].upper() + words[1:]) or "Pages"


def propose_llms_txt(site: SiteView) -> str:
    """An llms.txt built from the crawl: the site name (home page title without its
    " | Brand"-style part), the home meta description as summary, and one H2 section per
    first path segment of indexable 200 HTML pages (at most PROPOSAL_SECTIONS sections of
    PROPOSAL_LINKS links, most linked first). Always parses without problems."""
    home = site.home_record()
    try:
        origin = origin_of(normalize_url(site.start_url))
    except InvalidURL:
        origin = site.start_url
    host = urlsplit(origin).hostname or origin
    name = _link_name(site_name(home.title if home else None, host)).lstrip("#").strip() or host
    lines = [f"# {name}", ""]
    summary = _one_line(home.description if home else None)
    if summary:
        lines += [f"> {summary}", ""]

    candidates: list[tuple[list[str], PageRecord]] = []
    for record in site.pages.values():
        if (record.status != 200 or not record.is_html or not record.indexable or record.error
                or record.redirect_hops or (home is not None and record.url == home.url)
                or not record.url.startswith(origin + "/")):
            continue
        segments = [s for s in urlsplit(record.url).path.split("/") if s]
        if segments:
            candidates.append((segments, record))
    first_counts: dict[str, int] = defaultdict(int)
    for segments, _ in candidates:
        first_counts[segments[0]] += 1
    groups: dict[str, list[PageRecord]] = defaultdict(list)
    for segments, record in candidates:
        # A lone top-level page (/about) joins the general section; /blog with /blog/x is "Blog".
        key = segments[0] if len(segments) > 1 or first_counts[segments[0]] > 1 else ""
        groups[key].append(record)

    def weight(records: list[PageRecord]) -> int:
        return sum(site.inlinks(r.url) for r in records)

    ordered = sorted(groups.items(), key=lambda kv: (-weight(kv[1]), kv[0] == "", kv[0]))
    for key, records in ordered[:PROPOSAL_SECTIONS]:
        records.sort(key=lambda r: (-site.inlinks(r.url), r.depth, r.url))
        lines.append(f"## {_section_title(key) if key else 'Pages'}")
        lines.append("")
        for record in records[:PROPOSAL_LINKS]:
            label = (_link_name(record.title or "")
                     or _link_name(unquote(urlsplit(record.url).path)))
            note = _one_line(record.description)
            lines.append(f"- [{label}]({_link_url(record.url)})" + (f": {note}" if note else ""))
        lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"
