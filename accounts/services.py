"""Writes for API credentials: create and revoke personal tokens, authenticate them, map
Auth0 identities to local users."""

from __future__ import annotations

import hashlib
import re
import secrets
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.contrib.auth import get_user_model
from django.db import IntegrityError, transaction
from django.utils import timezone

from .models import ApiToken, ExternalIdentity

log = structlog.get_logger(__name__)

#: Every personal token starts with this, so it is recognisable (secret scanners, our
#: authentication dispatch) and never mistaken for a JWT.
TOKEN_PREFIX = "sat_"  # noqa: S105 (a public marker, not a secret)
#: last_used_at is written at most this often per token: not one UPDATE per request.
LAST_USED_RESOLUTION = timedelta(minutes=1)


def _hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "surrogatepass")).hexdigest()


def api_token_create(*, user: Any, name: str, expires_at: datetime | None = None
                     ) -> tuple[ApiToken, str]:
    """Create a token; returns it with the raw secret, which is not stored and not shown again."""
    raw = TOKEN_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(user=user, name=name, prefix=raw[:12], key_hash=_hash(raw),
                                    expires_at=expires_at)
    log.info("api_token.created", token_id=token.pk, user_id=user.pk)
    return token, raw


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token (kept for the audit trail; it no longer authenticates)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    token.refresh_from_db()
    log.info("api_token.revoked", token_id=token.pk, user_id=token.user_id)
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The usable token whose secret is `raw` (active user, not revoked, not expired), else None."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    token = ApiToken.objects.select_related("user").filter(key_hash=_hash(raw)).first()
    if token is None or not token.is_usable or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token


_USERNAME_UNSAFE = re.compile(r"[^\w.@+-]")


def auth0_user_for(*, subject: str, email: str = "") -> Any:
    """The local user mapped to an Auth0 subject, created on first sight.

    The mapping is by `sub` only (stable per Auth0 user); the email is informative and never
    used to join an existing account, so a provider account with someone's unverified
    address cannot take over a local account.
    """
    identity = (ExternalIdentity.objects.select_related("user")
                .filter(provider=ExternalIdentity.Provider.AUTH0, subject=subject).first())
    if identity is None:
        identity = _auth0_identity_create(subject=subject, email=email)
    if identity.last_login_at is None or timezone.now() - identity.last_login_at > LAST_USED_RESOLUTION:
        ExternalIdentity.objects.filter(pk=identity.pk).update(last_login_at=timezone.now())
    return identity.user


def _auth0_identity_create(*, subject: str, email: str) -> ExternalIdentity:
    user_model = get_user_model()
    base = ("auth0-" + _USERNAME_UNSAFE.sub("-", subject))[:140]
    try:
        with transaction.atomic():
            # No password: create_user(password=None) stores an unusable one.
            user = user_model.objects.create_user(
                username=f"{base}-{secrets.token_hex(4)}", email=email[:254])
            return ExternalIdentity.objects.create(
                user=user, provider=ExternalIdentity.Provider.AUTH0, subject=subject,
                email=email[:254])
    except IntegrityError:  # a concurrent first request created it
        return ExternalIdentity.objects.select_related("user").get(
            provider=ExternalIdentity.Provider.AUTH0, subject=subject)
