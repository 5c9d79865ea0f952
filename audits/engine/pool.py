"""Parse worker processes fed over pipes and read by the event loop itself.

`concurrent.futures.ProcessPoolExecutor` costs the crawling process two helper threads (a
queue feeder and a result manager), a thread hand-off per page in each direction and the crawl
options pickled with every call; on a 2-core machine that overhead was a quarter of the
crawling process's CPU. Here each worker owns one duplex pipe: the event loop writes a pickled
job, `loop.add_reader` wakes it when the result is ready, and the options travel once, when
the worker starts.

A worker that dies (a parser crash on a hostile page, the OOM killer) costs only the pages it
held: they come back as results without parsed facts and an `engine.check_error` finding, and
a fresh worker takes its place.

Results carry ~65 `LinkFact`s a page, and most of them were on an earlier page too (navigation,
links between articles): the worker's link cache hands out the same immutable object each time.
Each pipe therefore keeps a link table: a LinkFact goes over once, with a number, and later pages
send only the number (`_LinkSender` / `_LinkReceiver`). That halves the result's pickling in the
worker and its unpickling in the crawling process, which also builds new LinkFacts without the
dataclass __init__ (`hrefs.new_link_fact`).
"""

from __future__ import annotations

import asyncio
import contextlib
import copyreg
import io
import itertools
import multiprocessing
import pickle
import queue
import sys
import threading
import time
from dataclasses import replace
from multiprocessing.connection import Connection
from typing import Any

import structlog

from .analyze import analyze_page, warm_up
from .hrefs import new_link_fact
from .types import CrawlOptions, FetchResult, Finding, LinkFact, PageResult
from .urls import CACHED_URL_CHARS

log = structlog.get_logger(__name__)

#: Jobs handed to one worker before it answers: one being parsed, the others waiting in the
#: pipe. With two, a worker idled whenever the event loop could not hand it the next page
#: within one page's parse (~2 ms), which a thread saving results to the database (same GIL,
#: 5 ms switch interval) regularly caused; four cover ~6 ms of such delays (≈ 0.2 MB of bodies).
JOBS_PER_WORKER = 4
_PICKLE = pickle.HIGHEST_PROTOCOL
#: Links remembered per pipe (the size of the worker's link cache, `hrefs.cached_link_fact`:
#: a link it has evicted is not handed out again). About 5 MB on each side when full.
LINK_TABLE_SIZE = 16_384


def _new_link(number: int, *fields: Any) -> LinkFact:
    """Stands in the pickle stream for `_LinkReceiver.new` (see `_ResultUnpickler`)."""
    raise pickle.UnpicklingError("a parse result must be read with its pipe's link table")


def _known_link(number: int) -> LinkFact:
    """Stands in the pickle stream for `_LinkReceiver.known`."""
    raise pickle.UnpicklingError("a parse result must be read with its pipe's link table")


class _LinkSender:
    """Worker side of a pipe's link table: numbers the LinkFacts it has sent.

    Numbers count up from 0; when the table is full it starts again at 0, which tells the
    receiver to drop its copy. Entries hold the object, so its id() is not reused meanwhile.
    """

    def __init__(self) -> None:
        self._sent: dict[int, tuple[int, LinkFact]] = {}
        self._dispatch = copyreg.dispatch_table.copy()
        self._dispatch[LinkFact] = self._reduce

    def _reduce(self, link: LinkFact) -> tuple[Any, tuple[Any, ...]]:
        known = self._sent.get(id(link))
        if known is not None:
            return _known_link, (known[0],)
        fields = (link.url, link.raw_href, link.kind, link.anchor, link.rel, link.internal,
                  link.hreflang, link.uncrawlable_reason)
        if len(link.url) > CACHED_URL_CHARS:
            # Not cached by the worker either (hrefs.cached_link_fact): sent whole, so the
            # tables hold only short links and stay a few MB whatever a page links to.
            return new_link_fact, fields
        if len(self._sent) >= LINK_TABLE_SIZE:
            self._sent.clear()
        number = len(self._sent)
        self._sent[id(link)] = (number, link)
        return _new_link, (number, *fields)

    def dumps(self, payload: Any) -> bytes:
        buffer = io.BytesIO()
        pickler = pickle.Pickler(buffer, _PICKLE)
        pickler.dispatch_table = self._dispatch
        try:
            pickler.dump(payload)
        except BaseException:
            self._sent.clear()  # the receiver may not have seen some numbers: start afresh
            raise
        return buffer.getvalue()


