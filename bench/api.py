"""API benchmark: gunicorn + uvicorn workers on 127.0.0.1 against PostgreSQL; requests/s and
p50/p95/p99 latency of the issue's endpoints next to a trivial view, closed and open loop.

    python bench/api.py [--concurrency 50] [--seconds 10] [--workers 2] [--rate-limits]
                        [--db-pool 8] [--worker-class CLS] [--only NAME,...] [--no-open-loop]
                        [--pg-url URL] [--redis-url URL] [--json FILE]

What it does: (re)creates the database `bench_api`, migrates it, seeds one user with a personal
API token (`sat_...`, sent as `Authorization: Bearer`, as a CI client does), SEED_AUDITS small
audits and SEED_BIG audits of SEED_FINDINGS findings each, starts gunicorn
(`seoaudit.asgi:application`, `--workers` uvicorn workers, production settings: PostgreSQL +
Redis, JSON access log to a file, psycopg pool) on a free port, then for each row of ENDPOINTS:

1. closed loop: `--concurrency` keep-alive connections, each sending its next request as soon
   as the previous answer arrived, for `--seconds` after a short warm-up;
2. open loop (unless `--no-open-loop`): requests arrive at a fixed rate and are sent over
   `--concurrency` connections (a request waits when all are busy; its latency counts from its
   scheduled arrival, so queueing is not hidden). The rate starts at a third of the closed-loop
   throughput and grows by 15 % per step until p99 reaches P99_TARGET_MS; the highest rate
   that stayed below is reported.

It prints req/s, p50/p95/p99, the share of the trivial view's throughput, and server CPU per
request (all gunicorn processes; the figure that does not depend on what else runs on the
machine). The load generator is a raw-socket HTTP/1.1 client on asyncio (uvloop when
installed) so it costs the server as little CPU as possible; its own CPU share is printed.

Rate limits are off unless `--rate-limits`, which counts every request on Redis as in
production but raises the limits so that none is refused (what counting costs). Created
audits are PENDING and their crawl tasks are queued in `--redis-url`'s Celery queue (a real
broker, no worker, `CELERY_TASK_ALWAYS_EAGER` off); the bench deletes that queue afterwards,
so use a Redis database of your own (default db 6). Every create uses a new URL, so it really
creates (201) instead of returning the pending audit (200). Everything talks to 127.0.0.1
only; loops are bounded by time; the server is stopped on exit (also if the bench is killed).
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import contextlib
import ctypes
import itertools
import json
import os
import platform
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

# --- What to measure: edit these rows to point the bench at other endpoints ------------------
# path/body templates: {audit} = one of the small audits (cycled), {big} = one of the large
# audits (cycled), {cursor} = a cursor into that audit's findings (first page or a random later
# one), {n} = a per-request counter (unique URLs, so every create really creates).
ENDPOINTS: list[dict[str, Any]] = [
    {"name": "trivial view", "method": "GET", "path": "/healthz"},
    {"name": "audit detail", "method": "GET", "path": "/api/v1/audits/{audit}"},
    {"name": "findings list (100)", "method": "GET",
     "path": "/api/v1/audits/{big}/findings?page_size=100{cursor}"},
    {"name": "audit create", "method": "POST", "path": "/api/v1/audits",
     "body": {"url": "https://bench-{n}.example.com/", "options": {"max_pages": 10}}},
]
#: The row the others are compared with.
TRIVIAL = "trivial view"
SEED_AUDITS = 200
SEED_BIG = 10
SEED_PAGES = 500
SEED_FINDINGS = 5_000
#: Targets from the issue: p99 under 50 ms; at least half the trivial view's throughput.
P99_TARGET_MS = 50.0
THROUGHPUT_SHARE_TARGET = 0.5


# --- database and seed -----------------------------------------------------------------------

def recreate_database(pg_url: str) -> None:
    import psycopg

    base, _, name = pg_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def _cursor(position: int) -> str:
    """DRF's cursor for "after this id" (what a client gets in `next`)."""
    return "&cursor=" + base64.b64encode(f"p={position}".encode()).decode()


