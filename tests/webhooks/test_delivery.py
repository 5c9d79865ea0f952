"""Outgoing deliveries against real receivers on 127.0.0.1: signatures (checked with the
independent `standardwebhooks` library), retries driven by a fake clock, 410, timeouts, the
SSRF guard, the claim that keeps a delivery from being sent twice."""

from __future__ import annotations

import hashlib
import hmac
import json
import threading
from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from webhooks import services
from webhooks.delivery import RETRY_SCHEDULE_S, deliveries_run_due, delivery_attempt
from webhooks.models import WebhookDelivery, WebhookEndpoint, WebhookEvent
from webhooks.signing import secret_generate, secret_key

from .factories import make_endpoint

pytestmark = pytest.mark.django_db
Status = WebhookDelivery.Status


def emit(owner, type_="audit.completed", data=None):
    return services.event_emit(owner=owner, type=type_, data=data or {"audit_id": "a1"})


def verify(secret: str, received) -> dict:
    """The standardwebhooks library's own verification (raises on a bad signature)."""
    return Webhook(secret).verify(received.body, received.headers)


def library_signature(secret: str, received) -> str:
    """The standardwebhooks library's signature for a received request (any timestamp)."""
    stamp = datetime.fromtimestamp(int(received.headers["webhook-timestamp"]), tz=UTC)
    return Webhook(secret).sign(received.headers["webhook-id"], stamp, received.body.decode())


def run_until_settled(start, hours: float = 12) -> None:
    """Advance a fake clock through the retry schedule, running what is due."""
    now = start
    while now <= start + timedelta(hours=hours):
        deliveries_run_due(now=now)
        if not WebhookDelivery.objects.filter(status__in=[Status.PENDING, Status.SENDING]).exists():
            return
        nxt = WebhookDelivery.objects.filter(status=Status.PENDING).order_by("next_attempt_at").first()
        now = max(now + timedelta(seconds=1), nxt.next_attempt_at) if nxt else now


def test_signed_delivery_verifies_with_an_independent_implementation(
        user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory()
    endpoint = make_endpoint(user, receiver.url)
    event = emit(user, data={"audit_id": "abc", "seo_score": 91.5})
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.PENDING and delivery.next_attempt_at is not None
    assert delivery_attempt(delivery_id=delivery.pk).status == Status.SUCCEEDED
    [received] = receiver.requests
    payload = verify(endpoint.secret, received)
    assert payload["id"] == event.pk == received.headers["webhook-id"]
    assert payload["type"] == "audit.completed" and payload["data"]["seo_score"] == 91.5
    # The legacy header: hex HMAC-SHA256 of the body with the same key.
    expected = hmac.new(secret_key(endpoint.secret), received.body, hashlib.sha256).hexdigest()
    assert received.headers["X-Webhook-Signature"] == f"sha256={expected}"
    tampered = type(received)(received.headers, received.body.replace(b"91.5", b"99.9"), 200)
    with pytest.raises(WebhookVerificationError, match="No matching signature"):
        verify(endpoint.secret, tampered)


def test_receiver_failing_twice_then_succeeding_gets_exactly_one_success(
        user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 503 if n < 2 else 200)
    make_endpoint(user, receiver.url)
    emit(user)
    start = timezone.now()
    run_until_settled(start)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.SUCCEEDED and delivery.attempts == 3
    assert [r.status for r in receiver.requests] == [503, 503, 200]
    assert len(receiver.successes()) == 1
    ids = {r.headers["webhook-id"] for r in receiver.requests}
    bodies = {r.body for r in receiver.requests}
    assert len(ids) == 1 and len(bodies) == 1  # the same event on every retry
    # The waits follow the schedule (5 s, 30 s) plus at most 20 % jitter.
    stamps = [int(r.headers["webhook-timestamp"]) for r in receiver.requests]
    assert RETRY_SCHEDULE_S[0] <= stamps[1] - stamps[0] <= RETRY_SCHEDULE_S[0] * 1.2 + 1
    assert RETRY_SCHEDULE_S[1] <= stamps[2] - stamps[1] <= RETRY_SCHEDULE_S[1] * 1.2 + 1


def test_not_due_yet_is_not_sent(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 500 if n == 0 else 200)
    make_endpoint(user, receiver.url)
    emit(user)
    now = timezone.now()
    deliveries_run_due(now=now)
    assert deliveries_run_due(now=now + timedelta(seconds=1)) == 0  # retry waits ≥ 5 s
    assert len(receiver.requests) == 1


def test_other_4xx_is_not_retried(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 400)
    endpoint = make_endpoint(user, receiver.url)
    emit(user)
    run_until_settled(timezone.now())
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.FAILED and delivery.attempts == 1
    assert delivery.response_status == 400 and '"n": 0' in delivery.response_excerpt
    assert len(receiver.requests) == 1
    endpoint.refresh_from_db()
    assert endpoint.is_active and endpoint.failing_since is not None


def test_429_and_5xx_retry_until_the_schedule_ends(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 429 if n % 2 else 500)
    make_endpoint(user, receiver.url)
    emit(user)
    run_until_settled(timezone.now(), hours=20)
    delivery = WebhookDelivery.objects.get()
    assert delivery.status == Status.FAILED
    assert delivery.attempts == len(RETRY_SCHEDULE_S) + 1 == len(receiver.requests)


def test_410_gone_disables_the_endpoint(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 410)
    endpoint = make_endpoint(user, receiver.url)
    emit(user)
    run_until_settled(timezone.now())
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "410" in endpoint.owner_notice
    assert WebhookDelivery.objects.get().status == Status.FAILED
    assert emit(user) is None  # a disabled endpoint gets no new deliveries
    assert len(receiver.requests) == 1


def test_endpoint_failing_for_a_day_is_disabled_with_a_notice(
        user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 500)
    endpoint = make_endpoint(user, receiver.url)
    for hours in (0, 12, 25):  # one new event every half day, each failing
        emit(user)
        deliveries_run_due(now=timezone.now() + timedelta(hours=hours))
        endpoint.refresh_from_db()
        assert endpoint.is_active == (hours < 24)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and "failed for 24 hours" in endpoint.owner_notice
    assert endpoint.disabled_at is not None


def test_success_resets_the_failure_clock(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 500 if n == 0 else 200)
    endpoint = make_endpoint(user, receiver.url)
    emit(user)
    start = timezone.now()
    deliveries_run_due(now=start)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is not None
    run_until_settled(start)
    endpoint.refresh_from_db()
    assert endpoint.failing_since is None and endpoint.is_active


def test_hanging_receiver_times_out_and_is_retried(user, receiver_factory, allow_private_webhooks):
    allow_private_webhooks.WEBHOOKS_TIMEOUT_S = 0.3
    receiver = receiver_factory(delay_s=3)
    make_endpoint(user, receiver.url)
    emit(user)
    delivery = delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk)
    assert delivery.status == Status.PENDING and delivery.retry_step == 1
    assert "timeout" in delivery.error and delivery.duration_ms < 2500
    assert delivery.response_status is None


