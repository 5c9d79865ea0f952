"""Without a key every kind still answers: deterministic drafts from page facts, labelled."""

from __future__ import annotations

import pytest

from ai import services
from ai.generators.structured import check_json_ld

from .conftest import page_of

pytestmark = pytest.mark.django_db


def offline_generate(audit, kind: str, path: str | None = "/cold-brew", **options):
    page_id = page_of(audit, path).pk if path else None
    content = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk), kind=kind,
                                          page_id=page_id, options=options)
    content = services.ai_content_generate(content_id=str(content.pk))
    assert content.status == "done", content.error
    assert content.offline and content.provider == "offline"
    assert content.tokens_in == content.tokens_out == 0 and content.cost == 0
    return content.output


def test_offline_title_and_description_fit_the_limits(offline, audit):
    out = offline_generate(audit, "title_meta")
    assert out["title"] == "Cold brew guide | Ember Coffee"
    assert 50 <= len(out["meta_description"]) <= 160
    assert out["meta_description"].startswith("How long does cold brew take?") or \
        "Cold brew coffee steeps for 12 to 18 hours" in out["meta_description"]


def test_offline_alt_texts_from_file_names_and_captions(offline, audit, site):
    out = offline_generate(audit, "alt_text")
    assert out["images"] == [
        {"src": f"{site}/img/coarse-coffee-grounds.jpg",
         "alt": "Coarse coffee grounds – Coarse grounds in a burr grinder"},
        {"src": f"{site}/img/IMG_2041.jpg", "alt": out["images"][1]["alt"]}]
    assert out["images"][1]["alt"]  # camera file name: falls back to the nearby text


def test_offline_faq_answers_each_heading_from_the_page(offline, audit):
    faq = offline_generate(audit, "faq")["faq"]
    assert [item["question"] for item in faq] == [
        "How long does cold brew take?", "Which grind is best for cold brew?",
        "How should cold brew be stored?"]
    assert "12 to 18 hours" in faq[0]["answer"]
    assert "coarse grind" in faq[1]["answer"]


@pytest.mark.parametrize("schema_type", ["Article", "Organization", "FAQPage", "Product"])
def test_offline_json_ld_passes_our_validator(offline, audit, site, schema_type):
    out = offline_generate(audit, "json_ld", schema_type=schema_type)
    assert out["json_ld"]["@type"] == schema_type
    check_json_ld(out["json_ld"], of=schema_type, page_url=f"{site}/cold-brew")
    if schema_type == "Product":
        assert out["json_ld"]["offers"]["price"] == "149.00"
        assert out["json_ld"]["offers"]["priceCurrency"] == "USD"


def test_offline_product_without_a_price_fails_with_the_reason(offline, audit):
    content = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk),
                                          kind="json_ld", page_id=page_of(audit, "/").pk,
                                          options={"schema_type": "Product"})
    content = services.ai_content_generate(content_id=str(content.pk))
    assert content.status == "failed" and "no price on the page" in content.error


def test_offline_llms_txt_lists_the_crawled_pages(offline, audit, site):
    text = offline_generate(audit, "llms_txt", path=None)["llms_txt"]
    assert text.startswith("# ")
    assert f"- [Cold brew guide]({site}/cold-brew)" in text


def test_offline_llms_txt_prefers_the_crawl_proposal(offline, audit):
    audit.summary = {"llms_txt_proposal": "# Ember Coffee\n\n> From the crawl.\n"}
    audit.save()
    assert offline_generate(audit, "llms_txt", path=None)["llms_txt"] == \
        "# Ember Coffee\n\n> From the crawl.\n"


def test_offline_geo_brief_follows_the_citability_findings(offline, audit):
    out = offline_generate(audit, "geo_brief")
    assert sorted(out["findings"]) == ["seo.geo.no_citations", "seo.geo.no_statistics"]
    assert out["statistics"] and out["sources"] and not out["quotations"]
    assert "12 to 18 hours" in out["answer_first"]
