"""Report reads: owner-scoped, so another user's report does not exist for the caller."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Report


def report_list_for_user(*, user: Any) -> QuerySet[Report]:
    return Report.objects.filter(audit__owner=user).select_related("audit")


def report_get_for_user(*, user: Any, report_id: Any) -> Report:
    """Report.DoesNotExist (-> 404) for a report of another user's audit."""
    return report_list_for_user(user=user).get(pk=report_id)


def report_list_for_audit(*, audit: Any) -> QuerySet[Report]:
    return Report.objects.filter(audit=audit).order_by("-created_at")
