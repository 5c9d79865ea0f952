"""GEO citability: does the page give AI answer engines something to quote? Statistics,
quotations, cited sources, an answer-first opening, scannable structure and readable text
(Aggarwal et al., "GEO: Generative Engine Optimization", KDD 2024). The signals come from
`citability.py`; docs/geo-citability.md explains each threshold.

Which pages are judged: indexable HTML 200 pages that are not the home page or a utility
page (account, cart, search, legal), with enough main-content words for the signal to mean
something. "Source" checks (statistics, quotations, citations) judge articles (Article-family
JSON-LD or og:type article) of 500+ words and other pages of 800+ words in one region.
"""

from __future__ import annotations

from typing import Any

from .. import content_rules
from ..types import ContentSignals, Severity
from .common import html_facts
from .registry import PageContext, page_check

REF_GEO_PAPER = "https://arxiv.org/abs/2311.09735"
REF_HELPFUL = "https://developers.google.com/search/docs/fundamentals/creating-helpful-content"
REF_FLESCH = "https://en.wikipedia.org/wiki/Flesch%E2%80%93Kincaid_readability_tests"
#: Main-content words from which a page is judged at all.
MIN_CONTENT_WORDS = 300
#: Articles from this many words are expected to back their claims.
MIN_ARTICLE_WORDS = 500
#: Other pages (not marked as articles) from this many words are long-form content.
MIN_LONG_WORDS = 800
#: Paragraph words read (the sample) needed before judging statistics or readability.
MIN_SAMPLE_WORDS = 200
#: Wall of text: this many words with no list or table and fewer than one subheading per
#: WORDS_PER_SECTION words.
WALL_MIN_WORDS = 600
WORDS_PER_SECTION = 400
#: Flesch reading ease below this is "very difficult" (college graduate level).
MIN_FLESCH = 30.0
#: Average sentence length above this many words is hard for any reader.
MAX_SENTENCE_WORDS = 30.0
MIN_SENTENCES = 10
#: Languages written without spaces between words: word and sentence counts mean nothing.
_UNSPACED_LANGUAGES = frozenset({"zh", "ja", "ko", "th", "lo", "km", "my"})
#: Question headings: long articles with several sections.
QUESTION_MIN_WORDS = 1000
QUESTION_MIN_SUBHEADINGS = 4


def content_signals(page: PageContext, min_words: int = MIN_CONTENT_WORDS) -> ContentSignals | None:
    """The page's content signals when it is a content page worth judging: indexable HTML 200,
    not the home page or a utility page, with at least `min_words` main-content words."""
    facts = html_facts(page)
    if facts is None or not page.indexable or facts.content is None:
        return None
    content = facts.content
    if content.main_words < min_words or content_rules.utility_page(page.url):
        return None
    return content


def source_page(page: PageContext) -> ContentSignals | None:
    """A page expected to back its claims: an article of MIN_ARTICLE_WORDS+ main words, or a
    page of MIN_LONG_WORDS+ words whose content is one region (not a listing of articles)."""
    content = content_signals(page, MIN_ARTICLE_WORDS)
    if content is None:
        return None
    if content.article_type:
        return content
    return content if content.main_words >= MIN_LONG_WORDS and not _listing(content) else None


def _listing(content: ContentSignals) -> bool:
    """A page of several <article> cards (blog index, search-like listing)."""
    return len(content.semantic) > 1 and content.semantic[1] > 1


@page_check(
    "seo.geo.no_statistics", category="geo", component="citability", severity=Severity.NOTICE,
    title="Long content without any statistic",
    why="Answer engines prefer passages with concrete figures: in the GEO study (KDD 2024), "
        "adding statistics to a page was among the methods that raised its visibility in "
        "generative answers the most (up to ~40%). This page states no percentage, amount, "
        "measurement or other figure in its text and has no data table.",
    fix="Back the main claims with figures and their source: percentages, amounts, counts, "
        "dates of measurement (\"38% of buyers in 2024, according to ...\"), or a table of data.",
    reference=REF_GEO_PAPER)
