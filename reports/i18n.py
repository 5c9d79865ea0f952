"""Translated texts of the check catalog for reports.

The registry (audits/engine/checks) is the one English source; per-language texts live in
locale/<lang>/checks.json keyed by check code (title, fix), category and GEO component, so a
check's wording is translated once for every report format. A missing entry falls back to
English. Template and sentence strings use Django's gettext (locale/<lang>/LC_MESSAGES).
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.utils import translation

from audits.engine.checks.registry import CATEGORIES, GEO_COMPONENTS, Check


@lru_cache(maxsize=8)
def _texts(language: str) -> dict[str, Any]:
    for base in settings.LOCALE_PATHS:
        path = base / language / "checks.json"
        if path.exists():
            return json.loads(path.read_text(encoding="utf-8"))
    return {}


def _language() -> str:
    return (translation.get_language() or "en").split("-")[0]


def check_text(check: Check, field: str) -> str:
    """`check.<field>` ("title", "why" or "fix") in the active language."""
    entry = _texts(_language()).get("checks", {}).get(check.code, {})
    return entry.get(field) or getattr(check, field)


def category_label(key: str) -> str:
    return _texts(_language()).get("categories", {}).get(key) or CATEGORIES.get(key, key)


def component_label(key: str) -> str:
    return _texts(_language()).get("components", {}).get(key) or GEO_COMPONENTS.get(key, key)


def title_for_code(code: str) -> str:
    """A finding's title by code in the active language (the code itself when unknown)."""
    from audits.engine.checks.registry import REGISTRY

    check = REGISTRY.get(code)
    return check_text(check, "title") if check else code
