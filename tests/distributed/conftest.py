from __future__ import annotations

import uuid

import pytest

from .workers import celery_workers

#: Settings the worker processes and the test process share (small batches, short lease).
UNIT_ENV = {"SEOAUDIT_DISTRIBUTED_BATCH": "40", "SEOAUDIT_DISTRIBUTED_LEASE_SECONDS": "3",
            "SEOAUDIT_DISTRIBUTED_MIN_PAGES": "100"}


@pytest.fixture
def unit_settings(settings):
    """The test process coordinates (audit_run) with the workers' settings."""
    settings.SEOAUDIT_DISTRIBUTED_BATCH = int(UNIT_ENV["SEOAUDIT_DISTRIBUTED_BATCH"])
    settings.SEOAUDIT_DISTRIBUTED_LEASE_SECONDS = float(UNIT_ENV["SEOAUDIT_DISTRIBUTED_LEASE_SECONDS"])
    settings.SEOAUDIT_DISTRIBUTED_MIN_PAGES = int(UNIT_ENV["SEOAUDIT_DISTRIBUTED_MIN_PAGES"])
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = True
    settings.SEOAUDIT_PARSE_WORKERS = 0
    return settings


@pytest.fixture(scope="module")
def unit_queue() -> str:
    return f"units-test-{uuid.uuid4().hex[:10]}"


@pytest.fixture(scope="module")
def two_workers(django_db_setup, django_db_blocker, unit_queue):
    """Two real Celery worker processes, shared by the module's tests."""
    with django_db_blocker.unblock(), celery_workers(2, unit_queue, **UNIT_ENV) as workers:
        yield workers
