"""`manage.py report AUDIT_ID --format pdf --lang es --out FILE`: write any report format of a
saved audit (`manage.py audit URL` prints the audit id)."""

from __future__ import annotations

import sys
from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser

from audits.models import Audit
from reports import services
from reports.exceptions import ReportError
from reports.models import Report


class Command(BaseCommand):
    help = "Write a report (pdf, html, csv, pages_csv, json, junit, md) of a saved audit."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("audit_id")
        parser.add_argument("--format", "-f", choices=list(Report.Format.values), default="pdf")
        parser.add_argument("--lang", choices=list(Report.Language.values), default="en")
        parser.add_argument("--out", "-o", default=None,
                            help="write to FILE (default: stdout; a PDF needs --out)")

    def handle(self, *args: Any, **opts: Any) -> None:
        try:
            audit = Audit.objects.get(pk=opts["audit_id"])
        except (Audit.DoesNotExist, ValidationError, ValueError) as exc:
            raise CommandError(f"no audit {opts['audit_id']!r}", returncode=2) from exc
        try:
            services.audit_require_reportable(audit)
        except ReportError as exc:
            raise CommandError(str(exc), returncode=2) from exc
        if opts["out"] in (None, "-"):
            if opts["format"] == Report.Format.PDF and sys.stdout.isatty():
                raise CommandError("a PDF goes to a file: add --out FILE", returncode=2)
            services.report_write(audit=audit, format=opts["format"], language=opts["lang"],
                                  stream=sys.stdout.buffer)
            sys.stdout.flush()
            return
        with open(opts["out"], "wb") as stream:
            size = services.report_write(audit=audit, format=opts["format"],
                                         language=opts["lang"], stream=stream)
        self.stderr.write(f"wrote {opts['out']} ({size} bytes)")
