"""Thin views: read through selectors, write through audits.services, render templates."""

from __future__ import annotations

import uuid

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from audits.engine.checks.registry import CATEGORIES
from audits.exceptions import AuditError, InvalidAuditOptions
from audits.models import Audit
from audits.progress import progress_snapshot
from audits.selectors import audit_score_breakdown, finding_summary
from audits.services import audit_submit
from reports.ai_fixes import ai_fixes_count, ai_fixes_section
from reports.exceptions import AuditNotReportable
from reports.http import DIRECT_FORMATS, direct_report_response
from reports.models import Report
from reports.page_speed import page_speed_section
from seoaudit.http_errors import error_response

from . import selectors
from .forms import AuditStartForm

#: Most audits one live-update poll may ask about: 40 ids keep the query string well under
#: the 2,048-character URL limit (SEOAUDIT_MAX_URL_LENGTH). static/js/progress.js sends at most
#: this many (the newest running audits: the list is newest first).
LIVE_POLL_MAX_IDS = 40
#: Pages in the progress page's page-speed table (the report lists more).
PAGE_SPEED_PAGES = 10
#: Fixes on the AI content page.
AI_FIXES_SHOWN = 100


def _audit_or_404(request: HttpRequest, audit_id: uuid.UUID) -> Audit:
    try:
        return selectors.audit_get_for_viewer(user=request.user, audit_id=audit_id)
    except Audit.DoesNotExist:
        raise Http404("No such audit.") from None


@login_required
@require_http_methods(["GET", "POST"])
def audit_list(request: HttpRequest) -> HttpResponse:
    """The user's audits (live status, progress, scores) and the start-an-audit form."""
    form = AuditStartForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            audit, _created = audit_submit(
                owner=request.user, url=form.cleaned_data["url"], options=form.audit_options(),
                idempotency_key=str(form.cleaned_data["idempotency_key"]))
        except AuditError as exc:
            field = "max_pages" if isinstance(exc, InvalidAuditOptions) else \
                "url" if exc.code == "invalid_url" else None
            form.add_error(field, str(exc))
        else:
            return redirect("dashboard:audit-detail", pk=audit.pk)
    audits = selectors.audit_list_recent(user=request.user)
    status = 400 if form.errors else 200
    return render(request, "dashboard/audit_list.html", {"form": form, "audits": audits},
                  status=status)


@never_cache
@login_required
@require_GET
def audit_detail(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The live progress page of one audit (owner or staff; anyone else gets a 404)."""
    audit = _audit_or_404(request, pk)
    return render(request, "dashboard/audit_detail.html",
                  {"audit": audit, "snapshot": progress_snapshot(audit),
                   "pagespeed": page_speed_section(audit=audit, max_pages=PAGE_SPEED_PAGES),
                   "ai_fixes_count": ai_fixes_count(audit=audit)})


@never_cache
@login_required
@require_GET
def audit_page_speed(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The progress page's page-speed card alone (HTML fragment; 204 without page-speed
    data): progress.js loads it when the audit it watches completes."""
    audit = _audit_or_404(request, pk)
    pagespeed = page_speed_section(audit=audit, max_pages=PAGE_SPEED_PAGES)
    if pagespeed is None:
        return HttpResponse(status=204)
    return render(request, "dashboard/_page_speed.html", {"pagespeed": pagespeed})


@login_required
@require_GET
def audit_ai_content(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """The audit's AI-generated fixes (newest done draft per page and kind), escaped."""
    audit = _audit_or_404(request, pk)
    return render(request, "dashboard/audit_ai_content.html",
                  {"audit": audit, "ai_fixes": ai_fixes_section(audit=audit,
                                                                max_fixes=AI_FIXES_SHOWN)})


@login_required
@require_GET
def audit_report(request: HttpRequest, pk: uuid.UUID, fmt: str) -> HttpResponse:
    """A finished audit's report (HTML, CSV, Markdown, JSON, JUnit) for the signed-in viewer,
    in `?lang=en|es`; the same renderers as `GET /api/v1/audits/{id}/report.{fmt}`."""
    audit = _audit_or_404(request, pk)
    language = request.GET.get("lang", Report.Language.EN)
    if fmt not in DIRECT_FORMATS or language not in Report.Language.values:
        raise Http404("No such report format or language.")
    try:
        return direct_report_response(audit=audit, fmt=fmt, language=language)
    except AuditNotReportable as exc:
        return HttpResponse(f"No report yet: {exc}", status=409, content_type="text/plain")


@login_required
@require_GET
def audit_findings(request: HttpRequest, pk: uuid.UUID) -> HttpResponse:
    """Findings of one audit grouped by check, most severe first, and the score by category."""
    audit = _audit_or_404(request, pk)
    breakdown = audit_score_breakdown(audit=audit)
    categories = [{"name": CATEGORIES.get(code, code), **values} for code, values
                  in sorted(((breakdown["seo"] or {}).get("categories") or {}).items())]
    return render(request, "dashboard/audit_findings.html",
                  {"audit": audit, "groups": finding_summary(audit=audit), "categories": categories})


@never_cache
@require_GET
def audit_live(request: HttpRequest) -> HttpResponse:
    """Snapshots of the listed audits (`?id=...&id=...`; those the caller may watch): what
    the audit list polls while some of its audits run, and the progress page's fallback when
    its event stream cannot be opened."""
    if not request.user.is_authenticated:
        return error_response(401, "not_authenticated", "Sign in first.")
    ids = request.GET.getlist("id")
    if len(ids) > LIVE_POLL_MAX_IDS:
        return error_response(400, "too_many_ids", f"At most {LIVE_POLL_MAX_IDS} ids per request.")
    try:
        ids = [str(uuid.UUID(value)) for value in ids]
    except ValueError:
        return error_response(400, "invalid_id", "Every id must be an audit id (a UUID).")
    audits = selectors.audit_list_by_ids(user=request.user, audit_ids=ids)
    return JsonResponse({"audits": [progress_snapshot(audit) for audit in audits]})


# A list tab polls every 3 s (20 a minute): count the polls in the audits API's rate-limit class
# (per address) rather than the default one, so a few people behind one address are not refused.
audit_live.throttle_scope = "audits"  # type: ignore[attr-defined]
