"""CPU time and peak memory of a benchmarked process and of the processes it starts.

Two measurements, because neither alone answers both questions:

* `report_rusage_at_exit(path)` (or `python bench/procstats.py OUT.json -- SCRIPT ARGS...`,
  which runs SCRIPT in-process via runpy) writes getrusage() of the process itself and of its
  reaped children when the interpreter exits: exact CPU seconds, and ru_maxrss of the main
  process and of its largest child (a parse worker). It runs after `concurrent.futures` has
  joined its worker processes, so their CPU is included.
* `TreeSampler` polls the process tree from outside with psutil and keeps the largest sum of
  RSS seen at one instant: the memory the whole crawl (main process + workers) holds at once.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import resource
import runpy
import sys
import threading
import time
from pathlib import Path
from typing import Any

JOIN_CHILDREN_TIMEOUT_S = 10.0


def _rusage_dict() -> dict[str, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "cpu_self_s": round(own.ru_utime + own.ru_stime, 3),
        "cpu_children_s": round(children.ru_utime + children.ru_stime, 3),
        # Linux reports ru_maxrss in KiB.
        "maxrss_self_mb": round(own.ru_maxrss / 1024, 1),
        "maxrss_children_mb": round(children.ru_maxrss / 1024, 1),
    }


def _reap_children() -> None:
    deadline = time.monotonic() + JOIN_CHILDREN_TIMEOUT_S
    while multiprocessing.active_children() and time.monotonic() < deadline:
        time.sleep(0.05)


def report_rusage_at_exit(path: str | os.PathLike[str], extra: dict[str, Any] | None = None) -> None:
    """At interpreter exit, write this process's and its children's rusage to `path` (JSON)."""

    def write() -> None:
        _reap_children()
        data = {**(extra or {}), **_rusage_dict()}
        Path(path).write_text(json.dumps(data) + "\n", encoding="utf-8")

    atexit.register(write)


class TreeSampler:
    """Poll a process tree from outside while it runs.

    Keeps the peak summed RSS (and process count) of the tree under `pid`, and the CPU seconds
    that other processes spent meanwhile: the trees under `watch_pids` (nginx) and processes
    named in `watch_names` (postgres server processes, including connection backends that come
    and go), plus the machine's total busy CPU. A process's CPU is counted from its first
    sample (0 when it started during the run) to its last, so a watched process that exits loses
    at most 0.5 s (its sampling interval) of CPU. The machine figure shows whether anything unrelated (a
    test run, another benchmark) competed for the CPUs while we measured.
    """

    def __init__(self, pid: int, *, watch_pids: tuple[int, ...] = (),
                 watch_names: tuple[str, ...] = (), interval_s: float = 0.1) -> None:
        import psutil

        self._psutil = psutil
        self.root = psutil.Process(pid)
        self.interval_s = interval_s
        self.watch_pids = watch_pids
        self.watch_names = frozenset(watch_names)
        self.peak_tree_rss_mb = 0.0
        self.peak_processes = 0
        self.watched_cpu_s: dict[str, float] = {}
        self.machine_busy_s = 0.0
        self._cpu_first: dict[int, float] = {}
        self._cpu_last: dict[int, tuple[str, float]] = {}
        self._busy0 = self._busy()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="tree-sampler", daemon=True)
        self._sample_watched(first=True)

    def __enter__(self) -> TreeSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sample_watched()
        self.machine_busy_s = round(self._busy() - self._busy0, 2)
        totals: dict[str, float] = {}
        for pid, (label, cpu) in self._cpu_last.items():
            totals[label] = totals.get(label, 0.0) + cpu - self._cpu_first.get(pid, 0.0)
        self.watched_cpu_s = {label: round(cpu, 2) for label, cpu in totals.items()}

    def _busy(self) -> float:
        t = self._psutil.cpu_times()
        return sum(t) - t.idle - getattr(t, "iowait", 0.0)

    def _watched(self) -> list[tuple[str, Any]]:
        psutil = self._psutil
        found: list[tuple[str, Any]] = []
        for pid in self.watch_pids:
            try:
                root = psutil.Process(pid)
                found += [(root.name(), p) for p in (root, *root.children(recursive=True))]
            except psutil.Error:
                continue
        if self.watch_names:
            found += [(p.info["name"], p) for p in psutil.process_iter(["name"])
                      if p.info["name"] in self.watch_names]
        return found

    def _sample_watched(self, first: bool = False) -> None:
        psutil = self._psutil
        for label, proc in self._watched():
            try:
                times = proc.cpu_times()
            except psutil.Error:
                continue
            cpu = times.user + times.system
            if first:
                self._cpu_first[proc.pid] = cpu
            self._cpu_last[proc.pid] = (label, cpu)

    def _sample(self) -> None:
        psutil = self._psutil
        try:
            procs = [self.root, *self.root.children(recursive=True)]
        except psutil.Error:
            return
        total = 0
        for proc in procs:
            try:
                total += proc.memory_info().rss
            except psutil.Error:
                continue
        self.peak_tree_rss_mb = max(self.peak_tree_rss_mb, round(total / 2**20, 1))
        self.peak_processes = max(self.peak_processes, len(procs))

    def _run(self) -> None:
        ticks = 0
        while not self._stop.is_set():
            self._sample()
            if ticks % 5 == 0:  # CPU of the watched processes: every 0.5 s is enough
                self._sample_watched()
            ticks += 1
            self._stop.wait(self.interval_s)


def main(argv: list[str]) -> int:
    """`procstats.py OUT.json -- SCRIPT [ARGS...]`: run SCRIPT as __main__, then report."""
    if len(argv) < 3 or argv[1] != "--":
        print(main.__doc__, file=sys.stderr)
        return 2
    out, script, *args = argv[0], argv[2], *argv[3:]
    report_rusage_at_exit(out)
    sys.argv = [script, *args]
    sys.path[0] = str(Path(script).resolve().parent)
    runpy.run_path(script, run_name="__main__")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
