"""`manage.py checks`: the check catalog (Markdown for docs/checks.md, JSON, or a text table)."""

from __future__ import annotations

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from audits.catalog import catalog, render_json, render_markdown, render_text

RENDERERS = {"markdown": render_markdown, "json": render_json, "text": render_text}


class Command(BaseCommand):
    help = ("List every registered check. --format markdown writes docs/checks.md "
            "(use --output - for stdout).")

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--format", choices=sorted(RENDERERS), default="text")
        parser.add_argument("--output", default=None,
                            help="file to write; '-' is stdout (default: docs/checks.md for "
                                 "markdown, stdout otherwise)")
        parser.add_argument("--category", default=None, help="only this category")

    def handle(self, *args: object, **opts: object) -> None:
        items = catalog()
        if opts["category"]:
            items = [c for c in items if c.category == opts["category"]]
        text = RENDERERS[str(opts["format"])](items)
        output = opts["output"]
        if output is None:
            output = str(Path(settings.BASE_DIR) / "docs" / "checks.md") \
                if opts["format"] == "markdown" else "-"
        if output == "-":
            self.stdout.write(text, ending="")
            return
        Path(str(output)).write_text(text, encoding="utf-8")
        self.stderr.write(f"wrote {len(items)} checks to {output}")
