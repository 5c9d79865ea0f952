"""Visibility maths on hand-computed examples; shares, winners/losers, cannibalisation."""

from __future__ import annotations

from datetime import date

import pytest

from keywords import analytics, services
from keywords.models import Keyword, RankCheck


def test_ctr_curve():
    assert analytics.ctr_for_position(1) == 0.276
    assert analytics.ctr_for_position(10) == 0.024
    assert analytics.ctr_for_position(11) == 0.00078
    assert analytics.ctr_for_position(20) == 0.00078
    assert analytics.ctr_for_position(21) == 0.0
    assert analytics.ctr_for_position(None) == 0.0


def test_visibility_hand_computed():
    # Positions 1, 3 and "not ranking": (0.276 + 0.110 + 0) / (3 * 0.276) = 0.46618... -> 46.62 %
    assert analytics.visibility([1, 3, None]) == 46.62
    # All first: 100 %; nothing in the top 20: 0 %.
    assert analytics.visibility([1, 1]) == 100.0
    assert analytics.visibility([25, None]) == 0.0
    # 2 and 15: (0.158 + 0.00078) / (2 * 0.276) = 0.287645 -> 28.76 %
    assert analytics.visibility([2, 15]) == 28.76
    assert analytics.visibility([]) == 0.0


def test_top_shares():
    positions = [1, 3, 4, 10, 11, 100, None, None]
    assert analytics.top_shares(positions) == {"top3": 25.0, "top10": 50.0, "top100": 75.0}


@pytest.fixture
def ranked(db, site):
    def make(phrase, days):
        keyword, _ = services.keyword_create(site=site, phrase=phrase)
        for day, position, urls in days:
            RankCheck.objects.create(keyword=keyword, checked_on=day, position=position,
                                     provider="fake", site_results=urls)
        return keyword
    return make


def test_winners_losers_and_cannibalisation(ranked, site):
    d1, d2, d3 = date(2026, 3, 1), date(2026, 3, 8), date(2026, 3, 15)
    ranked("up", [(d1, 30, []), (d3, 4, [[4, "https://site.example/up"]])])
    ranked("down", [(d1, 2, []), (d2, 3, []), (d3, None, [])])
    ranked("flat", [(d1, 5, []), (d3, 5, [[5, "https://site.example/a"], [9, "https://site.example/b"]])])
    ranked("new", [(d3, 7, [])])
    result = analytics.winners_losers(Keyword.objects.filter(site=site), since=d2)
    assert [(w["phrase"], w["change"]) for w in result["winners"]] == [("up", 26)]
    # "down" was 3 on d2 and is now out of the top 100: 3 -> 101 = -98.
    assert [(w["phrase"], w["change"]) for w in result["losers"]] == [("down", -98)]
    summary = analytics.site_summary(Keyword.objects.filter(site=site), since=d2)
    assert summary["keywords"] == 4 and summary["keywords_checked"] == 4
    # Latest: 4, None, 5, 7 -> (0.084 + 0 + 0.063 + 0.039) / (4 * 0.276) = 0.16848 -> 16.85
    assert summary["visibility"] == 16.85
    assert summary["share"] == {"top3": 0.0, "top10": 75.0, "top100": 75.0}
    [cannibal] = summary["cannibalisation"]
    assert cannibal["phrase"] == "flat" and len(cannibal["urls"]) == 2


def test_visibility_history_per_day(ranked, site):
    d1, d2 = date(2026, 3, 1), date(2026, 3, 2)
    ranked("a", [(d1, 1, []), (d2, 2, [])])
    ranked("b", [(d1, None, []), (d2, 1, [])])
    history = analytics.site_visibility_history(Keyword.objects.filter(site=site))
    assert [(h["date"], h["visibility"]) for h in history] == [(d1, 50.0), (d2, 78.62)]
