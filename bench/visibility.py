"""AI visibility at scale: answer analysis speed, tracking throughput, budget contention,
metrics over many runs.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_visibility python bench/visibility.py
        [--prompts 2000] [--engines 2] [--threads 8] [--metrics-days 90]

Needs PostgreSQL (a scratch database: the bench migrates it and creates, then deletes, its own
users, site and prompts). Engine calls are answered in-process by a recorded-answer engine (the
fixtures of tests/visibility), so the figures are our own cost per run — analysis, claim,
budget reservation, storage, change detection — not a provider's latency. Prints:

- analysis: µs per answer for each recorded fixture (pure Python);
- tracking: runs/s of `prompts_track` for prompts x engines, then a second run the same day
  (must ask nothing);
- budget: N threads racing to reserve 10 × limit runs for one owner: granted must equal the
  limit exactly (no overspend), reservations/s;
- metrics: ms for the site metrics endpoint's selector over `--metrics-days` days of runs.
"""

from __future__ import annotations

import argparse
import os
import sys
import threading
import time
from datetime import date, timedelta
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--prompts", type=int, default=2000)
    parser.add_argument("--engines", type=int, default=2)
    parser.add_argument("--threads", type=int, default=8)
    parser.add_argument("--metrics-days", type=int, default=90)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a scratch PostgreSQL database")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection

    from keywords import services as keyword_services
    from tests.visibility.conftest import FIXTURES, RecordedEngine, answer_from, load_fixture
    from visibility import engine_access, selectors, services, tracking
    from visibility.analysis import CitationIn, Entity, analyse_answer, competitor_entities
    from visibility.budget import budget_reserve
    from visibility.models import AnswerRun, TrackedPrompt

    call_command("migrate", verbosity=0)

    print("analysis (pure Python, best of 5 x 200):")
    for path in sorted(FIXTURES.glob("*.json")):
        data = load_fixture(path.name)
        answer = data["answer"]
        citations = [CitationIn(c["url"], c.get("title", ""), c.get("position", 0), c.get("domain", ""))
                     for c in answer["citations"]]
        brand = Entity(data["brand"]["name"], tuple(data["brand"]["variants"]),
                       tuple(data["brand"]["domains"]))
        competitors = competitor_entities(data["competitors"])
        best = float("inf")
        for _ in range(5):
            start = time.perf_counter()
            for _ in range(200):
                analyse_answer(text=answer["text"], citations=citations, brand=brand,
                               site_domains=data["site_domains"], competitors=competitors)
            best = min(best, (time.perf_counter() - start) / 200)
        print(f"  {path.stem:36s} {len(answer['text']):5d} chars  {best * 1e6:8.1f} µs/answer")
    long_text = load_fixture("openai_brand_cited.json")["answer"]["text"] * 20
    start = time.perf_counter()
    analyse_answer(text=long_text, citations=[], brand=Entity("Acme Cloud"), site_domains=["acme-cloud.com"],
                   competitors=[Entity(f"Competitor {i}", (), (f"c{i}.example",)) for i in range(20)])
    print(f"  {len(long_text)}-char answer, 20 competitors: {(time.perf_counter() - start) * 1e3:.1f} ms")

    user_model = get_user_model()
    user = user_model.objects.create(username=f"bench-visibility-{os.getpid()}")
    racer = user_model.objects.create(username=f"bench-visibility-race-{os.getpid()}")
    try:
        names = ["openai", "perplexity", "gemini", "openai_compatible"][:args.engines]
        default = answer_from(load_fixture("openai_brand_cited.json")["answer"])
        items = [RecordedEngine(n, default) for n in names]
        from types import SimpleNamespace

        registry = SimpleNamespace(configured_engines=lambda: items,
                                   get_engine=lambda n: next(e for e in items if e.name == n),
                                   not_configured_message=lambda: "")
        engine_access._registry = lambda: registry  # in-process engines, see the docstring
        settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = args.prompts * args.engines * 2
        site = keyword_services.site_create(owner=user, url="https://www.acme-cloud.com/")
        services.brand_update(site=site, brand_name="Acme Cloud")
        competitors = [{"name": "Globex", "variants": ["Globex Data"], "domains": ["globex.io"]},
                       {"name": "Cloud Corp", "variants": [], "domains": ["cloudcorp.com"]}]
        TrackedPrompt.objects.bulk_create([TrackedPrompt(site=site, question=f"question {i}",
                                                         competitors=competitors)
                                           for i in range(args.prompts)])
        prompts = TrackedPrompt.objects.filter(site=site)
        start = time.perf_counter()
        result = tracking.prompts_track(prompts=prompts, engines=names)
        elapsed = time.perf_counter() - start
        runs = args.prompts * args.engines
        asked = sum(len(e.asked) for e in items)
        print(f"tracking: {runs} runs ({args.prompts} prompts x {args.engines} engines) in {elapsed:.1f} s = "
              f"{result.ran / elapsed:.0f} runs/s, {elapsed / runs * 1e3:.2f} ms/run; ok {result.ran}, "
              f"engine calls {asked}")
        start = time.perf_counter()
        again = tracking.prompts_track(prompts=prompts, engines=names)
        print(f"  second run the same day: ran {again.ran}, already asked {again.existing}, "
              f"engine calls {sum(len(e.asked) for e in items) - asked}, {time.perf_counter() - start:.2f} s")

        limit = 200
        settings.AI_VISIBILITY_MAX_RUNS_PER_DAY = limit
        day = date(2031, 1, 1)
        granted: list[bool] = []
        lock = threading.Lock()
        tries = 10 * limit // args.threads

        def race() -> None:
            mine = [budget_reserve(owner_id=racer.pk, day=day) for _ in range(tries)]
            with lock:
                granted.extend(mine)
            connection.close()

        threads = [threading.Thread(target=race) for _ in range(args.threads)]
        start = time.perf_counter()
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - start
        print(f"budget: {args.threads} threads, {len(granted)} reservations for a limit of {limit}: "
              f"granted {granted.count(True)} (must be {limit}), {len(granted) / elapsed:.0f} reservations/s")

        rows = []
        first = date.today() - timedelta(days=args.metrics_days)
        sample = list(prompts.values_list("pk", flat=True)[:200])
        for offset in range(args.metrics_days):
            for i, pk in enumerate(sample):
                for name in names:
                    rows.append(AnswerRun(prompt_id=pk, engine=name, run_on=first + timedelta(days=offset),
                                          status="ok", brand_mentioned=(i + offset) % 3 != 0,
                                          cited=(i + offset) % 4 == 0, cited_position=2,
                                          competitors_mentioned=["Globex"] if i % 2 else []))
        AnswerRun.objects.bulk_create(rows, batch_size=5000)
        with connection.cursor() as cursor:  # what autovacuum does after a bulk load
            cursor.execute("VACUUM ANALYZE visibility_answerrun")
        period = selectors.Period.of(first, date.today())
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            out = selectors.visibility_metrics(runs=selectors.site_runs(site=site), period=period)
            best = min(best, time.perf_counter() - start)
        print(f"metrics: {out['totals']['runs']} runs over {args.metrics_days} days, site metrics with "
              f"winners/losers in {best * 1e3:.0f} ms (best of 3)")
    finally:
        TrackedPrompt.objects.filter(site__owner=user).delete()
        user.delete()
        racer.delete()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
