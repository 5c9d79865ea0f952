"""Deterministic analysis of one AI answer: is the brand mentioned (and in which sentence),
is one of the site's URLs cited (and first at which position), which competitors are
mentioned or cited. Pure Python, no Django, no LLM.

Mentions are matched on *words*: text and names are folded (Unicode NFKD, diacritics
dropped, case-folded) and split into runs of Unicode word characters, and a name matches a
run of consecutive words. So "Acme" never matches inside "Acmetrics", "ACME, Inc." equals
"Acme Inc", "Café" equals "cafe", and the domain "acme.com" in the text is the words
"acme com" (a mention of the brand "Acme" and of the domain). When names overlap — brand
"Acme Cloud", competitor "Cloud Corp" — the longest match wins and the words are taken by
one name, so the brand's own mention never counts for the competitor.

Names derived automatically by dropping a legal suffix ("Globex Corp" -> "Globex") only
count when the text writes them capitalised: "cloud" in "cloud hosting" is not the company
"Cloud Corp"; names the user enters match in any case.

Citations match by host: an owned domain, its www./m. forms and its subdomains. Tracking
parameters (utm_*, gclid, ...) are dropped from stored URLs. Redirect URLs of known
redirectors (Gemini's vertexaisearch.cloud.google.com, google.com/url) are resolved from
the URL's target parameter or, failing that, the citation's `domain`/`title`, which for
Gemini is the source's domain.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

#: Legal-form suffixes dropped to derive a short name ("Acme Inc" -> "Acme").
LEGAL_SUFFIXES = frozenset({
    "inc", "incorporated", "llc", "ltd", "limited", "corp", "corporation", "co", "company",
    "gmbh", "ag", "sa", "sas", "sarl", "srl", "spa", "bv", "nv", "plc", "pty", "oy", "ab", "as",
    "kg", "se", "lp", "llp"})
#: Query parameters that only track the click.
TRACKING_PARAMS = frozenset({"gclid", "fbclid", "msclkid", "dclid", "yclid", "mc_cid", "mc_eid",
                             "igshid", "_ga", "_gl", "ref_src", "srsltid"})
#: Hosts whose citation URLs only redirect to the source.
REDIRECTOR_HOSTS = frozenset({"vertexaisearch.cloud.google.com", "google.com", "www.google.com",
                              "l.facebook.com", "t.co", "bing.com", "www.bing.com"})
#: Query parameters redirectors carry the target in.
REDIRECT_TARGET_PARAMS = ("url", "q", "u", "target", "dest")
SENTENCE_MAX_CHARS = 500
_ABBREVIATIONS = frozenset({"inc", "ltd", "co", "corp", "vs", "etc", "e.g", "i.e", "mr", "mrs",
                            "dr", "st", "no", "approx", "ca"})
_WORD = re.compile(r"\w+")
_ASCII_RUN = re.compile(r"[\x00-\x7f]+|[^\x00-\x7f]")
_MARKDOWN_LINK = re.compile(r"\[([^\]]*)\]\([^)\s]*\)")
_MARKDOWN_EMPHASIS = re.compile(r"\*\*|__|(?<!\w)[*_`]|[*_`](?!\w)")
_DOMAIN_LIKE = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$")


@dataclass(frozen=True, slots=True)
class Entity:
    """A brand or competitor: display name, extra spellings, owned domains."""

    name: str
    variants: tuple[str, ...] = ()
    domains: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class CitationIn:
    """One citation as the engine gave it (Citation of visibility.engines.base, or its JSON)."""

    url: str
    title: str = ""
    position: int = 0
    domain: str = ""


@dataclass(frozen=True, slots=True)
class CitationOut:
    position: int
    url: str
    title: str
    #: The source's host (resolved behind a redirector), lower case, without "www.".
    domain: str

    def as_dict(self) -> dict[str, object]:
        return {"position": self.position, "url": self.url, "title": self.title,
                "domain": self.domain}


@dataclass(frozen=True, slots=True)
class Analysis:
    brand_mentioned: bool
    brand_sentence: str
    #: Order of the brand's first mention among the brand and the mentioned competitors.
    mention_rank: int | None
    cited: bool
    cited_position: int | None
    cited_urls: tuple[str, ...]
    competitors_mentioned: tuple[str, ...]
    competitors_cited: tuple[str, ...]
    citations: tuple[CitationOut, ...] = field(default=())


# --- text folding ----------------------------------------------------------------------------

def fold(text: str) -> str:
    """Case-folded text without diacritics (NFKD, combining marks dropped)."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    return fold(char)


@dataclass(frozen=True, slots=True)
class _Word:
    text: str        # folded
    start: int       # offsets in the original text
    end: int
    capitalised: bool


