"""The HTML report: one self-contained page (inline CSS and SVG), also the PDF's source."""

from __future__ import annotations

from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from .. import charts
from ..builder import ReportData
from ..summary import score_rating


def _context(data: ReportData) -> dict[str, Any]:
    categories = [(section.label, section.score) for section in data.categories
                  if section.score is not None]
    geo_rows = [(part.label, part.score) for part in data.geo.components] if data.geo else []
    return {
        "data": data,
        "brand": data.branding,
        "seo_gauge": charts.gauge(data.seo_score, _("SEO health")),
        "geo_gauge": charts.gauge(data.geo_score, _("GEO score")) if data.geo else None,
        "category_bars": charts.bars(categories) if categories else None,
        "geo_bars": charts.bars(geo_rows) if geo_rows else None,
        "severity_bar": charts.severity_bar(data.by_severity),
        "seo_rating": score_rating(data.seo_score),
        "geo_rating": score_rating(data.geo_score),
        "severity_labels": {"error": _("Error"), "warning": _("Warning"), "notice": _("Notice")},
        "purpose_labels": {"training": _("training"), "search": _("AI search"),
                           "user": _("assistant"), "legacy": _("legacy")},
    }


def render_html(data: ReportData, *, for_pdf: bool = False) -> str:
    """The report page in the data's language."""
    with translation.override(data.language):
        context = _context(data)
        context["for_pdf"] = for_pdf
        return render_to_string("reports/report.html", context)
