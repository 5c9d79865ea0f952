"""The fault drills (bench/drills.py --quick) with real worker processes on a private
PostgreSQL cluster and Redis server: each group runs in one subprocess, bounded in time.

Needs redis-server and PostgreSQL's server binaries (initdb/pg_ctl); skipped without them."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
_PG = shutil.which("initdb") or next(iter(Path("/usr/lib/postgresql").glob("*/bin/initdb")), None)

pytestmark = pytest.mark.skipif(not (shutil.which("redis-server") and _PG),
                                reason="needs redis-server and PostgreSQL server binaries")


def _drills(tmp_path: Path, *names: str) -> dict:
    out = tmp_path / "drills.json"
    proc = subprocess.run([sys.executable, str(ROOT / "bench" / "drills.py"), *names, "--quick",
                           "--json", str(out)], cwd=ROOT, capture_output=True, text=True,
                          timeout=240)
    assert out.exists(), proc.stderr[-4000:]
    results = json.loads(out.read_text())
    failed = {n: r for n, r in results.items() if isinstance(r, dict) and not r.get("ok", True)}
    assert not failed, json.dumps(failed, indent=1) + proc.stderr[-3000:]
    return results


def test_worker_faults(tmp_path):
    """SIGKILL mid-crawl: redelivered, taken over, completed once with the control's pages and
    findings. SIGTERM: the worker exits promptly, the audit is requeued and completed
    elsewhere. Cancel: the crawl stops and writes no more pages."""
    results = _drills(tmp_path, "sigkill", "sigterm", "cancel")
    control = results["control"]
    kill = results["sigkill"]
    assert kill["status"] == "COMPLETED" and kill["attempts"] == 2
    assert kill["pages"] == control["pages"] and kill["findings"] == control["findings"]
    assert kill["duplicate_pages"] == kill["duplicate_findings"] == 0
    term = results["sigterm"]
    assert term["status"] == "COMPLETED" and term["worker_exit_code"] == 0
    assert term["requeued_by_shutdown"] and term["attempts"] == 1 and term["same_as_control"]
    cancel = results["cancel"]
    assert cancel["status"] == "CANCELLED"
    assert cancel["pages_after_1s_more"] == cancel["pages_at_stop"] < cancel["site_pages"]


def test_infrastructure_faults(tmp_path):
    """Redis restarted mid-audit (data lost) under a live SSE stream; PostgreSQL restarted;
    PostgreSQL down longer than the retry budget. Every audit ends, none stays RUNNING."""
    results = _drills(tmp_path, "redis-restart", "pg-restart", "pg-outage")
    redis_drill = results["redis-restart"]
    assert redis_drill["status"] == "COMPLETED" and redis_drill["same_as_control"]
    assert redis_drill["sse_events_during_outage"] > 0
    assert redis_drill["sse_last_event"] == "completed"
    assert all(code < 500 for code in redis_drill["api_status_during_outage"].values())
    assert redis_drill["audit_created_during_outage"] == "COMPLETED"
    restart = results["pg-restart"]
    assert restart["status"] == "COMPLETED" and restart["attempts"] == 1
    assert restart["same_as_control"] and restart["db_unavailable_logged"] >= 1
    outage = results["pg-outage"]
    assert outage["status"] in ("COMPLETED", "FAILED")
    if outage["status"] == "COMPLETED":
        assert outage["attempts"] == 2 and outage["same_as_control"]
    else:
        assert outage["error"]
