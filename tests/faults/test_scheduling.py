"""Fair scheduling: per-owner and global caps, the dispatcher, queue positions, atomic claims."""

from __future__ import annotations

import threading

import pytest
from django.db import connections

from audits import scheduling, services
from audits.models import Audit
from audits.scheduling import Claim
from tests.audits.factories import UserFactory
from tests.sites import Route, html, serve


def _pending(owner, n: int, **fields) -> list[Audit]:
    return [Audit.objects.create(owner=owner, url=f"https://s{i}.example.com/",
                                 normalized_url=f"https://s{i}.example.com/", **fields)
            for i in range(n)]


def _running(owner, n: int) -> list[Audit]:
    return _pending(owner, n, status=Audit.Status.RUNNING, attempts=1)


@pytest.fixture
def cap2(settings):
    settings.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = 2
    settings.SEOAUDIT_MAX_RUNNING_AUDITS = 0
    return settings


@pytest.mark.django_db
def test_an_owner_at_the_cap_waits_without_blocking_others(cap2, user, other_user):
    _running(user, 2)
    mine = _pending(user, 1)[0]
    theirs = _pending(other_user, 1)[0]
    assert scheduling.audit_claim(audit_id=mine.pk).outcome == Claim.DEFERRED
    mine.refresh_from_db()
    assert mine.status == Audit.Status.PENDING and mine.dispatched_at is None
    assert scheduling.audit_claim(audit_id=theirs.pk).outcome == Claim.CLAIMED
    theirs.refresh_from_db()
    assert theirs.status == Audit.Status.RUNNING and theirs.attempts == 1


@pytest.mark.django_db
def test_global_cap(cap2, user, other_user):
    cap2.SEOAUDIT_MAX_RUNNING_AUDITS = 1
    _running(user, 1)
    waiting = _pending(other_user, 1)[0]
    assert scheduling.audit_claim(audit_id=waiting.pk).outcome == Claim.DEFERRED


@pytest.mark.django_db
def test_dispatch_fills_free_slots_least_busy_owner_first(cap2, user, other_user,
                                                          django_capture_on_commit_callbacks):
    third = UserFactory()
    _running(user, 1)
    big = _pending(user, 5)
    small = _pending(other_user, 1)
    tiny = _pending(third, 2)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        chosen = scheduling.audits_dispatch()
    # user has one slot left; the others two each (other_user has only one audit waiting).
    assert sorted(chosen) == sorted(str(a.pk) for a in [big[0], small[0], *tiny])
    assert len(callbacks) == 1  # the messages go out once the decision committed
    assert set(Audit.objects.filter(dispatched_at__isnull=False).values_list("pk", flat=True)) \
        == {big[0].pk, small[0].pk, tiny[0].pk, tiny[1].pk}
    # Dispatched audits hold their slots until claimed: dispatching again hands out nothing.
    assert scheduling.audits_dispatch() == []


@pytest.mark.django_db
def test_without_cap_everything_is_dispatched_in_order(settings, user):
    settings.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = 0
    audits = _pending(user, 4)
    assert scheduling.audits_dispatch() == [str(a.pk) for a in audits]


@pytest.mark.django_db
def test_queue_position(cap2, user, other_user):
    first, second, third = _pending(user, 3)
    _pending(other_user, 2)
    assert [scheduling.audit_queue_position(audit=a) for a in (first, second, third)] == [1, 2, 3]
    _running(user, 1)
    assert scheduling.audit_queue_position(audit=Audit.objects.filter(
        status=Audit.Status.RUNNING).first()) is None


@pytest.mark.django_db
def test_api_shows_the_queue_position(cap2, user):
    from rest_framework.test import APIClient

    audits = _pending(user, 2)
    client = APIClient()
    client.force_authenticate(user)
    body = client.get(f"/api/v1/audits/{audits[1].pk}").json()
    assert body["status"] == "PENDING" and body["queue_position"] == 2


@pytest.mark.django_db
def test_finishing_an_audit_dispatches_the_owners_next(cap2, allow_private, user,
                                                       django_capture_on_commit_callbacks):
    cap2.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = 1
    with serve({"/": Route(html("Home page of the scheduling test site"))}) as base:
        audit = services.audit_create(owner=user, url=base + "/", enqueue=False)
        waiting = _pending(user, 1)[0]
        with django_capture_on_commit_callbacks(execute=False):
            assert scheduling.audits_dispatch() == [str(audit.pk)]
        waiting.refresh_from_db()
        assert waiting.dispatched_at is None  # the owner's one slot is taken
        with django_capture_on_commit_callbacks(execute=False):
            assert services.audit_run(audit_id=audit.pk).status == Audit.Status.COMPLETED
    waiting.refresh_from_db()
    assert waiting.dispatched_at is not None


@pytest.mark.django_db(transaction=True)
def test_concurrent_claims_never_exceed_the_cap(settings):
    settings.SEOAUDIT_MAX_RUNNING_AUDITS_PER_OWNER = 2
    owner = UserFactory()
    audits = _pending(owner, 8)
    barrier = threading.Barrier(len(audits))
    outcomes: list[str] = []

    def claim(audit_id) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes.append(scheduling.audit_claim(audit_id=audit_id).outcome)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=claim, args=(a.pk,)) for a in audits]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == sorted([Claim.CLAIMED] * 2 + [Claim.DEFERRED] * 6)
    assert Audit.objects.filter(status=Audit.Status.RUNNING).count() == 2
    # Nothing lost: the deferred ones wait for a slot, with no message in flight.
    assert Audit.objects.filter(status=Audit.Status.PENDING, dispatched_at__isnull=True).count() == 6
