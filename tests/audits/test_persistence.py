"""Row cleaning for PostgreSQL: NULs removed, sizes capped, clean data passed through as is."""

from __future__ import annotations

import json

import pytest

from audits.persistence import JSON_FAST_PATH_CHARS, clean_json, clean_json_text, clean_text


def test_nul_characters_are_removed_everywhere():
    dirty = {"title\x00": "x\x00y", "list": ["\x00a", {"k": "b\x00"}], "n": 3, "none": None}
    assert clean_json(dirty) == {"title": "xy", "list": ["a", {"k": "b"}], "n": 3, "none": None}


def test_clean_documents_are_returned_unchanged():
    data = {"headings": [[1, "Main"], [2, "Sub"]], "lang": "en", "ratio": 0.25}
    assert clean_json(data) is data


def test_oversized_documents_are_capped():
    big = {"items": ["x" * 5000] * 500}
    cleaned = clean_json(big)
    assert len(cleaned["items"]) == 200 and len(cleaned["items"][0]) == 2000
    assert len(str(big)) > JSON_FAST_PATH_CHARS


def test_unserialisable_values_become_text():
    assert clean_json({"when": object}) == {"when": str(object)}
    assert clean_text("a\x00b", 1) == "a"


def test_clean_json_text_is_the_json_of_clean_json():
    for value in ({"a": [1, "b"]}, {"bad\x00": "x\x00"}, {"items": ["x" * 5000] * 500},
                  {"when": object}):
        assert clean_json_text(value) == json.dumps(clean_json(value))


@pytest.mark.django_db
def test_saved_rows_hold_what_the_results_say():
    """Every page column as the ORM would write it (PostgreSQL copies rows; SQLite inserts),
    ids shared by the links and findings of each page."""
    from audits.engine.types import FetchResult, Finding, LinkFact, PageFacts, PageResult, RedirectHop
    from audits.models import Audit, Link, Page
    from audits.models import Finding as FindingRow
    from audits.persistence import AuditWriter
    from tests.audits.factories import UserFactory

    audit = Audit.objects.create(owner=UserFactory(), url="https://example.com/",
                                 normalized_url="https://example.com/")
    results = []
    for i in range(5):
        url = f"https://example.com/p{i}"
        chain = (RedirectHop(url + "/old", 301, url),) if i == 1 else ()
        fetch = FetchResult(url, url, 404 if i == 4 else 200, headers=(("a", "b"),),
                            content_type="text/html", size=1000 + i, ttfb_ms=1.25, elapsed_ms=3.5,
                            redirect_chain=chain)
        facts = None if i == 4 else PageFacts(
            url=url, encoding="utf-8", titles=(f"Title\x00 {i}\tтаб\n\\",), meta_descriptions=("d",),
            links=(LinkFact("https://example.com/x", "/x", anchor="a\x00\t\\b", rel=("nofollow",),
                            internal=True),
                   LinkFact("", "javascript:void(0)", uncrawlable_reason="javascript")),
            word_count=10 * i, content_hash="h" * 40)
        findings = (Finding("seo.title.too_short", url, {"length": i, "text": "x\x00"}),)
        results.append(PageResult(url=url, depth=i, fetch=fetch, facts=facts, findings=findings,
                                  indexable=i % 2 == 0, indexability_reason="r", in_sitemap=True,
                                  found_on=""))
    writer = AuditWriter(audit)
    expected = [writer._page_row(result) for result in results]
    for result in results:
        writer.add(result)
    writer.flush()
    pages = list(Page.objects.filter(audit=audit).order_by("id"))
    assert [p.url for p in pages] == [r.url for r in results]
    for page, want in zip(pages, expected, strict=True):
        for field in Page._meta.concrete_fields:
            if field.name != "id":
                assert getattr(page, field.attname) == getattr(want, field.attname), field.name
        assert Link.objects.filter(source=page).count() == (0 if page.status == 404 else 2)
        assert FindingRow.objects.get(page=page).details["text"] == "x"
    link = Link.objects.get(source=pages[0], target_url="https://example.com/x")
    assert (link.anchor, link.nofollow, link.internal, str(link.audit_id)) == \
        ("a\t\\b", True, True, str(audit.pk))
    assert pages[1].redirect_chain[0]["status"] == 301 and pages[4].geo_score is None
