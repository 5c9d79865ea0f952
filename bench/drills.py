"""Fault drills: real worker processes, our own PostgreSQL and Redis, faults injected mid-audit.

    python bench/drills.py [DRILL ...] [--quick] [--json FILE] [--keep]

DRILL is any of: sigkill, sigterm, cancel, redis-restart, pg-restart, pg-outage (default: all).
Each drill runs one audit of a slow local site (DRILL_PAGES pages answering in DRILL_DELAY_S,
two at a time: about 9 s of crawling), injects its fault while the crawl is under way and
waits (bounded) for the audit to end; the result is compared with a control audit of the same
site crawled without faults: same pages, same findings, no duplicates.

- sigkill: SIGKILL the worker running the audit; a second worker gets the message back after
  the broker's visibility timeout, takes the stale audit over and crawls it again from a clean
  slate (attempt 2).
- sigterm: SIGTERM (warm shutdown) the worker running the audit; it stops within a second,
  requeues the audit (not counted as an attempt) and exits; the other worker completes it.
- cancel: cancel through the service while the crawl runs; time until the run stopped.
- redis-restart: Redis stopped for REDIS_DOWN_S mid-audit (all its data lost: no persistence)
  while an SSE stream follows the audit: publishing degrades (logged once), the stream falls
  back to polling the database and keeps delivering, the API answers (no 500: the cache fails
  over to process memory, rate limits fail open), an audit created during the outage is
  dispatched by the watchdog once Redis is back, and the stream returns to pub/sub.
- pg-restart: PostgreSQL restarted (fast shutdown) mid-audit: the worker's writes are retried
  on new connections and the audit completes on its first attempt.
- pg-outage: PostgreSQL down for PG_DOWN_S, longer than the worker's retry budget
  (SEOAUDIT_DB_RETRY_SECONDS=3 for this drill): the run gives up; once the database is back
  the audit is requeued (by the run itself or by the watchdog) and completes on attempt 2, or
  ends FAILED with a reason — never stuck RUNNING.

Prints one line per drill and, with --json, writes every figure. Exit status 1 when a drill's
outcome is wrong. Only 127.0.0.1 services started here are used, never the shared ones.
"""

from __future__ import annotations

import argparse
import json
import re
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faultlab import Lab, Worker, small_sites, wait_for

DRILL_PAGES = 60
DRILL_DELAY_S = 0.2
#: --quick (the tests): a smaller, faster site; the fault still lands mid-crawl.
QUICK_PAGES = 40
QUICK_DELAY_S = 0.12
DRILL_OPTIONS = {"max_pages": 200, "concurrency": 2, "check_resources": False}
#: Longest any single drill may wait for its audit to end.
DRILL_TIMEOUT_S = 30.0
REDIS_DOWN_S = 3.0
PG_DOWN_S = 7.0
ALL_DRILLS = ("sigkill", "sigterm", "cancel", "redis-restart", "pg-restart", "pg-outage")


# --- helpers (Django is set up by then) ---------------------------------------------------------

def _db_safe(fn: Callable[[], Any]) -> Any:
    """Run a read in this process, reconnecting after a database restart."""
    from django.db import InterfaceError, OperationalError, connections

    try:
        return fn()
    except (OperationalError, InterfaceError):
        connections.close_all()
        raise


def _audit_row(audit_id: Any) -> dict[str, Any]:
    from audits.models import Audit

    return _db_safe(lambda: Audit.objects.filter(pk=audit_id).values(
        "status", "attempts", "pages_crawled", "error", "summary", "updated_at").first())