def _words(text: str) -> list[_Word]:
    """Folded words with their offsets in the original text (a folded character maps back to
    the original character it came from)."""
    if text.isascii():  # the common case: folding is lower-casing, offsets do not move
        joined, origin = text.lower(), range(len(text))
    else:
        folded: list[str] = []
        positions: list[int] = []
        for run in _ASCII_RUN.finditer(text):  # fold character by character only off ASCII
            start, chunk = run.start(), run.group()
            if chunk.isascii():
                folded.append(chunk.lower())
                positions.extend(range(start, run.end()))
            else:
                part = _fold_char(chunk)
                folded.append(part)
                positions.extend([start] * len(part))
        joined, origin = "".join(folded), positions
    words = []
    for match in _WORD.finditer(joined):
        start, end = origin[match.start()], origin[match.end() - 1] + 1
        first = text[start]
        words.append(_Word(match.group(), start, end, not first.islower()))
    return words


def name_words(name: str) -> tuple[str, ...]:
    return tuple(w.group() for w in _WORD.finditer(fold(name)))


@dataclass(frozen=True, slots=True)
class _Pattern:
    entity: int              # index into the entities; 0 is the brand
    words: tuple[str, ...]
    needs_capital: bool


def _patterns(index: int, entity: Entity) -> list[_Pattern]:
    patterns: dict[tuple[str, ...], bool] = {}
    given = [entity.name, *entity.variants]
    for name in given:
        words = name_words(name)
        if not words:
            continue
        patterns[words] = False
        stripped = words
        while len(stripped) > 1 and stripped[-1] in LEGAL_SUFFIXES:
            stripped = stripped[:-1]
        if stripped != words and stripped not in patterns:
            patterns[stripped] = True
        if len(words) > 1 and "".join(words) not in patterns:  # "Acme Cloud" -> "acmecloud"
            patterns.setdefault(("".join(words),), False)
    for domain in entity.domains:
        words = name_words(domain_normalize(domain))
        if words:
            patterns[words] = False
    return [_Pattern(index, words, capital) for words, capital in patterns.items()]


@dataclass(frozen=True, slots=True)
class _Match:
    entity: int
    start: int  # word index
    end: int


def find_mentions(text: str, entities: Sequence[Entity]) -> tuple[list[_Word], list[_Match]]:
    """Non-overlapping mentions of the entities, longest first, then earliest; the brand
    (index 0) wins ties of equal length."""
    words = _words(text)
    patterns = [p for i, e in enumerate(entities) for p in _patterns(i, e)]
    by_first: dict[str, list[_Pattern]] = {}
    for pattern in patterns:
        by_first.setdefault(pattern.words[0], []).append(pattern)
    candidates: list[_Match] = []
    texts = [w.text for w in words]
    for i, word in enumerate(texts):
        for pattern in by_first.get(word, ()):
            n = len(pattern.words)
            if tuple(texts[i:i + n]) != pattern.words:
                continue
            if pattern.needs_capital and not words[i].capitalised:
                continue
            candidates.append(_Match(pattern.entity, i, i + n))
    candidates.sort(key=lambda m: (-(m.end - m.start), m.entity, m.start))
    taken = [False] * len(words)
    chosen = []
    for match in candidates:
        if any(taken[match.start:match.end]):
            continue
        for k in range(match.start, match.end):
            taken[k] = True
        chosen.append(match)
    chosen.sort(key=lambda m: m.start)
    return words, chosen


def sentence_at(text: str, offset: int) -> str:
    """The sentence of `text` around character `offset`, whitespace collapsed, markdown
    links and emphasis dropped, capped at SENTENCE_MAX_CHARS."""
    start = 0
    for match in re.finditer(r"(?<=[.!?。！？])\s+|\n+", text[:offset]):
        if match.group().startswith("\n") or not _ends_with_abbreviation(text[:match.start()]):
            start = match.end()
    end = len(text)
    for match in re.finditer(r"(?<=[.!?。！？])(?=\s)|\n", text[offset:]):
        absolute = offset + match.start()
        if text[absolute] == "\n" or not _ends_with_abbreviation(text[:absolute]):
            end = absolute
            break
    sentence = " ".join(text[start:end].split())
    sentence = _MARKDOWN_LINK.sub(r"\1", sentence)  # [acme.com](https://...) -> acme.com
    sentence = _MARKDOWN_EMPHASIS.sub("", sentence).lstrip("#> ").strip(" -•")
    if len(sentence) > SENTENCE_MAX_CHARS:
        sentence = sentence[:SENTENCE_MAX_CHARS - 1].rstrip() + "…"
    return sentence


