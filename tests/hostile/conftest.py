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


def crawl_in_subprocess(url: str, *, env: dict[str, str] | None = None, timeout: float = 120,
                        **options: object) -> dict:
    """Crawl in a fresh interpreter (tests/hostile/runner.py): its own memory, its own
    trust store. Loopback-test defaults as in `crawl`."""
    import dataclasses
    import json
    import os
    import subprocess
    import sys
    from pathlib import Path

    fields = dataclasses.asdict(crawl_options(url, **{"check_resources": False,
                                                      "max_pages": 200, **options}))
    fields = {k: list(v) if isinstance(v, tuple) else v for k, v in fields.items()}
    root = Path(__file__).resolve().parents[2]
    child_env = {**os.environ, "PYTHONPATH": str(root), **(env or {})}
    proc = subprocess.run([sys.executable, "-m", "tests.hostile.runner", json.dumps(fields)],
                          cwd=root, env=child_env, capture_output=True, text=True,
                          timeout=timeout, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout.strip().splitlines()[-1])