class _LinkReceiver:
    """Crawling-process side of a pipe's link table, filled in the order the worker sent."""

    def __init__(self) -> None:
        self._links: list[LinkFact] = []

    def new(self, number: int, *fields: Any) -> LinkFact:
        if number == 0:
            self._links = []
        elif number != len(self._links):
            raise pickle.UnpicklingError(f"link table out of step: {number} != {len(self._links)}")
        link = new_link_fact(*fields)
        self._links.append(link)
        return link

    def known(self, number: int) -> LinkFact:
        if number >= len(self._links):
            raise pickle.UnpicklingError(f"unknown link {number} of {len(self._links)}")
        return self._links[number]

    def loads(self, data: bytes) -> Any:
        return _ResultUnpickler(io.BytesIO(data), self).load()


class _ResultUnpickler(pickle.Unpickler):
    """Reads a worker's result, resolving the link-table stand-ins to this pipe's table."""

    def __init__(self, file: io.BytesIO, links: _LinkReceiver) -> None:
        super().__init__(file)
        self._links = links

    def find_class(self, module: str, name: str) -> Any:
        if module == __name__:
            if name == "_new_link":
                return self._links.new
            if name == "_known_link":
                return self._links.known
        return super().find_class(module, name)


def _worker_main(conn: Connection, options: CrawlOptions, start_host: str) -> None:
    """A worker's whole life: read a job, analyse it, send the result; exit at EOF.

    At exit it logs how long it waited for jobs after the first one (`starved_s`): a worker
    that waits while the crawl is not short of pages means the event loop fed it too slowly.
    """
    if not structlog.is_configured():
        # A spawned worker has no logging set up; structlog's default prints to stdout, which
        # is the CLI's report (`audit --format json`): log to stderr like the parent does.
        structlog.configure(logger_factory=structlog.PrintLoggerFactory(file=sys.stderr))
    warm_up()
    links = _LinkSender()
    pages = 0
    starved = 0.0
    # Results are written by a thread of their own, so this loop always goes back to reading
    # jobs. Writing here deadlocked as soon as a result outgrew the pipe (pages with
    # thousands of links): the worker waited for the crawl to read its result while the
    # crawl's event loop waited, in a blocking write of the next job, for the worker to read.
    # At most JOBS_PER_WORKER results wait in the queue (the crawl sends no more jobs).
    outbox: queue.SimpleQueue[bytes | None] = queue.SimpleQueue()
    writer = threading.Thread(target=_write_results, args=(conn, outbox), name="parse-results",
                              daemon=True)
    writer.start()
    while True:
        waiting = time.perf_counter()
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            outbox.put(None)
            writer.join(timeout=5)
            log.info("parse_pool.worker_done", pages=pages, starved_s=round(starved, 3),
                     cpu_s=round(time.process_time(), 3))
            return
        if pages:
            starved += time.perf_counter() - waiting
        pages += 1
        job_id, fetch, depth, found_on, in_sitemap = pickle.loads(data)  # noqa: S301 - our parent
        try:
            result: Any = analyze_page(fetch, depth=depth, found_on=found_on,
                                       in_sitemap=in_sitemap, robots_allowed=True,
                                       options=options, start_host=start_host)
            payload = (job_id, result, None)
        except Exception as exc:  # noqa: BLE001 - reported with the page, the worker lives on
            payload = (job_id, None, f"{type(exc).__name__}: {exc}"[:300])
        outbox.put(links.dumps(payload))


def _write_results(conn: Connection, outbox: queue.SimpleQueue[bytes | None]) -> None:
    """The worker's result writer (see _worker_main); stops at None or a broken pipe."""
    while (data := outbox.get()) is not None:
        try:
            conn.send_bytes(data)
        except OSError:  # the crawl is gone; the read loop ends at EOF
            return


class _Worker:
    def __init__(self, context: Any, options: CrawlOptions, start_host: str) -> None:
        parent, child = context.Pipe(duplex=True)
        self.conn: Connection = parent
        self.process = context.Process(target=_worker_main, args=(child, options, start_host),
                                       name="seoaudit-parse", daemon=True)
        self.process.start()
        child.close()
        #: job id -> (future, the fetch without its body, depth, found_on, in_sitemap)
        self.pending: dict[int, tuple[asyncio.Future[PageResult], FetchResult, int, str, bool]] = {}
        self.reading = False
        self.links = _LinkReceiver()


