"""Sending deliveries: claim (conditional UPDATE), sign, POST through the SSRF guard, record,
schedule the retry. Every attempt of a delivery sends the same webhook-id and body."""

from __future__ import annotations

import random
import socket
import threading
import time
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

import httpx2
import structlog
from django.conf import settings
from django.db.models import F, Q
from django.utils import timezone

from .models import WebhookDelivery, WebhookEndpoint
from .services import endpoint_disable
from .signing import signature_headers

log = structlog.get_logger(__name__)

#: Waits before retries 1..6 (seconds); jitter adds up to 20 % so receivers coming back
#: are not hit by every retry at once.
RETRY_SCHEDULE_S = (5, 30, 5 * 60, 30 * 60, 2 * 3600, 8 * 3600)
JITTER = 0.2
EXCERPT_CHARS = 1000
USER_AGENT = "seoaudit-webhooks/1.0"
_Status = WebhookDelivery.Status
_client = threading.local()


@dataclass(frozen=True, slots=True)
class AttemptResult:
    status_code: int | None
    excerpt: str
    error: str
    duration_ms: int
    retry_after_s: float | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def retryable(self) -> bool:
        """Network errors, timeouts, 429 and 5xx; not other 4xx, redirects or refusals."""
        if self.status_code is None:
            return not self.error.startswith("refused")
        return self.status_code == 429 or self.status_code >= 500


def retry_delay(step: int, rng: random.Random | None = None) -> float:
    """Seconds before retry `step` (0-based): the schedule plus up to 20 % jitter."""
    base = RETRY_SCHEDULE_S[step]
    return base * (1 + (rng or random).random() * JITTER)


def delivery_attempt(*, delivery_id: int, now: datetime | None = None) -> WebhookDelivery | None:
    """Make the next attempt of one delivery if it is due; None if it is not (sent, not due,
    or in flight elsewhere). Safe to call twice and from many workers: the claim is a
    conditional UPDATE, so only one of them sends."""
    now = now or timezone.now()
    claim = now + timedelta(seconds=settings.WEBHOOKS_TIMEOUT_S * 3 + 60)
    due = Q(status=_Status.PENDING, next_attempt_at__lte=now) | \
        Q(status=_Status.SENDING, claimed_until__lt=now)  # its worker died mid-attempt
    if not WebhookDelivery.objects.filter(due, pk=delivery_id).update(
            status=_Status.SENDING, claimed_until=claim, attempts=F("attempts") + 1,
            last_attempt_at=now):
        return None
    delivery = WebhookDelivery.objects.select_related("event", "endpoint").get(pk=delivery_id)
    endpoint = delivery.endpoint
    if not endpoint.is_active:
        _record(delivery, claim, status=_Status.FAILED, error="endpoint disabled", now=now)
        return delivery
    result = _send(endpoint=endpoint, msg_id=delivery.event_id, body=delivery.event.body.encode(),
                   now=now)
    _record_result(delivery, claim, result, now)
    delivery.refresh_from_db()
    return delivery


def deliveries_run_due(*, now: datetime | None = None, limit: int = 500) -> int:
    """Attempt every due delivery (the periodic sweep; tests and benches drive retries with a
    fake `now`). Returns how many attempts were made."""
    now = now or timezone.now()
    ids = list(WebhookDelivery.objects.filter(
        Q(status=_Status.PENDING, next_attempt_at__lte=now)
        | Q(status=_Status.SENDING, claimed_until__lt=now)
    ).order_by("next_attempt_at").values_list("pk", flat=True)[:limit])
    return sum(1 for pk in ids if delivery_attempt(delivery_id=pk, now=now) is not None)


def _record(delivery: WebhookDelivery, claim: datetime, **fields: Any) -> bool:
    """Write the outcome only while our claim holds (a takeover owns the row otherwise)."""
    fields.pop("now", None)
    return bool(WebhookDelivery.objects.filter(pk=delivery.pk, status=_Status.SENDING,
                                               claimed_until=claim).update(claimed_until=None,
                                                                           **fields))


