"""Content signals (citability.py, textstats.py, jsonld_signals.py): what they measure, how they
are bounded, and that no page can make them raise."""

from __future__ import annotations

import json
import pickle
from dataclasses import fields
from datetime import UTC, datetime

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from audits.engine import citability
from audits.engine.content_rules import (
    ORG,
    ORG_LOGO,
    ORG_SAME_AS,
    PERSON,
    citation_kind,
    fetch_time,
    opening_kind,
    parse_date,
    question_heading,
    trust_page_kinds,
    utility_page,
)
from audits.engine.parse import parse_page
from audits.engine.textstats import (
    MAX_STATISTICS,
    count_quoted,
    count_statistics,
    syllable_count,
    text_stats,
)
from audits.engine.types import FetchResult, PageFacts

URL = "https://example.com/guide"
WORDS = "Drip lines deliver water slowly to the roots of each plant in the bed. "


def parse(html: str | bytes, headers: dict[str, str] | None = None):
    body = html.encode() if isinstance(html, str) else html
    fetch = FetchResult(requested_url=URL, final_url=URL, status=200,
                        content_type="text/html; charset=utf-8",
                        headers=tuple((k.lower(), v) for k, v in (headers or {}).items()))
    return parse_page(fetch, body, start_host="example.com")


def signals(body: str, head: str = "", lang: str = "en"):
    facts = parse(f'<!doctype html><html lang="{lang}"><head><title>T</title>{head}</head>'
                  f"<body>{body}</body></html>")
    assert facts.content is not None
    return facts.content


def ld(data) -> str:
    return f'<script type="application/ld+json">{json.dumps(data)}</script>'


# -- main content region -------------------------------------------------------------------

NAV = '<header><nav><a href="/">Home</a> <a href="/shop">Shop all garden tools</a></nav></header>'
FOOTER = "<footer><p>Copyright Example Gardens, all rights reserved, every year.</p></footer>"


def test_main_content_is_main_when_present_and_boilerplate_words_are_not_counted():
    content = signals(NAV + f"<main><h1>Guide</h1><p>{WORDS * 3}</p></main>" + FOOTER)
    assert content.region == "main"
    # 1 + 42 words in main; nav and footer words are subtracted.
    assert content.main_words == 43
    assert content.semantic == (1, 0, 1, 1, 1, 0)
    assert content.divs == -1


def test_no_content_signals_without_geo_and_the_rest_of_the_facts_unchanged():
    html = (f'<!doctype html><html lang="en"><head><title>T</title></head><body>{NAV}'
            f"<main><h1>Drip irrigation</h1><p>{WORDS * 40}</p></main>{FOOTER}</body></html>")
    fetch = FetchResult(requested_url=URL, final_url=URL, status=200,
                        content_type="text/html; charset=utf-8")
    with_geo = parse_page(fetch, html.encode(), start_host="example.com")
    without = parse_page(fetch, html.encode(), start_host="example.com", geo=False)
    assert with_geo.content is not None and without.content is None
    assert pickle.loads(pickle.dumps(without)) == without
    assert without.__reduce__()[1][:-1] == with_geo.__reduce__()[1][:-1]


def test_single_article_is_the_region_and_body_minus_boilerplate_otherwise():
    assert signals(NAV + f"<article><p>{WORDS}</p></article>").region == "article"
    listing = signals(NAV + "".join(f"<article><h2>Post {i}</h2><p>{WORDS}</p></article>"
                                    for i in range(3)) + FOOTER)
    assert listing.region == "body"
    assert listing.semantic[1] == 3
    # The text of the three articles, without header and footer.
    assert listing.main_words == 3 * 16


def test_div_soup_counts_divs_only_without_landmarks():
    content = signals("<div><div><p>" + WORDS + "</p></div></div>")
    assert content.divs == 2
    assert signals('<div role="main"><p>x</p></div>').divs == -1


