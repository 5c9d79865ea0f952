"""The incoming GitHub webhook: verify, de-duplicate, and start audits on deploys."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import structlog
from django.conf import settings
from django.db import IntegrityError, transaction

from .exceptions import BadGitHubDelivery, BadGitHubSignature, GitHubNotConfigured
from .models import GitHubDelivery, GitHubRepository
from .signing import github_signature_valid

log = structlog.get_logger(__name__)
_Outcome = GitHubDelivery.Outcome
#: The `status` of a reply (the OpenAPI enum of GitHubReply).
REPLY_STATUSES = ["pong", "audit_started", "ignored", "duplicate", "rejected"]


@dataclass(slots=True)
class GitHubReply:
    """What the endpoint answers GitHub (shown in the repository's "Recent deliveries")."""

    http_status: int
    status: str
    message: str
    audits: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {"status": self.status, "message": self.message, "audits": self.audits}


def github_delivery_receive(*, event: str | None, delivery_id: str | None,
                            signature: str | None, body: bytes) -> GitHubReply:
    """Handle one GitHub delivery.

    The signature (X-Hub-Signature-256, HMAC of the raw body with GITHUB_WEBHOOK_SECRET) is
    checked first, in constant time. Each X-GitHub-Delivery is handled once: its row is
    inserted in the same transaction as the audits it starts, so a replay (or GitHub's
    "Redeliver") of a handled delivery is answered "duplicate" and starts nothing.
    """
    secret = settings.GITHUB_WEBHOOK_SECRET
    if not secret:
        raise GitHubNotConfigured("GitHub webhooks are not configured on this server "
                                  "(GITHUB_WEBHOOK_SECRET is empty)")
    if not github_signature_valid(secret=secret, body=body, header=signature):
        raise BadGitHubSignature("missing or invalid X-Hub-Signature-256")
    if not delivery_id or len(delivery_id) > 100 or not event or len(event) > 100:
        raise BadGitHubDelivery("X-GitHub-Event and X-GitHub-Delivery headers are required")
    try:
        payload = json.loads(body)
    except (ValueError, UnicodeDecodeError) as exc:
        raise BadGitHubDelivery("the body is not JSON; set the webhook's content type to "
                                "application/json") from exc
    if not isinstance(payload, dict):
        raise BadGitHubDelivery("the body must be a JSON object")
    repository = _repository_name(payload)
    with transaction.atomic():
        try:
            with transaction.atomic():
                record = GitHubDelivery.objects.create(delivery_id=delivery_id, event=event,
                                                       repository=repository,
                                                       outcome=_Outcome.IGNORED)
        except IntegrityError:
            log.info("github.duplicate", delivery_id=delivery_id)
            return GitHubReply(200, "duplicate", "duplicate delivery ignored")
        reply = _handle(event, payload, repository)
        record.outcome = {"pong": _Outcome.PONG, "audit_started": _Outcome.AUDIT_STARTED,
                          "rejected": _Outcome.REJECTED}.get(reply.status, _Outcome.IGNORED)
        record.detail = reply.message[:500]
        record.audit_ids = [a["audit_id"] for a in reply.audits if "audit_id" in a]
        record.save(update_fields=["outcome", "detail", "audit_ids"])
    log.info("github.delivery", delivery_id=delivery_id, event_type=event,
             repository=repository, outcome=reply.status)
    return reply


def _repository_name(payload: dict[str, Any]) -> str:
    repo = payload.get("repository")
    name = repo.get("full_name") if isinstance(repo, dict) else None
    return name.lower()[:200] if isinstance(name, str) else ""


def _handle(event: str, payload: dict[str, Any], repository: str) -> GitHubReply:
    if event == "ping":
        return GitHubReply(200, "pong", str(payload.get("zen") or "pong")[:200])
    if event == "push":
        repo = payload.get("repository") or {}
        branch = repo.get("default_branch") if isinstance(repo, dict) else None
        ref = payload.get("ref")
        if not branch or ref != f"refs/heads/{branch}":
            return GitHubReply(202, "ignored", f"push to {ref!s:.100}, not the default branch")
        return _start_audits(repository, reason=f"push to {branch}")
    if event == "deployment_status":
        status = payload.get("deployment_status")
        state = status.get("state") if isinstance(status, dict) else None
        if state != "success":
            return GitHubReply(202, "ignored", f"deployment state {state!s:.50}, not success")
        return _start_audits(repository, reason="successful deployment")
    return GitHubReply(202, "ignored", f"event {event!r} is not handled")


def _start_audits(repository: str, *, reason: str) -> GitHubReply:
    from audits.exceptions import AuditError
    from audits.services import audit_submit

    mappings = list(GitHubRepository.objects.select_related("owner")
                    .filter(full_name=repository, is_active=True))
    if not repository or not mappings:
        return GitHubReply(202, "ignored", f"no site is mapped to repository {repository!r}")
    audits, errors = [], []
    for mapping in mappings:
        try:  # idempotent: the owner's active audit of the same URL is reused
            audit, created = audit_submit(owner=mapping.owner, url=mapping.site_url,
                                          options=mapping.audit_options)
        except AuditError as exc:
            errors.append(f"{mapping.site_url}: {exc}")
            continue
        audits.append({"audit_id": str(audit.pk), "url": audit.normalized_url, "created": created})
    if not audits:
        return GitHubReply(422, "rejected", "; ".join(errors)[:500])
    message = f"{reason}: auditing {len(audits)} site(s)"
    if errors:
        message += "; refused: " + "; ".join(errors)
    return GitHubReply(202, "audit_started", message[:500], audits)
