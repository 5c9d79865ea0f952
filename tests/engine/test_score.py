"""Scoring: bounded, explainable to the point, monotone, and the same from counts or findings."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.engine.checks.registry import REGISTRY
from audits.engine.score import (
    SITE_PENALTY_CAP,
    UNATTRIBUTED,
    compute_score,
    compute_score_from_counts,
)
from audits.engine.types import Finding, Severity

ERRORS = sorted(c.code for c in REGISTRY.values()
                if c.severity == Severity.ERROR and not c.code.startswith("engine."))
WARNINGS = sorted(c.code for c in REGISTRY.values() if c.severity == Severity.WARNING)
NOTICES = sorted(c.code for c in REGISTRY.values()
                 if c.severity == Severity.NOTICE and not c.code.startswith("engine."))


def category(breakdown, name):
    return next(c for c in breakdown.category_scores if c.category == name)


def test_documented_example():
    score = compute_score_from_counts(pages_scored=200, pages_with_error=14,
                                      per_code_page_counts={"seo.title.missing": 10,
                                                            "seo.http.4xx": 6},
                                      site_codes=[])
    assert score.score == 93.0
    assert score.top_losses == (("seo.title.missing", 4.38), ("seo.http.4xx", 2.62))
    on_page = category(score, "on_page")
    assert on_page.score == 95.0 and on_page.losses == (("seo.title.missing", 5.0),)


def test_warnings_and_notices_do_not_lower_health_but_lower_categories():
    score = compute_score_from_counts(100, 0, {"seo.description.missing": 100,
                                               "seo.title.too_long": 100}, [])
    assert score.score == 100.0 and score.top_losses == ()
    assert category(score, "on_page").score == 50.0  # 40 (warning) + 10 (notice)


def test_site_wide_findings_cost_a_bounded_penalty():
    score = compute_score_from_counts(10, 0, {}, ["seo.links.broken_internal"] * 3)
    assert score.score == 95.0 and score.site_penalty == 5.0
    many = compute_score_from_counts(10, 0, {}, ERRORS)
    assert many.score == 100 - SITE_PENALTY_CAP
    # Each code's points are rounded to 0.01, so the sum is exact up to 0.005 per code.
    assert abs(sum(points for _, points in many.top_losses) - SITE_PENALTY_CAP) \
        <= 0.005 * len(many.top_losses) + 1e-9


def test_engine_and_unknown_codes_cost_nothing():
    score = compute_score_from_counts(10, 0, {"engine.check_error": 10, "no.such.code": 10},
                                      ["engine.check_error"])
    assert score.score == 100.0
    assert all(c.score == 100.0 for c in score.category_scores)


def test_unattributed_error_pages():
    score = compute_score_from_counts(10, 5, {}, [])
    assert score.score == 50.0 and score.top_losses == ((UNATTRIBUTED, 50.0),)


def test_no_pages_scores_zero():
    score = compute_score_from_counts(0, 0, {"seo.title.missing": 3}, [])
    assert score.score == 0.0 and score.category_scores == ()


def test_findings_stream_matches_counts():
    findings = [Finding("seo.title.missing", "https://e.com/a"),
                Finding("seo.title.missing", "https://e.com/a"),  # same page twice: counts once
                ("https://e.com/b", "seo.http.4xx"), ("https://e.com/b", "seo.h1.missing"),
                (None, "seo.links.broken_internal")]
    from_findings = compute_score(findings, pages_scored=4)
    from_counts = compute_score_from_counts(4, 2, {"seo.title.missing": 1, "seo.http.4xx": 1,
                                                   "seo.h1.missing": 1},
                                            ["seo.links.broken_internal"])
    assert from_findings == from_counts
    assert from_findings.as_dict()["categories"]["on_page"]["findings"] == 2


counts_strategy = st.dictionaries(st.sampled_from(ERRORS + WARNINGS + NOTICES),
                                  st.integers(0, 500), max_size=15)


@settings(max_examples=300, deadline=None)
@given(pages=st.integers(1, 400), errors=st.integers(0, 500), counts=counts_strategy,
       site=st.lists(st.sampled_from(ERRORS + WARNINGS + NOTICES), max_size=12))
def test_scores_are_bounded_and_fully_explained(pages, errors, counts, site):
    score = compute_score_from_counts(pages, errors, counts, site)
    assert 0 <= score.score <= 100
    assert sum(p for _, p in score.top_losses) == pytest.approx(100 - score.score, abs=0.1)
    for cat in score.category_scores:
        assert 0 <= cat.score <= 100
        assert sum(p for _, p in cat.losses) == pytest.approx(100 - cat.score, abs=0.1)


@settings(max_examples=200, deadline=None)
@given(pages=st.integers(1, 400), errors=st.integers(0, 400), counts=counts_strategy,
       code=st.sampled_from(ERRORS + WARNINGS + NOTICES))
def test_fixing_an_issue_never_lowers_a_score(pages, errors, counts, code):
    before = compute_score_from_counts(pages, errors, counts, [])
    fixed = dict(counts)
    fixed[code] = max(0, fixed.get(code, 0) - 1)
    after = compute_score_from_counts(pages, max(0, errors - 1), fixed, [])
    assert after.score >= before.score
    for b, a in zip(before.category_scores, after.category_scores, strict=True):
        assert a.score >= b.score


def test_geo_codes_count_in_the_geo_score_only():
    geo_codes = [code for code, check in REGISTRY.items()
                 if check.category == "geo" and not check.informational]
    breakdown = compute_score_from_counts(10, 0, dict.fromkeys(geo_codes, 10), geo_codes)
    assert breakdown.score == 100 and breakdown.top_losses == ()
    assert "geo" not in {c.category for c in breakdown.category_scores}
