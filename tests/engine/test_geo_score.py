"""GEO score: components, weights, site-wide findings, unmeasured parts, per-page score."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from audits.engine.checks.registry import GEO_COMPONENTS, REGISTRY
from audits.engine.score import (
    GEO_WEIGHTS,
    compute_geo_score_from_counts,
    compute_page_geo_score,
)

GEO_CODES = sorted(code for code, check in REGISTRY.items()
                   if check.category == "geo" and not check.informational)


def component(geo, name):
    return next(c for c in geo.components if c.component == name)


def test_weights_cover_every_component_and_add_up_to_100():
    assert set(GEO_WEIGHTS) == set(GEO_COMPONENTS)
    assert sum(GEO_WEIGHTS.values()) == 100


def test_every_geo_check_names_a_component():
    for check in REGISTRY.values():
        assert (check.category == "geo") == (check.component is not None), check.code


def test_a_clean_site_scores_100():
    geo = compute_geo_score_from_counts(50, {}, [])
    assert geo.score == 100 and all(c.score == 100 for c in geo.components)
    assert geo.top_losses == ()


def test_a_site_wide_warning_counts_as_if_on_every_page():
    geo = compute_geo_score_from_counts(50, {}, ["seo.geo.answer_agent_blocked"])
    access = component(geo, "access")
    assert access.score == 60.0 and access.losses == (("seo.geo.answer_agent_blocked", 40.0),)
    assert geo.score == pytest.approx(100 - 40 * GEO_WEIGHTS["access"] / 100, abs=0.05)
    assert geo.top_losses == (("seo.geo.answer_agent_blocked", 10.0),)


def test_page_findings_cost_their_share_of_pages():
    # A warning on half of the pages costs its component 20 points.
    geo = compute_geo_score_from_counts(10, {"seo.geo.snippet_restricted": 5}, [])
    assert component(geo, "access").score == 80.0


def test_seo_codes_and_informational_codes_do_not_count():
    geo = compute_geo_score_from_counts(10, {"seo.title.missing": 10},
                                        ["seo.geo.training_policy", "seo.robots.missing"])
    assert geo.score == 100


def test_unmeasured_components_are_left_out_and_weights_renormalised():
    geo = compute_geo_score_from_counts(10, {}, ["seo.geo.answer_agent_blocked"],
                                        unmeasured={"rendering": "Chromium is not installed"})
    rendering = component(geo, "rendering")
    assert rendering.score is None and rendering.reason == "Chromium is not installed"
    measured = 100 - GEO_WEIGHTS["rendering"]
    assert geo.score == pytest.approx(100 - 40 * GEO_WEIGHTS["access"] / measured, abs=0.05)


def test_no_pages_no_score():
    assert compute_geo_score_from_counts(0, {}, []) is None


def test_as_dict_lists_components_and_losses():
    data = compute_geo_score_from_counts(4, {}, ["seo.geo.llms_txt_invalid"]).as_dict()
    assert data["components"]["llms_txt"]["score"] == 60.0
    assert data["components"]["llms_txt"]["losses"] == [{"code": "seo.geo.llms_txt_invalid",
                                                          "points": 40.0}]
    assert data["top_losses"][0]["code"] == "seo.geo.llms_txt_invalid"


def test_page_score_from_its_own_findings():
    assert compute_page_geo_score([]) == 100
    assert compute_page_geo_score(["seo.title.missing"]) == 100
    # A warning costs its component 40 points; the component weighs 25 of 100.
    assert compute_page_geo_score(["seo.geo.snippet_restricted"] * 3) == 90.0


@settings(max_examples=200, deadline=None)
@given(pages=st.integers(1, 500),
       counts=st.dictionaries(st.sampled_from(GEO_CODES), st.integers(0, 600), max_size=8),
       site=st.lists(st.sampled_from(GEO_CODES), max_size=6))
def test_geo_scores_are_bounded_and_fully_explained(pages, counts, site):
    geo = compute_geo_score_from_counts(pages, counts, site)
    assert 0 <= geo.score <= 100
    for part in geo.components:
        assert 0 <= part.score <= 100
        assert part.score == pytest.approx(100 - sum(p for _, p in part.losses), abs=0.1)
    assert geo.score == pytest.approx(100 - sum(p for _, p in geo.top_losses), abs=0.1)


@settings(max_examples=200, deadline=None)
@given(pages=st.integers(1, 300),
       counts=st.dictionaries(st.sampled_from(GEO_CODES), st.integers(1, 300), min_size=1,
                              max_size=6),
       data=st.data())
def test_fixing_a_geo_issue_never_lowers_the_score(pages, counts, data):
    code = data.draw(st.sampled_from(sorted(counts)))
    before = compute_geo_score_from_counts(pages, counts, []).score
    fixed = {k: v for k, v in counts.items() if k != code}
    assert compute_geo_score_from_counts(pages, fixed, []).score >= before


def test_a_sampled_component_is_judged_on_its_sample():
    # Rendering findings on 5 of the 10 rendered pages of a 500-page crawl: half the sample.
    codes = {code for code, check in REGISTRY.items()
             if check.component == "rendering" and not check.informational
             and check.severity == "warning"}
    code = sorted(codes)[0]
    whole = compute_geo_score_from_counts(500, {code: 5}, [])
    sampled = compute_geo_score_from_counts(500, {code: 5}, [], component_pages={"rendering": 10})
    assert component(whole, "rendering").score == 99.6
    assert component(sampled, "rendering").score == 80.0
