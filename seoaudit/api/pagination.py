"""Cursor pagination: stable pages while audits and findings are being written, and no
COUNT(*) or OFFSET scans on large tables."""

from __future__ import annotations

from typing import Any

from rest_framework.exceptions import NotFound, ValidationError
from rest_framework.pagination import CursorPagination


class CursorPage(CursorPagination):
    page_size = 50
    page_size_query_param = "page_size"
    max_page_size = 500
    ordering = "-created_at"

    def decode_cursor(self, request: Any) -> Any:
        try:
            return super().decode_cursor(request)
        except NotFound as exc:  # a bad cursor is a bad request, not a missing resource
            raise ValidationError({"cursor": ["Invalid cursor."]}, code="invalid_cursor") from exc


class IdCursorPage(CursorPage):
    """For rows without a timestamp (pages, links, findings): insertion order."""

    page_size = 100
    ordering = "id"
