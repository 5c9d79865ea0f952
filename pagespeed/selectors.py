"""Reads of page-speed measurements, always scoped to the caller (another user's row does not
exist for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Measurement


def measurement_list_for_user(*, user: Any, url: str | None = None, audit_id: str | None = None,
                              source: str | None = None) -> QuerySet[Measurement]:
    """The caller's measurements, newest first; optionally of one URL (exact), audit or
    source."""
    qs = Measurement.objects.filter(owner=user)
    if url:
        qs = qs.filter(url=url)
    if audit_id:
        qs = qs.filter(audit_id=audit_id)
    if source:
        qs = qs.filter(source=source)
    return qs.order_by("-created_at", "form_factor")


def measurement_get(*, user: Any, measurement_id: str) -> Measurement:
    """One of the caller's measurements; Measurement.DoesNotExist (-> 404) for anyone else's."""
    return measurement_list_for_user(user=user).get(pk=measurement_id)
