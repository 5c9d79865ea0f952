"""The AI visibility block of the analytics site page: mention and citation rate per day and
share of voice against competitors, drawn with analytics.charts (inline SVG with a title and
a description; the page shows the numbers in a table too)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.utils import timezone

from analytics import charts

from . import selectors
from .models import TrackedPrompt

HISTORY_DAYS = 90


def site_visibility_block(*, user: Any, host: str) -> dict[str, Any] | None:
    """Charts and figures for the user's tracked site with this host; None when the user
    tracks no prompt for it."""
    host = host.lower().removeprefix("www.")
    site = selectors.site_list_for_user(user=user).filter(host=host).first()
    if site is None or not TrackedPrompt.objects.filter(site=site).exists():
        return None
    today = timezone.now().date()
    period = selectors.Period.of(today - timedelta(days=HISTORY_DAYS - 1), today)
    data = selectors.visibility_metrics(runs=selectors.site_runs(site=site), period=period)
    history = data["history"]
    totals = data["totals"]
    labels = [f"{point['date']:%d %b}" for point in history]

    def pct(value: float | None) -> float | None:
        return None if value is None else round(100 * value, 1)

    rate_chart = charts.line_chart(
        title=f"AI answer visibility of {host}, last {HISTORY_DAYS} days",
        desc=(f"{totals['runs']} answers: mentioned in {pct(totals['mention_rate']) or 0} %, "
              f"cited in {pct(totals['citation_rate']) or 0} %."),
        labels=labels, y_max=100,
        series=[charts.Series("Mention rate %", [pct(p["mention_rate"]) for p in history]),
                charts.Series("Citation rate %", [pct(p["citation_rate"]) for p in history]),
                charts.Series("Share of voice %", [pct(p["share_of_voice"]) for p in history])])
    voices = [(site.ai_brand.brand_name if hasattr(site, "ai_brand") and site.ai_brand.brand_name
               else host, pct(totals["share_of_voice"]) or 0.0)]
    voices += [(c["name"], pct(c["share_of_voice"]) or 0.0) for c in totals["competitors"][:9]]
    voice_chart = None
    if totals["share_of_voice"] is not None:
        voice_chart = charts.hbar_chart(
            title="Share of voice in AI answers",
            desc="; ".join(f"{name}: {value} %" for name, value in voices),
            labels=[name for name, _v in voices], values=[value for _n, value in voices], x_max=100)
    return {"site_id": site.pk, "totals": totals, "rate_chart": rate_chart, "voice_chart": voice_chart,
            "voices": voices, "winners": data["winners"], "losers": data["losers"],
            "engines": data["engines"], "since": period.since, "until": period.until}
