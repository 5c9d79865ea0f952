"""A private lab for fault drills and the fairness bench: our own PostgreSQL cluster and Redis
server (never the shared ones: drills stop and restart them), real Celery worker processes and
small test sites on 127.0.0.1.

    with Lab(worker_env={...}) as lab:      # initdb + migrate + redis-server, torn down on exit
        lab.setup_django()                  # this process talks to the private services too
        worker = lab.start_worker("w1")     # `celery -A seoaudit worker` subprocess
        ...
        lab.redis.restart(); lab.postgres.restart(); worker.kill(signal.SIGKILL)

Everything is bounded in time; every process started here is stopped by id on exit.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

VENV_BIN = Path(sys.executable).parent


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_for(predicate: Callable[[], Any], *, timeout: float, interval: float = 0.05,
             what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; TimeoutError after `timeout`."""
    deadline = time.monotonic() + timeout
    while True:
        with contextlib.suppress(Exception):
            value = predicate()
            if value:
                return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(interval)


def _as_postgres_user(cmd: list[str]) -> list[str]:
    """PostgreSQL refuses to run as root: run its tools as the `postgres` account then."""
    if os.geteuid() == 0:
        return ["runuser", "-u", "postgres", "--", *cmd]
    return cmd


def _pg_bin(name: str) -> str:
    found = shutil.which(name)
    if found:
        return found
    for candidate in sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}"), reverse=True):
        return str(candidate)
    raise RuntimeError(f"PostgreSQL's {name} was not found (apt-get install postgresql)")