def test_paragraphs_in_nav_and_footer_are_not_content():
    content = signals(f"<nav><p>Summer sale: 50% off everything, only $9.99 today!</p></nav>"
                      f"<div><h1>Guide</h1><p>{WORDS}</p></div>" + FOOTER)
    assert content.statistics == 0
    assert content.first_paragraph.startswith("Drip lines")


# -- statistics, quotations, citations -----------------------------------------------------

@pytest.mark.parametrize("text", [
    "Sales grew 45% last year.", "It costs $3.50 per plant.", "A kit is 20 \u20ac each.",
    "The bed is 10 m long.", "We sold 12,000 units.", "Yields rose 2.5 times.",
    "About 3 out of 4 gardeners agree.", "The market reached 4 million buyers.",
    "Water for 15 minutes.", "El 30 por ciento de los usuarios.", "Unos 200 usuarios lo usan.",
])
def test_statistics_are_counted(text):
    count, found = count_statistics(text.encode())
    assert count == 1, found


@pytest.mark.parametrize("text", [
    "In 2023 people planted more beans.", "Step 1. Dig the bed.", "Top 5 tips for 2024.",
    "COVID-19 changed gardening.", "Version 1.2.3 was released on 01.02.2024.",
    "Play the mp3 file.", "There are 7 wonders.",
])
def test_plain_numbers_years_and_codes_are_not_statistics(text):
    assert count_statistics(text.encode()) == (0, ())


def test_statistics_are_capped():
    count, examples = count_statistics(b"Up 5%. " * 5000)
    assert count == MAX_STATISTICS and len(examples) == 3


def test_quotations_from_elements_and_quoted_passages():
    content = signals("<main><blockquote>Water the soil, not the leaves, always.</blockquote>"
                      "<p>She said <q>mulch early</q>.</p>"
                      "<p>\u201cSince we moved to drip lines the beds stay evenly moist.\u201d</p>"
                      '<p>A "short" quote and <blockquote>Hi</blockquote></p>'
                      f"<p>{WORDS * 20}</p></main>")
    assert content.quotations == 3
    assert count_quoted(b'He said "this is a quoted passage long enough to count as one".') == 1
    assert count_quoted(b'The "best" way.') == 0


def test_citations_are_external_links_in_the_main_content_only():
    content = signals(
        '<nav><a href="https://partner.example.org/">Partner</a></nav><main>'
        '<p>See <a href="https://www.cdc.gov/water">the CDC</a> and '
        '<a href="https://en.wikipedia.org/wiki/Drip_irrigation">Wikipedia</a> and '
        '<a href="https://blog.example.net/post">a blog</a>.</p>'
        '<p><a href="https://twitter.com/intent/tweet">Tweet</a> '
        '<a href="https://shop.example.net/" rel="sponsored">Buy</a> '
        '<a href="/internal">internal</a></p></main>'
        '<footer><a href="https://www.facebook.com/example">Facebook</a></footer>')
    assert content.citations == 3
    assert content.authoritative_citations == 2
    assert content.citation_examples[0] == "https://www.cdc.gov/water"


@pytest.mark.parametrize(("url", "kind"), [
    ("https://www.nih.gov/x", "authoritative"), ("https://data.europa.eu/x", "authoritative"),
    ("https://www.ox.ac.uk/", "authoritative"), ("https://doi.org/10.1/x", "authoritative"),
    ("https://es.wikipedia.org/wiki/X", "authoritative"), ("https://www.who.int/", "authoritative"),
    ("https://example.net/", "other"), ("https://x.com/acme", ""), ("https://bit.ly/x", ""),
    ("https://m.facebook.com/sharer.php", ""), ("mailto:x@example.com", ""),
])
def test_citation_kind(url, kind):
    assert citation_kind(url) == kind


# -- structure ---------------------------------------------------------------------------------

