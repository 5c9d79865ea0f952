"""Reads of page-speed measurements, always scoped to the caller (another user's row does not
exist for them)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from .models import Measurement


def measurement_list_for_user(*, user: Any) -> QuerySet[Measurement]:
    """The caller's measurements, newest first (the API filters by URL, audit, source)."""
    return Measurement.objects.filter(owner=user).order_by("-created_at", "form_factor")
