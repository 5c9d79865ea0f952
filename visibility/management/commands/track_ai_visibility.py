"""`python manage.py track_ai_visibility [--site ID|HOST ...] [--prompt ID ...] [--engine NAME ...]
[--dry-run]` for cron.

Asks every active prompt (or those of the given sites / the given prompts) on every
configured engine (or the given ones) that has not been asked today, printing one line per
run. Exit status: 0 all done, 1 some runs failed or were skipped (budget), 2 no engine
configured (or a bad argument).
"""

from __future__ import annotations

import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from keywords.selectors import site_match
from visibility.engine_access import EngineNotConfigured, engine_names
from visibility.models import AnswerRun, TrackedPrompt
from visibility.tracking import pairs_pending, prompts_track


class Command(BaseCommand):
    help = "Ask tracked prompts to the configured answer engines (idempotent per day)."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--site", action="append", default=[],
                            help="tracked site id or host (repeatable)")
        parser.add_argument("--prompt", action="append", default=[], type=int,
                            help="prompt id (repeatable)")
        parser.add_argument("--engine", action="append", default=[],
                            help="engine name (repeatable; default: every configured engine)")
        parser.add_argument("--dry-run", action="store_true",
                            help="list what would be asked, call nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            configured = engine_names()
        except EngineNotConfigured as exc:
            self.stderr.write(self.style.ERROR(str(exc)))
            sys.exit(2)
        engines = options["engine"] or list(configured)
        unknown = sorted(set(engines) - set(configured))
        if unknown:
            raise CommandError(f"not configured: {', '.join(unknown)} (configured: {', '.join(configured)})")
        prompts = TrackedPrompt.objects.all()
        if options["site"]:
            prompts = prompts.filter(site_match(options["site"]))
        if options["prompt"]:
            prompts = prompts.filter(pk__in=options["prompt"])
        if (options["site"] or options["prompt"]) and not prompts.exists():
            raise CommandError("no tracked prompt matches --site/--prompt")
        if options["dry_run"]:
            pairs, over_budget = pairs_pending(prompts, engines, day=timezone.now().date())
            for prompt, engine in pairs:
                self.stdout.write(f"would ask {engine}: {prompt.site.host} {prompt.question!r}")
            self.stdout.write(f"{len(pairs)} runs due, {len(over_budget)} over budget "
                              "(dry run, nothing asked)")
            return
        self.stdout.write(f"Asking {', '.join(engines)}: {prompts.filter(active=True).count()} prompts")

        def progress(prompt: TrackedPrompt, engine: str, run: AnswerRun, done: int, total: int) -> None:
            if run.status == AnswerRun.Status.OK:
                outcome = (("mentioned" if run.brand_mentioned else "not mentioned") + ", "
                           + (f"cited #{run.cited_position}" if run.cited else "not cited"))
            elif run.status == AnswerRun.Status.RUNNING:
                outcome = "being asked by another worker"
            else:
                outcome = self.style.ERROR(f"{run.status}: {run.error}")
            self.stdout.write(f"[{done}/{total}] {engine} {prompt.site.host} {prompt.question!r}: {outcome}")

        result = prompts_track(prompts=prompts, engines=engines, on_progress=progress)
        self.stdout.write(f"ran {result.ran}, already asked today {result.existing}, "
                          f"failed {result.failed}, skipped {result.skipped}")
        if result.failed or result.skipped:
            sys.exit(1)
