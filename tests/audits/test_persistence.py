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


@pytest.mark.django_db
def test_link_rows_keep_every_value_when_links_repeat_across_pages():
    """A link object shared by several pages (the parse pool hands out one per distinct link)
    is saved once per page with the same values, special characters included."""
    from audits.engine.types import FetchResult, LinkFact, PageFacts, PageResult
    from audits.models import Audit, Link, Page
    from audits.persistence import AuditWriter
    from tests.audits.factories import UserFactory

    audit = Audit.objects.create(owner=UserFactory(), url="https://example.com/",
                                 normalized_url="https://example.com/")
    shared = LinkFact("https://example.com/nav\\x", "/nav\\x", anchor="Home\nnext\rline \\ \t end",
                      rel=("nofollow", "ugc"), internal=True)
    results = []
    for i in range(4):
        url = f"https://example.com/p{i}"
        own = LinkFact("", f"weird\\href\t{i}", kind="img", uncrawlable_reason="malformed")
        facts = PageFacts(url=url, encoding="utf-8", links=(shared, own, shared))
        results.append(PageResult(url=url, depth=1, fetch=FetchResult(url, url, 200),
                                  facts=facts, findings=(), indexable=True,
                                  indexability_reason=""))
    writer = AuditWriter(audit)
    for result in results:
        writer.add(result)
    writer.flush()
    pages = list(Page.objects.filter(audit=audit).order_by("id"))
    columns = ("source_id", "target_url", "target_hash", "anchor", "rel", "nofollow",
               "internal", "kind")
    saved = list(Link.objects.filter(audit=audit).order_by("id").values_list(*columns))
    expected = [row[1:] for page, result in zip(pages, results, strict=True)
                for row in writer._link_rows(page.pk, result)]
    assert saved == expected
    assert saved[0][1:] == ("https://example.com/nav\\x", url_hash_of("https://example.com/nav\\x"),
                            "Home\nnext\rline \\ \t end", "nofollow ugc", True, True, "a")
    assert saved[1][1] == "weird\\href\t0" and len(saved) == 12


def url_hash_of(url: str) -> str:
    from audits.models import url_hash

    return url_hash(url)