def _facts(audit_id: Any) -> dict[str, Any]:
    """What the audit holds: pages, findings, duplicates, findings by (page URL, code)."""
    from django.db import connection

    from audits.models import Finding, Page

    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*), count(DISTINCT url_hash) FROM audits_page "
                       "WHERE audit_id = %s", [audit_id])
        pages, distinct_pages = cursor.fetchone()
        cursor.execute("SELECT count(*), count(DISTINCT (coalesce(page_id, 0), code, "
                       "details::text)) FROM audits_finding WHERE audit_id = %s", [audit_id])
        findings, distinct_findings = cursor.fetchone()
    by_page = Counter((_site_url(url or ""), code) for url, code
                      in Finding.objects.filter(audit_id=audit_id).values_list("page__url", "code"))
    urls = sorted(_site_url(url) for url in Page.objects.filter(audit_id=audit_id)
                  .values_list("url", flat=True))
    return {"pages": pages, "duplicate_pages": pages - distinct_pages, "findings": findings,
            "duplicate_findings": findings - distinct_findings, "_findings": by_page,
            "_urls": urls}


def _site_url(url: str) -> str:
    """The URL without the `?run=N` that makes each drill's audit a new one."""
    return re.sub(r"\?(run|outage)=\d+$", "", url)


def _same_as_control(facts: dict[str, Any], control: dict[str, Any]) -> bool:
    return facts["_urls"] == control["_urls"] and facts["_findings"] == control["_findings"]


def _wait_status(audit_id: Any, statuses: tuple[str, ...], timeout: float = DRILL_TIMEOUT_S
                 ) -> dict[str, Any]:
    return wait_for(lambda: (row := _audit_row(audit_id)) and row["status"] in statuses and row,
                    timeout=timeout, interval=0.1, what=f"audit {audit_id} to be {statuses}")


def _wait_pages(audit_id: Any, pages: int) -> None:
    wait_for(lambda: (row := _audit_row(audit_id)) and row["status"] == "RUNNING"
             and row["pages_crawled"] >= pages, timeout=DRILL_TIMEOUT_S, interval=0.05,
             what=f"{pages} pages crawled")


def _logged(log: str, event: str) -> int:
    """How many log lines carry this structlog event (JSON, or the dict Celery's formatter
    prints)."""
    return sum(1 for line in log.splitlines()
               if f'"event": "{event}"' in line or f"'event': '{event}'" in line)


def _running_on(workers: list[Worker], audit_id: Any) -> Worker:
    def find() -> Worker | None:
        for worker in workers:
            if any(str(audit_id) in line and "audit.start" in line
                   for line in worker.log_text().splitlines()):
                return worker
        return None

    return wait_for(find, timeout=DRILL_TIMEOUT_S, what="the worker running the audit")


def _terminal() -> tuple[str, ...]:
    return ("COMPLETED", "FAILED", "CANCELLED")


