"""API benchmark: gunicorn + uvicorn workers on 127.0.0.1 against PostgreSQL, 50 concurrent
clients, requests/s and p50/p99 latency per endpoint next to a trivial view.

    python bench/api.py [--concurrency 50] [--seconds 10] [--workers 2] [--rate-limits]
                        [--db-pool 8] [--worker-class CLS] [--only NAME,...] [--pg-url URL]
                        [--redis-url URL] [--json FILE]

What it does: (re)creates the database `bench_api`, migrates it, seeds one user with
SEED_AUDITS audits and one large audit (SEED_PAGES pages, SEED_FINDINGS findings), starts
gunicorn (`seoaudit.asgi:application`, uvicorn workers, production settings: PostgreSQL +
Redis, INFO access log to a file, psycopg pool) on a free port, then for each row of ENDPOINTS runs
`--concurrency` aiohttp clients in a closed loop for `--seconds` (after a short warm-up) and
prints requests/s, p50, p99, the share of the trivial view's throughput and the server's CPU
time per request (all workers; the figure that does not depend on what else runs on the
machine, the load generator included). Rate limits are
off unless `--rate-limits`, which counts every request on Redis as in production but raises
the limits so that none is refused (what counting costs). Rows whose probe request fails
(an endpoint that does not exist yet) are reported and skipped. Everything talks to 127.0.0.1
only; loops are bounded by time; the server is stopped on exit (also if the bench is killed).

Created audits are PENDING and their crawl tasks are queued in `--redis-url`'s Celery queue
(no worker runs); the bench deletes that queue afterwards, so use a Redis database of your
own (default db 6).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import ctypes
import itertools
import json
import os
import platform
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

# --- What to measure: edit these rows to point the bench at other endpoints ------------------
# path/body templates: {audit} = one of the seeded audits (cycled), {big} = the large audit,
# {n} = a per-request counter (unique URLs, so every create really creates).
ENDPOINTS: list[dict[str, Any]] = [
    {"name": "trivial view", "method": "GET", "path": "/healthz"},
    {"name": "audit list", "method": "GET", "path": "/api/v1/audits"},
    {"name": "audit detail", "method": "GET", "path": "/api/v1/audits/{audit}"},
    {"name": "findings list (100)", "method": "GET",
     "path": "/api/v1/audits/{big}/findings?page_size=100"},
    {"name": "audit create", "method": "POST", "path": "/api/v1/audits",
     "body": {"url": "https://bench-{n}.example.com/", "options": {"max_pages": 10}}},
]
#: The row the others are compared with.
TRIVIAL = "trivial view"
SEED_AUDITS = 200
SEED_PAGES = 500
SEED_FINDINGS = 5_000
#: Targets from the issue: p99 under 50 ms; at least half the trivial view's throughput.
P99_TARGET_MS = 50.0
THROUGHPUT_SHARE_TARGET = 0.5


def auth_headers(user: Any) -> dict[str, str]:
    """Credentials for the load generator. Today: a Django session (plus the CSRF pair that
    SessionAuthentication demands for POST). With token auth merged, return
    `{"Authorization": f"Bearer {token}"}` for a token made here instead."""
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    csrf = "b" * 32
    return {"Cookie": f"{settings.SESSION_COOKIE_NAME}={session.session_key}; "
                      f"{settings.CSRF_COOKIE_NAME}={csrf}",
            "X-CSRFToken": csrf, "Referer": "http://127.0.0.1/"}


# --- database and seed -----------------------------------------------------------------------

def recreate_database(pg_url: str) -> None:
    import psycopg

    base, _, name = pg_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def seed(pg_url: str) -> dict[str, Any]:
    """Migrate and seed in this process; returns ids and the auth headers."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections

    from audits.models import Audit, Finding, Page

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench", password="bench-password-1")
    audits = Audit.objects.bulk_create(
        Audit(owner=user, url=f"https://site-{i}.example.com/", normalized_url=f"https://site-{i}.example.com/",
              status=Audit.Status.COMPLETED, pages_crawled=40, total_pages=40, seo_score=80.0,
              scores={"seo": 80.0}) for i in range(SEED_AUDITS))
    big = Audit.objects.create(owner=user, url="https://big.example.com/",
                               normalized_url="https://big.example.com/", status=Audit.Status.COMPLETED,
                               pages_crawled=SEED_PAGES, total_pages=SEED_PAGES)
    pages = Page.objects.bulk_create(
        Page(audit=big, url=f"https://big.example.com/p/{i}", url_hash=f"{i:016x}", status=200,
             title=f"Page {i}", indexable=True, word_count=900) for i in range(SEED_PAGES))
    codes = [("seo.title.too_long", "warning", "content"),
             ("seo.meta.description_missing", "error", "content"),
             ("seo.images.alt_missing", "notice", "accessibility"), ("seo.links.broken", "error", "links")]
    Finding.objects.bulk_create(
        (Finding(audit=big, page=pages[i % SEED_PAGES], code=code, severity=severity, category=category,
                 details={"value": i, "threshold": 60})
         for i, (code, severity, category) in zip(range(SEED_FINDINGS), itertools.cycle(codes),
                                                  strict=False)),
        batch_size=2000)
    headers = auth_headers(user)
    connections.close_all()
    return {"audits": [str(a.pk) for a in audits], "big": str(big.pk), "headers": headers}


