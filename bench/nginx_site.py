"""Serve a generated site with nginx on 127.0.0.1 for the duration of a `with` block.

    with serve_site("bench/out/site-2000") as base_url:
        ...  # base_url == "http://127.0.0.1:<port>"

nginx runs in the foreground as our child (`-g 'daemon off;'`) with its configuration, pid
file and logs in a temporary prefix directory, and is stopped on exit, also on Ctrl-C or an
exception. If /usr/sbin/nginx is missing it is installed from the Debian packages.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sitegen import ORIGIN_PLACEHOLDER

NGINX = "/usr/sbin/nginx"
PR_SET_PDEATHSIG = 1
START_TIMEOUT_S = 10.0
STOP_TIMEOUT_S = 10.0

_CONF = """\
{user}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log warn;
events {{ worker_connections 1024; }}
http {{
    types {{
        text/html html;
        text/css css;
        application/javascript js;
        text/plain txt;
        application/xml xml;
        image/x-icon ico;
        image/png png;
        image/jpeg jpg jpeg;
        image/gif gif;
        image/webp webp;
        image/svg+xml svg;
    }}
    default_type application/octet-stream;
    access_log off;
    sendfile on;
    tcp_nopush on;
    keepalive_requests 100000;
    keepalive_timeout 60s;
    client_body_temp_path {prefix}/client_body;
    proxy_temp_path {prefix}/proxy;
    fastcgi_temp_path {prefix}/fastcgi;
    uwsgi_temp_path {prefix}/uwsgi;
    scgi_temp_path {prefix}/scgi;
    # Pages come pre-compressed (page.html.gz) when the generator wrote them; otherwise nginx
    # compresses on the fly at a cheap level.
    gzip on;
    gzip_static on;
    gzip_comp_level 1;
    gzip_min_length 1024;
    gzip_types text/css application/javascript text/plain application/xml;
    server {{
        listen 127.0.0.1:{port};
        server_name localhost;
        root {root};
        index index.html;
        # One and two redirect hops (the generator links to /old/... and /legacy/...).
        location ^~ /old/ {{
            rewrite ^/old/(.*)$ /$1 permanent;
        }}
        location ^~ /legacy/ {{
            rewrite ^/legacy/(.*)$ /old/$1 permanent;
        }}
        # robots.txt and sitemaps carry a placeholder origin; the port is only known now.
        location ~ ^/(robots\\.txt|sitemap[-a-z0-9]*\\.xml)$ {{
            gzip off;
            sub_filter_types text/plain application/xml;
            sub_filter '{placeholder}' '$scheme://$http_host';
            sub_filter_once off;
        }}
        location = /site-manifest.json {{
            return 404;
        }}
        location / {{
            try_files $uri $uri/index.html =404;
        }}
    }}
}}
"""


def ensure_nginx() -> str:
    """Return the nginx binary, installing the Debian package first if it is missing."""
    if not os.path.exists(NGINX):
        print("nginx not found: installing it with apt-get", file=sys.stderr)
        subprocess.run(["apt-get", "update"], check=True)
        subprocess.run(["apt-get", "install", "-y", "--no-install-recommends", "nginx"], check=True,
                       env={**os.environ, "DEBIAN_FRONTEND": "noninteractive"})
    return NGINX


def _die_with_parent() -> None:
    """In the nginx child before exec: get SIGTERM if the benchmark dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    except OSError:
        pass


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_ready(base_url: str, proc: subprocess.Popen[bytes], prefix: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            error_log = prefix / "error.log"
            log = error_log.read_text(errors="replace") if error_log.exists() else ""
            raise RuntimeError(f"nginx exited with status {proc.returncode}: {log[-2000:]}")
        try:
            with urllib.request.urlopen(base_url + "/robots.txt", timeout=1) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"nginx did not answer on {base_url} within {START_TIMEOUT_S:.0f}s")


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGQUIT)  # graceful: finish open requests, then exit
    try:
        proc.wait(timeout=STOP_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=STOP_TIMEOUT_S)


@dataclass(frozen=True, slots=True)
class RunningSite:
    base_url: str
    #: The nginx master process (its workers are its children), for CPU accounting.
    pid: int


@contextlib.contextmanager
def serve_site(site_dir: str | os.PathLike[str], *, workers: int = 2,
               port: int | None = None) -> Iterator[str]:
    """Serve `site_dir` on 127.0.0.1 and yield the base URL (no trailing slash)."""
    with run_nginx(site_dir, workers=workers, port=port) as site:
        yield site.base_url


@contextlib.contextmanager
def run_nginx(site_dir: str | os.PathLike[str], *, workers: int = 2,
              port: int | None = None) -> Iterator[RunningSite]:
    """Like `serve_site`, yielding the base URL and the nginx master's pid."""
    binary = ensure_nginx()
    root = Path(site_dir).resolve()
    if not (root / "robots.txt").is_file():
        raise FileNotFoundError(f"{root} is not a generated site (no robots.txt)")
    port = port or free_port()
    prefix = Path(tempfile.mkdtemp(prefix="bench-nginx-"))
    # As root, nginx hands requests to unprivileged workers; they only need to read the site.
    user = "user nobody nogroup;" if os.geteuid() == 0 else ""
    prefix.chmod(0o755)
    conf = prefix / "nginx.conf"
    conf.write_text(_CONF.format(user=user, workers=workers, prefix=prefix, port=port, root=root,
                                 placeholder=ORIGIN_PLACEHOLDER), encoding="utf-8")
    proc = subprocess.Popen([binary, "-e", str(prefix / "error.log"), "-p", str(prefix),
                             "-c", str(conf), "-g", "daemon off;"],
                            stdin=subprocess.DEVNULL, start_new_session=True,
                            preexec_fn=_die_with_parent)
    base_url = f"http://127.0.0.1:{port}"
    previous = None
    if threading.current_thread() is threading.main_thread():
        # SIGTERM would end Python without running `finally`; make it unwind like Ctrl-C.
        previous = signal.signal(signal.SIGTERM, _raise_interrupt)
    try:
        _wait_ready(base_url, proc, prefix)
        yield RunningSite(base_url=base_url, pid=proc.pid)
    finally:
        _stop(proc)
        shutil.rmtree(prefix, ignore_errors=True)
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _raise_interrupt(signum: int, frame: object) -> None:
    raise KeyboardInterrupt(f"signal {signum}")


if __name__ == "__main__":
    import argparse

    parser = argparse.ArgumentParser(description="serve a generated site until Ctrl-C or --seconds")
    parser.add_argument("site_dir")
    parser.add_argument("--seconds", type=float, default=600.0)
    args = parser.parse_args()
    with serve_site(args.site_dir) as url:
        print(f"serving {args.site_dir} at {url} for up to {args.seconds:.0f}s", flush=True)
        with contextlib.suppress(KeyboardInterrupt):
            time.sleep(args.seconds)
