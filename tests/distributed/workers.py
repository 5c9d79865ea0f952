"""Real Celery worker processes (solo pool) for distributed-crawl tests: each is its own
process on the test database and a queue of its own, so it can be SIGKILLed."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def worker_env(queue: str, **extra: str) -> dict[str, str]:
    """The test process's environment, pointed at the test database and the unit queue."""
    db = connection.settings_dict
    env = dict(os.environ)
    env.update({
        "DATABASE_URL": (f"postgres://{db['USER']}@{db['HOST'] or '127.0.0.1'}:"
                         f"{db['PORT'] or 5432}/{db['NAME']}"),
        "SEOAUDIT_DISTRIBUTED_QUEUE": queue,
        "SEOAUDIT_QUIET_STARTUP": "1",
        "SEOAUDIT_ALLOW_PRIVATE_NETWORKS": "1",
        "SEOAUDIT_JS_RENDER_SAMPLE": "0",
        "LOG_LEVEL": "WARNING",
        **extra,
    })
    return env


class WorkerProcess:
    def __init__(self, name: str, queue: str, env: dict[str, str]) -> None:
        self.name = name
        self.log = tempfile.NamedTemporaryFile(prefix=f"{name}-", suffix=".log",  # noqa: SIM115
                                               delete=False)
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "seoaudit", "worker", "--pool", "solo",
             "-c", "1", "-Q", queue, "-n", f"{name}@%h", "--without-gossip", "--without-mingle",
             "--without-heartbeat", "--loglevel", "WARNING"],
            cwd=ROOT, env=env, stdout=self.log, stderr=subprocess.STDOUT,
            start_new_session=True)

    @property
    def pid(self) -> int:
        return self.proc.pid

    def kill(self) -> None:
        """SIGKILL: no shutdown, no acknowledgement, claims left behind."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill()
        self.log.close()
        Path(self.log.name).unlink(missing_ok=True)

    def output(self) -> str:
        path = Path(self.log.name)
        return path.read_text(errors="replace")[-5000:] if path.exists() else ""


@contextmanager
def celery_workers(count: int, queue: str, **env: str) -> Iterator[list[WorkerProcess]]:
    workers = [WorkerProcess(f"w{i}-{queue}", queue, worker_env(queue, **env))
               for i in range(count)]
    try:
        yield workers
    finally:
        for worker in workers:
            worker.stop()


def wait_for(predicate, timeout: float, interval: float = 0.2) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(interval)
    return predicate()
