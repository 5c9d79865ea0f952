from __future__ import annotations

import json
from pathlib import Path

from django.utils import translation

from audits.catalog import catalog
from audits.engine.checks.registry import CATEGORIES, GEO_COMPONENTS, REGISTRY
from reports.i18n import category_label, check_text, component_label

CHECKS_ES = Path(__file__).resolve().parents[2] / "locale" / "es" / "checks.json"


def test_every_check_has_spanish_texts():
    """A new check needs its Spanish title, why and how-to-fix in locale/es/checks.json (the
    report falls back to English, but a Spanish client report should not mix languages)."""
    texts = json.loads(CHECKS_ES.read_text(encoding="utf-8"))
    missing = [(c.code, field) for c in catalog(include_engine=True)
               for field in ("title", "why", "fix")
               if not texts["checks"].get(c.code, {}).get(field)]
    assert missing == []
    assert set(texts["checks"]) <= set(REGISTRY), "translations of checks that no longer exist"
    assert set(texts["categories"]) == set(CATEGORIES)
    assert set(texts["components"]) == set(GEO_COMPONENTS)


def test_lookup_follows_the_active_language():
    check = REGISTRY["seo.title.missing"]
    with translation.override("es"):
        assert check_text(check, "title") == "Falta la etiqueta de título"
        assert check_text(check, "fix").startswith("Añada un <title>")
        assert category_label("links") == "Enlaces"
        assert component_label("citability") == "Citabilidad del contenido"
    with translation.override("en"):
        assert check_text(check, "title") == check.title
        assert category_label("links") == CATEGORIES["links"]
