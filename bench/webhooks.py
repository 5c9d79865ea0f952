"""Webhook delivery throughput and correctness: 1,000 events to 10 local receivers.

Run: .venv/bin/python bench/webhooks.py [--events 1000] [--mode pool|celery] [--threads 16]

What it does: (re)creates the database `bench_webhooks`, migrates it, starts 10 receivers on
127.0.0.1 in a separate process (8 prompt, one slow: --slow-ms per request, one failing: it
answers 503 to the first two attempts of every message, then 200), registers one endpoint per
receiver for one user and emits --events `audit.completed` events through
`webhooks.services.event_emit` (10 deliveries each). Then the deliveries are sent:

- `--mode pool` (default): the delivery service (`delivery_attempt`) in a thread pool of
  --threads, driven like the periodic sweep; every due delivery is submitted TWICE (as a
  redelivered Celery message would be) so the conditional-UPDATE claim is exercised. Retries
  are made due by a fake clock (no sleeping through 5 s / 30 s backoffs).
- `--mode celery`: real Celery workers (`celery -A seoaudit worker --pool threads -c --threads`)
  on Redis (--redis-url) with embedded beat (`-B`: the `webhooks.deliver_due` sweep every
  30 s); the events' on-commit enqueue sends every delivery, retries are Celery countdowns in
  real time (the failing receiver needs ~35 s + jitter to settle).

Printed: events/s emitted; deliveries/s (successful deliveries over the sending phase's wall
time; in celery mode from the first emit, since workers send while events are emitted);
attempts; lost deliveries (an expected delivery with no row, or a settled row whose receiver
never got it with a 2xx; must be 0); duplicates (a receiver that got the same webhook-id with
a 2xx twice; must be 0); failed; and rows still unsettled when the celery deadline hit.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
ROOT = BENCH_DIR.parent
sys.path.insert(0, str(ROOT))


# --- receivers (own process, so their HTTP work does not share the senders' GIL) --------------

def receivers_main(slow_ms: int, ports: Any, conn: Any) -> None:
    from collections import Counter
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
    from threading import Lock, Thread

    attempts: list[Counter[str]] = [Counter() for _ in range(10)]
    successes: list[Counter[str]] = [Counter() for _ in range(10)]
    lock = Lock()

    def handler_for(index: int) -> type[BaseHTTPRequestHandler]:
        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def do_POST(self) -> None:
                self.rfile.read(int(self.headers.get("Content-Length") or 0))
                msg_id = self.headers.get("webhook-id", "")
                with lock:
                    attempts[index][msg_id] += 1
                    status = 503 if index == 9 and attempts[index][msg_id] <= 2 else 200
                    if status == 200:
                        successes[index][msg_id] += 1
                if index == 8:
                    time.sleep(slow_ms / 1000)
                self.send_response(status)
                self.send_header("Content-Length", "2")
                self.end_headers()
                self.wfile.write(b"ok")

            def log_message(self, *args: object) -> None:
                pass
        return Handler

    servers = []
    for i in range(10):
        server = ThreadingHTTPServer(("127.0.0.1", 0), handler_for(i))
        server.daemon_threads = True
        servers.append(server)
        Thread(target=server.serve_forever, daemon=True).start()
    conn.send([s.server_address[1] for s in servers])
    conn.recv()  # "report"
    with lock:
        conn.send({"successes": [dict(c) for c in successes],
                   "attempts": [sum(c.values()) for c in attempts]})


# --- database -------------------------------------------------------------------------------

def recreate_database(pg_url: str) -> None:
    import psycopg

    base, _, name = pg_url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--mode", choices=("pool", "celery"), default="pool")
    parser.add_argument("--threads", type=int, default=16)
    parser.add_argument("--slow-ms", type=int, default=100)
    parser.add_argument("--pg-url", default="postgres://postgres@127.0.0.1:5432/bench_webhooks")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/5")
    parser.add_argument("--deadline", type=float, default=900,
                        help="celery mode: seconds to wait for every delivery to settle")
    args = parser.parse_args()

    recreate_database(args.pg_url)
    os.environ.update(DATABASE_URL=args.pg_url, REDIS_URL=args.redis_url, LOG_LEVEL="ERROR",
                      WEBHOOKS_ALLOW_PRIVATE="true", SEOAUDIT_QUIET_STARTUP="1",
                      DJANGO_SETTINGS_MODULE="seoaudit.settings")
    parent, child = mp.Pipe()
    receivers = mp.Process(target=receivers_main, args=(args.slow_ms, None, child), daemon=True)
    receivers.start()
    ports = parent.recv()

    import django

    django.setup()
    import logging

    logging.disable(logging.WARNING)
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from webhooks import delivery, services
    from webhooks.models import WebhookDelivery

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench")
    for port in ports:
        services.endpoint_create(owner=user, url=f"http://127.0.0.1:{port}/hook")

    worker = None
    if args.mode == "pool":  # the pool is the worker: nothing goes to the broker
        services.deliveries_enqueue = lambda **kwargs: None  # type: ignore[assignment]
    else:
        import redis

        redis.Redis.from_url(args.redis_url).flushdb()
        worker = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "seoaudit", "worker", "--pool", "threads",
             "-c", str(args.threads), "--loglevel", "WARNING", "-Q", "webhooks,beat,celery",
             "-B", "--schedule", "/tmp/bench-webhooks-celerybeat"],  # beat: the 30 s sweep
            cwd=ROOT, env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    started = emit_started = time.perf_counter()
    for i in range(args.events):
        services.event_emit(owner=user, type="audit.completed",
                            data={"audit_id": f"bench-{i}", "seo_score": 80.0})
    emit_s = time.perf_counter() - started
    expected = args.events * len(ports)

    # Celery workers send while the events are emitted: time them from the first emit.
    started = time.perf_counter() if args.mode == "pool" else emit_started
    attempts = 0
    if args.mode == "pool":
        attempts = run_pool(args.threads, delivery, WebhookDelivery, timezone)
    else:
        wait_for_celery(WebhookDelivery, deadline_s=args.deadline)
        attempts = sum(WebhookDelivery.objects.values_list("attempts", flat=True))
    send_s = time.perf_counter() - started
    if worker is not None:
        worker.terminate()
        worker.wait(timeout=30)

    parent.send("report")
    report = parent.recv()
    receivers.terminate()
    distinct = sum(len(s) for s in report["successes"])
    received_ok = sum(sum(s.values()) for s in report["successes"])
    received = {(ports[i], msg_id) for i, counts in enumerate(report["successes"]) for msg_id in counts}
    rows = WebhookDelivery.objects.values_list("endpoint__url", "event_id", "status")
    status_of = {(int(url.rsplit(":", 1)[1].split("/")[0]), msg_id): st for url, msg_id, st in rows}
    unsettled = sum(st in ("pending", "sending") for st in status_of.values())
    failed = sum(st == "failed" for st in status_of.values())
    # Lost: an expected delivery with no row, or a settled row whose receiver never got it
    # with a 2xx (rows still pending/sending when the celery deadline hit count as unsettled).
    lost = (expected - len(status_of)) + sum(
        1 for key, st in status_of.items() if st not in ("pending", "sending") and key not in received)
    duplicates = received_ok - distinct
    succeeded = WebhookDelivery.objects.filter(status="succeeded").count()
    connection.close()
    print(json.dumps({"mode": args.mode, "threads": args.threads, "events": args.events,
                      "receivers": len(ports), "slow_ms": args.slow_ms}))
    print(f"emit:       {args.events} events, {expected} deliveries in {emit_s:.2f} s "
          f"({args.events / emit_s:.0f} events/s)")
    print(f"deliveries: {succeeded}/{expected} succeeded in {send_s:.2f} s "
          f"({succeeded / send_s:.0f} deliveries/s), {attempts} attempts "
          f"(receiver saw {sum(report['attempts'])} requests)")
    print(f"lost deliveries: {lost}   duplicates: {duplicates}   failed: {failed}   "
          f"unsettled at the deadline: {unsettled}")


def run_pool(threads: int, delivery: Any, model: Any, timezone: Any) -> int:
    """The sweep with a fake clock: send what is due (each id twice), then jump to the next
    retry time, until nothing is pending."""
    def attempt(pk: int, now: Any) -> bool:  # each pool thread keeps its own DB connection
        return delivery.delivery_attempt(delivery_id=pk, now=now) is not None

    now = timezone.now()
    made = 0
    with ThreadPoolExecutor(threads) as pool:
        while True:
            due = list(model.objects.filter(status="pending", next_attempt_at__lte=now)
                       .values_list("pk", flat=True))
            if due:
                ids = [pk for pk in due for _ in (0, 1)]
                made += sum(pool.map(attempt, ids, [now] * len(ids)))
            nxt = model.objects.filter(status="pending").order_by("next_attempt_at").first()
            if nxt is None:
                return made
            now = max(now + timedelta(seconds=1), nxt.next_attempt_at)


def wait_for_celery(model: Any, *, deadline_s: float) -> None:
    end = time.monotonic() + deadline_s
    while time.monotonic() < end:
        if not model.objects.exclude(status__in=("succeeded", "failed")).exists():
            return
        time.sleep(0.5)


if __name__ == "__main__":
    main()
