"""Distributed crawl benchmark: one large audit crawled by 1, 2, 4 ... Celery worker processes.

    python bench/scale.py [--pages 100000] [--workers 1,2,4] [--site-dir DIR]
                          [--pg-db h_distributed_bench] [--redis-url redis://127.0.0.1:6379/10]
                          [--batch 200] [--concurrency 32] [--timeout 3600]

The synthetic site (bench/sitegen.py, generated once into bench/out/site-<pages>) is served by
nginx on 127.0.0.1 (bench/nginx_site.py). For each worker count the database is emptied, W
workers (`celery worker --pool solo`, one process each, as they would run one per core on
several hosts) are started on a queue of their own, the audit is enqueued (`audits.run_audit`:
one worker coordinates, then every worker takes work units), and the run is watched from
here until the audit is COMPLETED.

Figures per run: pages, crawl seconds (audit start -> last page saved), finalize seconds
(site-wide checks + score), pages/s over the crawl and over the whole audit, scaling
efficiency (pages/s ÷ (W × pages/s of one worker)), CPU ms per page in the workers,
peak RSS of each worker, PostgreSQL CPU, database bytes per page (pages, links, findings and
the frontier at its largest, ÷ pages), rows written per page, Redis commands per page (the
server-wide INFO commandstats delta: an upper bound when other clients share the server), and
the machine's busy CPU seconds beside ours. Output: a table, and bench/out/scale-<ts>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
OUT_DIR = BENCH_DIR / "out"
sys.path.insert(0, str(BENCH_DIR))

import psutil  # noqa: E402
from nginx_site import run_nginx  # noqa: E402
from sitegen import generate_site, read_manifest  # noqa: E402

TABLES = ("audits_page", "audits_link", "audits_finding", "audits_crawlurl")

_ENQUEUE = """
import json, os, sys
import django
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "seoaudit.settings")
django.setup()
from django.contrib.auth import get_user_model
from audits import services
from audits.tasks import run_audit
user, _ = get_user_model().objects.get_or_create(username="bench-scale")
audit = services.audit_create(owner=user, url=sys.argv[1], enqueue=False, options=json.loads(sys.argv[2]))
run_audit.apply_async(args=[str(audit.pk)], queue=sys.argv[3])
print(audit.pk)
"""


def pg_url(db: str) -> str:
    return f"postgres://postgres@127.0.0.1:5432/{db}"


def env_for(args: argparse.Namespace, queue: str) -> dict[str, str]:
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": pg_url(args.pg_db), "REDIS_URL": args.redis_url,
        "REDIS_CACHE_URL": args.redis_url, "SEOAUDIT_QUIET_STARTUP": "1",
        "SEOAUDIT_DISTRIBUTED_QUEUE": queue, "SEOAUDIT_DISTRIBUTED_BATCH": str(args.batch),
        "SEOAUDIT_ALLOW_PRIVATE_NETWORKS": "1", "SEOAUDIT_JS_RENDER_SAMPLE": "0",
        "SEOAUDIT_PAGESPEED_SAMPLE": "0",
        "SEOAUDIT_MAX_PAGES_LIMIT": "10000000",
        "SEOAUDIT_DISTRIBUTED_MIN_PAGES": "0", "LOG_LEVEL": "WARNING",
    })
    return env


def manage(argv: list[str], env: dict[str, str], timeout: float = 900) -> str:
    return subprocess.run([sys.executable, "manage.py", *argv], cwd=REPO_DIR, env=env, check=True,
                          capture_output=True, text=True, timeout=timeout).stdout


def psql(db: str, sql: str) -> list[list[str]]:
    out = subprocess.run(["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", db, "-At", "-F", "\t",
                          "-c", sql], check=True, capture_output=True, text=True).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def prepare_db(args: argparse.Namespace, env: dict[str, str]) -> None:
    exists = psql("postgres", f"SELECT 1 FROM pg_database WHERE datname = '{args.pg_db}'")
    if not exists:
        psql("postgres", f'CREATE DATABASE "{args.pg_db}"')
    manage(["migrate", "--noinput"], env)
    manage(["flush", "--noinput"], env)
    psql(args.pg_db, "VACUUM FULL")  # table sizes start from empty files


def table_bytes(db: str) -> dict[str, int]:
    rows = psql(db, "SELECT relname, pg_total_relation_size(oid) FROM pg_class WHERE relname IN ("
                + ",".join(f"'{t}'" for t in TABLES) + ")")
    return {name: int(size) for name, size in rows}


def db_tuples(db: str) -> dict[str, int]:
    [row] = psql(db, "SELECT tup_inserted, tup_updated, tup_deleted, xact_commit "
                     f"FROM pg_stat_database WHERE datname = '{db}'")
    return dict(zip(("inserted", "updated", "deleted", "commits"), map(int, row), strict=True))


def redis_calls(url: str) -> int:
    import redis

    stats = redis.Redis.from_url(url).info("commandstats")
    return sum(int(v["calls"]) for v in stats.values())


def audit_row(db: str, audit_id: str) -> dict[str, Any]:
    rows = psql(db, "SELECT a.status, a.pages_crawled, extract(epoch from a.started_at), "
                    "extract(epoch from a.finished_at), coalesce(j.pages_done, 0), "
                    "extract(epoch from j.finalize_started_at), a.error "
                    "FROM audits_audit a LEFT JOIN audits_crawljob j ON j.audit_id = a.id "
                    f"WHERE a.id = '{audit_id}'")
    status, pages, started, finished, done, finalize, error = rows[0]
    num = lambda v: float(v) if v else None  # noqa: E731
    return {"status": status, "pages": int(pages), "started": num(started),
            "finished": num(finished), "pages_done": int(done), "finalize_started": num(finalize),
            "error": error}


class WorkerSampler:
    """Peak RSS and CPU of each worker process (and its children), sampled every 0.5 s."""

    def __init__(self, pids: list[int]) -> None:
        self.procs = [psutil.Process(pid) for pid in pids]
        self.peak_rss_mb = [0.0] * len(pids)
        self.cpu_s = [0.0] * len(pids)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()

    def _sample(self) -> None:
        for i, proc in enumerate(self.procs):
            try:
                tree = [proc, *proc.children(recursive=True)]
                rss = sum(p.memory_info().rss for p in tree)
                cpu = sum(sum(p.cpu_times()[:2]) for p in tree)
            except psutil.Error:
                continue
            self.peak_rss_mb[i] = max(self.peak_rss_mb[i], round(rss / 2**20, 1))
            self.cpu_s[i] = max(self.cpu_s[i], cpu)

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()


class PostgresSampler:
    """CPU of the PostgreSQL backends serving the bench database (their command line names
    it), sampled every 0.5 s: backends come and go, each counts from its first sample (0 when
    it started during the run) to its last."""

    def __init__(self, db: str) -> None:
        self.tag = f" {db} "
        self.first: dict[int, float] = {}
        self.last: dict[int, float] = {}
        self._sample(first=True)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _sample(self, first: bool = False) -> None:
        for proc in psutil.process_iter(["name", "cmdline"]):
            if proc.info["name"] != "postgres" or self.tag not in " ".join(proc.info["cmdline"] or ()) + " ":
                continue
            try:
                cpu = sum(proc.cpu_times()[:2])
            except psutil.Error:
                continue
            if first:
                self.first[proc.pid] = cpu
            self.last[proc.pid] = cpu

    def _run(self) -> None:
        while not self._stop.wait(0.5):
            self._sample()

    def stop(self) -> float:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample()
        return sum(cpu - self.first.get(pid, 0.0) for pid, cpu in self.last.items())


def politeness_calls(log_dir: Path) -> int:
    """Redis calls of the per-host gate, from the units' `distributed.unit_saved` log lines."""
    total = 0
    for path in log_dir.glob("worker-*.log"):
        for line in path.read_text(errors="replace").splitlines():
            if "distributed.unit_saved" in line:
                # JSON lines, or the event dict inside Celery's own log format.
                found = _CALLS.search(line)
                total += int(found.group(1)) if found else 0
    return total


