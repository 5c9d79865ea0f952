"""Row cleaning for PostgreSQL: NULs removed, sizes capped, clean data passed through as is."""

from __future__ import annotations

from audits.persistence import JSON_FAST_PATH_CHARS, clean_json, clean_text


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
