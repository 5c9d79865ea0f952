from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from audits.engine.crawler import CrawlRun, CrawlSummary
from audits.engine.types import CrawlOptions, PageResult
from tests.conftest import crawl_options

from .server import HostileServer, Route


@dataclass
class Crawled:
    """One finished crawl: its pages by URL path, its summary and what it cost."""

    pages: dict[str, PageResult]
    summary: CrawlSummary
    seconds: float
    run: CrawlRun
    findings: dict[str, set[str]] = field(default_factory=dict)

    def codes(self, path: str) -> set[str]:
        return {f.code for f in self.pages[path].findings}

    def site_codes(self) -> set[str]:
        return {f.code for f in self.summary.site_findings}


def crawl(url: str, **options: object) -> Crawled:
    """Run a whole crawl through the engine (CrawlRun: event loop thread, bounded hand-off)."""
    defaults: dict[str, object] = {"check_resources": False, "max_pages": 200}
    defaults.update(options)
    run = CrawlRun(crawl_options(url, **defaults))
    started = time.monotonic()
    pages: dict[str, PageResult] = {}
    base = url.split("/", 3)
    prefix = "/".join(base[:3])
    for result in run:
        pages[result.url.removeprefix(prefix) or "/"] = result
    assert run.summary is not None
    return Crawled(pages, run.summary, time.monotonic() - started, run)


def hang_guard(options: CrawlOptions, *, pages: int, slack: float = 30.0) -> float:
    """The wall-clock bound a crawl must end within: every page taking its full total
    timeout, `per_host_concurrency` at a time, plus `slack` seconds. A hang guard, not a
    performance assertion."""
    waves = -(-pages // max(1, options.per_host_concurrency))
    return waves * options.total_timeout + slack


@pytest.fixture
def serve() -> Callable[..., HostileServer]:
    """Start a HostileServer for the test (stopped at teardown)."""
    servers: list[HostileServer] = []

    def start(routes: dict[str, Route], **kwargs: object) -> HostileServer:
        server = HostileServer(routes, **kwargs).start()  # type: ignore[arg-type]
        servers.append(server)
        return server

    yield start
    for server in servers:
        server.stop()
