"""Per-page content signals for GEO citability and trust (`ContentSignals`).

Aggarwal et al. ("GEO: Generative Engine Optimization", KDD 2024) found that adding statistics,
quotations and cited sources raised a page's visibility in generative engine answers by up to
~40%, and that fluent, easy text helped too. This module measures those signals, plus the
structure (answer-first paragraph, lists, tables, question headings, FAQ), freshness, byline and
the entity the site declares, so the checks in `checks/geo_content.py` and `checks/geo_trust.py`
can judge them. docs/geo-citability.md describes every signal and its limits.

It runs inside the parse (the crawl's hot loop), so it reuses the parse's single tree walk:
`parse._extract` hands over the elements of `CONTENT_TAGS` in document order (plus external
links) through a `ContentReader`. Text work is done on bytes with C-level operations
(`translate`, `count`, `find`), never a regular expression over the whole text, and reads at
most `MAX_TEXT_BYTES` of paragraph and list text. It never raises on page content: a failure
costs the signals of one page (None), not the page.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from .content_rules import ORG, citation_kind, data, is_question, opening_kind, page_language
from .textstats import JOINER, TextStats, count_quoted, count_statistics, text_stats
from .types import ContentSignals, LinkFact, PageFacts

#: The elements the parse walk hands over (besides external <a> and <h1>).
CONTENT_TAGS = frozenset({"main", "article", "nav", "header", "footer", "aside", "p", "ul", "ol",
                          "table", "blockquote", "q", "cite", "details", "time"})
_JOIN = JOINER.decode()
_BOILERPLATE = frozenset({"nav", "header", "footer", "aside"})
#: Structural elements counted (ContentSignals.semantic), in this order.
_SEMANTIC = ("main", "article", "nav", "header", "footer", "aside")
#: Paragraph and list text read per page (about 1,300 words of English): readability,
#: statistics and quoted passages are measured on this sample.
MAX_TEXT_BYTES = 8_000
MAX_LISTS = 50
MAX_TABLES = 20
MAX_REGIONS = 50
#: Paragraph text read for readability (about 600 words of English).
READABILITY_BYTES = 4_000
#: Pages with fewer main-content words get no text measures (no content check judges them).
MIN_MEASURED_WORDS = 300
#: A list counts when it has at least this many items.
MIN_LIST_ITEMS = 3
#: A blockquote counts as a quotation from this many characters of text.
MIN_BLOCKQUOTE_CHARS = 20
#: The first paragraph is the first one after the H1 with at least this many words.
MIN_FIRST_PARAGRAPH_WORDS = 8
#: Author markup looked at per page (occurrences of "author"/"byline" in the source).
MAX_AUTHOR_HITS = 30
#: class/itemprop/rel values that mark an author or byline (not "comment-author").
_AUTHOR_TOKENS = frozenset({b"author", b"byline", b"author-name", b"post-author", b"entry-author",
                            b"article-author", b"byline-author", b"author-link", b"byline-name",
                            b"author-byline"})
_TOKEN = re.compile(rb"[A-Za-z0-9_-]+")
_YEAR = re.compile(r"(?:19|20)\d\d")
_VISIBLE_DATE = re.compile(
    r"\b(?:\d{4}-\d{2}-\d{2}|\d{1,2}/\d{1,2}/\d{4}|(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|"
    r"dec)[a-z]*\.? \d{1,2},? \d{4}|\d{1,2}\.? (?:de )?(?:jan|feb|m[aä]r|apr|abr|ma[iy]|jun|jul|"
    r"aug|ago|sep|o[ck]t|nov|de[cz]|ene|dic)[a-z]*\.?(?: de)? \d{4})\b", re.IGNORECASE)


class ContentReader:
    """Collects what the parse walk finds (elements in document order, external links, meta
    tags) and turns it into `ContentSignals`: `read()` while the tree is whole, `signals()`
    once the facts are built."""

    __slots__ = ("_body", "_read", "links", "meta", "nodes", "tags")

    def __init__(self) -> None:
        self.nodes: list[Any] = []
        self.tags: list[str] = []
        #: (position in `nodes`, link) for <a> links to other hosts.
        self.links: list[tuple[int, LinkFact]] = []
        #: (name or property, content) of author/article meta tags.
        self.meta: list[tuple[str, str]] = []
        self._read: _TreeFacts | None = None
        self._body = b""

    def add(self, tag: str, node: Any) -> None:
        self.nodes.append(node)
        self.tags.append(tag)

    def add_link(self, node: Any, link: LinkFact) -> None:
        if not link.internal and link.url and len(self.links) < 500:
            self.links.append((len(self.nodes), link))
            self.add("a", node)

    def read(self, body: bytes) -> None:
        """Read the tree (before the parse strips scripts from it). Never raises."""
        try:
            self._read = _read_tree(self.nodes, self.tags, self.links, body)
            self._body = body
        except Exception:  # noqa: BLE001 - hostile markup costs the signals, not the page
            self._read = None
        self.nodes = []
        self.tags = []

    def signals(self, facts: PageFacts) -> ContentSignals | None:
        if self._read is None:
            return None
        try:
            return _signals(self._read, self.meta, facts, self._body)
        except Exception:  # noqa: BLE001
            return None


@dataclass(slots=True)
class _TreeFacts:
    region: str = "body"
    boilerplate_words: int = 0
    #: Paragraph and list-item texts of the region (the sample, at most MAX_TEXT_BYTES).
    prose: list[str] = field(default_factory=list)
    items: list[str] = field(default_factory=list)
    quotations: int = 0
    citations: int = 0
    authoritative: int = 0
    citation_examples: tuple[str, ...] = ()
    cite_elements: int = 0
    first_paragraph: str = ""
    lists: int = 0
    tables: int = 0
    details: int = 0
    time_datetime: str = ""
    counts: tuple[int, ...] = ()
    divs: int = -1


def _inside(node: Any, ancestor_id: int) -> bool:
    parent = node.parent
    for _ in range(512):
        if parent is None:
            return False
        if parent.mem_id == ancestor_id:
            return True
        parent = parent.parent
    return False


def _subtree_end(nodes: list[Any], start: int) -> int:
    """Index just past the last of `nodes` inside nodes[start]. The walk is in document
    order, so an element's descendants follow it in one run: a binary search finds the end
    with a few ancestor walks instead of one per node."""
    ancestor = nodes[start].mem_id
    low, high = start + 1, len(nodes)
    while low < high:
        mid = (low + high) // 2
        if _inside(nodes[mid], ancestor):
            low = mid + 1
        else:
            high = mid
    return low


def _words(text: str) -> int:
    return len(text.split())


def _region(nodes: list[Any], tags: list[str]) -> tuple[str, int, int, list[tuple[int, int]]]:
    """(kind, start, end, excluded ranges): the main content as a range of `nodes`: <main>
    when present, else the only <article>, else the whole body minus nav/header/footer/aside
    that are not inside an article."""
    if "main" in tags:
        start = tags.index("main")
        return "main", start, _subtree_end(nodes, start), []
    if tags.count("article") == 1:
        start = tags.index("article")
        return "article", start, _subtree_end(nodes, start), []
    articles = [(i, _subtree_end(nodes, i)) for i, tag in enumerate(tags) if tag == "article"][:MAX_REGIONS]
    excluded: list[tuple[int, int]] = []
    for i, tag in enumerate(tags):
        if tag in _BOILERPLATE and not (excluded and i < excluded[-1][1]) \
                and not any(a <= i < b for a, b in articles) and len(excluded) < MAX_REGIONS:
            excluded.append((i, _subtree_end(nodes, i)))
    return "body", 0, len(nodes), excluded


def _read_tree(nodes: list[Any], tags: list[str], links: list[tuple[int, LinkFact]],
               body: bytes) -> _TreeFacts:
    out = _TreeFacts()
    kind, start, end, excluded = _region(nodes, tags)
    out.region = kind
    outside: list[tuple[int, int]] = []  # boilerplate ranges outside the region
    for i, tag in enumerate(tags):
        if tag in _BOILERPLATE and not start <= i < end and not (outside and i < outside[-1][1]) \
                and len(outside) < MAX_REGIONS:
            outside.append((i, _subtree_end(nodes, i)))
    out.counts = tuple(tags.count(tag) for tag in _SEMANTIC)
    if not out.counts[0] and not out.counts[1] and b'role="main"' not in body \
            and b"role=main" not in body:
        out.divs = body.count(b"<div") + body.count(b"<DIV")
    skip = excluded + outside
    out.boilerplate_words = sum(_words(nodes[a].text(separator=" ")) for a, _ in skip
                                if not any(x < a < y for x, y in skip))

    def in_region(i: int) -> bool:
        return start <= i < end and not any(a <= i < b for a, b in excluded)

    prose = out.prose
    items = out.items
    budget = MAX_TEXT_BYTES
    seen_h1 = False
    for i in range(start, end):
        tag = tags[i]
        if tag == "h1":
            seen_h1 = True
            continue
        if excluded and not in_region(i):
            continue
        node = nodes[i]
        if tag == "p":
            if budget > 0:
                text = node.text()
                if text and not text.isspace():
                    prose.append(text)
                    budget -= len(text)
                    if not out.first_paragraph and seen_h1 and _words(text) >= MIN_FIRST_PARAGRAPH_WORDS:
                        out.first_paragraph = " ".join(text.split())[:300]
        elif tag in ("ul", "ol"):
            if out.lists < MAX_LISTS:
                children = [c for c in node.iter() if c.tag == "li"]
                if len(children) >= MIN_LIST_ITEMS:
                    out.lists += 1
                if budget > 0:
                    for child in children[:50]:
                        text = child.text()
                        items.append(text)
                        budget -= len(text)
        elif tag == "table":
            if out.tables < MAX_TABLES and _data_table(node):
                out.tables += 1
        elif tag == "blockquote":
            if len(node.text(strip=True)) >= MIN_BLOCKQUOTE_CHARS:
                out.quotations += 1
        elif tag == "q":
            out.quotations += 1
        elif tag == "cite":
            out.cite_elements += 1
        elif tag == "details":
            out.details += 1
        elif tag == "time" and not out.time_datetime:
            out.time_datetime = (node.attributes.get("datetime") or node.text(strip=True))[:40]
    if not out.first_paragraph:  # no H1 in the region: the first paragraph of the region
        out.first_paragraph = next((" ".join(p.split())[:300] for p in prose
                                    if _words(p) >= MIN_FIRST_PARAGRAPH_WORDS), "")
    _read_citations(out, nodes, links, in_region)
    return out


def _data_table(node: Any) -> bool:
    """A table of data (not layout): a header cell, or at least 2 rows of 2 cells."""
    if node.css_first("th") is not None:
        return True
    rows = node.css("tr")
    return len(rows) >= 2 and sum(1 for c in rows[0].iter() if c.tag == "td") >= 2


def _read_citations(out: _TreeFacts, nodes: list[Any], links: list[tuple[int, LinkFact]],
                    in_region: Any) -> None:
    examples: list[str] = []
    for position, link in links:
        if not in_region(position) or {"sponsored", "ugc"} & set(link.rel):
            continue
        kind = citation_kind(link.url)
        if not kind:
            continue
        out.citations += 1
        if kind == "authoritative":
            out.authoritative += 1
        if len(examples) < 5:
            examples.append(link.url[:200])
    out.citation_examples = tuple(examples)


def _author_markup(body: bytes) -> bool:
    """An element marked as the author or byline: a class, itemprop or rel value that is
    one of _AUTHOR_TOKENS ("comment-author" is not). Reads only the source just before each
    occurrence of the words (no scan of the whole page with a regular expression)."""
    for word in (b"author", b"byline"):
        pos = body.find(word)
        hits = 0
        while pos >= 0 and hits < MAX_AUTHOR_HITS:
            hits += 1
            if _author_attribute(body, pos):
                return True
            pos = body.find(word, pos + len(word))
    return False


def _author_attribute(body: bytes, pos: int) -> bool:
    """body[pos:] starts one of the values of a class/itemprop/rel attribute, and that value
    is an author token."""
    window = body[max(0, pos - 100):pos].lower()
    attr = max(window.rfind(b"class="), window.rfind(b"itemprop="), window.rfind(b"rel="))
    if attr < 0:
        return False
    value = window[window.index(b"=", attr) + 1:]
    if value[:1] in (b'"', b"'"):
        value = value[1:]
    if any(char in value for char in (b'"', b"'", b">", b"<")) or value[-1:] not in (b"", b" "):
        return False  # the attribute ended before the word, or the word is part of a token
    token = _TOKEN.match(body, pos)
    return token is not None and token.group().lower() in _AUTHOR_TOKENS


def _text_measures(tree: _TreeFacts, main_words: int
                   ) -> tuple[TextStats | None, tuple[int, tuple[str, ...]], int]:
    """Readability, statistics and quoted passages of the text sample; skipped for pages too
    short for any content check (MIN_MEASURED_WORDS), which are most of a site's pages."""
    if main_words < MIN_MEASURED_WORDS or not tree.prose:
        return None, (0, ()), 0
    prose = _JOIN.join(tree.prose).encode("utf-8", "replace")
    text = prose + JOINER + _JOIN.join(tree.items).encode("utf-8", "replace")
    # Readability from the first READABILITY_BYTES: a sample of ~600 words is plenty (Flesch
    # worked from 100-word samples).
    sample = prose[:READABILITY_BYTES]
    return (text_stats(sample, sample.count(JOINER) + 1), count_statistics(text),
            count_quoted(text))