_CALLS = re.compile(r"""["']politeness_redis_calls["']: (\d+)""")


def machine_busy() -> float:
    t = psutil.cpu_times()
    return sum(t) - t.idle - getattr(t, "iowait", 0.0)


def run_once(args: argparse.Namespace, base_url: str, workers: int,
             max_pages: int) -> dict[str, Any]:
    queue = f"scale-{uuid.uuid4().hex[:8]}"
    env = env_for(args, queue)
    prepare_db(args, env)
    log_dir = OUT_DIR / f"scale-logs-{queue}"
    log_dir.mkdir(parents=True, exist_ok=True)
    procs = []
    for i in range(workers):
        log = open(log_dir / f"worker-{i}.log", "w", encoding="utf-8")  # noqa: SIM115
        procs.append((subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "seoaudit", "worker", "--pool", "solo",
             "-Q", queue, "-n", f"scale{i}-{queue}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "INFO"],  # INFO: the units' log lines
            cwd=REPO_DIR, env=env, stdout=log, stderr=subprocess.STDOUT), log))
    time.sleep(6)  # imports; an idle worker's start-up is not part of the crawl
    sampler = WorkerSampler([p.pid for p, _ in procs])
    sampler.start()
    options = {"max_pages": max_pages, "allow_private": True, "check_external_links": False,
               "geo_live_check": False, "concurrency": args.concurrency}
    redis0, tuples0, busy0 = redis_calls(args.redis_url), db_tuples(args.pg_db), machine_busy()
    pg_sampler = PostgresSampler(args.pg_db)
    peak = dict.fromkeys(TABLES, 0)
    deadline = time.monotonic() + args.timeout
    row: dict[str, Any] = {}
    last_print = 0.0
    try:
        audit_id = subprocess.run(
            [sys.executable, "-c", _ENQUEUE, base_url + "/", json.dumps(options), queue],
            cwd=REPO_DIR, env=env, check=True, capture_output=True, text=True,
            timeout=300).stdout.split()[-1]
        while time.monotonic() < deadline:
            row = audit_row(args.pg_db, audit_id)
            if row["finalize_started"] is None and row["status"] == "RUNNING":
                for name, size in table_bytes(args.pg_db).items():
                    peak[name] = max(peak[name], size)
            if row["status"] in ("COMPLETED", "FAILED", "CANCELLED"):
                break
            if time.monotonic() - last_print > 30:
                last_print = time.monotonic()
                print(f"  {workers} worker(s): {row['pages_done']} pages", file=sys.stderr,
                      flush=True)
            time.sleep(2)
    finally:
        sampler.stop()
        pg_cpu = pg_sampler.stop()
        for proc, _log in procs:
            proc.terminate()
        for proc, log in procs:
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                proc.kill()
            log.close()
    final_sizes = table_bytes(args.pg_db)
    for name, size in final_sizes.items():
        peak[name] = max(peak[name], size)
    tuples1 = db_tuples(args.pg_db)
    pages = row.get("pages") or 0
    crawl_s = (row["finalize_started"] or row["finished"] or time.time()) - row["started"] \
        if row.get("started") else None
    total_s = row["finished"] - row["started"] if row.get("finished") and row.get("started") else None
    worker_cpu = sum(sampler.cpu_s)
    pages_stored = pages + 1 if pages else 1
    return {
        "workers": workers, "concurrency": args.concurrency, "status": row.get("status"),
        "error": row.get("error"), "pages": pages,
        "crawl_s": round(crawl_s, 1) if crawl_s else None,
        "finalize_s": round(total_s - crawl_s, 1) if total_s and crawl_s else None,
        "total_s": round(total_s, 1) if total_s else None,
        "crawl_pages_per_s": round(pages / crawl_s, 1) if crawl_s else None,
        "pages_per_s": round(pages / total_s, 1) if total_s else None,
        "worker_cpu_ms_per_page": round(worker_cpu * 1000 / max(pages, 1), 2),
        "peak_rss_mb_per_worker": sampler.peak_rss_mb,
        "postgres_cpu_ms_per_page": round(pg_cpu * 1000 / max(pages, 1), 2),
        "machine_busy_s": round(machine_busy() - busy0, 1),
        "our_cpu_s": round(worker_cpu, 1),
        "db_bytes_per_page": {name: round(size / pages_stored) for name, size in peak.items()},
        "db_bytes_per_page_total": round(sum(peak.values()) / pages_stored),
        "db_bytes_per_page_after_finish": round(sum(final_sizes.values()) / pages_stored),
        "rows_per_page": {k: round((tuples1[k] - tuples0[k]) / max(pages, 1), 2)
                          for k in ("inserted", "updated", "deleted", "commits")},
        "redis_commands_per_page_upper_bound": round(
            (redis_calls(args.redis_url) - redis0) / max(pages, 1), 2),
        "politeness_redis_calls_per_page": round(politeness_calls(log_dir) / max(pages, 1), 2),
        "logs": str(log_dir),
    }


