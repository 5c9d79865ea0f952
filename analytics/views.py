"""Server-rendered analytics pages for signed-in users: the portfolio and one site's trend.
Charts are inline SVG drawn here (analytics.charts), each with a data table next to it."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render

from audits.models import Audit
from visibility.charts import site_visibility_block

from . import charts, selectors


def _labels(points: list[dict]) -> list[str]:
    """Dates of the audits; with the time when a day holds more than one audit."""
    when = [p["finished_at"] or p["created_at"] for p in points]
    days = [f"{w:%d %b %Y}" for w in when]
    if len(set(days)) == len(days):
        return days
    return [f"{w:%d %b %H:%M}" for w in when]


@login_required
def portfolio_page(request: HttpRequest) -> HttpResponse:
    sites = [site.as_dict() for site in selectors.portfolio_for_user(user=request.user)]
    scored = [x for x in sites if x["latest"] and x["latest"]["seo_score"] is not None][:24]
    chart = None
    if scored:
        chart = charts.hbar_chart(
            title="Latest SEO score per site",
            desc="; ".join(f"{x['site']}: {x['latest']['seo_score']:.0f}" for x in scored),
            labels=[x["site"] for x in scored],
            values=[round(x["latest"]["seo_score"]) for x in scored], x_max=100)
    context = {"sites": sites, "chart": chart,
               "totals": {"sites": len(sites), "audits": sum(x["audits"] for x in sites),
                          "running": sum(x["running"] for x in sites)}}
    return render(request, "analytics/portfolio.html", context)


@login_required
def site_page(request: HttpRequest, site: str) -> HttpResponse:
    try:
        points = selectors.site_trend(user=request.user, site=site)
    except Audit.DoesNotExist as exc:
        raise Http404("No audit of this site.") from exc
    labels = _labels(points)
    latest = points[-1] if points else None
    score_chart = charts.line_chart(
        title=f"SEO and GEO scores of {site} over time",
        desc=(f"{len(points)} completed audits. " + (
            f"Latest SEO score {latest['seo_score']:.0f}" if latest and latest["seo_score"] is not None
            else "No SEO score yet") + (
            f", GEO score {latest['geo_score']:.0f}." if latest and latest["geo_score"] is not None
            else ".")),
        labels=labels, y_max=100,
        series=[charts.Series("SEO score", [p["seo_score"] for p in points]),
                charts.Series("GEO score", [p["geo_score"] for p in points])])
    issue_chart = charts.line_chart(
        title=f"Issues found on {site} over time",
        desc=(f"Latest audit: {latest['errors']} errors, {latest['warnings']} warnings, "
              f"{latest['notices']} notices." if latest else "No completed audit yet."),
        labels=labels,
        series=[charts.Series("Errors", [p["errors"] for p in points], "#d55e00"),
                charts.Series("Warnings", [p["warnings"] for p in points], "#e69f00"),
                charts.Series("Notices", [p["notices"] for p in points], "#0072b2")])
    comparison = None
    if len(points) >= 2:  # the latest completed audit against the one before it
        comparison = selectors.audit_comparison_for_user(
            user=request.user, audit_id=points[-1]["audit_id"], previous_id=points[-2]["audit_id"])
    context = {"site": site.lower(), "points": points, "latest": latest, "comparison": comparison,
               "score_chart": score_chart, "issue_chart": issue_chart,
               "rows": list(reversed(points)),
               "ai_visibility": site_visibility_block(user=request.user, host=site)}
    return render(request, "analytics/site.html", context)