# --- server ----------------------------------------------------------------------------------

def _die_with_parent() -> None:
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_server(env: dict[str, str], workers: int, log_path: Path,
                 worker_class: str = "uvicorn_worker.UvicornWorker") -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    gunicorn = str(Path(sys.executable).with_name("gunicorn"))
    log = log_path.open("wb")
    # A WSGI worker class (gthread) serves the WSGI application: the comparison for what ASGI costs.
    app = (["seoaudit.asgi:application"] if "uvicorn" in worker_class.lower()
           else ["seoaudit.wsgi:application", "--threads", "8"])
    proc = subprocess.Popen([gunicorn, *app, "-k", worker_class,
                             "-w", str(workers), "-b", f"127.0.0.1:{port}", "--graceful-timeout", "3",
                             "--log-level", "warning"],
                            cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT,
                            preexec_fn=_die_with_parent)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            with urllib.request.urlopen(base + "/healthz", timeout=2):
                return proc, base
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


# --- load ------------------------------------------------------------------------------------

@dataclass
class Result:
    name: str
    requests: int = 0
    errors: int = 0
    seconds: float = 0.0
    statuses: dict[str, int] = field(default_factory=dict)
    latencies_ms: list[float] = field(default_factory=list, repr=False)
    skipped: str = ""
    #: CPU seconds the server processes (all workers) and this load generator spent.
    server_cpu_s: float = 0.0
    client_cpu_s: float = 0.0

    @property
    def server_cpu_ms(self) -> float:
        """Server CPU per request: the cost figure that does not depend on the load
        generator sharing the machine (or other work running on it)."""
        return self.server_cpu_s * 1000 / self.requests if self.requests else 0.0

    @property
    def rps(self) -> float:
        return self.requests / self.seconds if self.seconds else 0.0

    def percentile(self, q: float) -> float:
        if len(self.latencies_ms) < 2:
            return self.latencies_ms[0] if self.latencies_ms else 0.0
        return statistics.quantiles(self.latencies_ms, n=100, method="inclusive")[int(q) - 1]


class Requests:
    """Fills the templates of one row; `{n}` grows across rows and runs."""

    counter = itertools.count()

    def __init__(self, row: dict[str, Any], seeded: dict[str, Any]) -> None:
        self.row = row
        self.audits = itertools.cycle(seeded["audits"])
        self.big = seeded["big"]

    def next(self) -> tuple[str, str, bytes | None]:
        n = next(self.counter)
        fill = {"audit": next(self.audits), "big": self.big, "n": n}
        body = self.row.get("body")
        data = json.dumps(body).replace("{n}", str(n)).encode() if body is not None else None
        return self.row["method"], self.row["path"].format(**fill), data


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


async def run_row(base: str, row: dict[str, Any], seeded: dict[str, Any], *, concurrency: int,
                  seconds: float, warmup: float, server_pid: int) -> Result:
    import aiohttp

    result = Result(row["name"])
    requests = Requests(row, seeded)
    headers = {**seeded["headers"], "Content-Type": "application/json", "Accept": "application/json"}
    connector = aiohttp.TCPConnector(limit=concurrency, force_close=False)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(base, connector=connector, timeout=timeout, headers=headers) as session:
        method, path, data = requests.next()
        async with session.request(method, path, data=data) as probe:
            await probe.read()
            if probe.status >= 400:
                result.skipped = f"probe {method} {path} answered {probe.status}"
                return result
        measuring = False
        stop_at = time.monotonic() + warmup + seconds

        async def client() -> None:
            while time.monotonic() < stop_at:
                method, path, data = requests.next()
                started = time.perf_counter()
                async with session.request(method, path, data=data) as response:
                    await response.read()
                elapsed = (time.perf_counter() - started) * 1000
                if measuring:
                    result.requests += 1
                    result.latencies_ms.append(elapsed)
                    key = str(response.status)
                    result.statuses[key] = result.statuses.get(key, 0) + 1
                    if response.status >= 400:
                        result.errors += 1

        tasks = [asyncio.create_task(client()) for _ in range(concurrency)]
        await asyncio.sleep(warmup)
        measuring = True
        began = time.monotonic()
        server_cpu, client_cpu = tree_cpu_s(server_pid), time.process_time()
        await asyncio.gather(*tasks)
        result.seconds = time.monotonic() - began
        result.server_cpu_s = tree_cpu_s(server_pid) - server_cpu
        result.client_cpu_s = time.process_time() - client_cpu
    return result