def seed() -> dict[str, Any]:
    """Migrate and seed in this process; returns ids, cursors and the auth header."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from accounts.services import api_token_create
    from audits.models import Audit, Finding, Page

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    audits = Audit.objects.bulk_create(
        Audit(owner=user, url=f"https://site-{i}.example.com/", normalized_url=f"https://site-{i}.example.com/",
              status=Audit.Status.COMPLETED, pages_crawled=40, total_pages=40, seo_score=80.0,
              scores={"seo": 80.0}) for i in range(SEED_AUDITS))
    codes = [("seo.title.too_long", "warning", "content"),
             ("seo.meta.description_missing", "error", "content"),
             ("seo.images.alt_missing", "notice", "accessibility"), ("seo.links.broken", "error", "links")]
    bigs, cursors = [], []
    for b in range(SEED_BIG):
        big = Audit.objects.create(owner=user, url=f"https://big-{b}.example.com/",
                                   normalized_url=f"https://big-{b}.example.com/",
                                   status=Audit.Status.COMPLETED, pages_crawled=SEED_PAGES,
                                   total_pages=SEED_PAGES)
        pages = Page.objects.bulk_create(
            Page(audit=big, url=f"https://big-{b}.example.com/p/{i}", url_hash=f"{b:04x}{i:012x}",
                 status=200, title=f"Page {i}", indexable=True, word_count=900) for i in range(SEED_PAGES))
        Finding.objects.bulk_create(
            (Finding(audit=big, page=pages[i % SEED_PAGES], code=code, severity=severity,
                     category=category, details={"value": i, "threshold": 60})
             for i, (code, severity, category) in zip(range(SEED_FINDINGS), itertools.cycle(codes),
                                                      strict=False)),
            batch_size=2000)
        bigs.append(str(big.pk))
        ids = list(Finding.objects.filter(audit=big).order_by("id").values_list("id", flat=True))
        cursors.append(["", *(_cursor(ids[i]) for i in range(99, len(ids) - 100, 997))])
    with connections["default"].cursor() as cursor:
        cursor.execute("ANALYZE")
    _, raw = api_token_create(user=user, name="bench")
    connections.close_all()
    return {"audits": [str(a.pk) for a in audits], "big": bigs, "cursors": cursors,
            "auth": f"Bearer {raw}"}


# --- server ----------------------------------------------------------------------------------

def _die_with_parent(nice: int = 0) -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    if nice:  # negative needs root: shields the server from other jobs on a shared machine
        os.setpriority(os.PRIO_PROCESS, 0, nice)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], workers: int, log_path: Path,
                 worker_class: str = "uvicorn_worker.UvicornWorker", nice: int = 0
                 ) -> tuple[subprocess.Popen[bytes], int]:
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = log_path.open("wb")
    # A WSGI worker class (gthread) serves the WSGI application: the comparison for what ASGI costs.
    app = (["seoaudit.asgi:application"] if "uvicorn" in worker_class.lower()
           else ["seoaudit.wsgi:application", "--threads", "8"])
    proc = subprocess.Popen([gunicorn, *app, "-k", worker_class,
                             "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3",
                             "--keep-alive", "75",  # as behind a load balancer
                             "--backlog", "2048", "--log-level", "warning"],
                            cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=lambda: _die_with_parent(nice))
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2):
                return proc, port
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                stop_server(proc)
                raise SystemExit(f"gunicorn did not start; see {log_path}") from None
            time.sleep(0.2)


def stop_server(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def tree_cpu_s(pid: int) -> float:
    """User + system CPU seconds of a process and its children (gunicorn's workers)."""
    import psutil

    total = 0.0
    root = psutil.Process(pid)
    for proc in [root, *root.children(recursive=True)]:
        with contextlib.suppress(psutil.Error):
            times = proc.cpu_times()
            total += times.user + times.system
    return total


# --- load: a raw HTTP/1.1 keep-alive client (cheap, so the server gets the CPU) --------------

class Connection:
    def __init__(self, port: int) -> None:
        self.port = port
        self.reader: asyncio.StreamReader | None = None
        self.writer: asyncio.StreamWriter | None = None

    async def open(self) -> None:
        self.reader, self.writer = await asyncio.open_connection("127.0.0.1", self.port)

    async def send(self, raw: bytes) -> int:
        """Send one request, read the whole answer; returns the status. A connection the
        server closed while idle is reopened once, as HTTP clients do."""
        for attempt in (1, 2):
            if self.writer is None:
                await self.open()
            assert self.reader is not None and self.writer is not None
            try:
                self.writer.write(raw)
                head = await self.reader.readuntil(b"\r\n\r\n")
                break
            except (asyncio.IncompleteReadError, ConnectionError):
                self.writer.close()
                self.writer = None
                if attempt == 2:
                    raise
        status = int(head[9:12])
        lower = head.lower()
        at = lower.find(b"\r\ncontent-length:")
        if at >= 0:
            await self.reader.readexactly(int(lower[at + 17:lower.index(b"\r\n", at + 2)]))
        elif b"\r\ntransfer-encoding: chunked" in lower:
            while size := int((await self.reader.readuntil(b"\r\n")).split(b";")[0], 16):
                await self.reader.readexactly(size + 2)
            await self.reader.readuntil(b"\r\n")
        if b"\r\nconnection: close" in lower:
            self.writer.close()
            self.writer = None
        return status


class Requests:
    """Raw request bytes for one row; `{n}` grows across rows and runs."""

    counter = itertools.count()

    def __init__(self, row: dict[str, Any], seeded: dict[str, Any], port: int) -> None:
        self.row = row
        self.audits = itertools.cycle(seeded["audits"])
        self.bigs = itertools.cycle(list(zip(seeded["big"], seeded["cursors"], strict=True)))
        self.cursor_n = itertools.count()
        self.head = (f"Host: 127.0.0.1:{port}\r\nAuthorization: {seeded['auth']}\r\n"
                     "Accept: application/json\r\n")

    def next(self) -> bytes:
        n = next(self.counter)
        big, cursors = next(self.bigs)
        fill = {"audit": next(self.audits), "big": big, "n": n,
                "cursor": cursors[next(self.cursor_n) % len(cursors)]}
        body = self.row.get("body")
        data = json.dumps(body).replace("{n}", str(n)).encode() if body is not None else b""
        extra = (f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n"
                 if body is not None else "")
        return (f"{self.row['method']} {self.row['path'].format(**fill)} HTTP/1.1\r\n{self.head}{extra}\r\n"
                ).encode() + data


@dataclass
class Result:
    name: str
    mode: str = "closed"
    rate: float = 0.0
    requests: int = 0
    errors: int = 0
    dropped: int = 0
    seconds: float = 0.0
    statuses: dict[int, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    skipped: str = ""
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0
    pg_cpu_s: float = 0.0
    #: Connections each gunicorn worker held during the run.
    per_worker: list[int] = field(default_factory=list)

    @property
    def server_cpu_ms(self) -> float:
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0

    @property
    def pg_cpu_ms(self) -> float:
        return self.pg_cpu_s * 1000 / self.requests if self.requests else 0.0

    @property
    def ceiling_rps(self) -> float:
        """What the machine's cores could serve if server, PostgreSQL and this load generator
        had them to themselves (CPU-bound, no other jobs)."""
        cpu_s = self.server_cpu_s + self.pg_cpu_s + self.client_cpu_s
        return (os.cpu_count() or 1) * self.requests / cpu_s if cpu_s else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        ordered = sorted(self.latencies_ms)
        if not ordered:
            return 0.0
        return ordered[min(len(ordered) - 1, int(len(ordered) * q / 100))]

    def record(self, status: int, elapsed_ms: float) -> None:
        self.requests += 1
        self.latencies_ms.append(elapsed_ms)
        self.statuses[status] = self.statuses.get(status, 0) + 1
        if status >= 400:
            self.errors += 1


async def open_connections(port: int, count: int) -> list[Connection]:
    """Connect one by one: a burst of simultaneous connects is accepted by whichever gunicorn
    worker wakes first (its event loop accepts the whole backlog), and keep-alive connections
    then stay on that one worker for the whole run."""
    connections = []
    for _ in range(count):
        connection = Connection(port)
        await connection.open()
        connections.append(connection)
        await asyncio.sleep(0.005)
    return connections


def connections_per_worker(server_pid: int, port: int) -> list[int]:
    """Established connections on the server port, per gunicorn worker."""
    import psutil

    counts = []
    for worker in psutil.Process(server_pid).children():
        with contextlib.suppress(psutil.Error):
            counts.append(sum(1 for c in worker.net_connections("tcp")
                              if c.laddr and c.laddr.port == port and c.status == psutil.CONN_ESTABLISHED))
    return counts


def postgres_cpu_s(database: str) -> float:
    """CPU seconds of the PostgreSQL backends serving `database` (their process titles name
    it), so the database's share per request is known too."""
    import psutil

    total = 0.0
    for proc in psutil.process_iter(["name", "cmdline"]):
        with contextlib.suppress(psutil.Error):
            if proc.info["name"] == "postgres" and f" {database} " in " ".join(proc.info["cmdline"] or ()):
                times = proc.cpu_times()
                total += times.user + times.system
    return total


#: Set by main(): the benchmark database's name.
DATABASE_NAME = "bench_api"


async def _measure(result: Result, server_pid: int, body: Callable[[], Any]) -> None:
    began, server_cpu, client_cpu = time.monotonic(), tree_cpu_s(server_pid), time.process_time()
    pg_cpu = postgres_cpu_s(DATABASE_NAME)
    await body()
    result.seconds = result.seconds or time.monotonic() - began
    result.server_cpu_s = tree_cpu_s(server_pid) - server_cpu
    result.client_cpu_s = time.process_time() - client_cpu
    result.pg_cpu_s = postgres_cpu_s(DATABASE_NAME) - pg_cpu


#: Recorded for a request whose connection failed (counted as an error).
FAILED = 599


async def send_or_fail(conn: Connection, raw: bytes) -> int:
    try:
        return await conn.send(raw)
    except (OSError, asyncio.IncompleteReadError, asyncio.LimitOverrunError):
        return FAILED


async def probe(port: int, requests: Requests) -> str:
    status = await Connection(port).send(requests.next())
    return f"probe answered {status}" if status >= 400 else ""


async def closed_loop(port: int, requests: Requests, result: Result, *, concurrency: int,
                      seconds: float, warmup: float, server_pid: int) -> None:
    measuring = False
    connections = await open_connections(port, concurrency)
    result.per_worker = connections_per_worker(server_pid, port)
    stop_at = time.monotonic() + warmup + seconds

    async def client(conn: Connection) -> None:
        while time.monotonic() < stop_at:
            raw = requests.next()
            started = time.perf_counter()
            status = await send_or_fail(conn, raw)
            if measuring:
                result.record(status, (time.perf_counter() - started) * 1000)

    tasks = [asyncio.create_task(client(conn)) for conn in connections]
    await asyncio.sleep(warmup)
    measuring = True
    await _measure(result, server_pid, lambda: asyncio.gather(*tasks))


async def open_loop(port: int, requests: Requests, result: Result, *, concurrency: int,
                    seconds: float, server_pid: int) -> None:
    """`result.rate` arrivals per second for `seconds`; requests still queued 5 s after the
    last arrival are dropped (and fail the rate)."""
    queue: asyncio.Queue[float] = asyncio.Queue()
    rate = result.rate

    async def client(conn: Connection) -> None:
        while True:
            scheduled = await queue.get()
            status = await send_or_fail(conn, requests.next())
            result.record(status, (time.perf_counter() - scheduled) * 1000)
            queue.task_done()

    async def arrivals() -> None:
        start, sent = time.perf_counter(), 0
        total = int(rate * seconds)
        while sent < total:
            due = min(total, int((time.perf_counter() - start) * rate) + 1)
            for i in range(sent, due):
                queue.put_nowait(start + i / rate)
            sent = due
            await asyncio.sleep(max(0.0, start + sent / rate - time.perf_counter()))
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(queue.join(), timeout=5)
        result.dropped = queue.qsize()
        result.seconds = time.perf_counter() - start

    connections = await open_connections(port, concurrency)
    result.per_worker = connections_per_worker(server_pid, port)
    tasks = [asyncio.create_task(client(conn)) for conn in connections]
    try:
        await _measure(result, server_pid, arrivals)
    finally:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)


async def run_row(port: int, row: dict[str, Any], seeded: dict[str, Any], *, concurrency: int,
                  seconds: float, warmup: float, server_pid: int, open_seconds: float) -> list[Result]:
    requests = Requests(row, seeded, port)
    closed = Result(row["name"])
    closed.skipped = await probe(port, requests)
    if closed.skipped:
        return [closed]
    await closed_loop(port, requests, closed, concurrency=concurrency, seconds=seconds,
                      warmup=warmup, server_pid=server_pid)
    results = [closed]
    if open_seconds:
        # Up by 15 % while p99 stays under the target; if the first rate misses, down by 25 %.
        rate, best, step = max(10.0, round(closed.rps / 3)), None, 0
        while step < 12 and rate >= 5:
            step += 1
            attempt = Result(row["name"], mode="open", rate=rate)
            await open_loop(port, requests, attempt, concurrency=concurrency, seconds=open_seconds,
                            server_pid=server_pid)
            missed = attempt.percentile(99) >= P99_TARGET_MS or bool(attempt.dropped or attempt.errors)
            dropped = f", {attempt.dropped} dropped" if attempt.dropped else ""
            print(f"  {row['name']}: {rate:.0f}/s -> p50 {attempt.percentile(50):.1f} ms, "
                  f"p99 {attempt.percentile(99):.1f} ms{dropped}{' (missed)' if missed else ''}", flush=True)
            if not missed:
                best, rate = attempt, round(rate * 1.15)
            elif best is None:
                rate = round(rate * 0.75)
            else:
                break
        results.append(best or Result(row["name"], mode="open", skipped="p99 >= target at every rate tried"))
    return results


# --- report ----------------------------------------------------------------------------------

def print_table(results: list[Result]) -> None:
    trivial = {r.mode: r for r in results if r.name == TRIVIAL and not r.skipped}
    print(f"\n{'endpoint':<20} {'mode':<12} {'requests':>8} {'errors':>6} {'req/s':>7} {'p50 ms':>7} "
          f"{'p95 ms':>7} {'p99 ms':>7} {'vs trivial':>10} {'srv CPU ms/req':>14} {'pg CPU ms/req':>13} "
          f"{'ceiling req/s':>13} {'client CPU':>10} "
          f"{'conns/worker':>12}  "
          f"targets (p99 < {P99_TARGET_MS:.0f} ms, >= {THROUGHPUT_SHARE_TARGET:.0%})")
    for r in results:
        mode = r.mode if r.mode == "closed" else f"open {r.rate:.0f}/s"
        if r.skipped:
            print(f"{r.name:<20} {mode:<12} skipped: {r.skipped}")
            continue
        base = trivial.get(r.mode)
        share = r.rps / base.rps if base and base.rps else 0.0
        ok = r.percentile(99) < P99_TARGET_MS and (r is base or share >= THROUGHPUT_SHARE_TARGET)
        print(f"{r.name:<20} {mode:<12} {r.requests:>8} {r.errors:>6} {r.rps:>7.0f} {r.percentile(50):>7.1f} "
              f"{r.percentile(95):>7.1f} {r.percentile(99):>7.1f} {share:>10.0%} {r.server_cpu_ms:>14.2f} "
              f"{r.pg_cpu_ms:>13.2f} {r.ceiling_rps:>13.0f} "
              f"{r.client_cpu_s / r.seconds if r.seconds else 0:>10.0%} "
              f"{'/'.join(map(str, r.per_worker)):>12}  {'ok' if ok else 'MISSED'}")


def as_json(r: Result) -> dict[str, Any]:
    return {"name": r.name, "mode": r.mode, "rate": r.rate, "requests": r.requests, "errors": r.errors,
            "dropped": r.dropped, "statuses": r.statuses, "skipped": r.skipped, "rps": r.rps,
            "p50_ms": r.percentile(50), "p95_ms": r.percentile(95), "p99_ms": r.percentile(99),
            "server_cpu_ms_per_request": r.server_cpu_ms, "pg_cpu_ms_per_request": r.pg_cpu_ms,
            "ceiling_rps": r.ceiling_rps, "connections_per_worker": r.per_worker}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0,
                        help="measured closed-loop seconds per endpoint")
    parser.add_argument("--open-seconds", type=float, default=6.0, help="seconds per open-loop rate step")
    parser.add_argument("--no-open-loop", action="store_true")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--workers", type=int, default=2,
                        help="gunicorn workers (2: one per core; Postgres and the load generator share them)")
    parser.add_argument("--worker-class", default="uvicorn_worker.UvicornWorker",
                        help="e.g. uvicorn_worker.UvicornH11Worker, or gthread (WSGI, 8 threads)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="count requests as in production (limits raised so none is refused)")
    parser.add_argument("--db-pool", type=int, default=8,
                        help="DB_POOL_SIZE per worker (0: per-request connections, CONN_MAX_AGE)")
    parser.add_argument("--server-nice", type=int, default=0,
                        help="scheduling priority of the server (e.g. -10 as root, on a shared machine)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {**os.environ, "DATABASE_URL": args.pg_url, "REDIS_URL": args.redis_url,
           "DJANGO_SETTINGS_MODULE": "seoaudit.settings", "SEOAUDIT_VAR_DIR": str(var_dir),
           "SEOAUDIT_QUIET_STARTUP": "1", "DEBUG": "false", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json",
           "CELERY_TASK_ALWAYS_EAGER": "false",
           "SEOAUDIT_RATE_LIMITS_ENABLED": "true" if args.rate_limits else "false",
           "DB_POOL_SIZE": str(args.db_pool)}
    if args.rate_limits:  # counted and headed as in production, but never refused
        env["SEOAUDIT_RATE_LIMITS"] = ",".join(f"{name}=10000000/minute" for name in
                                               ("auth", "audits", "pdf", "search", "webhooks", "default"))
    os.environ.update(env)
    global DATABASE_NAME
    DATABASE_NAME = args.pg_url.rpartition("/")[2]
    recreate_database(args.pg_url)
    seeded = seed()
    log_path = var_dir / "server.log"
    proc, port = start_server(env, args.workers, log_path, args.worker_class, args.server_nice)
    rows = [r for r in ENDPOINTS if not args.only or r["name"] in args.only.split(",")]
    results: list[Result] = []
    with contextlib.suppress(ImportError):
        import uvloop

        asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())
    try:
        for row in rows:
            results += asyncio.run(run_row(port, row, seeded, concurrency=args.concurrency,
                                           seconds=args.seconds, warmup=args.warmup, server_pid=proc.pid,
                                           open_seconds=0 if args.no_open_loop else args.open_seconds))
    finally:
        stop_server(proc)
        import redis

        redis.Redis.from_url(args.redis_url).delete("celery")  # the queued crawls of created audits
    print(f"{platform.node()} · {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f} · "
          f"gunicorn {args.workers} × {args.worker_class} · {args.concurrency} connections · "
          f"{args.seconds:.0f} s closed loop per endpoint · rate limits "
          f"{'on' if args.rate_limits else 'off'} · DB pool {args.db_pool} · "
          f"server nice {args.server_nice} · server log {log_path}")
    print_table(results)
    if args.json:
        args.json.write_text(json.dumps([as_json(r) for r in results], indent=2))


if __name__ == "__main__":
    main()