class Drills:
    def __init__(self, lab: Lab, site_url: str, *, site_pages: int) -> None:
        from tests.audits.factories import UserFactory

        self.lab = lab
        self.site_url = site_url
        self.site_pages = site_pages
        #: Pages crawled before the fault is injected: a quarter of the site.
        self.inject_at = site_pages // 4
        self.owner = UserFactory()
        self.control: dict[str, Any] = {}
        self._n = 0
        self._names = 0

    def workers(self, count: int) -> list[Worker]:
        """`count` live workers: the ones still up from earlier drills, plus new ones."""
        live = self.lab.live_workers()
        missing = count - len(live)
        if missing > 0:
            names = [f"w{self._names + i}" for i in range(1, missing + 1)]
            self._names += missing
            live += self.lab.start_workers(names)
        return live[:count]

    def create(self) -> Any:
        from audits import services

        self._n += 1  # a different URL each time: the owner's active audit is not reused
        audit = services.audit_create(owner=self.owner, url=f"{self.site_url}?run={self._n}",
                                      options=DRILL_OPTIONS)
        return audit.pk

    def run_control(self) -> dict[str, Any]:
        self.workers(2)
        start = time.monotonic()
        audit_id = self.create()
        row = _wait_status(audit_id, _terminal())
        self.control = _facts(audit_id)
        return {"status": row["status"], "seconds": round(time.monotonic() - start, 2),
                "pages": self.control["pages"], "findings": self.control["findings"]}

    def outcome(self, audit_id: Any, **extra: Any) -> dict[str, Any]:
        row = _audit_row(audit_id)
        facts = _facts(audit_id)
        return {"status": row["status"], "attempts": row["attempts"],
                "error": row["error"] or None, "pages": facts["pages"],
                "findings": facts["findings"], "duplicate_pages": facts["duplicate_pages"],
                "duplicate_findings": facts["duplicate_findings"],
                "same_as_control": _same_as_control(facts, self.control), **extra}

    # -- the drills ---------------------------------------------------------------------------
    def sigkill(self) -> dict[str, Any]:
        workers = self.workers(2)
        audit_id = self.create()
        victim = _running_on(workers, audit_id)
        _wait_pages(audit_id, self.inject_at)
        pages_before = _audit_row(audit_id)["pages_crawled"]
        killed = time.monotonic()
        victim.signal(signal.SIGKILL)
        victim.wait(5)
        _wait_status(audit_id, _terminal())
        result = self.outcome(audit_id, pages_at_kill=pages_before,
                              recovered_after_s=round(time.monotonic() - killed, 2))
        result["ok"] = (result["status"] == "COMPLETED" and result["attempts"] == 2
                        and result["same_as_control"] and not result["duplicate_findings"])
        return result

    def sigterm(self) -> dict[str, Any]:
        workers = self.workers(2)
        audit_id = self.create()
        victim = _running_on(workers, audit_id)
        _wait_pages(audit_id, self.inject_at)
        sent = time.monotonic()
        victim.signal(signal.SIGTERM)
        exit_code = victim.wait(DRILL_TIMEOUT_S)
        exited_after = round(time.monotonic() - sent, 2)
        _wait_status(audit_id, _terminal())
        result = self.outcome(audit_id, worker_exit_code=exit_code,
                              worker_exited_after_s=exited_after,
                              completed_after_s=round(time.monotonic() - sent, 2),
                              requeued_by_shutdown=_logged(victim.log_text(), "audit.requeued") > 0)
        result["ok"] = (result["status"] == "COMPLETED" and exit_code == 0
                        and result["requeued_by_shutdown"] and result["attempts"] == 1
                        and result["same_as_control"])
        return result

    def cancel(self) -> dict[str, Any]:
        from audits import services
        from audits.models import Audit

        self.workers(1)
        audit_id = self.create()
        _wait_pages(audit_id, self.inject_at)
        sent = time.monotonic()
        services.audit_cancel(audit=Audit.objects.get(pk=audit_id))
        # The run wrote its partial summary once it stopped.
        wait_for(lambda: (_audit_row(audit_id)["summary"] or {}).get("cancelled"),
                 timeout=DRILL_TIMEOUT_S, what="the cancelled run to stop")
        stopped_after = round(time.monotonic() - sent, 2)
        pages = _audit_row(audit_id)["pages_crawled"]
        time.sleep(1.0)
        row = _audit_row(audit_id)
        result = {"status": row["status"], "stopped_after_s": stopped_after,
                  "pages_at_stop": pages, "pages_after_1s_more": row["pages_crawled"],
                  "site_pages": self.site_pages}
        result["ok"] = (row["status"] == "CANCELLED" and row["pages_crawled"] == pages
                        and pages < self.site_pages)
        return result

    def redis_restart(self) -> dict[str, Any]:
        import httpx

        from accounts import services as account_services
        from audits import scheduling

        self.workers(1)
        base = self.lab.start_web()
        _token, raw = account_services.api_token_create(user=self.owner, name="drills")
        headers = {"Authorization": f"Bearer {raw}"}
        audit_id = self.create()
        events: list[tuple[float, str]] = []
        stream = threading.Thread(target=_follow_stream, args=(base, audit_id, headers, events),
                                  daemon=True)
        stream.start()
        _wait_pages(audit_id, self.inject_at)
        down_at = time.monotonic()
        self.lab.redis.stop()
        api: dict[str, int] = {}
        with httpx.Client(base_url=base, headers=headers, timeout=10) as client:
            time.sleep(0.5)
            api["get_audit"] = client.get(f"/api/v1/audits/{audit_id}").status_code
            api["list_audits"] = client.get("/api/v1/audits").status_code
            created = client.post("/api/v1/audits", json={"url": f"{self.site_url}?outage=1",
                                                          "options": DRILL_OPTIONS})
            api["create_audit"] = created.status_code
            time.sleep(max(0.0, REDIS_DOWN_S - (time.monotonic() - down_at)))
        events_before_restart = len(events)
        self.lab.redis.start()
        up_at = time.monotonic()
        during = sum(1 for at, _ in events if down_at <= at <= up_at)
        row = _wait_status(audit_id, _terminal())
        stream.join(timeout=15)
        second_id = created.json().get("id") if created.status_code in (200, 201) else None
        second_status = None
        if second_id:
            # Celery beat's job, every minute in production: here every second.
            def dispatched() -> bool:
                scheduling.audits_watchdog()
                return _audit_row(second_id)["status"] in _terminal()

            wait_for(dispatched, timeout=DRILL_TIMEOUT_S, interval=1.0,
                     what="the audit created during the outage")
            second_status = _audit_row(second_id)["status"]
        worker_log = "".join(w.log_text() for w in self.lab.workers)
        web_log = (self.lab.root / "web.log").read_text(errors="replace")
        result = self.outcome(
            audit_id, redis_down_s=round(up_at - down_at, 2), api_status_during_outage=api,
            sse_events=len(events), sse_events_during_outage=during,
            sse_events_before_restart=events_before_restart,
            sse_last_event=events[-1][1] if events else None,
            publish_failures_logged=_logged(worker_log, "progress.publish_failed"),
            sse_fell_back=bool(_logged(web_log, "sse.redis_lost")
                               + _logged(web_log, "sse.redis_unavailable")),
            sse_connects=_logged(web_log, "sse.redis_connected"),
            audit_created_during_outage=second_status)
        result["ok"] = (row["status"] == "COMPLETED" and result["same_as_control"]
                        and during > 0 and result["sse_last_event"] == "completed"
                        and all(code < 500 for code in api.values())
                        and second_status == "COMPLETED")
        return result

    def pg_restart(self) -> dict[str, Any]:
        self.workers(1)
        audit_id = self.create()
        _wait_pages(audit_id, self.inject_at)
        started = time.monotonic()
        self.lab.postgres.restart()
        down_s = round(time.monotonic() - started, 2)
        row = _wait_status(audit_id, _terminal())
        log = "".join(w.log_text() for w in self.lab.workers)
        result = self.outcome(audit_id, postgres_restart_s=down_s,
                              db_unavailable_logged=_logged(log, "db.unavailable"),
                              db_recovered_logged=_logged(log, "db.recovered"))
        result["ok"] = (row["status"] == "COMPLETED" and row["attempts"] == 1
                        and result["same_as_control"] and not result["duplicate_findings"])
        return result

    def pg_outage(self) -> dict[str, Any]:
        from audits import scheduling

        self._stop(self.lab.live_workers())  # this drill's worker gives up sooner
        self.lab.env_overrides["SEOAUDIT_DB_RETRY_SECONDS"] = "3"
        try:
            workers = self.lab.start_workers(["outage"])
        finally:
            self.lab.env_overrides.pop("SEOAUDIT_DB_RETRY_SECONDS")
        audit_id = self.create()
        _wait_pages(audit_id, self.inject_at)
        started = time.monotonic()
        self.lab.postgres.stop()
        time.sleep(PG_DOWN_S)
        self.lab.postgres.start()
        back = time.monotonic()

        def ended() -> bool:
            with_retry = _audit_row(audit_id)
            if with_retry["status"] in _terminal():
                return True
            scheduling.audits_watchdog()  # beat's job (every minute in production)
            return False

        wait_for(ended, timeout=DRILL_TIMEOUT_S, interval=1.0, what="the audit to end")
        log = workers[0].log_text()
        result = self.outcome(audit_id, postgres_down_s=round(back - started, 2),
                              ended_after_db_back_s=round(time.monotonic() - back, 2),
                              db_unavailable_logged=_logged(log, "db.unavailable"),
                              requeued_by_run=_logged(log, "audit.requeued"))
        result["ok"] = ((result["status"] == "COMPLETED" and result["attempts"] == 2
                         and result["same_as_control"])
                        or (result["status"] == "FAILED" and bool(result["error"])))
        self._stop(workers)
        return result

    def _stop(self, workers: list[Worker]) -> None:
        for worker in workers:
            worker.stop()


