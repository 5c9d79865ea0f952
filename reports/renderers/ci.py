"""CI formats: JUnit XML (one test case per check) and a Markdown summary for pull-request
comments."""

from __future__ import annotations

import re
from collections.abc import Iterator
from xml.sax.saxutils import escape, quoteattr

from django.utils import translation
from django.utils.translation import gettext as _

from audits.catalog import catalog
from audits.engine.checks.registry import CATEGORIES
from audits.models import Audit, Finding

from ..builder import ReportData
from ..i18n import category_label, check_text

#: Affected URLs listed in one JUnit failure (the CSV has them all).
JUNIT_URLS_PER_CHECK = 1000
_XML_INVALID = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _x(text: str) -> str:
    return escape(_XML_INVALID.sub("\ufffd", text))


def _a(text: str) -> str:
    return quoteattr(_XML_INVALID.sub("\ufffd", text))


def _affected(audit: Audit) -> dict[str, list[str | None]]:
    """Check code -> affected page URLs (None for site-wide), one ordered streamed query."""
    affected: dict[str, list[str | None]] = {}
    rows = (Finding.objects.filter(audit=audit).order_by("code", "page_id", "id")
            .values_list("code", "page__url"))
    for code, url in rows.iterator(chunk_size=5000):
        affected.setdefault(code, []).append(url)
    return affected


def junit_xml(*, audit: Audit, language: str = "en") -> Iterator[str]:
    """One <testsuite> per category and one <testcase> per check that ran: an error or warning
    check with findings fails and lists the affected pages; a notice with findings passes
    with the pages in <system-out> (notices are advice, a CI gate should not trip on them)."""
    geo = (audit.options or {}).get("geo", True) is not False
    checks = [c for c in catalog() if geo or c.category != "geo"]
    affected = _affected(audit)
    failing = [c for c in checks if affected.get(c.code) and c.severity != "notice"
               and not c.informational]
    with translation.override(language):
        yield '<?xml version="1.0" encoding="UTF-8"?>\n'
        yield (f"<testsuites name={_a('SEO audit of ' + audit.normalized_url)} "
               f'tests="{len(checks)}" failures="{len(failing)}">\n')
        for category in CATEGORIES:
            group = [c for c in checks if c.category == category]
            if not group:
                continue
            failures = sum(1 for c in group if c in failing)
            yield (f"  <testsuite name={_a(category_label(category))} tests=\"{len(group)}\" "
                   f'failures="{failures}" errors="0" skipped="0">\n')
            for check in group:
                urls = affected.get(check.code) or []
                yield (f"    <testcase classname={_a('seoaudit.' + category)} "
                       f"name={_a(check.code + ': ' + check_text(check, 'title'))}>")
                if urls:
                    lines = [url or _("(site-wide)") for url in urls[:JUNIT_URLS_PER_CHECK]]
                    if len(urls) > JUNIT_URLS_PER_CHECK:
                        lines.append(_("... and %(count)d more") % {
                            "count": len(urls) - JUNIT_URLS_PER_CHECK})
                    body = _x("\n".join(lines) + "\n\n" + _("How to fix") + ": " + check_text(check, "fix"))
                    message = _a(_("%(count)d findings") % {"count": len(urls)})
                    if check in failing:
                        yield (f"\n      <failure message={message} type={_a(check.severity)}>"
                               f"{body}</failure>\n    ")
                    else:
                        yield f"\n      <system-out>{body}</system-out>\n    "
                yield "</testcase>\n"
            yield "  </testsuite>\n"
        yield "</testsuites>\n"


def _score(value: float | None) -> str:
    return "–" if value is None else f"{value:.1f}"


