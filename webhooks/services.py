"""Webhook writes: events and their deliveries, endpoints, secrets, GitHub repository
mappings. Sending lives in `delivery.py`, the incoming GitHub webhook in `github.py`."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

import structlog
from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from .events import EventType, audit_data
from .exceptions import EndpointDisabled, InvalidEndpointURL, InvalidEventTypes, InvalidRepository
from .models import GitHubRepository, WebhookDelivery, WebhookEndpoint, WebhookEvent
from .signing import secret_generate

log = structlog.get_logger(__name__)

MAX_URL_LENGTH = 2048
_LOCAL_NAMES = ("localhost", "localhost.localdomain")


# --- events ----------------------------------------------------------------------------------

def event_emit(*, owner: Any, type: str, data: dict[str, Any]) -> WebhookEvent | None:
    """Record an event and one pending delivery per subscribed active endpoint of `owner`,
    in one transaction (the caller's, if it is in one); the deliveries are enqueued once it
    commits. None when no endpoint wants the event (nothing is stored)."""
    endpoints = [e for e in WebhookEndpoint.objects.filter(owner=owner, is_active=True)
                 if e.wants(type)]
    if not endpoints:
        return None
    return _event_create(owner=owner, type=type, data=data, endpoints=endpoints)


def _event_create(*, owner: Any, type: str, data: dict[str, Any],
                  endpoints: list[WebhookEndpoint]) -> WebhookEvent:
    now = timezone.now()
    event_id = "msg_" + uuid.uuid4().hex
    body = json.dumps({"id": event_id, "type": type, "timestamp": now.isoformat(), "data": data},
                      separators=(",", ":"), default=str)
    with transaction.atomic():
        event = WebhookEvent.objects.create(id=event_id, owner=owner, type=type, body=body)
        deliveries = WebhookDelivery.objects.bulk_create(
            [WebhookDelivery(event=event, endpoint=e, next_attempt_at=now) for e in endpoints])
        delivery_ids = [d.pk for d in deliveries]
        transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=delivery_ids))
    log.info("webhook.event", event_id=event_id, type=type, deliveries=len(delivery_ids))
    return event


def deliveries_enqueue(*, delivery_ids: list[int], countdown: float = 0) -> None:
    """Hand deliveries to Celery. A broker error is logged, not raised: the periodic
    `webhooks.deliver_due` sweep sends every due delivery anyway, so none is lost."""
    from .tasks import webhook_deliver

    for delivery_id in delivery_ids:
        try:
            webhook_deliver.apply_async(args=[delivery_id], countdown=countdown)
        except Exception as exc:  # noqa: BLE001 - broker down: the sweep picks it up
            log.warning("webhook.enqueue_failed", delivery_id=delivery_id, error=str(exc)[:200])


def audit_event_emit(*, audit: Any, type: str) -> WebhookEvent | None:
    """An audit.* event with the audit's summary as data (one call from audits.services)."""
    return event_emit(owner=audit.owner, type=type, data=audit_data(audit))


def audit_finished_emit(*, audit: Any) -> WebhookEvent | None:
    """audit.completed or audit.failed by the audit's final status (a cancelled audit sends
    nothing)."""
    type_ = {"COMPLETED": EventType.AUDIT_COMPLETED, "FAILED": EventType.AUDIT_FAILED}.get(audit.status)
    return audit_event_emit(audit=audit, type=type_) if type_ else None


def audit_progress_emit(*, audit: Any) -> WebhookEvent | None:
    """audit.progress, at most once per WEBHOOKS_PROGRESS_INTERVAL_S per audit (opt-in)."""
    interval = settings.WEBHOOKS_PROGRESS_INTERVAL_S
    if not cache.add(f"webhooks:progress:{audit.pk}", 1, interval):
        return None
    return audit_event_emit(audit=audit, type=EventType.AUDIT_PROGRESS)


# --- endpoints -------------------------------------------------------------------------------

def endpoint_url_clean(url: str) -> str:
    """The endpoint URL, stripped; InvalidEndpointURL unless http(s), credential-free and public
    (IP literals and local names here; resolved addresses at every delivery)."""
    from audits.engine.netguard import AddressGuard, BlockedAddress

    url = (url or "").strip()
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidEndpointURL(f"a URL of at most {MAX_URL_LENGTH} characters is required")
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise InvalidEndpointURL("the URL must be http:// or https:// with a host")
    if parts.username or parts.password:
        raise InvalidEndpointURL("credentials in the URL are not allowed; use the signature")
    try:
        port = parts.port
    except ValueError as exc:
        raise InvalidEndpointURL(f"invalid port: {exc}") from exc
    if settings.WEBHOOKS_ALLOW_PRIVATE:
        return url
    host = parts.hostname.rstrip(".").lower()
    if host in _LOCAL_NAMES or host.endswith(".localhost"):
        raise InvalidEndpointURL(f"{host} is this machine; webhook receivers must be public")
    try:  # literal IPs now; host names again on every delivery (DNS changes)
        AddressGuard(allow_private=False).check_target(host, port)
    except BlockedAddress as exc:
        raise InvalidEndpointURL(f"{exc}; webhook receivers must be public") from exc
    return url


def _clean_event_types(event_types: list[str] | None) -> list[str]:
    event_types = list(dict.fromkeys(event_types or []))
    unknown = [t for t in event_types if t not in EventType.ALL]
    if unknown:
        raise InvalidEventTypes(f"unknown event types: {', '.join(map(str, unknown))}")
    return event_types


def endpoint_create(*, owner: Any, url: str, description: str = "",
                    event_types: list[str] | None = None) -> WebhookEndpoint:
    """Register a receiver; it gets a fresh "whsec_" secret."""
    return WebhookEndpoint.objects.create(
        owner=owner, url=endpoint_url_clean(url), description=description,
        event_types=_clean_event_types(event_types), secret=secret_generate())


def endpoint_update(*, endpoint: WebhookEndpoint, **fields: Any) -> WebhookEndpoint:
    """Change url, description, event_types or is_active. Re-activating clears the notice
    and the failure clock."""
    if "url" in fields:
        endpoint.url = endpoint_url_clean(fields["url"])
    if "description" in fields:
        endpoint.description = fields["description"]
    if "event_types" in fields:
        endpoint.event_types = _clean_event_types(fields["event_types"])
    if fields.get("is_active") is True and not endpoint.is_active:
        endpoint.is_active, endpoint.disabled_at = True, None
        endpoint.failing_since, endpoint.owner_notice = None, ""
    elif fields.get("is_active") is False:
        endpoint.is_active = False
    endpoint.save()
    return endpoint


def endpoint_rotate_secret(*, endpoint: WebhookEndpoint, grace_hours: float | None = None
                           ) -> WebhookEndpoint:
    """New secret now; the old one keeps signing (both signatures sent) for the grace period."""
    hours = settings.WEBHOOKS_ROTATION_GRACE_HOURS if grace_hours is None else grace_hours
    endpoint.previous_secret = endpoint.secret if hours > 0 else ""
    endpoint.previous_secret_expires_at = timezone.now() + timedelta(hours=hours) if hours > 0 else None
    endpoint.secret = secret_generate()
    endpoint.save(update_fields=["secret", "previous_secret", "previous_secret_expires_at",
                                 "updated_at"])
    log.info("webhook.secret_rotated", endpoint_id=str(endpoint.pk), grace_hours=hours)
    return endpoint


def endpoint_send_test(*, endpoint: WebhookEndpoint) -> WebhookEvent:
    """A `webhook.test` event to this endpoint only."""
    if not endpoint.is_active:
        raise EndpointDisabled("the endpoint is disabled; enable it first")
    return _event_create(owner=endpoint.owner, type=EventType.TEST, endpoints=[endpoint],
                         data={"endpoint_id": str(endpoint.pk),
                               "message": "Test event from the SEO audit platform."})


def endpoint_disable(*, endpoint_id: Any, notice: str) -> bool:
    """Disable an endpoint and tell its owner why (admin, API). True if it was active."""
    now = timezone.now()
    disabled = WebhookEndpoint.objects.filter(pk=endpoint_id, is_active=True).update(
        is_active=False, disabled_at=now, owner_notice=notice[:500], updated_at=now)
    if disabled:
        log.warning("webhook.endpoint_disabled", endpoint_id=str(endpoint_id), notice=notice)
    return bool(disabled)


def delivery_redeliver(*, delivery: WebhookDelivery) -> WebhookDelivery:
    """Send a delivery again (same webhook-id and body), with a fresh retry schedule."""
    if not delivery.endpoint.is_active:
        raise EndpointDisabled("the endpoint is disabled; enable it before redelivering")
    now = timezone.now()
    WebhookDelivery.objects.filter(pk=delivery.pk).exclude(status=WebhookDelivery.Status.SENDING
                                                           ).update(
        status=WebhookDelivery.Status.PENDING, retry_step=0, next_attempt_at=now,
        claimed_until=None, error="")
    transaction.on_commit(lambda: deliveries_enqueue(delivery_ids=[delivery.pk]))
    delivery.refresh_from_db()
    return delivery


# --- GitHub repository mappings ----------------------------------------------------------------

def _clean_repository(full_name: str) -> str:
    name = (full_name or "").strip().lower()
    owner, _, repo = name.partition("/")
    if not owner or not repo or "/" in repo or len(name) > 200:
        raise InvalidRepository("full_name must look like 'owner/repository'")
    return name


def _clean_site_url(site_url: str) -> str:
    from audits.engine.urls import InvalidURL, normalize_url

    url = (site_url or "").strip()
    try:
        normalize_url(url if "://" in url[:12] else "https://" + url)
    except InvalidURL as exc:
        raise InvalidRepository(f"site_url: {exc}") from exc
    if not url or len(url) > MAX_URL_LENGTH:
        raise InvalidRepository(f"site_url: a URL of at most {MAX_URL_LENGTH} characters is required")
    return url


def github_repository_create(*, owner: Any, full_name: str, site_url: str,
                             audit_options: dict[str, Any] | None = None) -> GitHubRepository:
    """Map a repository to a site: its default-branch pushes and successful deployments
    start an audit of `site_url` for `owner`."""
    name = _clean_repository(full_name)
    if GitHubRepository.objects.filter(owner=owner, full_name=name).exists():
        raise InvalidRepository(f"{name} is already mapped")
    return GitHubRepository.objects.create(owner=owner, full_name=name,
                                           site_url=_clean_site_url(site_url),
                                           audit_options=audit_options or {})


def github_repository_update(*, repository: GitHubRepository, **fields: Any) -> GitHubRepository:
    if "full_name" in fields:
        name = _clean_repository(fields["full_name"])
        if GitHubRepository.objects.filter(owner=repository.owner, full_name=name
                                           ).exclude(pk=repository.pk).exists():
            raise InvalidRepository(f"{name} is already mapped")
        repository.full_name = name
    if "site_url" in fields:
        repository.site_url = _clean_site_url(fields["site_url"])
    for key in ("audit_options", "is_active"):
        if key in fields:
            setattr(repository, key, fields[key])
    repository.save()
    return repository
