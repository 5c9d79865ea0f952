from __future__ import annotations

import pytest

from audits import services
from audits.models import Audit
from audits.tasks import run_audit
from tests.audits.factories import UserFactory
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db(transaction=True)


def test_create_enqueues_on_commit_and_task_completes(allow_private, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    from seoaudit.celery import app

    app.conf.task_always_eager = True
    try:
        with serve({"/": Route(html("Home page for the task test site"))}) as base:
            audit = services.audit_create(owner=UserFactory(), url=base + "/")
            audit.refresh_from_db()
    finally:
        app.conf.task_always_eager = False
    assert audit.status == Audit.Status.COMPLETED
    assert audit.pages_crawled == 1


def test_task_is_idempotent(allow_private):
    with serve({"/": Route(html("Home page for the task test site"))}) as base:
        audit = services.audit_create(owner=UserFactory(), url=base + "/", enqueue=False)
        assert run_audit.apply(args=[str(audit.pk)]).get() == "COMPLETED"
        assert run_audit.apply(args=[str(audit.pk)]).get() == "COMPLETED"
    assert Audit.objects.get(pk=audit.pk).pages_crawled == 1


def test_task_options():
    assert run_audit.acks_late is True
    assert run_audit.name == "audits.run_audit"
    assert run_audit.time_limit and run_audit.soft_time_limit < run_audit.time_limit