def test_first_paragraph_is_the_first_real_one_after_the_h1():
    content = signals("<main><p>Home / Guides</p><h1>Drip irrigation</h1><p>By Ana</p>"
                      "<p>Drip irrigation is a watering method that feeds roots slowly.</p></main>")
    assert content.first_paragraph.startswith("Drip irrigation is")
    assert content.opening == "statement"


@pytest.mark.parametrize(("text", "kind"), [
    ("Drip irrigation is a method of watering plants at the roots.", "statement"),
    ("El riego por goteo es un método que lleva el agua a las raíces.", "statement"),
    ("In this article we will explain everything about drip irrigation.", "filler"),
    ("¿Alguna vez te has preguntado cómo regar mejor tus plantas?", "question"),
    ("Have you ever wondered why tomatoes split after rain?", "question"),
    ("Fresh tomatoes from the garden every summer, picked at dawn.", "other"),
])
def test_opening_kind(text, kind):
    assert opening_kind(text) == kind


@pytest.mark.parametrize(("text", "lang", "expected"), [
    ("How long does drip irrigation last?", "en", True), ("Why mulch matters", "en", True),
    ("¿Cuánto cuesta?", "es", True), ("Por qué regar por la mañana", "es", True),
    ("Cómo instalar el riego", "es", True), ("Es importante regar", "es", False),
    ("Tools you need", "en", False), ("Wie viel Wasser braucht Tomaten", "de", True),
])
def test_question_headings(text, lang, expected):
    assert question_heading(text, lang) is expected


def test_lists_tables_faq_and_question_headings_are_counted():
    content = signals(
        "<main><h1>Guide</h1><h2>What is drip irrigation?</h2><h3>Parts</h3><h2>FAQ</h2>"
        "<ul><li>a</li><li>b</li><li>c</li></ul><ol><li>a</li><li>b</li></ol>"
        "<table><tr><th>Bed</th></tr><tr><td>1</td></tr></table>"
        "<table><tr><td>layout</td></tr></table>"
        "<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table></main>")
    assert (content.lists, content.tables) == (1, 2)
    assert (content.subheadings, content.question_headings, content.faq) == (3, 1, "heading")
    assert signals("<main><details><summary>a</summary>b</details>"
                   "<details><summary>c</summary>d</details></main>").faq == "details"
    assert signals("<p>x</p>", head=ld({"@type": "FAQPage"})).faq == "json_ld"


# -- readability -----------------------------------------------------------------------------

def test_text_stats_words_sentences_and_flesch():
    stats = text_stats(b"The cat sat on the mat. It was happy.\x01Make these tables for people", 2)
    assert (stats.words, stats.sentences) == (14, 3)
    easy = text_stats(b"The cat sat on the mat. The dog ran to the park. " * 20, 1)
    hard = text_stats(b"Comprehensive institutional evaluations demonstrate considerable "
                      b"methodological heterogeneity notwithstanding organisational "
                      b"standardisation initiatives. " * 20, 1)
    assert easy.flesch > 90 and hard.flesch < 0
    assert text_stats(b"", 0).flesch is None


@pytest.mark.parametrize(("word", "syllables"), [
    (b"the", 1), (b"make", 1), (b"table", 2), (b"people", 2), (b"these", 1),
    (b"water", 2), (b"irrigation", 4), (b"cat", 1),
])
def test_syllable_estimate(word, syllables):
    assert syllable_count(word) == syllables


def test_flesch_only_for_english_or_undeclared_pages():
    body = f"<main><p>{WORDS * 30}</p></main>"
    assert signals(body).flesch is not None
    assert signals(body, lang="es").flesch is None
    assert signals(body, lang="es").avg_sentence_words > 0


def test_short_pages_get_no_text_measures():
    content = signals(f"<main><p>Up 45% in a year. {WORDS * 5}</p></main>")
    assert content.main_words < citability.MIN_MEASURED_WORDS
    assert (content.statistics, content.analysed_words, content.flesch) == (0, 0, None)


