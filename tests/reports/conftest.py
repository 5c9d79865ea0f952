"""Two real audits of the defect fixture site, the second after the site changed: one page
got its missing title fixed, a clean page started answering 500. Crawled once per module
(committed outside the tests' transactions, deleted afterwards)."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from django.core.cache import cache
from django.test import override_settings

from audits.models import Audit
from tests.audits.factories import UserFactory
from tests.sites import Route, html

from .sites import audit_site, defect_site

FIXED_PATH = "/defects/no-title"
BROKEN_PATH = "/articles/basil"
CHANGES = {
    FIXED_PATH: Route(html("Radishes in raised beds: a quick guide for spring sowing",
                           "<p>" + "Radishes grow fast in loose soil and cool weather. " * 40
                           + "</p>")),
    BROKEN_PATH: Route("temporarily broken", status=500, headers={"Content-Type": "text/plain"}),
}


@pytest.fixture(scope="module")
def crawled(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), override_settings(
            SEOAUDIT_ALLOW_PRIVATE_NETWORKS=True, SEOAUDIT_PARSE_WORKERS=0,
            SEOAUDIT_JS_RENDER_SAMPLE=0, SEOAUDIT_PAGESPEED_SAMPLE=0):
        user = UserFactory()
        with defect_site() as (base, change):
            before = audit_site(owner=user, base=base)
            change(CHANGES)
            after = audit_site(owner=user, base=base)
    yield SimpleNamespace(user=user, base=base, before=before, after=after)
    with django_db_blocker.unblock():
        Audit.objects.filter(owner=user).delete()
        user.delete()


@pytest.fixture(autouse=True)
def _no_rate_limits(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    cache.clear()


@pytest.fixture
def report_dir(settings, tmp_path):
    settings.SEOAUDIT_REPORT_DIR = tmp_path / "reports"
    return settings.SEOAUDIT_REPORT_DIR


@pytest.fixture
def eager_celery(settings):
    """Tasks run in the calling thread when enqueued (as in the embedded CLI mode)."""
    from seoaudit.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False