def no_statistics(page: PageContext) -> dict[str, Any] | None:
    """Source page (see module docstring) whose paragraph and list text sample
    (MIN_SAMPLE_WORDS+ words read, at most citability.MAX_TEXT_BYTES) holds no statistic
    (textstats.count_statistics: %, currency, number with unit or scale word, ratio, decimal
    or thousands-separated number) and whose main content has no data table."""
    content = source_page(page)
    if content is None or content.analysed_words < MIN_SAMPLE_WORDS:
        return None
    if content.statistics or content.tables:
        return None
    return {"main_words": content.main_words, "words_read": content.analysed_words}


@page_check(
    "seo.geo.no_quotations", category="geo", component="citability", severity=Severity.NOTICE,
    title="Long article without any quotation",
    why="Quotations from experts or primary sources make a passage quotable and credible; "
        "the GEO study (KDD 2024) found that adding quotations was one of the most effective "
        "ways to be cited by generative engines.",
    fix="Quote a named expert, study or official source where it supports the text, in a "
        "<blockquote> (with <cite>) or an inline <q>/quotation marks.",
    reference=REF_GEO_PAPER)
def no_quotations(page: PageContext) -> dict[str, Any] | None:
    """Article page (Article-family JSON-LD or og:type article) with MIN_LONG_WORDS+ main
    words and no <blockquote> (20+ characters), no <q>, and no quoted passage of 40+ bytes
    in its paragraph sample."""
    content = content_signals(page, MIN_LONG_WORDS)
    if content is None or not content.article_type or content.quotations:
        return None
    if content.analysed_words < MIN_SAMPLE_WORDS:
        return None
    return {"main_words": content.main_words, "article_type": content.article_type}


@page_check(
    "seo.geo.no_citations", category="geo", component="citability", severity=Severity.NOTICE,
    title="Long content that cites no sources",
    why="Linking the sources behind a claim lets answer engines and readers verify it; "
        "\"cite sources\" raised visibility in generative answers in the GEO study (KDD 2024), "
        "most of all for pages that ranked lower. The main content of this page links to no "
        "other site (sharing buttons, social profiles and sponsored links do not count).",
    fix="Link the studies, official statistics, documentation or original reporting the text "
        "relies on, in the sentence that uses them or in a \"Sources\" section.",
    reference=REF_GEO_PAPER)
def no_citations(page: PageContext) -> dict[str, Any] | None:
    """Source page (see module docstring) whose main content has no link to another host
    (excluding social, sharing, ads and shortener hosts, and rel=sponsored/ugc links), no
    <cite> element and no References/Sources heading."""
    content = source_page(page)
    if content is None or content.citations or content.cite_elements or content.reference_section:
        return None
    return {"main_words": content.main_words, "region": content.region}


@page_check(
    "seo.geo.no_answer_first", category="geo", component="citability", severity=Severity.NOTICE,
    title="The page opens without answering",
    why="Answer engines quote short, self-contained passages, and favour a direct answer or "
        "definition near the top. This page's first paragraph is a question or a preamble "
        "(\"In this article...\", \"Have you ever...\") instead of the answer.",
    fix="Open with one or two sentences that answer the page's main question directly (\"X is "
        "...\", \"It costs ...\"), then expand; move the introduction after it.",
    reference=REF_HELPFUL)
def no_answer_first(page: PageContext) -> dict[str, Any] | None:
    """Content page (MIN_CONTENT_WORDS+ main words, not a listing of several <article>s) whose
    first paragraph after the H1 (8+ words) is a question or starts with a filler phrase from
    data/citability.json."""
    content = content_signals(page)
    if content is None or content.opening not in ("question", "filler") or _listing(content):
        return None
    return {"opening": content.opening, "first_paragraph": content.first_paragraph[:200]}