def test_text_read_is_bounded():
    content = signals("<main>" + f"<p>{WORDS * 4}</p>" * 2000 + "</main>")
    assert content.main_words > 100_000
    # At most MAX_TEXT_BYTES of text are read (plus the paragraph that crosses the limit).
    assert content.analysed_words * 5 < citability.MAX_TEXT_BYTES + 400


# -- dates, bylines, organization ----------------------------------------------------------

ARTICLE = {"@context": "https://schema.org", "@type": "BlogPosting", "headline": "H",
           "datePublished": "2024-01-02", "dateModified": "2024-05-06T10:00:00+02:00"}


def test_dates_from_json_ld_meta_and_time():
    content = signals("<main><p>x</p></main>", head=ld(ARTICLE))
    assert (content.article_type, content.date_published) == ("BlogPosting", "2024-01-02")
    meta = signals('<main><time datetime="2023-03-04">March</time></main>',
                   head='<meta property="og:type" content="article">'
                        '<meta property="article:published_time" content="2023-03-01">')
    assert (meta.article_type, meta.date_published, meta.time_element) == \
        ("og:article", "2023-03-01", "2023-03-04")
    written = signals("<main><h1>T</h1><p>Published on March 5, 2024 by Ana.</p></main>",
                      head=ld({"@type": "Article", "headline": "T"}))
    assert written.visible_date
    # og:type=article alone (some CMSs give it to every page) does not make an article.
    assert signals("<p>x</p>", head='<meta property="og:type" content="article">').article_type == ""


def test_parse_date_and_fetch_time():
    assert parse_date("2024-05-06T10:00:00Z") == datetime(2024, 5, 6, 10, tzinfo=UTC)
    assert parse_date("2024-05-06") == datetime(2024, 5, 6, tzinfo=UTC)
    assert parse_date("2024-05-06T10:00:00.123+0200 junk") == datetime(2024, 5, 6, tzinfo=UTC)
    assert parse_date("May 2024") is None and parse_date(None) is None
    fetch = FetchResult(URL, URL, 200, headers=(("date", "Sun, 01 Jun 2025 10:00:00 GMT"),))
    assert fetch_time(fetch) == datetime(2025, 6, 1, 10, tzinfo=UTC)
    broken = FetchResult(URL, URL, 200, headers=(("date", "yesterday"),))
    assert fetch_time(broken).year >= 2025


def test_byline_sources():
    data = dict(ARTICLE, author={"@id": "#ana"})
    graph = {"@context": "https://schema.org",
             "@graph": [data, {"@type": "Person", "@id": "#ana", "name": "Ana Ruiz"}]}
    content = signals("<main><p>x</p></main>", head=ld(graph))
    assert (content.byline, content.author_name, content.author_types) == \
        (("json_ld",), "Ana Ruiz", ("Person",))
    markup = signals('<main><span class="post-meta byline">By Bob</span></main>',
                     head=ld(ARTICLE) + '<meta name="author" content="Bob">')
    assert markup.byline == ("meta",) and markup.author_name == "Bob"
    only_markup = signals('<main><span class="byline">By Bob</span></main>', head=ld(ARTICLE))
    assert only_markup.byline == ("markup",)
    comments = signals('<main><li class="comment-author">Eve</li></main>', head=ld(ARTICLE))
    assert comments.byline == ()