class ParsePool:
    """`await pool.analyze(fetch, ...)` runs `analyze_page` in a worker process."""

    def __init__(self, workers: int, options: CrawlOptions, start_host: str) -> None:
        self._context = multiprocessing.get_context("spawn")
        self._options = options
        self._start_host = start_host
        self._workers = [_Worker(self._context, options, start_host) for _ in range(workers)]
        self._ids = itertools.count()
        self._slots: asyncio.Semaphore | None = None
        self._closed = False

    @property
    def size(self) -> int:
        return len(self._workers)

    async def analyze(self, fetch: FetchResult, *, depth: int, found_on: str,
                      in_sitemap: bool) -> PageResult:
        if self._slots is None:
            self._slots = asyncio.Semaphore(JOBS_PER_WORKER * len(self._workers))
        async with self._slots:
            loop = asyncio.get_running_loop()
            worker = min(self._workers, key=lambda w: len(w.pending))
            if not worker.reading:
                loop.add_reader(worker.conn.fileno(), self._on_readable, worker)
                worker.reading = True
            job_id = next(self._ids)
            future: asyncio.Future[PageResult] = loop.create_future()
            worker.pending[job_id] = (future, replace(fetch, body=None), depth, found_on,
                                      in_sitemap)
            try:
                worker.conn.send_bytes(pickle.dumps(
                    (job_id, fetch, depth, found_on, in_sitemap), _PICKLE))
            except (BrokenPipeError, OSError):
                self._lost(worker, "the parse worker is gone")
            return await future

    def _on_readable(self, worker: _Worker) -> None:
        try:
            while worker.conn.poll():
                job_id, result, error = worker.links.loads(worker.conn.recv_bytes())
                job = worker.pending.pop(job_id, None)
                if job is None or job[0].done():
                    continue
                if result is None:
                    result = self._fallback(job, f"page analysis failed: {error}")
                job[0].set_result(result)
        except (EOFError, OSError):
            self._lost(worker, "the parse worker died")
        except pickle.UnpicklingError as exc:  # a garbled result: start that worker afresh
            self._lost(worker, f"unreadable parse result: {exc}"[:300])

    def _lost(self, worker: _Worker, reason: str) -> None:
        """A worker died: its pages get a result without facts, a new worker replaces it."""
        if worker.reading:
            with contextlib.suppress(Exception):
                asyncio.get_running_loop().remove_reader(worker.conn.fileno())
            worker.reading = False
        with contextlib.suppress(OSError):
            worker.conn.close()
        log.warning("parse_pool.worker_lost", reason=reason, pages=len(worker.pending),
                    exitcode=worker.process.exitcode)
        for job in worker.pending.values():
            if not job[0].done():
                job[0].set_result(self._fallback(job, reason))
        worker.pending.clear()
        if self._closed or worker not in self._workers:
            return
        self._workers.remove(worker)
        self._workers.append(_Worker(self._context, self._options, self._start_host))

    def _fallback(self, job: tuple[Any, FetchResult, int, str, bool], reason: str) -> PageResult:
        _, bare, depth, found_on, in_sitemap = job
        result = analyze_page(bare, depth=depth, found_on=found_on, in_sitemap=in_sitemap,
                              robots_allowed=True, options=self._options,
                              start_host=self._start_host)
        crash = Finding("engine.check_error", bare.requested_url,
                        {"check": "parse", "error": reason[:300]})
        return replace(result, findings=(*result.findings, crash))

    def shutdown(self, wait: bool = False, cancel_futures: bool = True) -> None:
        """Stop every worker (EOF on its pipe, then terminate stragglers)."""
        self._closed = True
        for worker in self._workers:
            if worker.reading:
                with contextlib.suppress(Exception):
                    asyncio.get_running_loop().remove_reader(worker.conn.fileno())
                worker.reading = False
            with contextlib.suppress(OSError):
                worker.conn.close()
            for job in worker.pending.values():
                if cancel_futures and not job[0].done():
                    job[0].cancel()
        for worker in self._workers:
            worker.process.join(timeout=2.0 if wait else 0.2)
            if worker.process.is_alive():
                worker.process.terminate()
                worker.process.join(timeout=1.0)
            if worker.process.is_alive():
                worker.process.kill()
