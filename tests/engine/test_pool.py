"""The parse pool: results match inline analysis, worker crashes cost only their pages."""

from __future__ import annotations

import asyncio
import os
import pickle
import signal
from dataclasses import replace

import pytest

from audits.engine.analyze import analyze_page
from audits.engine.pool import ParsePool
from audits.engine.types import CrawlOptions, FetchResult, LinkFact
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


def test_link_table_sends_a_repeated_link_once_and_rebuilds_equal_results():
    from audits.engine.pool import _LinkReceiver, _LinkSender

    results = [analyze_page(fetch(i), depth=1, found_on="", in_sitemap=False, robots_allowed=True,
                            options=OPTIONS, start_host="example.com") for i in range(3)]
    shared = results[0].facts.links[0]
    # The same LinkFact object on every page, as the worker's link cache hands it out.
    pages = [replace(r, facts=replace(r.facts, links=(shared, *r.facts.links))) for r in results]
    sender, receiver = _LinkSender(), _LinkReceiver()
    sent = [sender.dumps(page) for page in pages]
    assert len(sent[2]) < len(pickle.dumps(pages[2], pickle.HIGHEST_PROTOCOL))
    received = [receiver.loads(data) for data in sent]
    assert received == pages
    assert received[1].facts.links[0] is received[2].facts.links[0]


def test_link_table_starts_afresh_when_full(monkeypatch):
    from audits.engine import pool as pool_module

    monkeypatch.setattr(pool_module, "LINK_TABLE_SIZE", 2)
    links = [LinkFact(f"https://example.com/{i}", f"/{i}") for i in range(5)]
    sender, receiver = pool_module._LinkSender(), pool_module._LinkReceiver()
    for batch in (links[:3], links[1:], links, links[::-1]):
        assert receiver.loads(sender.dumps(tuple(batch))) == tuple(batch)


def test_a_result_read_out_of_step_is_refused():
    from audits.engine.pool import _LinkReceiver, _LinkSender

    link = LinkFact("https://example.com/a", "/a")
    sender = _LinkSender()
    sender.dumps((link,))
    with pytest.raises(pickle.UnpicklingError):
        _LinkReceiver().loads(sender.dumps((link,)))  # refers to a link this side never saw
    with pytest.raises(pickle.UnpicklingError):
        pickle.loads(sender.dumps((link,)))  # a plain unpickler has no link table


def test_an_unreadable_result_replaces_the_worker_and_the_page_still_gets_a_result(monkeypatch):
    from audits.engine.pool import _LinkReceiver

    def garbled(self, data):
        raise pickle.UnpicklingError("garbled")

    async def main():
        pool = ParsePool(1, OPTIONS, "example.com")
        try:
            first = pool._workers[0].process
            with monkeypatch.context() as patch:
                patch.setattr(_LinkReceiver, "loads", garbled)
                broken = await analyze_all(pool, 2)
            return first, broken, pool._workers[0].process, await analyze_all(pool, 2)
        finally:
            pool.shutdown()

    first, broken, replacement, later = asyncio.run(main())
    assert replacement is not first
    assert all(any(f.code == "engine.check_error" for f in r.findings) for r in broken)
    assert all(r.facts is not None for r in later)
