"""The check catalog rendered for people: Markdown for docs/checks.md, JSON for tools.

Generated from the registry only, so the documentation cannot drift from the code (a test
compares docs/checks.md with a fresh rendering)."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterable

from audits.engine import checks  # noqa: F401 - fills the registry
from audits.engine.checks.registry import CATEGORIES, REGISTRY, Check
from audits.engine.types import Severity

SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.NOTICE: 2}


def catalog(include_engine: bool = False) -> list[Check]:
    """Registered checks in a stable order: category (as listed), severity, code."""
    order = {name: i for i, name in enumerate(CATEGORIES)}
    found = [c for c in REGISTRY.values() if include_engine or not c.code.startswith("engine.")]
    return sorted(found, key=lambda c: (order.get(c.category, 99), SEVERITY_ORDER[c.severity],
                                        c.code))


def _cell(text: str) -> str:
    return " ".join(text.split()).replace("|", "\\|")


def render_markdown(items: Iterable[Check]) -> str:
    items = list(items)
    per_category = Counter(c.category for c in items)
    per_severity = Counter(c.severity for c in items)
    lines = [
        "# Check catalog",
        "",
        "Generated from the check registry by `manage.py checks --format markdown`; do not edit "
        "by hand. The API serves the same data at `GET /api/v1/checks`.",
        "",
        f"{len(items)} checks: " + ", ".join(f"{per_severity[s]} {s}" for s in Severity.ALL) + ".",
        "",
        "| category | checks |",
        "|---|---|",
    ]
    lines += [f"| {CATEGORIES[name]} | {per_category[name]} |" for name in CATEGORIES
              if per_category[name]]
    for name, label in CATEGORIES.items():
        group = [c for c in items if c.category == name]
        if not group:
            continue
        lines += ["", f"## {label}", ""]
        for check in group:
            scope = "site-wide analysis" if check.scope == "site" else "per page"
            lines += [
                f"### `{check.code}` — {_cell(check.title)}",
                "",
                f"*{check.severity}*{', informational (not scored)' if check.informational else ''}"
                f", {scope}. [Reference]({check.reference})",
                "",
                f"**Why it matters.** {_cell(check.why)}",
                "",
                f"**How to fix.** {_cell(check.fix)}",
                "",
            ]
    return "\n".join(lines).rstrip() + "\n"


def render_json(items: Iterable[Check]) -> str:
    return json.dumps([c.as_dict() for c in items], indent=2, ensure_ascii=False) + "\n"


def render_text(items: Iterable[Check]) -> str:
    return "".join(f"{c.severity:<8} {c.category:<16} {c.code:<44} {c.title}\n" for c in items)
