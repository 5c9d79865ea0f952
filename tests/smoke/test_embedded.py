"""Embedded mode end to end, as the Quick start runs it: SQLite under var/, Celery on the
filesystem broker, uvicorn. Everything runs as real subprocesses against one var/ directory."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from django.conf import settings

from tests.sites import Route, html, serve

ROOT = Path(__file__).resolve().parents[2]
PY = sys.executable

pytestmark = pytest.mark.skipif(settings.RUN_MODE != "embedded",
                                reason="embedded-mode smoke tests run without DATABASE_URL/REDIS_URL")


def manage(*args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k != "SEOAUDIT_QUIET_STARTUP"}
    return subprocess.run([PY, "manage.py", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=timeout, env=env)


@pytest.fixture(scope="module", autouse=True)
def migrated():
    result = manage("migrate", "--noinput")
    assert result.returncode == 0, result.stderr
    assert "mode=embedded" in result.stderr or "'mode': 'embedded'" in result.stderr


def site() -> dict[str, Route]:
    return {"/": Route(html("Home page of the embedded smoke site", '<a href="/a">A</a>')),
            "/a": Route(html("Alpha page of the embedded smoke site"))}


def test_settings_are_embedded():
    assert settings.DATABASES["default"]["ENGINE"].endswith("sqlite3")
    assert settings.CELERY_BROKER_URL == "filesystem://"
    assert settings.CACHES["default"]["BACKEND"].endswith("LocMemCache")


def test_cli_audit_saves_to_sqlite():
    with serve(site()) as base:
        result = manage("audit", base + "/", "--allow-private", "--format", "json")
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["pages_crawled"] == 2 and data["audit_id"]
    assert Path(settings.VAR_DIR, "seoaudit.sqlite3").exists()


def test_worker_on_filesystem_broker_finishes_an_audit():
    env = dict(os.environ, SEOAUDIT_ALLOW_PRIVATE_NETWORKS="1")
    worker = subprocess.Popen(
        [PY, "-m", "celery", "-A", "seoaudit", "worker", "--pool", "threads",
         "--concurrency", "1", "--loglevel", "WARNING"], cwd=ROOT, env=env,
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        with serve(site()) as base:
            code = ("from django.contrib.auth import get_user_model; from audits import services;"
                    "u,_=get_user_model().objects.get_or_create(username='smoke');"
                    f"print(services.audit_create(owner=u, url='{base}/').pk)")
            created = manage("shell", "-c", code)
            assert created.returncode == 0, created.stderr
            audit_id = created.stdout.strip().splitlines()[-1]
            status = ""
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                status = manage("shell", "-c", "from audits.models import Audit;"
                                f"print(Audit.objects.get(pk='{audit_id}').status)"
                                ).stdout.strip().splitlines()[-1]
                if status in ("COMPLETED", "FAILED"):
                    break
                time.sleep(1)
        assert status == "COMPLETED"
    finally:
        worker.terminate()
        worker.wait(timeout=20)


def test_web_server_serves_admin():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    manage("collectstatic", "--noinput", "--verbosity", "0")
    server = subprocess.Popen(
        [PY, "-m", "uvicorn", "seoaudit.asgi:application", "--host", "127.0.0.1",
         "--port", str(port), "--lifespan", "off"], cwd=ROOT, env=os.environ.copy(),
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        body = ""
        for _ in range(100):
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/admin/login/",
                                            timeout=2) as response:
                    body = response.read().decode()
                    break
            except OSError:
                time.sleep(0.2)
        assert "Django" in body or "Log in" in body
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=2) as response:
            assert json.loads(response.read()) == {"status": "ok"}
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_ensure_admin_prints_password():
    result = manage("ensure_admin")
    assert result.returncode == 0
    line = result.stdout.strip().splitlines()[-1]
    assert line.startswith("staff account: admin / ") and len(line.split(" / ")[1]) >= 12