def test_loopback_receiver_is_refused_unless_allowed(user, receiver_factory, settings):
    receiver = receiver_factory()
    with pytest.raises(Exception, match="must be public"):
        services.endpoint_create(owner=user, url=receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE = True
    make_endpoint(user, receiver.url)
    settings.WEBHOOKS_ALLOW_PRIVATE = False  # e.g. the setting was turned off afterwards
    emit(user)
    delivery = delivery_attempt(delivery_id=WebhookDelivery.objects.get().pk)
    assert delivery.status == Status.FAILED and delivery.error.startswith("refused")
    assert receiver.requests == []


def test_localhost_name_is_refused_at_delivery_by_its_resolved_address(
        user, receiver_factory, settings):
    receiver = receiver_factory()
    port = receiver.server.server_address[1]
    endpoint = WebhookEndpoint.objects.create(owner=user, url=f"http://localhost:{port}/hook",
                                              secret=secret_generate())
    services.event_emit(owner=user, type="audit.created", data={})
    delivery = delivery_attempt(delivery_id=WebhookDelivery.objects.get(endpoint=endpoint).pk)
    assert delivery.status == Status.FAILED and "refused" in delivery.error
    assert receiver.requests == []


@pytest.mark.django_db(transaction=True)  # the threads need committed rows
def test_concurrent_attempts_send_once(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory(delay_s=0.2)
    make_endpoint(user, receiver.url)
    emit(user)
    pk = WebhookDelivery.objects.get().pk
    results = []

    def attempt():
        from django.db import connection
        try:
            results.append(delivery_attempt(delivery_id=pk))
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(receiver.requests) == 1
    assert sum(r is not None for r in results) == 1
    assert delivery_attempt(delivery_id=pk) is None  # already delivered: a no-op


def test_crashed_attempt_is_taken_over_with_the_same_event(
        user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory()
    make_endpoint(user, receiver.url)
    event = emit(user)
    delivery = WebhookDelivery.objects.get()
    now = timezone.now()
    # A worker claimed it and died before recording anything.
    WebhookDelivery.objects.filter(pk=delivery.pk).update(
        status=Status.SENDING, attempts=1, claimed_until=now + timedelta(seconds=90))
    assert delivery_attempt(delivery_id=delivery.pk, now=now) is None  # claim still held
    taken = delivery_attempt(delivery_id=delivery.pk, now=now + timedelta(seconds=91))
    assert taken.status == Status.SUCCEEDED and taken.attempts == 2
    assert receiver.requests[0].headers["webhook-id"] == event.pk


def test_rotation_grace_period_sends_both_signatures(user, receiver_factory, allow_private_webhooks):
    receiver = receiver_factory()
    endpoint = make_endpoint(user, receiver.url)
    old = endpoint.secret
    services.endpoint_rotate_secret(endpoint=endpoint, grace_hours=1)
    emit(user)
    now = timezone.now()
    deliveries_run_due(now=now)
    first = receiver.requests[0]
    assert len(first.headers["webhook-signature"].split()) == 2
    verify(old, first)
    verify(endpoint.secret, first)
    assert len(first.headers["X-Webhook-Signature"].split(",")) == 2
    # After the grace period only the new secret signs.
    emit(user)
    deliveries_run_due(now=now + timedelta(hours=2))
    later = receiver.requests[1]  # (2 h ahead: too new for verify(), so compare signatures)
    assert later.headers["webhook-signature"] == library_signature(endpoint.secret, later)
    assert library_signature(old, later) not in later.headers["webhook-signature"]


def test_subscriptions_and_progress_is_opt_in(user, receiver_factory, allow_private_webhooks):
    everything = make_endpoint(user, receiver_factory().url)
    progress_only = make_endpoint(user, receiver_factory().url, event_types=["audit.progress"])
    event = emit(user, "audit.progress")
    assert set(event.deliveries.values_list("endpoint_id", flat=True)) == {progress_only.pk}
    event = emit(user, "audit.created")
    assert set(event.deliveries.values_list("endpoint_id", flat=True)) == {everything.pk}


def test_audit_lifecycle_emits_events_in_the_audit_transaction(user, receiver_factory,
                                                               allow_private_webhooks):
    from audits.models import Audit
    from audits.services import audit_create, audit_run

    make_endpoint(user, receiver_factory().url)
    audit = audit_create(owner=user, url="http://127.0.0.1:9/", enqueue=False)
    assert list(WebhookEvent.objects.values_list("type", flat=True)) == ["audit.created"]
    data = json.loads(WebhookEvent.objects.get().body)["data"]
    assert data["audit_id"] == str(audit.pk) and data["status"] == "PENDING"
    Audit.objects.filter(pk=audit.pk).update(options={**audit.options, "max_pages": 1})
    audit_run(audit_id=audit.pk)  # port 9 refuses: the crawl fails or finishes empty
    types = list(WebhookEvent.objects.order_by("created_at").values_list("type", flat=True))
    assert types[:2] == ["audit.created", "audit.started"]
    audit.refresh_from_db()
    assert types[-1] == {"COMPLETED": "audit.completed", "FAILED": "audit.failed"}[audit.status]


def test_no_endpoint_means_no_event_stored(user):
    assert emit(user) is None
    assert not WebhookEvent.objects.exists()


def test_tasks_are_thin_and_idempotent(user, receiver_factory, allow_private_webhooks):
    from webhooks.tasks import webhook_deliver, webhooks_deliver_due

    receiver = receiver_factory()
    make_endpoint(user, receiver.url)
    emit(user)
    emit(user)
    first, second = WebhookDelivery.objects.order_by("pk")
    assert webhook_deliver(first.pk) == Status.SUCCEEDED
    assert webhook_deliver(first.pk) is None  # a redelivered message: nothing sent
    assert webhooks_deliver_due() == 1  # the sweep sends the other one
    assert len(receiver.requests) == 2
    assert WebhookDelivery.objects.filter(status=Status.SUCCEEDED).count() == 2
    assert second.pk in {d.pk for d in WebhookDelivery.objects.filter(status=Status.SUCCEEDED)}


def test_event_rolls_back_with_the_audit_transaction(user, receiver_factory, allow_private_webhooks):
    from django.db import transaction

    from audits.models import Audit
    from audits.services import audit_create

    make_endpoint(user, receiver_factory().url)
    with pytest.raises(RuntimeError), transaction.atomic():
        audit_create(owner=user, url="https://example.com/", enqueue=False)
        raise RuntimeError("the caller's transaction fails after the audit was created")
    assert not Audit.objects.exists()
    assert not WebhookEvent.objects.exists() and not WebhookDelivery.objects.exists()
