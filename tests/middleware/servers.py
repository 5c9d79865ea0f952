"""Start the project under gunicorn on 127.0.0.1 for tests that need real processes."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextmanager
def gunicorn(args: list[str], env: dict[str, str], *, wait_path: str = "/healthz",
             timeout: float = 30.0) -> Iterator[str]:
    """Run `gunicorn <args> -b 127.0.0.1:<port>` from the repo root; yield its base URL."""
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    full_env = {**os.environ, "SEOAUDIT_QUIET_STARTUP": "1", "LOG_LEVEL": "WARNING", **env}
    gunicorn_bin = str(Path(sys.executable).with_name("gunicorn"))
    process = subprocess.Popen([gunicorn_bin, *args, "-b", f"127.0.0.1:{port}", "--pythonpath", str(ROOT),
                                "--graceful-timeout", "2", "--log-level", "warning"],
                               cwd=ROOT, env=full_env)
    try:
        deadline = time.monotonic() + timeout
        while True:
            try:
                with urllib.request.urlopen(base + wait_path, timeout=2):
                    break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"gunicorn did not come up ({args})") from None
                time.sleep(0.2)
        yield base
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
