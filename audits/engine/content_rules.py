"""The word lists of `data/citability.json` and the small judgements built on them: which
links are citations (and authoritative), which headings are questions, how a paragraph
opens, which URLs are utility or about/contact/privacy pages, dates and "now". Used by
`citability.py` while parsing and by the GEO content and trust checks."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

from .types import FetchResult

DATA_FILE = Path(__file__).resolve().parent / "data" / "citability.json"
#: Organization flags (ContentSignals.organization).
ORG = 1
ORG_SAME_AS = 2
ORG_LOGO = 4
PERSON = 8


@dataclass(frozen=True, slots=True)
class _Data:
    not_citation_hosts: frozenset[str]
    authoritative_hosts: frozenset[str]
    authoritative_suffixes: tuple[str, ...]
    interrogatives: dict[str, frozenset[str]]
    #: First words of the interrogatives that are phrases ("por qué", "gibt es").
    phrase_starts: frozenset[str]
    filler_openers: tuple[str, ...]
    #: Statement verbs: single words, and phrases of several words.
    definition_words: frozenset[str]
    definition_phrases: tuple[str, ...]
    faq_headings: frozenset[str]
    reference_headings: frozenset[str]
    trust_pages: dict[str, frozenset[str]]
    legal_suffixes: frozenset[str]
    organization_types: frozenset[str]
    organization_suffixes: tuple[str, ...]
    article_types: frozenset[str]
    news_types: frozenset[str]
    utility_segments: frozenset[str]


@lru_cache(maxsize=1)
def data() -> _Data:
    """The word and host lists of `data/citability.json`."""
    raw = json.loads(DATA_FILE.read_text(encoding="utf-8"))
    return _Data(
        not_citation_hosts=frozenset(raw["not_citation_hosts"]["hosts"]),
        authoritative_hosts=frozenset(raw["authoritative_sources"]["hosts"]),
        authoritative_suffixes=tuple(raw["authoritative_sources"]["suffixes"]),
        interrogatives={lang: frozenset(words) for lang, words in raw["interrogatives"].items()
                        if not lang.startswith("_")},
        phrase_starts=frozenset(words.split()[0] for lang, words_list in raw["interrogatives"].items()
                                if not lang.startswith("_") for words in words_list if " " in words),
        filler_openers=tuple(raw["filler_openers"]["phrases"]),
        definition_words=frozenset(p.strip() for p in raw["definition_markers"]["phrases"]
                                   if " " not in p.strip()),
        definition_phrases=tuple(p.strip() for p in raw["definition_markers"]["phrases"]
                                 if " " in p.strip()),
        faq_headings=frozenset(raw["faq_headings"]),
        reference_headings=frozenset(raw["reference_headings"]),
        trust_pages={kind: frozenset(words) for kind, words in raw["trust_pages"].items()
                     if not kind.startswith("_")},
        legal_suffixes=frozenset(raw["legal_suffixes"]["words"]),
        organization_types=frozenset(raw["organization_types"]["types"]),
        organization_suffixes=tuple(raw["organization_types"]["suffixes"]),
        article_types=frozenset(raw["article_types"]["types"]),
        news_types=frozenset(raw["article_types"]["news"]),
        utility_segments=frozenset(raw["utility_paths"]["segments"]),
    )


def _host_matches(host: str, names: frozenset[str]) -> bool:
    """The host or one of its parent domains is in `names` (www.nature.com -> nature.com)."""
    parts = host.split(".")
    return any(".".join(parts[i:]) in names for i in range(max(0, len(parts) - 5), len(parts) - 1))


def citation_kind(url: str) -> str:
    """"authoritative", "other" or "" (not a citation: social, sharing, ads, shorteners)."""
    host = (urlsplit(url).hostname or "").lower().rstrip(".")
    return _host_kind(host[4:] if host.startswith("www.") else host) if host else ""


@lru_cache(maxsize=4096)
def _host_kind(host: str) -> str:
    lists = data()
    if _host_matches(host, lists.not_citation_hosts):
        return ""
    if _host_matches(host, lists.authoritative_hosts) or \
            any(host.endswith("." + suffix) for suffix in lists.authoritative_suffixes):
        return "authoritative"
    return "other"


def question_heading(text: str, lang: str) -> bool:
    """A heading written as a question: it ends with "?" (or opens with "¿"), or starts with an
    interrogative word of the page's language (English when unknown)."""
    lists = data()
    return is_question(" ".join(text.lower().split()),
                     lists.interrogatives.get(lang) or lists.interrogatives["en"])


def is_question(lowered: str, interrogatives: frozenset[str]) -> bool:
    """`question_heading` for a lower-cased, whitespace-normalized heading (as the parse
    stores headings) and the interrogatives of its language."""
    if lowered[-1:] == "?" or lowered[:1] == "¿":
        return True
    first, _, rest = lowered.partition(" ")
    return first in interrogatives or (
        first in _PHRASE_STARTS and f"{first} {rest.partition(' ')[0]}" in interrogatives)


def opening_kind(paragraph: str) -> str:
    """How the first paragraph opens: "question" (it asks instead of answering), "filler"
    ("In this article...", "Have you ever..."), "statement" (a statement verb in its first
    sentence: "X is ...", "X se refiere a ..."), else "other"."""
    lowered = paragraph.lower().lstrip()
    first = lowered.split(". ", 1)[0]
    if first.rstrip().endswith("?") or first.startswith("¿"):
        return "question"
    lists = data()
    if lowered.startswith(lists.filler_openers):
        return "filler"
    if not lists.definition_words.isdisjoint(first.split()) or any(
            phrase in first for phrase in lists.definition_phrases):
        return "statement"
    return "other"


_PHRASE_STARTS = data().phrase_starts


def path_segments(url: str) -> list[str]:
    """Lower-case, percent-decoded path segments without a file extension
    ("/Empresa/Quienes-Somos.html" -> ["empresa", "quienes-somos"])."""
    path = unquote(urlsplit(url).path).lower()
    return [segment.rsplit(".", 1)[0] if segment.endswith((".html", ".htm", ".php", ".aspx", ".asp"))
            else segment for segment in path.split("/") if segment][:20]


def utility_page(url: str) -> bool:
    """The home page or a page whose path names an account, cart, search or legal page."""
    segments = path_segments(url)
    return not segments or not data().utility_segments.isdisjoint(segments)


def trust_page_kinds(url: str, anchor: str = "") -> set[str]:
    """Which of about/contact/privacy a URL (path segment) or link text names."""
    pages = data().trust_pages
    words = set(path_segments(url))
    text = " ".join(anchor.lower().split()).strip(" .:|>»")
    return {kind for kind, names in pages.items() if text in names or not names.isdisjoint(words)}


def page_language(lang: str | None) -> str:
    """"en" from "en-GB"; "" when absent."""
    return (lang or "").strip().lower().split("-")[0].split("_")[0][:8]


def parse_date(value: Any) -> datetime | None:
    """An ISO 8601 date or date-time as written in JSON-LD, meta tags or <time datetime>;
    times without a zone are read as UTC."""
    if not isinstance(value, str):
        return None
    value = value.strip()[:40]
    if len(value) < 10:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        try:
            parsed = datetime.fromisoformat(value[:10])
        except ValueError:
            return None
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def fetch_time(fetch: FetchResult) -> datetime:
    """"Now" for freshness: the response's Date header, else the current time."""
    header = fetch.header("date")
    if header:
        try:
            parsed = parsedate_to_datetime(header)
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)
        except (TypeError, ValueError, IndexError):
            pass
    return datetime.now(UTC)
