"""Mention and citation detection on recorded answers of each engine (after parsing), and
the tricky cases one by one."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st

from visibility.analysis import (
    CitationIn,
    Entity,
    analyse_answer,
    competitor_entities,
    fold,
    host_matches,
    sentence_at,
    url_clean,
)

from .conftest import FIXTURES, load_fixture


def _analyse(data):
    answer = data["answer"]
    return analyse_answer(
        text=answer["text"],
        citations=[CitationIn(c["url"], c.get("title", ""), c.get("position", 0), c.get("domain", ""))
                   for c in answer["citations"]],
        brand=Entity(data["brand"]["name"], tuple(data["brand"]["variants"]),
                     tuple(data["brand"]["domains"])),
        site_domains=data["site_domains"], competitors=competitor_entities(data["competitors"]))


@pytest.mark.parametrize("name", sorted(p.name for p in FIXTURES.glob("*.json")))
def test_recorded_answers(name):
    data = load_fixture(name)
    result = _analyse(data)
    got = {"brand_mentioned": result.brand_mentioned, "brand_sentence": result.brand_sentence,
           "mention_rank": result.mention_rank, "cited": result.cited,
           "cited_position": result.cited_position, "cited_urls": list(result.cited_urls),
           "competitors_mentioned": list(result.competitors_mentioned),
           "competitors_cited": list(result.competitors_cited)}
    assert got == data["expected"]


def _mentioned(text, brand, *, variants=(), domains=(), competitors=()):
    return analyse_answer(text=text, citations=[], brand=Entity(brand, tuple(variants), tuple(domains)),
                          site_domains=[], competitors=list(competitors))


@pytest.mark.parametrize(("text", "expected"), [
    ("Acme is a good choice.", True),
    ("ACME is a good choice.", True),
    ("Try acme, it is fine.", True),
    ("Acmetrics is a good choice.", False),
    ("The Megaacme tool.", False),
    ("Try acme.com today.", True),
    ("Acme's product wins.", True),
    ("«Acme» wins.", True),
])
def test_brand_is_a_whole_word(text, expected):
    assert _mentioned(text, "Acme").brand_mentioned is expected


def test_legal_suffix_and_punctuation_do_not_matter():
    assert _mentioned("Buy from ACME, Inc. now.", "Acme Inc").brand_mentioned
    assert _mentioned("Buy from Acme now.", "Acme Inc").brand_mentioned  # suffix dropped, capitalised
    # a derived name (suffix dropped) needs a capital
    assert not _mentioned("the acme of perfection", "Acme Inc").brand_mentioned
    assert _mentioned("Acme Inc. ships fast.", "ACME, Inc.").brand_mentioned


def test_diacritics_and_case_folding():
    assert _mentioned("Das Café Müller ist gut.", "Cafe Muller").brand_mentioned
    assert _mentioned("CAFÉ MÜLLER", "Café Müller").brand_mentioned
    assert _mentioned("Straße Labs", "STRASSE LABS").brand_mentioned


def test_owned_domain_in_the_text_is_a_mention():
    result = _mentioned("See shop.example.org for details.", "Zeta", domains=["example.org"])
    assert result.brand_mentioned and result.brand_sentence == "See shop.example.org for details."


def test_competitor_sharing_a_word_with_the_brand_is_not_counted_from_the_brand():
    competitors = [Entity("Cloud Corp", (), ("cloudcorp.com",))]
    result = _mentioned("Acme Cloud is the leader. Acme Cloud Corp is not a thing.", "Acme Cloud",
                        competitors=competitors)
    assert result.brand_mentioned and result.competitors_mentioned == ()
    result = _mentioned("Acme Cloud is fast, Cloud Corp is cheap.", "Acme Cloud", competitors=competitors)
    assert result.competitors_mentioned == ("Cloud Corp",) and result.mention_rank == 1
    result = _mentioned("Many cloud vendors exist.", "Acme Cloud", competitors=competitors)
    assert not result.brand_mentioned and result.competitors_mentioned == ()


def test_brand_sharing_a_word_with_a_competitor_is_not_counted_from_the_competitor():
    result = _mentioned("Globex Acme leads the market.", "Acme", competitors=[Entity("Globex Acme")])
    assert not result.brand_mentioned and result.competitors_mentioned == ("Globex Acme",)


def test_sentence_ignores_abbreviations_and_domains():
    text = "Intro text here. We recommend Acme Inc. for teams, see acme.com. Other tools exist."
    assert sentence_at(text, text.index("Acme")) == "We recommend Acme Inc. for teams, see acme.com."
    long = "Acme " + "word " * 200
    assert len(sentence_at(long, 0)) == 500


def test_citations_tracking_parameters_www_and_subdomains():
    citations = [CitationIn("https://other.example/x", position=1),
                 CitationIn("https://WWW.Acme.com/a?utm_source=openai&id=3#top", position=2),
                 CitationIn("https://blog.acme.com/b?gclid=1", position=3),
                 CitationIn("https://notacme.com/c", position=4),
                 CitationIn("https://acme.com.evil.example/d", position=5)]
    result = analyse_answer(text="", citations=citations, brand=Entity("Acme"), site_domains=["acme.com"],
                            competitors=[])
    assert result.cited and result.cited_position == 2
    assert result.cited_urls == ("https://WWW.Acme.com/a?id=3", "https://blog.acme.com/b")


def test_redirect_with_a_target_parameter_is_resolved():
    citation = CitationIn("https://www.google.com/url?q=https://acme.com/page%3Futm_medium%3Dx&sa=U")
    result = analyse_answer(text="", citations=[citation], brand=Entity("Acme"), site_domains=["acme.com"],
                            competitors=[])
    assert result.cited and result.cited_urls == ("https://acme.com/page",) and result.cited_position == 1


def test_positions_default_to_the_order_given():
    citations = [CitationIn("https://a.example/"), CitationIn("https://acme.com/")]
    result = analyse_answer(text="", citations=citations, brand=Entity("Acme"), site_domains=["acme.com"],
                            competitors=[])
    assert result.cited_position == 2


def test_host_matching():
    assert host_matches("www.acme.com", "acme.com") and host_matches("m.acme.com", "https://acme.com/")
    assert host_matches("eu.shop.acme.com", "acme.com") and not host_matches("acme.com", "shop.acme.com")
    assert not host_matches("", "acme.com") and not host_matches("acme.co", "acme.com")


@given(st.text(max_size=200))
def test_a_mention_needs_the_word_and_the_sentence_contains_it(text):
    result = _mentioned(text, "Acme", competitors=[Entity("Globex")])
    words = re.findall(r"\w+", fold(text))
    assert result.brand_mentioned == ("acme" in words)
    if result.brand_mentioned:
        assert "acme" in fold(result.brand_sentence) or len(result.brand_sentence) == 500


@given(st.text(max_size=100))
def test_url_clean_is_idempotent(url):
    assert url_clean(url_clean(url)) == url_clean(url)


def test_metric_formulas_on_rows():
    from visibility.metrics import counts_of_rows, metrics_from

    rows = [  # brand in 2 of 4 answers, cited at 1 and 3; Globex in 3, Initech in 1
        {"brand_mentioned": True, "cited": True, "cited_position": 1,
         "competitors_mentioned": ["Globex", "Initech"], "competitors_cited": []},
        {"brand_mentioned": True, "cited": True, "cited_position": 3,
         "competitors_mentioned": ["Globex"], "competitors_cited": ["Globex"]},
        {"brand_mentioned": False, "cited": False, "cited_position": None,
         "competitors_mentioned": ["Globex"], "competitors_cited": []},
        {"brand_mentioned": False, "cited": False, "cited_position": None,
         "competitors_mentioned": [], "competitors_cited": []},
    ]
    m = metrics_from(counts_of_rows(rows))
    assert (m.runs, m.mention_rate, m.citation_rate, m.avg_citation_position) == (4, 0.5, 0.5, 2.0)
    assert m.share_of_voice == round(2 / 6, 4)
    assert [(c.name, c.mentions, c.citations, c.share_of_voice) for c in m.competitors] == [
        ("Globex", 3, 1, 0.5), ("Initech", 1, 0, round(1 / 6, 4))]
    empty = metrics_from(counts_of_rows([]))
    assert (empty.mention_rate, empty.share_of_voice, empty.avg_citation_position) == (None, None, None)
