"""Fair scheduling: AUDITS small-site audits of several owners queued at once on 2 workers.

    python bench/fairness.py [--audits 50] [--workers 2] [--cap 2] [--json FILE]

Owners submit bursts of different sizes at the same moment, the biggest first (OWNER_SHARES:
one owner queues 20 audits, the smallest 2): the case where a plain FIFO queue makes everyone
wait behind the biggest burst. Runs twice on a private PostgreSQL + Redis (bench/faultlab.py)
with real worker processes (threads pool, concurrency 1 each):

- `fifo`: no per-owner cap (SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER=0): audits start in
  submission order;
- `fair`: the cap (`--cap`, default 2): an owner's extra audits wait PENDING without a queue
  message and the dispatcher hands free slots to the owner with the fewest audits running.

Printed per mode: makespan, completion-time spread over all audits (min / p50 / p90 / max and
max - min), and per owner the time until its first and its last audit completed, with the
largest per-owner concurrency actually observed (must not exceed the cap) and any audit that
did not complete (must be none).
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.faultlab import Lab, small_sites, wait_for

#: Share of the audits each owner submits (biggest burst first).
OWNER_SHARES = (("big", 0.40), ("large", 0.30), ("medium", 0.20), ("small", 0.06), ("tiny", 0.04))
SITE_PAGES = 5
SITE_DELAY_S = 0.05
OPTIONS = {"max_pages": 20, "concurrency": 2, "check_resources": False}


def _counts(total: int) -> list[tuple[str, int]]:
    counts = [(name, max(1, round(total * share))) for name, share in OWNER_SHARES]
    counts[0] = (counts[0][0], counts[0][1] + total - sum(n for _, n in counts))
    return counts


def _max_overlap(intervals: list[tuple[float, float]]) -> int:
    points = sorted([(start, 1) for start, _ in intervals] + [(end, -1) for _, end in intervals],
                    key=lambda p: (p[0], p[1]))
    running = best = 0
    for _, step in points:
        running += step
        best = max(best, running)
    return best


def _percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def run_mode(lab: Lab, urls: list[str], *, cap: int, workers: int, audits: int,
             label: str) -> dict[str, Any]:
    from audits import services
    from audits.models import Audit
    from tests.audits.factories import UserFactory

    lab.env_overrides["SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER"] = str(cap)
    started_workers = [lab.start_worker(f"{label}{i}") for i in range(workers)]
    from django.test import override_settings

    owners = {name: UserFactory(username=f"{label}-{name}") for name, _ in OWNER_SHARES}
    ids: list[tuple[str, Any]] = []
    site = iter(urls)
    t0 = time.time()
    with override_settings(SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER=cap):
        for name, count in _counts(audits):
            for _ in range(count):
                audit = services.audit_create(owner=owners[name], url=f"{next(site)}?{label}",
                                              options=OPTIONS)
                ids.append((name, audit.pk))
        submit_s = time.time() - t0
        pks = [pk for _, pk in ids]
        wait_for(lambda: not Audit.objects.filter(pk__in=pks, status__in=Audit.ACTIVE_STATUSES)
                 .exists(), timeout=60 + audits * 3, interval=0.25, what="all audits to end")
    for worker in started_workers:
        worker.stop()
    rows = {a.pk: a for a in Audit.objects.filter(pk__in=pks)}
    done = [rows[pk].finished_at.timestamp() - t0 for _, pk in ids if rows[pk].finished_at]
    per_owner: dict[str, Any] = {}
    for name, _count in _counts(audits):
        mine = [rows[pk] for owner, pk in ids if owner == name]
        finished = sorted(a.finished_at.timestamp() - t0 for a in mine if a.finished_at)
        intervals = [(a.started_at.timestamp(), a.finished_at.timestamp()) for a in mine
                     if a.started_at and a.finished_at]
        per_owner[name] = {
            "audits": len(mine), "first_done_s": round(finished[0], 2) if finished else None,
            "median_done_s": round(statistics.median(finished), 2) if finished else None,
            "last_done_s": round(finished[-1], 2) if finished else None,
            "max_running_at_once": _max_overlap(intervals),
            "not_completed": sum(1 for a in mine if a.status != Audit.Status.COMPLETED)}
    return {
        "mode": label, "per_owner_cap": cap, "workers": workers, "audits": len(ids),
        "submit_s": round(submit_s, 2), "makespan_s": round(max(done), 2),
        "completion_s": {"min": round(min(done), 2), "p50": round(_percentile(done, 0.5), 2),
                         "p90": round(_percentile(done, 0.9), 2), "max": round(max(done), 2),
                         "spread": round(max(done) - min(done), 2)},
        "first_done_spread_over_owners_s": round(
            max(o["first_done_s"] for o in per_owner.values())
            - min(o["first_done_s"] for o in per_owner.values()), 2),
        "owners": per_owner,
        "not_completed": sum(o["not_completed"] for o in per_owner.values()),
    }


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--audits", type=int, default=50)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--cap", type=int, default=2)
    parser.add_argument("--modes", default="fifo,fair",
                        help="which runs, in this order (fifo: no cap; fair: --cap)")
    parser.add_argument("--json", help="write the figures to this file")
    args = parser.parse_args()
    results = []
    with Lab() as lab, small_sites(sites=args.audits, pages=SITE_PAGES,
                                    delay_s=SITE_DELAY_S) as urls:
        lab.setup_django()
        caps = {"fifo": 0, "fair": args.cap}
        for label in args.modes.split(","):
            cap = caps[label]
            results.append(run_mode(lab, urls, cap=cap, workers=args.workers,
                                    audits=args.audits, label=label))
    for result in results:
        c = result["completion_s"]
        print(f"\n{result['mode']}: cap {result['per_owner_cap']}/owner, {result['audits']} "
              f"audits on {result['workers']} workers; makespan {result['makespan_s']} s; "
              f"completion min {c['min']} p50 {c['p50']} p90 {c['p90']} max {c['max']} "
              f"(spread {c['spread']} s); not completed: {result['not_completed']}")
        print(f"  {'owner':8} {'audits':>6} {'first':>7} {'median':>7} {'last':>7} {'max run':>7}")
        for name, o in result["owners"].items():
            print(f"  {name:8} {o['audits']:>6} {o['first_done_s']:>7} {o['median_done_s']:>7} "
                  f"{o['last_done_s']:>7} {o['max_running_at_once']:>7}")
        print(f"  time until every owner had a finished audit: spread "
              f"{result['first_done_spread_over_owners_s']} s")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2))
    ok = all(r["not_completed"] == 0 for r in results) and all(
        o["max_running_at_once"] <= args.cap for r in results if r["mode"] == "fair"
        for o in r["owners"].values())
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