def _follow_stream(base: str, audit_id: Any, headers: dict[str, str],
                   events: list[tuple[float, str]]) -> None:
    """Read the audit's SSE stream, recording (arrival time, event type) until it ends."""
    import httpx

    event = ""
    try:
        with httpx.Client(base_url=base, timeout=DRILL_TIMEOUT_S) as client, \
                client.stream("GET", f"/api/v1/audits/{audit_id}/events",
                              headers=headers) as response:
            for line in response.iter_lines():
                if line.startswith("event:"):
                    event = line.partition(":")[2].strip()
                elif line == "" and event:
                    events.append((time.monotonic(), event))
                    event = ""
    except httpx.HTTPError as exc:
        events.append((time.monotonic(), f"error: {type(exc).__name__}"))


def run(names: list[str], *, keep: bool = False, quick: bool = False) -> dict[str, Any]:
    results: dict[str, Any] = {}
    pages, delay = (QUICK_PAGES, QUICK_DELAY_S) if quick else (DRILL_PAGES, DRILL_DELAY_S)
    started = time.monotonic()
    with Lab(keep=keep) as lab, small_sites(sites=1, pages=pages, delay_s=delay) as urls:
        lab.setup_django()
        drills = Drills(lab, urls[0], site_pages=pages)
        results["control"] = drills.run_control()
        results["setup_s"] = round(time.monotonic() - started, 2)
        for name in names:
            began = time.monotonic()
            try:
                results[name] = getattr(drills, name.replace("-", "_"))()
            except Exception as exc:  # reported; the other drills still run
                results[name] = {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
                for worker in lab.live_workers():
                    worker.stop()
            results[name]["drill_s"] = round(time.monotonic() - began, 2)
        if keep:
            results["lab"] = str(lab.root)
    return results


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("drills", nargs="*", help=f"any of {', '.join(ALL_DRILLS)} (default: all)")
    parser.add_argument("--json", help="write the results to this file ('-': stdout)")
    parser.add_argument("--keep", action="store_true", help="keep the lab directory (logs)")
    parser.add_argument("--quick", action="store_true", help="a smaller site (the tests)")
    args = parser.parse_args()
    unknown = sorted(set(args.drills) - set(ALL_DRILLS))
    if unknown:
        parser.error(f"unknown drill(s): {', '.join(unknown)}")
    results = run(args.drills or list(ALL_DRILLS), keep=args.keep, quick=args.quick)
    for name, figures in results.items():
        if isinstance(figures, dict):
            shown = {k: v for k, v in figures.items() if not k.startswith("_")}
            print(f"{name:14} {json.dumps(shown, default=str)}", file=sys.stderr)
    if args.json:
        text = json.dumps(results, default=str, indent=2)
        if args.json == "-":
            print(text)
        else:
            Path(args.json).write_text(text)
    return 0 if all(r.get("ok", True) for r in results.values() if isinstance(r, dict)) else 1


if __name__ == "__main__":
    sys.exit(main())