def ensure_site(args: argparse.Namespace) -> Path:
    site_dir = Path(args.site_dir) if args.site_dir else OUT_DIR / f"site-{args.pages}"
    manifest = read_manifest(site_dir)
    if manifest is None or manifest.get("pages") != args.pages:
        print(f"generating {args.pages} pages into {site_dir} ...", file=sys.stderr, flush=True)
        generate_site(site_dir, pages=args.pages, kb_min=30, kb_max=80)
    return site_dir


def print_table(runs: list[dict[str, Any]]) -> None:
    base = next((r["crawl_pages_per_s"] for r in runs if r["workers"] == 1
                 and r["crawl_pages_per_s"]), None)
    print(f"{'workers':>7} {'pages':>7} {'crawl s':>8} {'final s':>7} {'crawl p/s':>9} "
          f"{'p/s':>6} {'eff.':>5} {'cpu ms/p':>8} {'pg ms/p':>7} {'peak RSS MB/worker':<22} "
          f"{'DB B/page':>9} {'redis/p':>7} {'busy s':>7} {'ours s':>7}")
    for r in runs:
        eff = (f"{r['crawl_pages_per_s'] / (base * r['workers']):.0%}"
               if base and r["crawl_pages_per_s"] else "-")
        rss = ",".join(f"{v:.0f}" for v in r["peak_rss_mb_per_worker"])
        print(f"{r['workers']:>7} {r['pages']:>7} {r['crawl_s'] or '-':>8} {r['finalize_s'] or '-':>7} "
              f"{r['crawl_pages_per_s'] or '-':>9} {r['pages_per_s'] or '-':>6} {eff:>5} "
              f"{r['worker_cpu_ms_per_page']:>8} {r['postgres_cpu_ms_per_page']:>7} {rss:<22} "
              f"{r['db_bytes_per_page_total']:>9} {r['redis_commands_per_page_upper_bound']:>7} "
              f"{r['machine_busy_s']:>7} {r['our_cpu_s']:>7}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--pages", type=int, default=100_000)
    parser.add_argument("--workers", default="1,2,4")
    parser.add_argument("--site-dir")
    parser.add_argument("--pg-db", default="h_distributed_bench")
    parser.add_argument("--redis-url", default="redis://127.0.0.1:6379/10")
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--concurrency", type=int, default=32,
                        help="the audit's per-host concurrency, shared by all workers; at the "
                             "default 8 a one-host site is bound by politeness, not CPU")
    parser.add_argument("--timeout", type=float, default=3600)
    args = parser.parse_args()
    site_dir = ensure_site(args)
    manifest = read_manifest(site_dir) or {}
    urls = int(manifest.get("urls", manifest.get("pages", args.pages)))
    max_pages = urls + urls // 5 + 100  # room for the 404 and redirect URLs the pages link to
    OUT_DIR.mkdir(exist_ok=True)
    runs = []
    out = OUT_DIR / f"scale-{time.strftime('%Y%m%d-%H%M%S')}.json"
    with run_nginx(site_dir) as site:
        for workers in [int(w) for w in args.workers.split(",")]:
            print(f"crawling with {workers} worker(s) ...", file=sys.stderr, flush=True)
            runs.append(run_once(args, site.base_url, workers, max_pages))
            out.write_text(json.dumps({"site_pages": args.pages, "runs": runs}, indent=2))
            print(json.dumps(runs[-1]), file=sys.stderr, flush=True)
    print_table(runs)
    print(f"figures: {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