class PrivatePostgres:
    """A throwaway PostgreSQL cluster on its own port (fsync off: it holds drill data only)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.data = root / "pgdata"
        self.socket_dir = root / "pgsock"
        self.log = root / "postgres.log"
        self.url = f"postgres://postgres@127.0.0.1:{self.port}/drills"

    def _chown(self, *paths: Path) -> None:
        if os.geteuid() == 0:
            for path in paths:
                shutil.chown(path, "postgres")

    def init(self) -> None:
        self.data.mkdir(parents=True)
        self.socket_dir.mkdir(parents=True)
        self.log.touch()
        self._chown(self.data.parent, self.data, self.socket_dir, self.log)
        subprocess.run(_as_postgres_user([_pg_bin("initdb"), "-D", str(self.data), "-A", "trust",
                                          "-U", "postgres", "--no-sync"]),
                       check=True, capture_output=True, timeout=60)
        self.start()
        subprocess.run(["psql", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", "-q",
                        "-c", "CREATE DATABASE drills"], check=True, capture_output=True, timeout=30)

    def _ctl(self, *args: str, timeout: float = 30) -> None:
        options = (f"-p {self.port} -k {self.socket_dir} -c listen_addresses=127.0.0.1 "
                   "-c fsync=off -c synchronous_commit=off -c full_page_writes=off "
                   "-c max_connections=200")
        subprocess.run(_as_postgres_user([_pg_bin("pg_ctl"), "-D", str(self.data), "-l",
                                          str(self.log), "-o", options, "-w", *args]),
                       check=True, capture_output=True, timeout=timeout)

    def start(self) -> None:
        self._ctl("start")

    def stop(self) -> None:
        self._ctl("stop", "-m", "fast")

    def restart(self) -> None:
        self._ctl("restart", "-m", "fast")

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._ctl("stop", "-m", "immediate", timeout=15)


class PrivateRedis:
    """A redis-server of our own without persistence: a restart loses every key, which is
    the harshest case for the broker (queued and unacknowledged messages are gone)."""

    def __init__(self, root: Path) -> None:
        self.port = free_port()
        self.root = root
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.cache_url = f"redis://127.0.0.1:{self.port}/1"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.root)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_for(self._ping, timeout=10, what="redis-server")

    def _ping(self) -> bool:
        with socket.create_connection(("127.0.0.1", self.port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")

    def stop(self) -> None:
        if self.process is not None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
            self.process = None

    def restart(self, down_s: float = 0.0) -> None:
        self.stop()
        time.sleep(down_s)
        self.start()

    close = stop


@dataclass
class Worker:
    """One `celery worker` process (threads pool, as in production)."""

    name: str
    process: subprocess.Popen[bytes]
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def signal(self, sig: int) -> None:
        if self.process.poll() is None:
            self.process.send_signal(sig)

    def wait(self, timeout: float) -> int | None:
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            return None

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            if self.wait(15) is None:
                self.process.kill()
                self.process.wait(timeout=5)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


#: Settings for drills: faults are noticed in seconds instead of minutes.
DRILL_ENV = {
    "SEOAUDIT_ALLOW_PRIVATE_NETWORKS": "1",
    "SEOAUDIT_PARSE_WORKERS": "0",
    "SEOAUDIT_JS_RENDER_SAMPLE": "0",
    "SEOAUDIT_PAGESPEED_SAMPLE": "0",
    "SEOAUDIT_QUIET_STARTUP": "1",
    "SEOAUDIT_HEARTBEAT_SECONDS": "1",
    "SEOAUDIT_CONTROL_POLL_SECONDS": "0.2",
    "SEOAUDIT_STALE_AUDIT_SECONDS": "4",
    "CELERY_VISIBILITY_TIMEOUT_SECONDS": "6",
    "CELERY_UNACKED_RESTORE_SECONDS": "1",
    "SEOAUDIT_DB_RETRY_SECONDS": "20",
    "SEOAUDIT_PENDING_REDISPATCH_SECONDS": "5",
    "LOG_FORMAT": "json",
    "LOG_LEVEL": "INFO",
}


@dataclass
class Lab:
    """Private PostgreSQL + Redis (+ workers, web server) for one drill session."""

    env_overrides: dict[str, str] = field(default_factory=dict)
    keep: bool = False
    root: Path = field(init=False)
    postgres: PrivatePostgres = field(init=False)
    redis: PrivateRedis = field(init=False)
    workers: list[Worker] = field(default_factory=list)
    servers: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def __enter__(self) -> Lab:
        self.root = Path(tempfile.mkdtemp(prefix="seoaudit-lab-"))
        os.chmod(self.root, 0o755)
        self.postgres = PrivatePostgres(self.root)
        self.redis = PrivateRedis(self.root)
        try:
            self.postgres.init()
            self.redis.start()
        except BaseException:
            self.__exit__()
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        for worker in self.workers:
            with contextlib.suppress(Exception):
                worker.process.kill()
                worker.process.wait(timeout=5)
        for server in self.servers:
            with contextlib.suppress(Exception):
                server.kill()
                server.wait(timeout=5)
        with contextlib.suppress(Exception):
            from django.db import connections

            connections.close_all()
        self.redis.close()
        self.postgres.close()
        if not self.keep:
            shutil.rmtree(self.root, ignore_errors=True)

    @property
    def env(self) -> dict[str, str]:
        env = {**os.environ, **DRILL_ENV, **self.env_overrides,
               "DATABASE_URL": self.postgres.url, "REDIS_URL": self.redis.url,
               "REDIS_CACHE_URL": self.redis.cache_url,
               "DJANGO_SETTINGS_MODULE": "seoaudit.settings", "PYTHONPATH": str(ROOT)}
        env.pop("CELERY_TASK_ALWAYS_EAGER", None)
        return env

    def setup_django(self) -> None:
        """Point this process at the private services, set Django up and migrate."""
        os.environ.update({k: v for k, v in self.env.items() if k not in ("PYTHONPATH",)})
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0, interactive=False)

    def start_worker(self, name: str, **kwargs: Any) -> Worker:
        return self.start_workers([name], **kwargs)[0]

    def start_workers(self, names: list[str], *, concurrency: int = 1,
                      queues: str = "crawl,beat,celery", ready_timeout: float = 40.0
                      ) -> list[Worker]:
        """`celery worker` processes (threads pool), started side by side; returns once all
        are ready to consume."""
        started: list[Worker] = []
        for name in names:
            log = self.root / f"worker-{name}.log"
            process = subprocess.Popen(
                [str(VENV_BIN / "celery"), "-A", "seoaudit", "worker", "--pool", "threads",
                 "--concurrency", str(concurrency), "-Q", queues, "-n", f"{name}@drills",
                 "--without-gossip", "--without-mingle", "--without-heartbeat", "--loglevel",
                 "INFO"], cwd=ROOT, env=self.env, stdout=log.open("wb"),
                stderr=subprocess.STDOUT)
            started.append(Worker(name=name, process=process, log=log))
        self.workers.extend(started)
        for worker in started:
            wait_for(lambda w=worker: w.process.poll() is not None or "ready." in w.log_text(),
                     timeout=ready_timeout, interval=0.1, what=f"worker {worker.name}")
            if worker.process.poll() is not None:
                raise RuntimeError(f"worker {worker.name} exited:\n{worker.log_text()[-3000:]}")
        return started

    def live_workers(self) -> list[Worker]:
        return [w for w in self.workers if w.process.poll() is None]

    def start_web(self) -> str:
        """uvicorn with the production ASGI stack (SSE) on a free port; returns its base URL."""
        port = free_port()
        log = self.root / "web.log"
        process = subprocess.Popen(
            [str(VENV_BIN / "uvicorn"), "seoaudit.asgi:application", "--host", "127.0.0.1",
             "--port", str(port), "--lifespan", "off", "--log-level", "warning"],
            cwd=ROOT, env=self.env, stdout=log.open("wb"), stderr=subprocess.STDOUT)
        self.servers.append(process)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return True

        wait_for(up, timeout=20, what="uvicorn")
        return base


@contextlib.contextmanager
def small_sites(*, sites: int = 1, pages: int = 10, delay_s: float = 0.0) -> Iterator[list[str]]:
    """`sites` small sites on one 127.0.0.1 server, each under /s<i>/: a home page linking to
    `pages - 1` pages that link back; every answer waits `delay_s`. Yields the start URLs."""
    from tests.sites import Route, html, serve

    def route(path: str) -> Route | None:
        parts = path.partition("?")[0].strip("/").split("/")
        if not parts or not parts[0].startswith("s") or not parts[0][1:].isdigit():
            return None
        prefix = f"/{parts[0]}/"
        links = "".join(f'<p><a href="{prefix}p{n}">Page number {n} of this site</a></p>'
                        for n in range(1, pages))
        if len(parts) == 1:
            return Route(html(f"Home of drill site {parts[0]} with a long title", links),
                         delay=delay_s)
        name = parts[1]
        if name.startswith("p") and name[1:].isdigit() and 0 < int(name[1:]) < pages:
            body = f'<p>Content of {name}.</p><a href="{prefix}">Back home</a>' + links[:400]
            return Route(html(f"Drill page {name} of {parts[0]} with a long title", body),
                         delay=delay_s)
        return None

    with serve(route) as base:
        yield [f"{base}/s{i}/" for i in range(sites)]