def print_table(results: list[Result]) -> None:
    trivial = next((r for r in results if r.name == TRIVIAL and not r.skipped), None)
    print(f"\n{'endpoint':<22} {'requests':>8} {'errors':>6} {'req/s':>8} {'p50 ms':>7} {'p99 ms':>7} "
          f"{'vs trivial':>10} {'srv CPU ms/req':>14} {'client CPU':>10}  "
          f"targets (p99 < {P99_TARGET_MS:.0f} ms, >= {THROUGHPUT_SHARE_TARGET:.0%})")
    for r in results:
        if r.skipped:
            print(f"{r.name:<22} skipped: {r.skipped}")
            continue
        share = r.rps / trivial.rps if trivial and trivial.rps else 0.0
        ok_p99 = r.percentile(99) < P99_TARGET_MS
        ok_share = r is trivial or share >= THROUGHPUT_SHARE_TARGET
        print(f"{r.name:<22} {r.requests:>8} {r.errors:>6} {r.rps:>8.0f} {r.percentile(50):>7.1f} "
              f"{r.percentile(99):>7.1f} {share:>10.0%} {r.server_cpu_ms:>14.2f} "
              f"{r.client_cpu_s / r.seconds if r.seconds else 0:>10.0%}  "
              f"{'ok' if ok_p99 and ok_share else 'MISSED'}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=10.0, help="measured seconds per endpoint")
    parser.add_argument("--warmup", type=float, default=1.5)
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2, help="gunicorn workers")
    parser.add_argument("--worker-class", default="uvicorn_worker.UvicornWorker",
                        help="e.g. uvicorn_worker.UvicornH11Worker, or gthread (WSGI, 8 threads)")
    parser.add_argument("--rate-limits", action="store_true",
                        help="count requests as in production (limits raised so none is refused)")
    parser.add_argument("--db-pool", type=int, default=8,
                        help="DB_POOL_SIZE per worker (0: per-request connections, CONN_MAX_AGE)")
    parser.add_argument("--only", default="", help="comma-separated endpoint names")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_api")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/6")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    var_dir = Path(tempfile.mkdtemp(prefix="bench-api-"))
    env = {**os.environ, "DATABASE_URL": args.pg_url, "REDIS_URL": args.redis_url,
           "DJANGO_SETTINGS_MODULE": "seoaudit.settings", "SEOAUDIT_VAR_DIR": str(var_dir),
           "SEOAUDIT_QUIET_STARTUP": "1", "DEBUG": "false", "LOG_LEVEL": "INFO", "LOG_FORMAT": "json",
           "SEOAUDIT_RATE_LIMITS_ENABLED": "true" if args.rate_limits else "false",
           "DB_POOL_SIZE": str(args.db_pool)}
    if args.rate_limits:  # counted and headed as in production, but never refused
        env["SEOAUDIT_RATE_LIMITS"] = ",".join(f"{name}=10000000/minute" for name in
                                               ("auth", "audits", "pdf", "search", "webhooks", "default"))
    os.environ.update(env)
    recreate_database(args.pg_url)
    seeded = seed(args.pg_url)
    log_path = var_dir / "server.log"
    proc, base = start_server(env, args.workers, log_path, args.worker_class)
    rows = [r for r in ENDPOINTS if not args.only or r["name"] in args.only.split(",")]
    results: list[Result] = []
    try:
        for row in rows:
            results.append(asyncio.run(run_row(base, row, seeded, concurrency=args.concurrency,
                                               seconds=args.seconds, warmup=args.warmup,
                                               server_pid=proc.pid)))
    finally:
        stop_server(proc)
        import redis

        redis.Redis.from_url(args.redis_url).delete("celery")  # the queued crawls of created audits
    print(f"{platform.node()} · {os.cpu_count()} CPUs · load average {os.getloadavg()[0]:.1f} · "
          f"gunicorn {args.workers} × {args.worker_class} · "
          f"{args.concurrency} clients · {args.seconds:.0f} s per endpoint · rate limits "
          f"{'on' if args.rate_limits else 'off'} · DB pool {args.db_pool} · server log {log_path}")
    print_table(results)
    if args.json:
        rows_out = [{**{k: v for k, v in asdict(r).items() if k != "latencies_ms"}, "rps": r.rps,
                     "p50_ms": r.percentile(50), "p99_ms": r.percentile(99),
                     "server_cpu_ms_per_request": r.server_cpu_ms} for r in results]
        args.json.write_text(json.dumps(rows_out, indent=2))


if __name__ == "__main__":
    main()