def test_organization_flags_and_site_names():
    home = {"@context": "https://schema.org", "@graph": [
        {"@type": "WebSite", "name": "Acme", "publisher": {"@id": "#org"}},
        {"@type": "Corporation", "@id": "#org", "name": "Acme Inc.", "logo": "/l.png",
         "sameAs": ["https://x.com/acme"]}]}
    content = signals("<p>x</p>", head=ld(home) + '<meta property="og:site_name" content="Acme">')
    assert content.organization == ORG | ORG_LOGO | ORG_SAME_AS
    assert set(content.site_names) == {("og:site_name", "Acme"), ("organization", "Acme Inc."),
                                       ("website", "Acme")}
    publisher = dict(ARTICLE, publisher={"@type": "NewsMediaOrganization", "name": "Daily"})
    assert signals("<p>x</p>", head=ld(publisher)).organization == ORG
    assert signals("<p>x</p>", head=ld({"@type": "Dentist", "name": "D"})).organization == ORG
    assert signals("<p>x</p>", head=ld({"@type": "Person", "name": "P"})).organization == PERSON
    microdata = ('<div itemscope itemtype="https://schema.org/Organization">'
                 '<span itemprop="name">A</span></div>')
    assert signals(microdata).organization == ORG


def test_trust_and_utility_paths():
    assert trust_page_kinds("https://example.com/empresa/Quienes-Somos.html") == {"about"}
    assert trust_page_kinds("https://example.com/x", "Política de privacidad") == {"privacy"}
    assert trust_page_kinds("https://example.com/de/impressum") == {"about"}
    assert trust_page_kinds("https://example.com/contact-us/") == {"contact"}
    assert trust_page_kinds("https://example.com/blog/about-tomatoes") == set()
    assert utility_page("https://example.com/") and utility_page("https://example.com/cart")
    assert not utility_page("https://example.com/blog/drip")


# -- robustness ------------------------------------------------------------------------------

def test_content_is_the_last_field_of_page_facts():
    # parse._extract rebuilds the facts from their field values with `content` appended.
    assert fields(PageFacts)[-1].name == "content"
    facts = parse(f"<html><body><main><h1>T</h1><p>{WORDS}</p></main></body></html>")
    assert facts.headings[0].text == "T" and facts.content.region == "main"


def test_content_signals_survive_pickling():
    facts = parse(f"<html><body><main><h1>T</h1><p>{WORDS}</p></main></body></html>")
    assert pickle.loads(pickle.dumps(facts)).content == facts.content


@pytest.mark.parametrize("html", [
    "<noscript><main><p>" + WORDS + "</p></main></noscript><p>after</p>",
    "<template><main><p>x</p></main></template><main><p>y</p></main>",
    "<main>" * 3000 + "<p>deep</p>",
    "<article>" * 600 + "<p>" + WORDS + "</p>",
    "<ul>" + "<li>x</li>" * 20000 + "</ul>",
    "<table>" + "<tr><td>1</td></tr>" * 5000 + "</table>",
    "<p>" + "1.2% " * 20000 + "</p>",
    '<p>"' * 5000,
    "<main><p>\u201c" + "x" * 100 + "</p></main><p>\u201d\u201c\u00ab</p>",
    '<script type="application/ld+json">{"@type": "Article", "author": [1, null, {"@id": 5}], '
    '"datePublished": ["x"], "publisher": "Acme"}</script><p>x</p>',
    '<a class="' + "author " * 5000 + '">x</a>',
])
def test_hostile_pages_never_raise(html):
    facts = parse(f'<html><head><meta property="og:type" content="article"></head>'
                  f"<body>{html}</body></html>")
    assert facts.unparseable is None
    assert facts.content is not None


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(["<main>", "</main>", "<article>", "</article>", "<nav>", "</nav>",
                                 "<p>", "</p>", "<h1>", "<ul><li>a", "<li>", "<table><th>",
                                 "<q>", "<blockquote>", "12%", " $5 ", "\u201c", '"', " word ",
                                 "<time datetime='2024-01-01'>", "<footer>", "<aside>", "<cite>",
                                 '<a href="https://x.org/">', "</a>", "<details>"]),
                max_size=60))
def test_any_markup_soup_gives_signals(parts):
    facts = parse("<html><body>" + "".join(parts) + "</body></html>")
    assert facts.content is not None
    assert facts.content.main_words >= 0
