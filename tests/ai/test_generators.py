"""Each generator against the fake model: valid answers stored, invalid ones retried once
with the reason, then rejected (status failed, nothing stored)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.cache import cache

from ai import services
from ai.models import AIContent

from .conftest import page_of
from .fake_openai import Reply, error

pytestmark = pytest.mark.django_db

GOOD_TITLE = {"title": "Cold brew guide: steep times, grind and storage",
              "meta_description": "How long to steep cold brew, which grind to use and how long "
                                  "the concentrate keeps in the fridge."}


def generate(audit, kind: str, path: str = "/cold-brew", **options) -> AIContent:
    content = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk), kind=kind,
                                          page_id=page_of(audit, path).pk, options=options)
    return services.ai_content_generate(content_id=str(content.pk))


def test_title_meta_is_stored_with_tokens_cost_and_model(llm, audit):
    llm.then(Reply(GOOD_TITLE, tokens_in=2000, tokens_out=100))
    content = generate(audit, "title_meta")
    assert content.status == "done", content.error
    assert content.output == GOOD_TITLE
    assert (content.tokens_in, content.tokens_out, content.attempts) == (2000, 100, 1)
    assert content.cost == Decimal("1.150000")
    assert content.model == "test-model" and not content.offline
    user_message = llm.requests[0]["messages"][1]["content"]
    assert "<page_content>" in user_message and "Cold brew coffee steeps" in user_message


def test_too_long_title_is_retried_once_with_the_reason(llm, audit):
    long_title = {**GOOD_TITLE, "title": "Cold brew guide " * 6}
    llm.then(Reply(long_title, tokens_in=10, tokens_out=10), Reply(GOOD_TITLE, tokens_in=20,
                                                                   tokens_out=5))
    content = generate(audit, "title_meta")
    assert content.status == "done" and content.attempts == 2
    assert (content.tokens_in, content.tokens_out) == (30, 15)
    retry = llm.requests[1]["messages"][-1]["content"]
    assert "rejected" in retry and "title has" in retry


def test_invalid_twice_is_failed_and_nothing_stored(llm, audit):
    llm.then(Reply({**GOOD_TITLE, "title": "x" * 90}), Reply("this is not json"))
    content = generate(audit, "title_meta")
    assert content.status == "failed"
    assert content.output == {}
    assert content.error.startswith("invalid_output: rejected after 2 attempts: not valid JSON")


def test_unexpected_keys_are_rejected(llm, audit):
    llm.then(Reply({**GOOD_TITLE, "note": "extra"}), Reply({**GOOD_TITLE, "note": "extra"}))
    content = generate(audit, "title_meta")
    assert content.status == "failed" and "unexpected keys: note" in content.error


def test_rejected_answer_is_not_served_from_the_cache_next_time(llm, audit):
    bad = {**GOOD_TITLE, "title": "x" * 90}
    llm.then(Reply(bad), Reply(bad), Reply(GOOD_TITLE))
    assert generate(audit, "title_meta").status == "failed"
    assert generate(audit, "title_meta").status == "done"
    assert len(llm.requests) == 3


def test_alt_texts_only_for_images_without_alt(llm, audit, site):
    images = [{"src": f"{site}/img/coarse-coffee-grounds.jpg", "alt": "Coarse coffee grounds in "
               "a burr grinder"}, {"src": f"{site}/img/IMG_2041.jpg", "alt": "A glass of cold brew"}]
    llm.then(Reply({"images": images}))
    content = generate(audit, "alt_text")
    assert content.status == "done", content.error
    assert content.output == {"images": images}
    prompt = llm.requests[0]["messages"][1]["content"]
    assert "coarse-coffee-grounds.jpg | context: Coarse grounds in a burr grinder" in prompt
    assert "logo.png" not in prompt  # it has an alt already


def test_alt_text_for_an_image_not_on_the_page_is_rejected(llm, audit):
    bad = {"images": [{"src": "https://elsewhere.example/x.jpg", "alt": "Something"}]}
    llm.then(Reply(bad), Reply(bad))
    content = generate(audit, "alt_text")
    assert content.status == "failed" and "not on the page" in content.error


FAQ = {"faq": [
    {"question": "How long does cold brew steep?", "answer": "Cold brew steeps for 12 to 18 hours."},
    {"question": "Which grind suits cold brew?", "answer": "A coarse grind, so it does not clog."},
    {"question": "How long does cold brew keep?", "answer": "Up to two weeks in a sealed jar."}]}


def test_faq_valid_and_question_mark_required(llm, audit):
    llm.then(Reply(FAQ))
    assert generate(audit, "faq").output == FAQ
    no_mark = {"faq": [{**item, "question": item["question"].rstrip("?")} for item in FAQ["faq"]]}
    llm.then(Reply(no_mark), Reply({"faq": FAQ["faq"][:1]}))
    content = generate(audit, "faq", path="/")
    assert content.status == "failed" and "faq must hold 3-8 items" in content.error


def test_json_ld_article_passes_our_validator(llm, audit, site):
    draft = {"@context": "https://schema.org", "@type": "Article", "headline": "Cold brew guide",
             "datePublished": "2026-05-01", "url": f"{site}/cold-brew"}
    llm.then(Reply({"json_ld": draft}))
    content = generate(audit, "json_ld", schema_type="Article")
    assert content.status == "done", content.error
    assert content.output == {"schema_type": "Article", "json_ld": draft}
    assert content.input["options"] == {"schema_type": "Article"}


@pytest.mark.parametrize(("draft", "reason"), [
    ({"@context": "https://schema.org", "@type": "Product", "name": "Ember grinder"},
     "required properties missing: offers|review|aggregateRating"),
    ({"@context": "https://schema.org", "@type": "Article", "headline": "Cold brew",
      "datePublished": "last spring"}, "datePublished: not an ISO 8601 date"),
    ({"@context": "https://schema.org", "@type": "Article", "headline": "Cold brew",
      "url": "https://evil.example/"}, "links to another site"),
    ({"@context": "https://schema.org", "@type": "Article", "headline": "Cold brew",
      "potentialAction": "x"}, "unexpected properties: potentialAction"),
    ({"@type": "Article", "headline": "Cold brew"}, "@context must be https://schema.org"),
])
def test_json_ld_drafts_our_validator_rejects(llm, audit, draft, reason):
    schema_type = draft["@type"]
    llm.then(Reply({"json_ld": draft}), Reply({"json_ld": draft}))
    content = generate(audit, "json_ld", schema_type=schema_type)
    assert content.status == "failed"
    assert reason in content.error


def test_llms_txt_links_only_to_crawled_pages(llm, audit, site):
    good = (f"# Ember Coffee\n\n> Cold brew gear and guides.\n\n## Guides\n\n"
            f"- [Cold brew guide]({site}/cold-brew): steep times and grind\n")
    content = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk), kind="llms_txt")
    llm.then(Reply({"llms_txt": good}))
    content = services.ai_content_generate(content_id=str(content.pk))
    assert content.status == "done" and content.page is None
    assert content.output == {"llms_txt": good}
    assert f"{site}/bakery" in llm.requests[0]["messages"][1]["content"]
    bad = good + "- [Buy now](https://evil.example/buy)\n"
    cache.clear()  # the same prompt would get the accepted answer from the cache
    again = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk), kind="llms_txt")
    llm.then(Reply({"llms_txt": bad}), Reply({"llms_txt": bad}))
    again = services.ai_content_generate(content_id=str(again.pk))
    assert again.status == "failed" and "did not crawl" in again.error


BRIEF = {"summary": "Back the steeping advice with figures and sources.",
         "answer_first": "Cold brew coffee steeps for 12 to 18 hours in cold water and keeps for "
                         "two weeks in the fridge; use a coarse grind so it does not over-extract.",
         "statistics": ["Acidity difference between cold and hot brew, with the study's year"],
         "quotations": ["A roaster's quote on steep times"],
         "sources": ["A food-safety agency's guidance on storing coffee concentrate"],
         "structure": ["Question headings with a one-sentence answer under each"]}


def test_geo_brief_uses_the_citability_findings(llm, audit):
    llm.then(Reply(BRIEF))
    content = generate(audit, "geo_brief")
    assert content.status == "done", content.error
    assert content.output["findings"] == ["seo.geo.no_citations", "seo.geo.no_statistics"] or \
        sorted(content.output["findings"]) == ["seo.geo.no_citations", "seo.geo.no_statistics"]
    prompt = llm.requests[0]["messages"][1]["content"]
    assert "seo.geo.no_statistics" in prompt and "seo.title.too_short" not in prompt.split("TEXT:")[0]
    llm.then(Reply({**BRIEF, "statistics": []}), Reply({**BRIEF, "statistics": "many"}))
    assert "statistics must be a list" in generate(audit, "geo_brief", path="/").error


def test_provider_errors_fail_the_row_with_the_code(llm, audit):
    llm.then(error(401, "Incorrect API key"))
    content = generate(audit, "faq")
    assert content.status == "failed" and content.error.startswith("ai_auth_failed:")


def test_generation_is_idempotent(llm, audit):
    llm.then(Reply(GOOD_TITLE))
    content = generate(audit, "title_meta")
    again = services.ai_content_generate(content_id=str(content.pk))
    assert again.status == "done" and again.output == GOOD_TITLE
    assert len(llm.requests) == 1
