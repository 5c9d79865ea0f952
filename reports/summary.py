"""The executive summary: a few plain-language paragraphs generated from the report data
(templates of sentences, no language model), in the active language."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

if TYPE_CHECKING:
    from .builder import ReportData


def score_rating(score: float | None) -> str:
    """A word for a 0-100 score."""
    if score is None:
        return _("not measured")
    if score >= 90:
        return _("excellent")
    if score >= 75:
        return _("good")
    if score >= 50:
        return _("needs work")
    return _("poor")


def _fmt(value: float | None) -> str:
    return "-" if value is None else formats.number_format(round(value, 1), decimal_pos=1)


def executive_summary(data: ReportData) -> tuple[str, ...]:
    """Paragraphs: scope and scores, what was found, what to fix first, GEO, page speed and AI
    fixes, the change since the previous audit."""
    paragraphs = []
    date = formats.date_format(data.finished_at or data.created_at, "DATE_FORMAT")
    crawled = ngettext("We crawled %(pages)d page of %(host)s on %(date)s.",
                       "We crawled %(pages)d pages of %(host)s on %(date)s.",
                       data.pages_crawled) % {"pages": data.pages_crawled, "host": data.host,
                                            "date": date}
    scores = _("The site's SEO health score is %(seo)s out of 100 (%(rating)s).") % {
        "seo": _fmt(data.seo_score), "rating": score_rating(data.seo_score)}
    if data.geo_score is not None:
        scores += " " + _("Its GEO score, which measures how well AI answer engines can "
                          "read, trust and quote it, is %(geo)s (%(rating)s).") % {
            "geo": _fmt(data.geo_score), "rating": score_rating(data.geo_score)}
    paragraphs.append(f"{crawled} {scores}")

    sev = data.by_severity
    found = _("We found %(errors)s, %(warnings)s and %(notices)s.") % {
        "errors": ngettext("%d error", "%d errors", sev["error"]) % sev["error"],
        "warnings": ngettext("%d warning", "%d warnings", sev["warning"]) % sev["warning"],
        "notices": ngettext("%d notice", "%d notices", sev["notice"]) % sev["notice"]}
    if data.pages_crawled:
        share = round(100 * data.pages_with_error / data.pages_crawled)
        found += " " + ngettext(
            "%(count)d page (%(share)d%%) has at least one error.",
            "%(count)d pages (%(share)d%%) have at least one error.",
            data.pages_with_error) % {"count": data.pages_with_error, "share": share}
    paragraphs.append(found)

    top = data.top_issues[:3]
    if top:
        items = [_("%(title)s (%(affected)s)") % {"title": issue.title, "affected": _affected(issue)}
                 for issue in top]
        paragraphs.append(_("Fixing these first will help most: %(items)s.")
                          % {"items": "; ".join(items)})
    else:
        paragraphs.append(_("No issue needs fixing: keep monitoring the site with regular "
                            "audits."))

    if data.geo is not None:
        blocked = sum(1 for row in data.geo.crawlers
                      if row.purpose in ("search", "user") and not all(row.allowed))
        llms = {"missing": _("The site has no llms.txt file; this report proposes one."),
                "invalid": _("The site's llms.txt file does not follow the format."),
                "present": _("The site publishes an llms.txt file."),
                "unknown": ""}[data.geo.llms_txt_status]
        geo = ""
        if data.geo.crawlers and not blocked:
            geo = _("No AI search or assistant crawler is blocked from key pages.")
        elif data.geo.crawlers:
            geo = ngettext("%(count)d AI search or assistant crawler is blocked from key pages.",
                           "%(count)d AI search or assistant crawlers are blocked from key "
                           "pages.", blocked) % {"count": blocked}
        paragraphs.append(" ".join(part for part in (llms, geo) if part))

    paragraphs.append(" ".join(part for part in (_page_speed(data), _ai_fixes(data)) if part))

    comparison = data.comparison
    if comparison is not None and comparison.has_previous:
        change = comparison.seo_change
        if change is None or abs(change) < 0.05:
            trend = _("the SEO score did not change")
        elif change > 0:
            trend = _("the SEO score rose by %(points)s points") % {"points": _fmt(change)}
        else:
            trend = _("the SEO score fell by %(points)s points") % {"points": _fmt(-change)}
        paragraphs.append(_("Since the previous audit, %(trend)s: %(new)d new issues appeared "
                            "and %(fixed)d were fixed.") % {"trend": trend,
                                                           "new": comparison.new,
                                                           "fixed": comparison.fixed})
    return tuple(p for p in paragraphs if p)


def _page_speed(data: ReportData) -> str:
    """How many listed pages have a poor or middling LCP on mobile (lab), and the slowest."""
    section = data.pagespeed
    if section is None:
        return ""
    if section.skipped:
        return _("The page-speed lab measurement was skipped: %(reason)s.") % {
            "reason": section.reason.rstrip(".") or _("no reason recorded")}
    runs = [(row.url, lcp) for row in section.rows for result in row.results
            if result.done and result.form_factor == "mobile" and result.source == "lab"
            and (lcp := result.metric("lcp_ms")) is not None and lcp.value is not None]
    if not runs:
        return ""
    counts = {rating: sum(1 for _url, lcp in runs if lcp.rating == rating)
              for rating in ("good", "needs-improvement", "poor")}
    url, slowest = max(runs, key=lambda run: run[1].value or 0)
    return ngettext(
        "Largest Contentful Paint on mobile (lab) of the %(total)d page measured: %(poor)d "
        "poor, %(middling)d needing improvement, %(good)d good; the slowest is %(url)s "
        "(%(lcp)s).",
        "Largest Contentful Paint on mobile (lab) of the %(total)d pages measured: %(poor)d "
        "poor, %(middling)d needing improvement, %(good)d good; the slowest is %(url)s "
        "(%(lcp)s).",
        len(runs)) % {"total": len(runs), "poor": counts["poor"],
                      "middling": counts["needs-improvement"], "good": counts["good"],
                      "url": url, "lcp": slowest.display}


def _ai_fixes(data: ReportData) -> str:
    section = data.ai_fixes
    if section is None:
        return ""
    count = len(section.fixes)
    text = ngettext("The report includes %(count)d AI-generated fix to review before "
                    "publishing.",
                    "The report includes %(count)d AI-generated fixes to review before "
                    "publishing.", count) % {"count": count}
    if section.offline_count:
        text += " " + ngettext("%(count)d of them is an offline draft, made without an AI model.",
                               "%(count)d of them are offline drafts, made without an AI model.",
                               section.offline_count) % {"count": section.offline_count}
    return text


def _affected(issue: object) -> str:
    pages = getattr(issue, "pages", 0)
    if pages:
        return ngettext("%d page", "%d pages", pages) % pages
    return _("site-wide")
