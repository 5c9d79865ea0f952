"""The catalog command and docs/checks.md, generated from the registry."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

from django.conf import settings
from django.core.management import call_command

from audits.catalog import catalog, render_markdown
from audits.engine.checks.registry import REGISTRY


def test_docs_checks_md_is_current():
    committed = (Path(settings.BASE_DIR) / "docs" / "checks.md").read_text(encoding="utf-8")
    assert committed == render_markdown(catalog()), (
        "docs/checks.md is stale: run `manage.py checks --format markdown`")


def test_markdown_documents_every_check(tmp_path):
    target = tmp_path / "checks.md"
    call_command("checks", "--format", "markdown", "--output", str(target), stderr=StringIO())
    text = target.read_text()
    for code, check in REGISTRY.items():
        if code.startswith("engine."):
            continue
        assert f"`{code}`" in text
        assert check.reference in text


def test_json_and_category_filter():
    out = StringIO()
    call_command("checks", "--format", "json", "--category", "links", stdout=out)
    items = json.loads(out.getvalue())
    assert items and {item["category"] for item in items} == {"links"}
    assert {"code", "severity", "title", "why", "fix", "reference", "scope"} <= set(items[0])
