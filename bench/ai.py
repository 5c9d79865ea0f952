"""AI content benchmark: offline generator cost per page and kind, and the gateway's own
overhead (SDK + validation-free round trip, cache hit) against the local fake OpenAI server.

    DJANGO_SETTINGS_MODULE=seoaudit.settings .venv/bin/python bench/ai.py [--calls 200]

Talks only to a fake server it starts on 127.0.0.1. Prints figures; no assertions."""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
os.environ.setdefault("SEOAUDIT_QUIET_STARTUP", "1")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.core.cache import cache  # noqa: E402

from ai import gateway  # noqa: E402
from ai.generators import GENERATORS, PageContext  # noqa: E402
from ai.page_source import read_html  # noqa: E402
from tests.ai.fake_openai import Reply, fake_openai  # noqa: E402

PARAGRAPH = ("<h2>Section {i}: how does step {i} work?</h2><p>Step {i} takes {i} minutes and "
             "uses {n} grams of coffee. It extracts less acid than hot brewing does. Store the "
             "result for up to {i} days.</p><figure><img src='/img/step-{i}-photo.jpg'>"
             "<figcaption>Step {i} in a burr grinder</figcaption></figure>")


def synthetic_page(sections: int) -> PageContext:
    url = "https://bench.example/guide"
    html = "<html><body><main><h1>Cold brew guide</h1>" + "".join(
        PARAGRAPH.format(i=i, n=i * 7) for i in range(sections)) + "<p>Price $19.90.</p></main>"
    text, images, _ = read_html(html, url)
    return PageContext(url=url, title="Cold brew guide", description="", h1=("Cold brew guide",),
                       headings=tuple((2, f"Section {i}: how does step {i} work?")
                                      for i in range(sections)), text=text, images=images,
                       site_name="Bench", findings=("seo.geo.no_statistics",),
                       pages=tuple((f"{url}/{i}", f"Page {i}", "") for i in range(50)))


def bench_offline(repeat: int) -> None:
    ctx = synthetic_page(20)
    print(f"offline generators on a 20-section page ({len(ctx.text)} text chars), "
          f"best of {repeat}:")
    for kind, generator in GENERATORS.items():
        options = {"schema_type": "Product"} if kind == "json_ld" else {}
        times = []
        for _ in range(repeat):
            started = time.perf_counter()
            generator.offline(ctx, options)
            times.append((time.perf_counter() - started) * 1000)
        print(f"  {kind:<11} {min(times):7.3f} ms  (median {statistics.median(times):.3f})")


def bench_gateway(calls: int) -> None:
    with fake_openai() as server:
        server.default = lambda body: Reply({"title": "x" * 40, "meta_description": "y" * 120})
        settings.AI_BASE_URL, settings.AI_API_KEY = server.base_url, "bench"
        settings.AI_MAX_RETRIES = 0
        cache.clear()
        latencies = []
        for i in range(calls):
            started = time.perf_counter()
            gateway.chat(messages=[{"role": "user", "content": f"call {i}"}])
            latencies.append((time.perf_counter() - started) * 1000)
        hits = []
        for i in range(calls):
            started = time.perf_counter()
            assert gateway.chat(messages=[{"role": "user", "content": f"call {i}"}]).cached
            hits.append((time.perf_counter() - started) * 1000)
        cache.clear()
    latencies.sort()
    hits.sort()
    print(f"gateway round trip to the local fake server ({calls} calls, cache backend "
          f"{settings.CACHES['default']['BACKEND'].rsplit('.', 1)[-1]}):")
    print(f"  uncached p50 {latencies[len(latencies) // 2]:.2f} ms  p99 "
          f"{latencies[int(len(latencies) * 0.99) - 1]:.2f} ms  (first call {latencies[-1]:.0f} ms "
          "max, includes client setup)")
    print(f"  cache hit p50 {hits[len(hits) // 2]:.3f} ms  p99 {hits[int(len(hits) * 0.99) - 1]:.3f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--calls", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    bench_offline(args.repeat)
    bench_gateway(args.calls)


if __name__ == "__main__":
    main()
