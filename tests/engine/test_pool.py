"""The parse pool: results match inline analysis, worker crashes cost only their pages."""

from __future__ import annotations

import asyncio
import os
import signal

from audits.engine.analyze import analyze_page
from audits.engine.pool import ParsePool
from audits.engine.types import CrawlOptions, FetchResult
from tests.sites import html

OPTIONS = CrawlOptions(start_url="https://example.com/")


def fetch(i: int) -> FetchResult:
    body = html(f"Page number {i} of the pool test site",
                f'<p>text {i}</p><a href="/p{i + 1}">next</a>').encode()
    url = f"https://example.com/p{i}"
    return FetchResult(url, url, 200, body=body, content_type="text/html; charset=utf-8")


async def analyze_all(pool: ParsePool, count: int):
    return await asyncio.gather(*(pool.analyze(fetch(i), depth=1, found_on="", in_sitemap=False)
                                  for i in range(count)))


def test_pool_results_equal_inline_analysis():
    async def main():
        pool = ParsePool(2, OPTIONS, "example.com")
        try:
            return await analyze_all(pool, 40)
        finally:
            pool.shutdown()

    pooled = asyncio.run(main())
    for i, result in enumerate(pooled):
        inline = analyze_page(fetch(i), depth=1, found_on="", in_sitemap=False,
                              robots_allowed=True, options=OPTIONS, start_host="example.com")
        assert result == inline


def test_a_dead_worker_costs_only_its_pages_and_is_replaced():
    async def main():
        pool = ParsePool(1, OPTIONS, "example.com")
        try:
            first = await analyze_all(pool, 3)
            victim = pool._workers[0].process
            os.kill(victim.pid, signal.SIGKILL)
            victim.join(5)
            after_crash = await analyze_all(pool, 4)
            replacement = pool._workers[0].process
            later = await analyze_all(pool, 3)
            return first, after_crash, later, victim, replacement
        finally:
            pool.shutdown()

    first, after_crash, later, victim, replacement = asyncio.run(main())
    assert all(r.facts is not None for r in first)
    assert replacement is not victim and not victim.is_alive()
    # Every page still gets a result; those the dead worker held say why they have no facts.
    assert len(after_crash) == 4
    crashed = [r for r in after_crash if r.facts is None]
    assert all(any(f.code == "engine.check_error" for f in r.findings) for r in crashed)
    assert all(r.facts is not None for r in later)


def test_shutdown_stops_every_worker():
    async def main():
        pool = ParsePool(2, OPTIONS, "example.com")
        await analyze_all(pool, 2)
        processes = [w.process for w in pool._workers]
        pool.shutdown()
        return processes

    for process in asyncio.run(main()):
        assert not process.is_alive()
