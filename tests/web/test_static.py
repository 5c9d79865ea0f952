"""Production serves the pages' CSS and JS through WhiteNoise from what collectstatic gathered
(no DEBUG, no finders): the same path scripts/serve.sh and the Dockerfile take."""

from __future__ import annotations

import urllib.request

import pytest
from django.core.management import call_command

from tests.livestack import asgi_server


@pytest.mark.django_db
def test_collected_static_files_are_served_under_asgi(settings, tmp_path):
    settings.DEBUG = False
    settings.WHITENOISE_USE_FINDERS = False
    settings.STATIC_ROOT = tmp_path / "static"
    call_command("collectstatic", "--noinput", "--verbosity", "0")
    assert (tmp_path / "static" / "js" / "progress.js").exists()
    with asgi_server() as base:
        with urllib.request.urlopen(f"{base}/accounts/login/", timeout=10) as response:
            page = response.read().decode()
            csp = response.headers["Content-Security-Policy"]
        assert '<link rel="stylesheet" href="/static/css/app.css">' in page
        assert "style-src 'self'" in csp
        for path, kind in (("/static/css/app.css", "text/css"),
                           ("/static/js/progress.js", "text/javascript")):
            with urllib.request.urlopen(f"{base}{path}", timeout=10) as response:
                assert response.status == 200
                assert response.headers["Content-Type"].startswith(kind)
                assert len(response.read()) > 1000
