"""SSE benchmark: N concurrent event streams on ONE uvicorn worker, events published to Redis.

    python bench/sse.py [--streams 1000] [--audits 100] [--users 50] [--rate 2] [--seconds 10]
                        [--ramp 50] [--pg-url URL] [--redis-url URL] [--db-pool 10] [--json FILE]

What it does: (re)creates the database `bench_sse`, migrates it, seeds `--users` users and
`--audits` RUNNING audits, starts gunicorn with ONE uvicorn worker (`seoaudit.asgi:application`,
production settings: PostgreSQL with a psycopg pool + Redis) on a free port, then opens `--streams`
streams with stream tokens (`?token=`, as a browser's EventSource would), `--ramp` at a time,
each waiting for its first event (the current snapshot). With every stream open it reads the
server's RSS and Redis's client list, then publishes `--rate` snapshots per second per audit
to `audit:progress:{id}` for `--seconds` (the worker's throttle allows 4) and measures each
event's delivery latency: publish -> the client has parsed the event (the load generator
shares the machine's CPUs with the server, so this is an upper bound). Finally every stream
is dropped and the server's stream count and Redis clients are read again.

Prints: streams held, events delivered / expected, latency p50/p99/max, server RSS before and
with the streams (KiB per stream), server CPU per delivered event, threads, Redis connections,
and the machine's load average (latency on a shared machine depends on it; the server's CPU
per delivery does not). Everything
talks to 127.0.0.1 only; loops are bounded by time; the server is stopped on exit (also if
the bench is killed). Use a Redis database of your own (`--redis-url`, default db 3).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import statistics
import sys
import time
from pathlib import Path
from typing import Any

import psutil

REPO_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO_DIR))

from bench.api import recreate_database, start_server, stop_server  # noqa: E402

#: Targets from the issue.
P99_TARGET_MS = 250.0
KB_PER_STREAM_TARGET = 100.0
SECRET_KEY = "bench-sse-secret-key-not-for-production-0123456789abcdef"


def raise_fd_limit(wanted: int) -> int:
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = min(max(soft, wanted), hard)
    resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return target


def seed(pg_url: str, *, users: int, audits: int, streams: int) -> list[dict[str, str]]:
    """Users, RUNNING audits, and one (audit id, stream URL path) per stream to open."""
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from audits.models import Audit
    from audits.sse.tokens import stream_token_issue

    call_command("migrate", verbosity=0)
    people = [get_user_model().objects.create_user(f"bench{i}", password="bench-password-1")
              for i in range(users)]
    rows = [Audit.objects.create(owner=people[i % users], url=f"https://site-{i}.example.com/",
                                 normalized_url=f"https://site-{i}.example.com/",
                                 status=Audit.Status.RUNNING, started_at=timezone.now(),
                                 total_pages=500)
            for i in range(audits)]
    plan = []
    for n in range(streams):
        audit = rows[n % audits]
        token, _ = stream_token_issue(user=audit.owner, audit_id=audit.pk)
        plan.append({"audit": str(audit.pk),
                     "path": f"/api/v1/audits/{audit.pk}/events?token={token}"})
    connections.close_all()
    return plan


class Stream(asyncio.Protocol):
    """One client on a bare asyncio connection (a load generator as light as it gets: the
    seq is read from the `id:` line, the JSON is not parsed); records (audit, seq) -> arrival."""

    def __init__(self, base: str, audit: str, path: str,
                 arrivals: dict[tuple[str, int], list[float]]) -> None:
        self.audit, self.path, self.arrivals = audit, path, arrivals
        loop = asyncio.get_running_loop()
        self.opened = loop.create_future()
        self.closed = loop.create_future()
        self.events = 0
        self.error: str | None = None
        self.transport: asyncio.Transport | None = None
        self._buffer = b""
        host, port = base.removeprefix("http://").split(":")
        self.task = asyncio.create_task(loop.create_connection(lambda: self, host, int(port)))

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        transport.write(f"GET {self.path} HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                        "Accept: text/event-stream\r\n\r\n".encode())

    def data_received(self, data: bytes) -> None:
        now = time.monotonic()
        *lines, self._buffer = (self._buffer + data).split(b"\n")
        for line in lines:
            if line.startswith(b"HTTP/1.1 ") and line[9:12] != b"200":
                self.error = line.decode(errors="replace").strip()
                self.close()
            elif line.startswith(b"id: "):
                seq = int(line[4:])
                self.events += 1
                if not self.opened.done():
                    self.opened.set_result(True)
                elif seq > 0:
                    self.arrivals.setdefault((self.audit, seq), []).append(now)

    def connection_lost(self, exc: Exception | None) -> None:
        if exc is not None and self.error is None:
            self.error = f"{type(exc).__name__}: {exc}"
        for future in (self.opened, self.closed):
            if not future.done():
                future.set_result(False)

    @property
    def open(self) -> bool:
        return not self.closed.done()

    def close(self) -> None:
        if self.transport is not None:
            self.transport.close()


def server_stats(proc: psutil.Process) -> dict[str, Any]:
    cpu = proc.cpu_times()
    return {"rss_kib": proc.memory_info().rss // 1024, "cpu_s": round(cpu.user + cpu.system, 2),
            "threads": proc.num_threads(), "fds": proc.num_fds()}


def redis_clients(url: str) -> dict[str, int]:
    import redis

    client = redis.Redis.from_url(url)
    db = str(client.connection_pool.connection_kwargs.get("db", 0))
    # the server is shared: count the connections to this benchmark's database only
    clients = [c for c in client.client_list() if c.get("db") == db]
    return {"total": len(clients),
            "pattern_subscribers": sum(1 for c in clients if int(c.get("psub", 0)) > 0)}


async def run(args: argparse.Namespace, base: str, server: psutil.Process,
              plan: list[dict[str, str]]) -> dict[str, Any]:
    import redis.asyncio as aioredis

    arrivals: dict[tuple[str, int], list[float]] = {}
    results: dict[str, Any] = {}
    # warm up: the first stream initialises Django, the pool and the Redis hub
    warm = Stream(base, plan[0]["audit"], plan[0]["path"], {})
    await asyncio.wait_for(warm.opened, 30)
    warm.close()
    await asyncio.sleep(1.0)
    results["server_before"] = before = server_stats(server)
    streams: list[Stream] = []
    started = time.monotonic()
    for i in range(0, len(plan), args.ramp):
        batch = [Stream(base, row["audit"], row["path"], arrivals)
                 for row in plan[i:i + args.ramp]]
        streams.extend(batch)
        await asyncio.wait_for(asyncio.gather(*(s.opened for s in batch)), 60)
    results["open_s"] = round(time.monotonic() - started, 2)
    await asyncio.sleep(1.0)
    results["server_open"] = opened = server_stats(server)
    results["redis_clients_open"] = redis_clients(args.redis_url)
    held = sum(1 for s in streams if s.opened.result() and s.open)
    results["streams_held"] = held
    results["kib_per_stream"] = round((opened["rss_kib"] - before["rss_kib"]) / max(held, 1), 1)

    audits = sorted({row["audit"] for row in plan})
    followers = {a: sum(1 for row in plan if row["audit"] == a) for a in audits}
    publisher = aioredis.Redis.from_url(args.redis_url)
    published: dict[tuple[str, int], float] = {}
    seq = 0
    interval = 1.0 / args.rate
    cpu_before = server_stats(server)["cpu_s"]
    deadline = time.monotonic() + args.seconds
    next_round = time.monotonic()
    while time.monotonic() < deadline:
        seq += 1
        # spread each round's publishes over the interval, as independent crawls would
        gap = interval / len(audits)
        for n, audit in enumerate(audits):
            target = next_round + n * gap
            delay = target - time.monotonic()
            if delay > 0:
                await asyncio.sleep(delay)
            snapshot = {"audit_id": audit, "seq": seq, "status": "RUNNING", "progress": seq % 100,
                        "pages_crawled": seq, "total_pages": 500, "current_url": f"https://x/{seq}",
                        "findings": {"error": 0, "warning": seq, "notice": 0}, "seo_score": None,
                        "geo_score": None, "started_at": None, "finished_at": None,
                        "elapsed_s": None, "eta_s": None, "error": None, "url": "https://x/"}
            published[(audit, seq)] = time.monotonic()
            await publisher.publish(f"audit:progress:{audit}", json.dumps(snapshot))
        next_round += interval
    await asyncio.sleep(2.0)  # let the last events arrive
    results["server_cpu_publish_s"] = round(server_stats(server)["cpu_s"] - cpu_before, 2)
    await publisher.aclose()

    latencies = [(t - published[key]) * 1000 for key, times in arrivals.items()
                 if key in published for t in times]
    expected = sum(followers[a] for a, _s in published)
    results["server_cpu_us_per_delivery"] = round(
        results["server_cpu_publish_s"] * 1e6 / max(len(latencies), 1), 1)
    results.update({
        "events_published": len(published), "deliveries_expected": expected,
        "deliveries": len(latencies),
        "latency_ms": {"p50": round(statistics.median(latencies), 1) if latencies else None,
                       "p99": round(statistics.quantiles(latencies, n=100)[98], 1)
                       if len(latencies) > 100 else None,
                       "max": round(max(latencies), 1) if latencies else None},
        "stream_errors": sorted({s.error for s in streams if s.error})[:5],
    })
    for stream in streams:
        stream.close()
    await asyncio.wait_for(asyncio.gather(*(s.closed for s in streams)), 30)
    await asyncio.sleep(3.0)
    results["server_after_close"] = server_stats(server)
    results["redis_clients_after_close"] = redis_clients(args.redis_url)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--streams", type=int, default=1000)
    parser.add_argument("--audits", type=int, default=100)
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--rate", type=float, default=2.0, help="snapshots/s per audit")
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--ramp", type=int, default=50, help="streams opened at once")
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_sse")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/3")
    parser.add_argument("--db-pool", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    fds = raise_fd_limit(args.streams * 2 + 512)  # inherited by the server
    os.environ.update({"DATABASE_URL": args.pg_url, "REDIS_URL": args.redis_url,
                       "SECRET_KEY": SECRET_KEY, "SEOAUDIT_QUIET_STARTUP": "1",
                       "DJANGO_SETTINGS_MODULE": "seoaudit.settings"})
    recreate_database(args.pg_url)
    per_user = -(-args.streams // args.users)
    plan = seed(args.pg_url, users=args.users, audits=args.audits, streams=args.streams)
    env = {**os.environ, "LOG_LEVEL": "WARNING", "DB_POOL_SIZE": str(args.db_pool),
           "SSE_MAX_STREAMS_PER_USER": str(max(per_user, 20)), "SSE_HEARTBEAT_S": "15"}
    out_dir = REPO_DIR / "bench" / "out"
    out_dir.mkdir(parents=True, exist_ok=True)
    load_before = round(os.getloadavg()[0], 1)
    # gunicorn with ONE uvicorn worker, as in production; the figures are the worker's
    proc, port = start_server(env, 1, out_dir / "sse-server.log")
    base = f"http://127.0.0.1:{port}"
    try:
        worker = psutil.Process(proc.pid).children()[0]
        results = asyncio.run(run(args, base, worker, plan))
    finally:
        stop_server(proc)
    figures = {"load_average_1m_before": load_before,
               "load_average_1m_after": round(os.getloadavg()[0], 1), "streams": args.streams,
               "audits": args.audits, "users": args.users,
               "rate_per_audit": args.rate, "seconds": args.seconds, "fd_limit": fds,
               "cpus": os.cpu_count(), **results}
    print(json.dumps(figures, indent=2))
    p99 = results["latency_ms"]["p99"]
    print(f"\nstreams held {results['streams_held']}/{args.streams} "
          f"(opened in {results['open_s']} s); "
          f"deliveries {results['deliveries']}/{results['deliveries_expected']}; "
          f"latency p50 {results['latency_ms']['p50']} ms, p99 {p99} ms, "
          f"max {results['latency_ms']['max']} ms; "
          f"{results['kib_per_stream']} KiB/stream; server CPU "
          f"{results['server_cpu_us_per_delivery']} us/delivery; server threads "
          f"{results['server_open']['threads']} with streams, "
          f"{results['server_after_close']['threads']} after; Redis pattern subscribers "
          f"{results['redis_clients_open']['pattern_subscribers']} with streams")
    verdict = (results["streams_held"] == args.streams and p99 is not None and p99 < P99_TARGET_MS
               and results["kib_per_stream"] < KB_PER_STREAM_TARGET)
    print(f"targets (all held, p99 < {P99_TARGET_MS:.0f} ms, < {KB_PER_STREAM_TARGET:.0f} KB/stream): "
          f"{'met' if verdict else 'NOT met'}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
