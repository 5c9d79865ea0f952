"""`python manage.py track_ranks [--site ID|HOST ...] [--keyword ID ...]` for cron.

Checks every active keyword (or those of the given sites / the given keywords) that has no
check today, printing one line per keyword. Exit status: 0 all done, 1 some searches failed,
2 no SERP provider configured (or a bad argument).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from keywords.models import Keyword, RankCheck
from keywords.providers import ProviderNotConfigured, SerpError, provider_from_settings
from keywords.selectors import site_match
from keywords.tracking import rank_track


class Command(BaseCommand):
    help = "Check today's search positions of tracked keywords (idempotent per day)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--site", action="append", default=[],
                            help="tracked site id or host (repeatable)")
        parser.add_argument("--keyword", action="append", default=[], type=int,
                            help="keyword id (repeatable)")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            provider = provider_from_settings()
        except ProviderNotConfigured as exc:
            self.stderr.write(self.style.ERROR(str(exc)))
            sys.exit(2)
        keywords = Keyword.objects.all()
        if options["site"]:
            keywords = keywords.filter(site_match(options["site"]))
        if options["keyword"]:
            keywords = keywords.filter(pk__in=options["keyword"])
        if (options["site"] or options["keyword"]) and not keywords.exists():
            raise CommandError("no tracked keyword matches --site/--keyword")
        self.stdout.write(f"Tracking with {provider.name}: {keywords.count()} keywords")

        def progress(keyword: Keyword, check: RankCheck | None, error: SerpError | None,
                     done: int, total: int) -> None:
            if error is not None:
                outcome = self.style.ERROR(f"failed: {error}")
            elif check is None or check.position is None:
                outcome = f"not in top {check.depth if check else '?'}"
            else:
                outcome = f"#{check.position} {check.ranking_url}"
            self.stdout.write(f"[{done}/{total}] {keyword.site.host} {keyword.phrase!r}: {outcome}")

        result = rank_track(keywords=keywords, provider=provider, on_progress=progress)
        self.stdout.write(f"checked {result.checked}, already checked today {result.skipped}, "
                          f"failed {result.failed}")
        if result.failed:
            sys.exit(1)
