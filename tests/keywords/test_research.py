"""Keyword research: TF-IDF n-grams over the latest audit's titles/headings/descriptions,
SERP related searches; every suggestion names its source."""

from __future__ import annotations

from audits.models import Audit, Page, url_hash
from keywords.research import ngrams, research_suggestions, tfidf_phrases
from keywords.stopwords import stop_words


def test_ngrams_skip_stop_words_at_the_edges():
    grams = ngrams("The best coffee in Berlin", stop=stop_words("en"))
    assert "coffee" in grams and "coffee in berlin" in grams and "berlin" in grams
    assert "the" not in grams and "coffee in" not in grams and "best coffee" not in grams


def test_german_stop_words():
    grams = ngrams("Kaffee und Kuchen für die Familie", stop=stop_words("de-AT"))
    assert "kaffee und kuchen" in grams and "und" not in grams and "die familie" not in grams


def test_tfidf_prefers_phrases_specific_to_pages():
    docs = [{"title": "Espresso machines", "headings": "espresso machines compared", "description": "shop"},
            {"title": "Grinders", "headings": "burr grinders", "description": "shop"},
            {"title": "Contact", "headings": "", "description": "shop"}]
    ranked = dict(tfidf_phrases(docs, limit=50))
    assert ranked["espresso machines"] > ranked["shop"]
    assert ranked["espresso"] > ranked["shop"]


def _audit(user, pages):
    audit = Audit.objects.create(owner=user, url="https://www.site.example/",
                                 normalized_url="https://www.site.example/", status="COMPLETED")
    for i, (title, headings) in enumerate(pages):
        url = f"https://www.site.example/{i}"
        Page.objects.create(audit=audit, url=url, url_hash=url_hash(url), status=200, title=title,
                            description="Handmade ceramic mugs", facts={
                                "lang": "en", "headings": [[1, h] for h in headings]})
    return audit


def test_suggestions_from_the_latest_audit(db, user, site):
    _audit(user, [("Ceramic mugs | Pottery shop", ["Handmade ceramic mugs", "Glaze colours"]),
                  ("Pottery classes", ["Wheel throwing classes"])])
    result = research_suggestions(site=site, use_serp=False)
    phrases = {s["phrase"]: s for s in result["suggestions"]}
    assert "ceramic mugs" in phrases and phrases["ceramic mugs"]["source"] == "site_content"
    assert result["language"] == "en"
    assert "llm" in result["notes"]


def test_other_users_audits_are_not_used(db, user, other_user, site):
    _audit(other_user, [("Secret plans", ["Secret"])])
    result = research_suggestions(site=site, use_serp=False)
    assert result["suggestions"] == []
    assert result["notes"]["site_content"] == "no completed audit of this site yet"


def test_serp_related_searches(searxng, user, site):
    searxng.related["mugs"] = ["ceramic mugs uk", "handmade mugs"]
    result = research_suggestions(site=site, seeds=["mugs"])
    related = [s for s in result["suggestions"] if s["source"] == "serp_related"]
    assert [s["phrase"] for s in related] == ["ceramic mugs uk", "handmade mugs"]


def test_without_provider_the_note_says_so(db, site):
    result = research_suggestions(site=site, seeds=["mugs"])
    assert "SERP_PROVIDER" in result["notes"]["serp_related"]