def _record_result(delivery: WebhookDelivery, claim: datetime, result: AttemptResult,
                   now: datetime) -> None:
    common = dict(response_status=result.status_code, response_excerpt=result.excerpt,
                  error=result.error[:500], duration_ms=result.duration_ms)
    endpoint = delivery.endpoint
    if result.succeeded:
        _record(delivery, claim, status=_Status.SUCCEEDED, delivered_at=now, next_attempt_at=None,
                **common)
        WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=False
                                       ).update(failing_since=None)
        log.info("webhook.delivered", delivery_id=delivery.pk, status=result.status_code,
                 ms=result.duration_ms)
        return
    step = delivery.retry_step
    if result.retryable and step < len(RETRY_SCHEDULE_S):
        delay = max(retry_delay(step), min(result.retry_after_s or 0, RETRY_SCHEDULE_S[-1]))
        _record(delivery, claim, status=_Status.PENDING, retry_step=step + 1,
                next_attempt_at=now + timedelta(seconds=delay), **common)
        if delay <= settings.WEBHOOKS_CELERY_COUNTDOWN_MAX_S:  # longer waits: the sweep
            from .services import deliveries_enqueue

            deliveries_enqueue(delivery_ids=[delivery.pk], countdown=delay)
    else:
        _record(delivery, claim, status=_Status.FAILED, next_attempt_at=None, **common)
    log.warning("webhook.attempt_failed", delivery_id=delivery.pk, status=result.status_code,
                error=result.error[:200], retry_step=step)
    if result.status_code == 410:
        endpoint_disable(endpoint_id=endpoint.pk,
                         notice=f"Disabled on {now:%Y-%m-%d %H:%M} UTC: the receiver answered "
                                "410 Gone.")
        return
    WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__isnull=True).update(
        failing_since=now)
    cutoff = now - timedelta(seconds=settings.WEBHOOKS_DISABLE_AFTER_S)
    if WebhookEndpoint.objects.filter(pk=endpoint.pk, failing_since__lte=cutoff).exists():
        endpoint_disable(endpoint_id=endpoint.pk,
                         notice=f"Disabled on {now:%Y-%m-%d %H:%M} UTC: every delivery failed "
                                f"for {settings.WEBHOOKS_DISABLE_AFTER_S // 3600} hours.")


def _signing_secrets(endpoint: WebhookEndpoint, now: datetime) -> list[str]:
    secrets = [endpoint.secret]
    expires = endpoint.previous_secret_expires_at
    if endpoint.previous_secret and expires is not None and expires > now:
        secrets.append(endpoint.previous_secret)
    return secrets


def _http() -> httpx2.Client:
    """One pooled client per thread; redirects are never followed, proxies never used."""
    client = getattr(_client, "client", None)
    if client is None:
        client = httpx2.Client(follow_redirects=False, trust_env=False,
                               limits=httpx2.Limits(max_keepalive_connections=20))
        _client.client = client
    return client


def _pinned_target(url: str) -> tuple[httpx2.URL, dict[str, str], dict[str, Any]]:
    """The SSRF guard: resolve the host once, refuse private/reserved addresses (unless
    WEBHOOKS_ALLOW_PRIVATE) and connect to the checked address, keeping Host and SNI, so
    DNS cannot change between the check and the connection."""
    from audits.engine.netguard import AddressGuard

    target = httpx2.URL(url)
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return target, {}, {}
    guard = AddressGuard(allow_private=False)
    host, port = target.host, target.port or (443 if target.scheme == "https" else 80)
    guard.check_target(host, target.port)
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    addresses = list(dict.fromkeys(info[4][0] for info in infos))
    for address in addresses:
        guard.check_ip(host, address)
    headers = {"Host": target.netloc.decode("ascii")}
    extensions = {"sni_hostname": host} if target.scheme == "https" else {}
    return target.copy_with(host=addresses[0]), headers, extensions


def _send(*, endpoint: WebhookEndpoint, msg_id: str, body: bytes, now: datetime) -> AttemptResult:
    from audits.engine.netguard import BlockedAddress

    headers = {"Content-Type": "application/json", "User-Agent": USER_AGENT,
               **signature_headers(msg_id=msg_id, timestamp=int(now.timestamp()), body=body,
                                   secrets_=_signing_secrets(endpoint, now))}
    started = time.monotonic()

    def elapsed() -> int:
        return int((time.monotonic() - started) * 1000)

    try:
        target, host_header, extensions = _pinned_target(endpoint.url)
        headers.update(host_header)
        with _http().stream("POST", target, content=body, headers=headers, extensions=extensions,
                            timeout=settings.WEBHOOKS_TIMEOUT_S) as response:
            excerpt = _read_excerpt(response)
            retry_after = _retry_after(response.headers.get("Retry-After"))
            return AttemptResult(response.status_code, excerpt, "", elapsed(), retry_after)
    except BlockedAddress as exc:
        return AttemptResult(None, "", f"refused: {exc} (WEBHOOKS_ALLOW_PRIVATE is off)", elapsed())
    except httpx2.TimeoutException as exc:
        return AttemptResult(None, "", f"timeout after {settings.WEBHOOKS_TIMEOUT_S} s "
                                       f"({type(exc).__name__})", elapsed())
    except (httpx2.HTTPError, OSError) as exc:
        return AttemptResult(None, "", f"{type(exc).__name__}: {exc}"[:500], elapsed())


def _read_excerpt(response: httpx2.Response) -> str:
    chunks, size = [], 0
    for chunk in response.iter_bytes():
        chunks.append(chunk)
        size += len(chunk)
        if size >= EXCERPT_CHARS * 4:
            break
    return b"".join(chunks).decode("utf-8", "replace")[:EXCERPT_CHARS]


def _retry_after(value: str | None) -> float | None:
    try:
        return float(value) if value else None
    except ValueError:
        return None
