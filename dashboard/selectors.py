"""Reads for the progress pages."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from audits.models import Audit
from audits.selectors import audit_list_for_user

#: Audits shown on the list page (newest first).
AUDIT_LIST_LIMIT = 50


def _viewable(user: Any) -> QuerySet[Audit]:
    """Audits `user` may watch: their own; staff may watch every audit."""
    return Audit.objects.all() if user.is_staff else Audit.objects.filter(owner=user)


def audit_get_for_viewer(*, user: Any, audit_id: Any) -> Audit:
    """The audit if `user` may watch it (owner or staff). Anyone else gets
    Audit.DoesNotExist (-> 404), as if it did not exist."""
    return _viewable(user).select_related("owner").get(pk=audit_id)


def audit_list_recent(*, user: Any) -> QuerySet[Audit]:
    """The user's newest audits for the list page."""
    return audit_list_for_user(user=user).order_by("-created_at")[:AUDIT_LIST_LIMIT]


def audit_list_by_ids(*, user: Any, audit_ids: list[str]) -> list[Audit]:
    """The audits among `audit_ids` that `user` may watch (others and unknown ids are left out)."""
    return list(_viewable(user).filter(pk__in=audit_ids))