def markdown_summary(data: ReportData) -> str:
    """A short Markdown summary (scores, counts, top issues, change) for a PR comment."""
    with translation.override(data.language):
        heading, score, value = _("SEO & GEO audit"), _("Score"), _("Value")
        seo, geo_label = _("SEO health"), _("GEO score")
        pages_label, errors, warnings, notices = (_("pages crawled"), _("errors"), _("warnings"),
                                                  _("notices"))
        severity = {"error": _("Error"), "warning": _("Warning"), "notice": _("Notice")}
        lines = [f"## {heading}: {data.site_url}", "", f"| {score} | {value} |", "|---|---:|",
                 f"| {seo} | {_score(data.seo_score)} |"]
        if data.geo is not None:
            lines.append(f"| {geo_label} | {_score(data.geo_score)} |")
        sev = data.by_severity
        lines += ["", f"**{data.pages_crawled}** {pages_label} · **{sev['error']}** {errors} · "
                  f"**{sev['warning']}** {warnings} · **{sev['notice']}** {notices}", ""]
        comparison = data.comparison
        if comparison is not None and comparison.has_previous:
            change = comparison.seo_change
            sign = "+" if change and change > 0 else ""
            lines += [_("Since the previous audit: SEO %(change)s, %(new)d new issues, "
                        "%(fixed)d fixed, %(persisting)d persisting.") % {
                "change": f"{sign}{_score(change)}", "new": comparison.new,
                "fixed": comparison.fixed, "persisting": comparison.persisting}, ""]
        if data.top_issues:
            top, issue_label, severity_label, pages = (_("Top issues"), _("Issue"),
                                                       _("Severity"), _("Pages"))
            lines += [f"### {top}", "", f"| # | {issue_label} | {severity_label} | {pages} |",
                      "|---:|---|---|---:|"]
            site_wide = _("site-wide")
            for index, issue in enumerate(data.top_issues, 1):
                title = issue.title.replace("|", "\\|")
                affected = str(issue.pages) if issue.pages else site_wide
                lines.append(f"| {index} | {title} (`{issue.code}`) | "
                             f"{severity.get(issue.severity, issue.severity)} | {affected} |")
        else:
            lines.append(_("No issues found."))
        lines += _markdown_page_speed(data) + _markdown_ai_fixes(data)
        return "\n".join(lines) + "\n"


#: Pages and AI fixes listed in the Markdown summary (the HTML report has more).
MARKDOWN_SPEED_PAGES = 10
MARKDOWN_AI_FIXES = 10
RATING_MARKS = {"good": "🟢", "needs-improvement": "🟠", "poor": "🔴"}
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_{}\[\]#+!|~])")


def _md(text: str) -> str:
    """Crawled or generated text as inert Markdown: one line, HTML characters as entities,
    Markdown punctuation backslash-escaped (no links, images, tables or emphasis from it)."""
    text = " ".join(str(text).split())
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _MARKDOWN_SPECIAL.sub(r"\\\1", text)


def _markdown_page_speed(data: ReportData) -> list[str]:
    section = data.pagespeed
    if section is None:
        return []
    lines = ["", f"### {_('Page speed')}", ""]
    if section.skipped:
        reason = f" {_md(section.reason)}" if section.reason else ""
        lines += [f"> **{_('The lab measurement was skipped.')}**{reason}",
                  f"> {_md(section.how_to_enable)}", ""]
    if not section.rows:
        if not section.skipped:
            lines.append(_("No page-speed measurement was recorded for this audit."))
        return lines
    headings = " | ".join(short for _key, short, _long in section.columns)
    lines += [f"| {_('Page')} | | {headings} | {_('Score')} |",
              "|---|---|" + "---:|" * (len(section.columns) + 1)]
    for row in section.rows[:MARKDOWN_SPEED_PAGES]:
        for result in row.results:
            label = result.form_factor_label + (
                f" ({result.source_label})" if result.source != "lab" else "")
            if result.done:
                cells = " | ".join(f"{RATING_MARKS.get(m.rating or '', '')} {m.display}".strip()
                                   for m in result.metrics)
                score = "–" if result.score is None else str(result.score)
            else:
                failed = _("failed") if result.status == "failed" else _("not measured")
                cells = " | ".join([f"{failed}: {_md(result.error)}" if result.error else failed]
                                   + ["–"] * (len(section.columns) - 1))
                score = "–"
            lines.append(f"| {_md(row.url)} | {label} | {cells} | {score} |")
    if len(section.rows) > MARKDOWN_SPEED_PAGES or section.truncated:
        lines += ["", _("The HTML report and the JSON export list every measured page.")]
    return lines


def _markdown_ai_fixes(data: ReportData) -> list[str]:
    section = data.ai_fixes
    if section is None:
        return []
    lines = ["", f"### {_('AI-generated fixes')}", ""]
    for fix in section.fixes[:MARKDOWN_AI_FIXES]:
        where = f" — {_md(fix.page_url)}" if fix.page_url else ""
        lines.append(f"- **{fix.kind_label}**{where} ({_md(fix.origin)})")
        if fix.kind == "title_meta":
            lines += [f"  - {_('Title')}: {_md(fix.title)}",
                      f"  - {_('Meta description')}: {_md(fix.meta_description)}"]
        elif fix.kind == "geo_brief" and fix.summary:
            lines.append(f"  - {_md(fix.summary)}")
        elif fix.kind == "alt_text":
            lines += [f"  - {_md(src)}: {_md(alt)}" for src, alt in fix.images[:3]]
        elif fix.kind == "faq":
            lines += [f"  - {_md(question)}" for question, _answer in fix.faq[:3]]
    if len(section.fixes) > MARKDOWN_AI_FIXES or section.truncated:
        lines += ["", _("The HTML report and the JSON export have every draft.")]
    return lines
