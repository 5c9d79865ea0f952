"""Rank tracking at scale: 10,000 keywords checked against a local fake SERP provider.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_ranks python bench/ranks.py
        [--keywords 10000] [--provider searxng|serpapi|serper|brave] [--depth 100]
        [--concurrency 32]

Needs PostgreSQL (a scratch database: the bench migrates it and creates, then deletes, its
own user, site and keywords). The fake provider (tests/keywords/fakes.py) runs in a process
of its own on 127.0.0.1. Prints checks/s, SERP requests/s, and verifies that every keyword
got exactly one check; a second run the same day must check nothing.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import time
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")
os.environ.setdefault("LOG_LEVEL", "WARNING")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(port: int, timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.5).close()
            return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the fake SERP server did not start")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--keywords", type=int, default=10_000)
    parser.add_argument("--provider", default="searxng")
    parser.add_argument("--depth", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        raise SystemExit("set DATABASE_URL to a scratch PostgreSQL database")

    import django

    django.setup()
    from django.conf import settings
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db.models import Count
    from django.utils import timezone

    from keywords.models import Keyword, RankCheck, TrackedSite
    from keywords.tracking import rank_track
    from tests.keywords.fakes import API_KEY

    call_command("migrate", verbosity=0)
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "tests.keywords.fakes", str(port)], cwd=REPO_DIR)
    user = None
    try:
        wait_for(port)
        base = f"http://127.0.0.1:{port}"
        settings.SERP_PROVIDER = args.provider
        settings.SERP_ALLOW_PRIVATE_NETWORKS = True  # the fake runs on loopback
        settings.SERP_SEARXNG_URL = base
        settings.SERP_SERPAPI_URL, settings.SERP_SERPAPI_KEY = f"{base}/search.json", API_KEY
        settings.SERP_SERPER_URL, settings.SERP_SERPER_KEY = f"{base}/serper/search", API_KEY
        settings.SERP_BRAVE_URL, settings.SERP_BRAVE_KEY = f"{base}/res/v1/web/search", API_KEY
        settings.SERP_DEPTH = args.depth
        settings.SERP_CONCURRENCY = args.concurrency

        user = get_user_model().objects.create(username=f"bench-ranks-{os.getpid()}")
        site = TrackedSite.objects.create(owner=user, url="https://www.site.example/", host="site.example")
        Keyword.objects.bulk_create([Keyword(site=site, phrase=f"bench keyword {i}")
                                     for i in range(args.keywords)], batch_size=2000)
        keywords = Keyword.objects.filter(site=site)

        started = time.perf_counter()
        result = rank_track(keywords=keywords)
        elapsed = time.perf_counter() - started
        today = timezone.now().date()
        per_keyword = (RankCheck.objects.filter(keyword__site=site, checked_on=today)
                       .values("keyword_id").annotate(n=Count("id")))
        counts = [row["n"] for row in per_keyword]
        exactly_one = len(counts) == args.keywords and all(n == 1 for n in counts)
        ranked = RankCheck.objects.filter(keyword__site=site, position__isnull=False).count()

        started2 = time.perf_counter()
        again = rank_track(keywords=keywords)
        elapsed2 = time.perf_counter() - started2

        page = {"searxng": 10, "serpapi": 10, "serper": 10, "brave": 20}[args.provider]
        requests = args.keywords * -(-args.depth // page)
        print(f"provider {args.provider}, depth {args.depth}, concurrency {args.concurrency}, "
              f"{os.cpu_count()} CPUs")
        print(f"keywords {args.keywords}: checked {result.checked}, failed {result.failed} "
              f"in {elapsed:.1f} s -> {result.checked / elapsed:.0f} checks/s "
              f"(~{requests / elapsed:.0f} SERP requests/s)")
        print(f"every keyword got exactly one check: {exactly_one} "
              f"({len(counts)} keywords with a check; {ranked} ranking in the top {args.depth})")
        print(f"second run the same day: checked {again.checked}, skipped {again.skipped} "
              f"in {elapsed2:.2f} s")
        return 0 if exactly_one and again.checked == 0 else 1
    finally:
        if user is not None:
            user.delete()
        server.terminate()
        server.wait(10)


if __name__ == "__main__":
    sys.exit(main())