def _ends_with_abbreviation(before: str) -> bool:
    word = re.search(r"([\w.]+)\.$", before)
    return bool(word) and (word.group(1).lower() in _ABBREVIATIONS or len(word.group(1)) == 1)


# --- URLs and hosts --------------------------------------------------------------------------

def domain_normalize(value: str) -> str:
    """A domain or URL as a bare lower-case host without "www."/"m." ("" if none)."""
    value = value.strip().lower()
    if "://" not in value:
        value = "http://" + value
    try:
        host = (urlsplit(value).hostname or "").rstrip(".")
    except ValueError:
        return ""
    for prefix in ("www.", "m.", "amp."):
        if host.startswith(prefix) and host.count(".") >= 2:
            host = host[len(prefix):]
            break
    return host


def host_matches(host: str, domain: str) -> bool:
    """True when `host` is `domain`, its www./m. form or a subdomain of it."""
    host, domain = domain_normalize(host), domain_normalize(domain)
    return bool(host and domain) and (host == domain or host.endswith("." + domain))


def url_clean(url: str) -> str:
    """The URL without tracking parameters (utm_*, gclid, ...) and without a fragment."""
    url = url.strip()
    if "?" not in url and "#" not in url:
        return url
    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True)
             if not k.lower().startswith("utm_") and k.lower() not in TRACKING_PARAMS]
    return urlunsplit((parts.scheme, parts.netloc, parts.path, urlencode(query), "")).strip()


def citation_resolve(citation: CitationIn) -> CitationOut:
    """The citation's real source: behind a redirector, the target URL from the query string
    or else the citation's `domain` (or a domain-like `title`)."""
    url = citation.url.strip()
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
    except ValueError:
        parts, host = None, ""
    if parts is not None and host in REDIRECTOR_HOSTS:
        params = dict(parse_qsl(parts.query))
        target = next((params[k] for k in REDIRECT_TARGET_PARAMS
                       if params.get(k, "").startswith(("http://", "https://"))), "")
        if target:
            url, host = target, (urlsplit(target).hostname or "").lower()
        else:
            hint = citation.domain or (citation.title if _DOMAIN_LIKE.match(
                citation.title.strip().lower()) else "")
            host = domain_normalize(hint) if hint else host
    return CitationOut(position=citation.position, url=url_clean(url), title=citation.title.strip(),
                       domain=domain_normalize(host))


# --- the analysis ----------------------------------------------------------------------------

def analyse_answer(*, text: str, citations: Iterable[CitationIn], brand: Entity,
                   site_domains: Sequence[str], competitors: Sequence[Entity]) -> Analysis:
    """Analyse one answer. `brand.domains` and `site_domains` are the owned domains (a
    citation on any of them, or their subdomains, is the site's)."""
    resolved = []
    for index, citation in enumerate(citations, 1):
        out = citation_resolve(citation)
        resolved.append(out if out.position > 0 else CitationOut(index, out.url, out.title, out.domain))
    owned = tuple(dict.fromkeys(d for d in (*site_domains, *brand.domains) if domain_normalize(d)))
    entities = [Entity(brand.name, brand.variants, owned), *competitors]
    words, matches = find_mentions(text, entities)
    brand_matches = [m for m in matches if m.entity == 0]
    order = list(dict.fromkeys(m.entity for m in matches))
    sentence = sentence_at(text, words[brand_matches[0].start].start) if brand_matches else ""
    own_citations = [c for c in resolved if any(host_matches(c.domain, d) for d in owned)]
    mentioned = tuple(competitors[i - 1].name for i in sorted(set(order) - {0}))
    competitor_cited = tuple(
        c.name for c in competitors
        if any(host_matches(cit.domain, d) for cit in resolved for d in c.domains))
    return Analysis(
        brand_mentioned=bool(brand_matches), brand_sentence=sentence,
        mention_rank=order.index(0) + 1 if brand_matches else None,
        cited=bool(own_citations),
        cited_position=min(c.position for c in own_citations) if own_citations else None,
        cited_urls=tuple(dict.fromkeys(c.url for c in own_citations)),
        competitors_mentioned=mentioned, competitors_cited=competitor_cited,
        citations=tuple(resolved))


def competitor_entities(raw: Iterable[dict[str, object]]) -> list[Entity]:
    """Competitors as stored on a prompt ([{"name", "variants"?, "domains"?}])."""
    out = []
    for item in raw:
        name = str(item.get("name") or "").strip()
        domains = tuple(str(d) for d in item.get("domains") or () if str(d).strip())  # type: ignore[union-attr]
        if not name and not domains:
            continue
        out.append(Entity(name or domains[0], tuple(str(v) for v in item.get("variants") or ()),  # type: ignore[union-attr]
                          domains))
    return out