def _visible_date(text: str) -> bool:
    """A date written out near a year in the text ("March 5, 2024", "2024-03-05",
    "5 de marzo de 2024"). Looks only around 4-digit years, the rare part of a date."""
    for year in _YEAR.finditer(text):
        if _VISIBLE_DATE.search(text, max(0, year.start() - 24), year.end() + 6):
            return True
    return False


def _signals(tree: _TreeFacts, meta: list[tuple[str, str]], facts: PageFacts,
             body: bytes) -> ContentSignals:
    from .jsonld_signals import org_type, read_json_ld  # local: it imports the checks package

    lang = page_language(facts.lang)
    ld = read_json_ld(facts)
    lists = data()
    interrogatives = lists.interrogatives.get(lang) or lists.interrogatives["en"]
    sub = [(h.level, h.text.lower()) for h in facts.headings if h.level >= 2]
    question_headings = sum(1 for level, text in sub
                            if level <= 3 and is_question(text, interrogatives))
    bare = {text.strip(" ?:¿") for _, text in sub}
    faq = "json_ld" if ld.faq else "heading" if not bare.isdisjoint(lists.faq_headings) else ""
    references = not bare.isdisjoint(lists.reference_headings)
    subheadings = len(sub)
    if not faq and tree.details >= 2:
        faq = "details"
    meta_values = dict(meta)
    byline: list[str] = []
    author_name = ""
    if meta_values.get("author", "").strip():
        byline.append("meta")
        author_name = meta_values["author"].strip()[:100]
    if ld.author_names or ld.author_types:
        byline.append("json_ld")
        author_name = author_name or ld.author_names[0] if ld.author_names else author_name
    og = dict(facts.open_graph)
    published = ld.date_published or meta_values.get("article:published_time", "")
    modified = ld.date_modified or meta_values.get("article:modified_time", "") \
        or og.get("og:updated_time", "")
    # og:type=article alone is not enough: some CMSs (Yoast) give it to every page; with a
    # publication time it is a dated post.
    og_article = og.get("og:type", "").strip().lower() == "article" \
        and bool(meta_values.get("article:published_time", "").strip())
    article_type = ld.article_type or ("og:article" if og_article else "")
    # Only articles are judged on bylines and dates, and only the absence of other evidence
    # makes these scans matter: they are skipped otherwise.
    if article_type and any("author" in link.rel for link in facts.links
                            if link.kind in ("a", "link")):
        byline.insert(1 if "meta" in byline else 0, "rel")
    if article_type and not byline and _author_markup(body):
        byline.append("markup")
    if article_type and byline and not ld.author_types and "Person" in facts.microdata_types:
        byline.append("microdata")
    visible_date = bool(article_type) and not (published or modified or tree.time_datetime) \
        and _visible_date(" ".join(tree.prose[:10])[:1500])
    names: list[tuple[str, str]] = []
    if og.get("og:site_name", "").strip():
        names.append(("og:site_name", " ".join(og["og:site_name"].split())[:100]))
    names.extend(ld.names)
    main_words = max(0, facts.word_count - tree.boilerplate_words)
    prose, statistics, quoted = _text_measures(tree, main_words)
    return ContentSignals(
        region=tree.region,
        main_words=main_words,
        analysed_words=prose.words if prose else 0,
        statistics=statistics[0],
        statistic_examples=statistics[1],
        quotations=tree.quotations + quoted,
        citations=tree.citations,
        authoritative_citations=tree.authoritative,
        citation_examples=tree.citation_examples,
        cite_elements=tree.cite_elements,
        reference_section=references,
        first_paragraph=tree.first_paragraph,
        opening=opening_kind(tree.first_paragraph) if tree.first_paragraph else "",
        subheadings=subheadings,
        question_headings=question_headings,
        faq=faq,
        lists=tree.lists,
        tables=tree.tables,
        sentences=prose.sentences if prose else 0,
        avg_sentence_words=prose.avg_sentence_words if prose else 0.0,
        flesch=prose.flesch if prose and lang in ("en", "") else None,
        date_published=published.strip()[:40],
        date_modified=modified.strip()[:40],
        time_element=tree.time_datetime,
        visible_date=visible_date,
        byline=tuple(byline),
        author_name=author_name,
        author_types=ld.author_types,
        article_type=article_type,
        news=ld.article_type in lists.news_types,
        semantic=tree.counts,
        divs=tree.divs,
        organization=ld.organization | (ORG if org_type(facts.microdata_types + facts.rdfa_types)
                                        else 0),
        site_names=tuple(names),
    )
