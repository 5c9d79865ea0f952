"""Staff console: start audits, watch them finish, browse pages, links and findings.

Lists stay fast on big tables: related rows are joined (list_select_related), finding counts
are correlated subqueries computed for the shown rows only, and the huge tables (pages,
links, findings) skip the full COUNT(*) (show_full_result_count=False). Inlines on an audit
show a capped sample with links to the filtered changelists for the rest.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.contrib import admin, messages
from django.db.models import Case, QuerySet, When
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from analytics import console
from analytics.selectors import annotate_finding_counts
from reports import services as report_services
from reports.exceptions import AuditNotReportable
from reports.models import Report

from . import selectors, services
from .admin_lists import INLINE_CAP, CappedCountPaginator, CappedInline, CategoryFilter, StatusClassFilter
from .engine.checks.registry import REGISTRY
from .engine.urls import InvalidURL, normalize_url
from .exceptions import AuditError
from .models import Audit, Finding, Link, Page
from .options import clean_audit_options

#: Errors first, then warnings, then notices.
SEVERITY_RANK = Case(When(severity="error", then=0), When(severity="warning", then=1), default=2)

admin.site.site_header = "SEO & GEO audit — staff console"
admin.site.site_title = "SEO & GEO audit console"
admin.site.index_title = "Platform administration"


class AuditAddForm(forms.ModelForm):
    options = forms.JSONField(required=False, initial=dict, help_text=(
        'JSON, e.g. {"max_pages": 200, "ignore_robots": false, "max_depth": 5}'))

    class Meta:
        model = Audit
        fields = ("url", "options")

    def clean_url(self) -> str:
        url = self.cleaned_data["url"]
        try:
            normalize_url(url)
        except InvalidURL as exc:
            raise forms.ValidationError(str(exc)) from exc
        return url

    def clean_options(self) -> dict[str, Any]:
        options = self.cleaned_data.get("options") or {}
        if not isinstance(options, dict):
            raise forms.ValidationError("options must be a JSON object")
        try:
            return clean_audit_options(options)
        except AuditError as exc:
            raise forms.ValidationError(str(exc)) from exc


def _changelist(model: str, **filters: Any) -> str:
    query = "&".join(f"{key}={value}" for key, value in filters.items())
    return reverse(f"admin:audits_{model}_changelist") + (f"?{query}" if query else "")


class FindingInline(CappedInline):
    model = Finding
    fk_name = "audit"
    fields = readonly_fields = ("severity", "code", "category", "page_url")
    verbose_name_plural = f"Findings (errors first, at most {INLINE_CAP}; see the list for all)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Finding]:
        return (super().get_queryset(request).select_related("page")
                .only("id", "audit_id", "severity", "code", "category", "page__url")
                .order_by(SEVERITY_RANK, "code", "id"))

    @admin.display(description="Page")
    def page_url(self, obj: Finding) -> str:
        return obj.page.url if obj.page_id else "(site-wide)"


class PageInline(CappedInline):
    model = Page
    fields = readonly_fields = ("url", "status", "depth", "indexable", "inlinks", "elapsed_ms")
    verbose_name_plural = f"Pages (shallowest first, at most {INLINE_CAP}; see the list for all)"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Page]:
        return (super().get_queryset(request)
                .only("id", "audit_id", "url", "status", "depth", "indexable", "inlinks",
                      "elapsed_ms").order_by("depth", "id"))


@admin.register(Audit)
class AuditAdmin(admin.ModelAdmin):
    list_display = ("url", "owner", "status", "progress_bar", "score_pair", "issues", "created",
                    "progress_page")
    list_select_related = ("owner",)
    list_filter = ("status", "created_at", "finished_at")
    search_fields = ("url", "normalized_url", "owner__username")
    date_hierarchy = "created_at"
    show_full_result_count = False
    list_per_page = 50
    readonly_fields = ("id", "owner", "normalized_url", "status", "progress_bar", "pages_crawled",
                       "total_pages", "seo_score", "geo_score", "finding_counts", "checks_table",
                       "related_links", "error", "created_at", "started_at", "finished_at",
                       "duration", "options_pretty", "scores_pretty", "summary_pretty")
    inlines = (FindingInline, PageInline)
    actions = ("rerun_audits", "cancel_audits", "generate_pdf_reports", "export_findings_csv",
               "open_progress_page")

    def get_queryset(self, request: HttpRequest) -> QuerySet[Audit]:
        return annotate_finding_counts(super().get_queryset(request))

    def get_form(self, request: HttpRequest, obj: Audit | None = None, **kwargs: Any) -> Any:
        if obj is None:
            kwargs["form"] = AuditAddForm
        return super().get_form(request, obj, **kwargs)

    def get_fieldsets(self, request: HttpRequest, obj: Audit | None = None) -> Any:
        if obj is None:
            return ((None, {"fields": ("url", "options")}),)
        return (
            (None, {"fields": ("url", "id", "owner", "normalized_url", "status", "progress_bar",
                               "pages_crawled", "total_pages", "seo_score", "geo_score", "error",
                               "created_at", "started_at", "finished_at", "duration")}),
            ("Findings", {"fields": ("finding_counts", "related_links", "checks_table")}),
            ("Raw data", {"classes": ("collapse",),
                          "fields": ("options_pretty", "scores_pretty", "summary_pretty")}),
        )

    def get_readonly_fields(self, request: HttpRequest, obj: Audit | None = None) -> Any:
        return ("url", *self.readonly_fields) if obj else ()

    def get_inlines(self, request: HttpRequest, obj: Audit | None) -> Any:
        return self.inlines if obj is not None else ()

    def save_model(self, request: HttpRequest, obj: Audit, form: Any, change: bool) -> None:
        if change:
            return  # audits are immutable once created; use the actions
        audit = services.audit_create(owner=request.user, url=form.cleaned_data["url"],
                                      options=form.cleaned_data.get("options") or {})
        obj.pk = audit.pk
        obj._state.adding = False

    def change_view(self, request: HttpRequest, object_id: str, form_url: str = "",
                    extra_context: dict[str, Any] | None = None) -> HttpResponse:
        # Audits are immutable once created: no save buttons, the actions do the work.
        extra_context = {**(extra_context or {}), "show_save": False,
                         "show_save_and_continue": False, "show_save_and_add_another": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: bool) -> None:
        """Inlines are read-only samples; nothing to save."""

    # --- computed columns --------------------------------------------------------------------

    @admin.display(description="Progress", ordering="progress")
    def progress_bar(self, obj: Audit) -> str:
        return format_html('<span class="console-progress" title="{} %"><progress max="100" '
                           'value="{}">{} %</progress> {} p.</span>', obj.progress, obj.progress,
                           obj.progress, obj.pages_crawled)

    @admin.display(description="SEO / GEO", ordering="seo_score")
    def score_pair(self, obj: Audit) -> str:
        def show(score: float | None) -> str:
            return "–" if score is None else f"{score:.0f}"
        return f"{show(obj.seo_score)} / {show(obj.geo_score)}"

    # Not sortable: ordering by a count computes it for every audit (1.3 s at 2,000 audits
    # with 400,000 findings, bench/console.py) instead of for the 50 rows shown.
    @admin.display(description="Errors / warnings")
    def issues(self, obj: Audit) -> str:
        return format_html(
            '<a href="{}" title="errors">{}</a> / <a href="{}" title="warnings">{}</a>',
            _changelist("finding", audit__id__exact=obj.pk, severity__exact="error"), obj.errors,
            _changelist("finding", audit__id__exact=obj.pk, severity__exact="warning"),
            obj.warnings)

    @admin.display(description="Created", ordering="created_at")
    def created(self, obj: Audit) -> str:
        return f"{timezone.localtime(obj.created_at):%Y-%m-%d %H:%M}"

    @admin.display(description="Duration")
    def duration(self, obj: Audit) -> str:
        if obj.started_at is None or obj.finished_at is None:
            return "–"
        seconds = int((obj.finished_at - obj.started_at).total_seconds())
        return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"

    @admin.display(description="Live")
    def progress_page(self, obj: Audit) -> str:
        url = console.progress_page_url(obj.pk)
        return format_html('<a href="{}">progress</a>', url) if url else "–"

    @admin.display(description="Findings by severity")
    def finding_counts(self, obj: Audit) -> str:
        return format_html(
            '<a href="{}">{} errors</a> · <a href="{}">{} warnings</a> · <a href="{}">{} notices</a>',
            _changelist("finding", audit__id__exact=obj.pk, severity__exact="error"), obj.errors,
            _changelist("finding", audit__id__exact=obj.pk, severity__exact="warning"), obj.warnings,
            _changelist("finding", audit__id__exact=obj.pk, severity__exact="notice"), obj.notices)

    @admin.display(description="Findings by check")
    def checks_table(self, obj: Audit) -> str:
        rows = selectors.finding_summary(audit=obj)
        if not rows:
            return "No findings."
        body = format_html_join("", '<tr><td>{}</td><td><a href="{}">{}</a></td><td>{}</td>'
                                    '<td class="num">{}</td></tr>',
                                ((r["severity"], _changelist("finding", audit__id__exact=obj.pk,
                                                             code=r["code"]),
                                  r["code"], r["title"], r["count"]) for r in rows))
        return format_html('<table class="console-table"><thead><tr><th>Severity</th><th>Check</th>'
                           '<th>Title</th><th>Count</th></tr></thead><tbody>{}</tbody></table>',
                           body)

    @admin.display(description="Browse")
    def related_links(self, obj: Audit) -> str:
        progress = console.progress_page_url(obj.pk)
        return format_html(
            '<a href="{}">all findings</a> · <a href="{}">all pages</a> · <a href="{}">links</a>{}',
            _changelist("finding", audit__id__exact=obj.pk),
            _changelist("page", audit__id__exact=obj.pk),
            _changelist("link", audit__id__exact=obj.pk),
            format_html(' · <a href="{}">live progress page</a>', progress) if progress else "")

    @admin.display(description="Options")
    def options_pretty(self, obj: Audit) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.options, indent=2))

    @admin.display(description="Scores")
    def scores_pretty(self, obj: Audit) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.scores, indent=2))

    @admin.display(description="Crawl summary")
    def summary_pretty(self, obj: Audit) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.summary, indent=2))

    # --- actions -----------------------------------------------------------------------------

    @admin.action(description="Run selected audits again (same owner, URL and options)")
    def rerun_audits(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        started = 0
        for audit in queryset.select_related("owner"):
            services.audit_create(owner=audit.owner, url=audit.url, options=audit.options)
            started += 1
        messages.info(request, f"Queued {started} audit(s) (an active audit of the same URL is reused).")

    @admin.action(description="Cancel selected audits")
    def cancel_audits(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        cancelled = 0
        for audit in queryset.filter(status__in=Audit.ACTIVE_STATUSES):
            if services.audit_cancel(audit=audit).status == Audit.Status.CANCELLED:
                cancelled += 1
        messages.info(request, f"Cancelled {cancelled} active audit(s); finished ones are unchanged.")

    @admin.action(description="Generate PDF reports (English) of selected audits")
    def generate_pdf_reports(self, request: HttpRequest, queryset: QuerySet[Audit]) -> None:
        queued, refused = 0, 0
        for audit in queryset.select_related(None):
            try:
                report_services.report_request(audit=audit, format=Report.Format.PDF,
                                               language=Report.Language.EN, user=request.user)
                queued += 1
            except AuditNotReportable:
                refused += 1
        reports_url = reverse("admin:reports_report_changelist")
        messages.info(request, format_html(
            'Queued {} PDF report(s); {} audit(s) not finished yet were skipped. '
            '<a href="{}">Reports</a>', queued, refused, reports_url))

    @admin.action(description="Export findings of selected audits as CSV")
    def export_findings_csv(self, request: HttpRequest, queryset: QuerySet[Audit]) -> HttpResponse:
        audits = list(queryset.select_related(None).only("id", "url").order_by("created_at"))
        return console.findings_csv_response(audits)

    @admin.action(description="Open the live progress page (one audit)")
    def open_progress_page(self, request: HttpRequest, queryset: QuerySet[Audit]) -> Any:
        if queryset.count() != 1:
            messages.warning(request, "Select exactly one audit to open its progress page.")
            return None
        url = console.progress_page_url(queryset.values_list("pk", flat=True).get())
        if url is None:
            messages.warning(request, "The progress pages are not installed.")
            return None
        return HttpResponseRedirect(url)


class _ReadOnlyAdmin(admin.ModelAdmin):
    """Crawl rows are written by the crawler only: staff browse them."""

    paginator = CappedCountPaginator
    show_full_result_count = False
    list_per_page = 100

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Page)
class PageAdmin(_ReadOnlyAdmin):
    list_display = ("url", "audit_link", "status", "depth", "indexable", "title", "inlinks",
                    "geo_score", "elapsed_ms")
    list_filter = (StatusClassFilter, "indexable", "in_sitemap")
    search_fields = ("url", "title")
    raw_id_fields = ("audit",)
    list_select_related = ("audit",)
    readonly_fields = ("findings_link", "facts_pretty")

    @admin.display(description="Audit", ordering="audit__created_at")
    def audit_link(self, obj: Page) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:audits_audit_change",
                                                          args=[obj.audit_id]),
                           f"{obj.audit.created_at:%Y-%m-%d %H:%M}")

    @admin.display(description="Findings")
    def findings_link(self, obj: Page) -> str:
        return format_html('<a href="{}">findings on this page</a>',
                           _changelist("finding", page__id__exact=obj.pk))

    @admin.display(description="Facts")
    def facts_pretty(self, obj: Page) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.facts, indent=2))


@admin.register(Link)
class LinkAdmin(_ReadOnlyAdmin):
    list_display = ("source_url", "target_url", "kind", "internal", "nofollow", "anchor")
    list_filter = ("kind", "internal", "nofollow")
    search_fields = ("target_url", "anchor")
    raw_id_fields = ("audit", "source")
    list_select_related = ("source",)

    @admin.display(description="Source", ordering="source__url")
    def source_url(self, obj: Link) -> str:
        return obj.source.url


@admin.register(Finding)
class FindingAdmin(_ReadOnlyAdmin):
    list_display = ("code", "severity", "category", "title", "page_url", "audit_link")
    #: ~200 check codes are too many for the sidebar: `?code=` (linked from each audit's
    #: "findings by check" table) and the search box filter by check.
    list_filter = ("severity", CategoryFilter)
    search_fields = ("code", "page__url")
    raw_id_fields = ("audit", "page")
    list_select_related = ("page", "audit")
    readonly_fields = ("title", "how_to_fix", "details_pretty")

    @admin.display(description="Title")
    def title(self, obj: Finding) -> str:
        check = REGISTRY.get(obj.code)
        return check.title if check else obj.code

    @admin.display(description="How to fix")
    def how_to_fix(self, obj: Finding) -> str:
        check = REGISTRY.get(obj.code)
        return check.fix if check else ""

    @admin.display(description="Page", ordering="page__url")
    def page_url(self, obj: Finding) -> str:
        return obj.page.url if obj.page_id else "(site-wide)"

    @admin.display(description="Audit", ordering="audit__created_at")
    def audit_link(self, obj: Finding) -> str:
        return format_html('<a href="{}">{}</a>', reverse("admin:audits_audit_change",
                                                          args=[obj.audit_id]), obj.audit.url)

    @admin.display(description="Details")
    def details_pretty(self, obj: Finding) -> str:
        return format_html("<pre>{}</pre>", json.dumps(obj.details, indent=2))
