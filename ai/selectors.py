"""Reads of AI content rows, always scoped to the caller (another user's row does not exist)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import AIContent


def ai_content_list_for_user(*, user: Any, audit_id: str | None = None,
                             kind: str | None = None) -> QuerySet[AIContent]:
    """The caller's content rows, newest first, optionally for one audit and/or kind."""
    qs = AIContent.objects.filter(created_by=user, audit__owner=user).select_related("page")
    if audit_id:
        qs = qs.filter(audit_id=audit_id)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-created_at")


def ai_content_get(*, user: Any, content_id: str) -> AIContent:
    """One of the caller's rows; AIContent.DoesNotExist (-> 404) for anyone else's."""
    return ai_content_list_for_user(user=user).get(pk=content_id)