@page_check(
    "seo.geo.wall_of_text", category="geo", component="citability", severity=Severity.NOTICE,
    title="Wall of text: no lists, tables or enough subheadings",
    why="Answer engines lift lists, tables and well-headed sections more easily than long "
        "undivided prose, and readers scan them faster.",
    fix="Break the text into sections with descriptive H2/H3 headings (about one per 300 "
        "words), and turn steps, options and comparisons into lists or tables.",
    reference=REF_HELPFUL)
def wall_of_text(page: PageContext) -> dict[str, Any] | None:
    """Content page with WALL_MIN_WORDS+ main words, no list of 3+ items, no data table, and
    more than WORDS_PER_SECTION words per section (main words / (H2-H6 headings + 1))."""
    content = content_signals(page, WALL_MIN_WORDS)
    if content is None or content.lists or content.tables:
        return None
    per_section = content.main_words / (content.subheadings + 1)
    if per_section <= WORDS_PER_SECTION:
        return None
    return {"main_words": content.main_words, "subheadings": content.subheadings,
            "words_per_section": round(per_section), "threshold": WORDS_PER_SECTION}


@page_check(
    "seo.geo.hard_to_read", category="geo", component="citability", severity=Severity.NOTICE,
    title="Text is hard to read",
    why="Fluent, easy-to-understand text was among the changes that improved visibility in "
        "generative answers in the GEO study (KDD 2024); long, dense sentences are also harder "
        "to quote as a self-contained answer.",
    fix="Shorten sentences (aim for 15-20 words on average), split long paragraphs, prefer "
        "common words to jargon and explain the terms you need.",
    reference=REF_FLESCH)
def hard_to_read(page: PageContext) -> dict[str, Any] | None:
    """Content page with a paragraph sample of MIN_SAMPLE_WORDS+ words and MIN_SENTENCES+
    sentences where the average sentence is longer than MAX_SENTENCE_WORDS words (languages
    written with spaces), or, for English (or undeclared) pages, Flesch reading ease is below
    MIN_FLESCH."""
    content = content_signals(page)
    if content is None or content.analysed_words < MIN_SAMPLE_WORDS \
            or content.sentences < MIN_SENTENCES:
        return None
    if content_rules.page_language(page.facts.lang if page.facts else None) in _UNSPACED_LANGUAGES:
        return None
    long_sentences = content.avg_sentence_words > MAX_SENTENCE_WORDS
    dense = content.flesch is not None and content.flesch < MIN_FLESCH
    if not long_sentences and not dense:
        return None
    return {"avg_sentence_words": content.avg_sentence_words, "flesch": content.flesch,
            "max_sentence_words": MAX_SENTENCE_WORDS, "min_flesch": MIN_FLESCH,
            "words_read": content.analysed_words}


@page_check(
    "seo.geo.no_question_headings", category="geo", component="citability",
    severity=Severity.NOTICE,
    title="Long article with no question-shaped headings or FAQ",
    why="People ask answer engines questions. Headings phrased as the questions a section "
        "answers (\"How long does it take?\") and FAQ sections map a page's passages to those "
        "questions.",
    fix="Rephrase some H2/H3 headings as the questions readers ask, or add a short FAQ "
        "section answering the common ones.",
    reference=REF_HELPFUL)
def no_question_headings(page: PageContext) -> dict[str, Any] | None:
    """Article page with QUESTION_MIN_WORDS+ main words and QUESTION_MIN_SUBHEADINGS+ H2-H6
    headings, none of the H2/H3 a question (ends with "?" or starts with an interrogative
    word of the page's language), and no FAQ (FAQPage JSON-LD, FAQ heading, 2+ <details>)."""
    content = content_signals(page, QUESTION_MIN_WORDS)
    if content is None or not content.article_type or content.question_headings or content.faq:
        return None
    if content.subheadings < QUESTION_MIN_SUBHEADINGS:
        return None
    return {"subheadings": content.subheadings, "main_words": content.main_words}
