"""Writes for API credentials: create and revoke personal tokens, authenticate them, map
Auth0 identities to local users."""

from __future__ import annotations

import copy
import hashlib
import re
import secrets
import threading
import time
from datetime import datetime, timedelta
from typing import Any

import structlog
from django.conf import settings
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
    """Revoke a token (kept for the audit trail; it no longer authenticates: at once in this
    process, within SEOAUDIT_API_TOKEN_CACHE_SECONDS in the others)."""
    ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now())
    _token_cache_forget(token.key_hash)
    token.refresh_from_db()
    log.info("api_token.revoked", token_id=token.pk, user_id=token.user_id)
    return token


# key_hash -> (monotonic deadline, token with its user): found tokens only, per process.
_TOKEN_CACHE: dict[str, tuple[float, ApiToken]] = {}
_TOKEN_CACHE_LOCK = threading.Lock()
_TOKEN_CACHE_MAX = 10_000


def _token_cache_forget(key_hash: str) -> None:
    with _TOKEN_CACHE_LOCK:
        _TOKEN_CACHE.pop(key_hash, None)


def _token_lookup(key_hash: str) -> ApiToken | None:
    """The token (with its user) by hash; reused for SEOAUDIT_API_TOKEN_CACHE_SECONDS."""
    ttl = settings.SEOAUDIT_API_TOKEN_CACHE_SECONDS
    now = time.monotonic()
    cached = _TOKEN_CACHE.get(key_hash) if ttl > 0 else None
    if cached is not None and cached[0] > now:
        return cached[1]
    token = ApiToken.objects.select_related("user").filter(key_hash=key_hash).first()
    if token is not None and ttl > 0:
        with _TOKEN_CACHE_LOCK:
            if len(_TOKEN_CACHE) >= _TOKEN_CACHE_MAX:
                _TOKEN_CACHE.clear()
            _TOKEN_CACHE[key_hash] = (now + ttl, token)
    return token


def api_token_authenticate(*, raw: str) -> ApiToken | None:
    """The usable token whose secret is `raw` (active user, not revoked, not expired), else None.
    A token found in the last SEOAUDIT_API_TOKEN_CACHE_SECONDS is not read again (revocation
    and user deactivation elsewhere take up to that long; expiry is exact). Returns a copy, so
    requests never share one token or user object."""
    if not raw.startswith(TOKEN_PREFIX) or len(raw) > 200:
        return None
    found = _token_lookup(_hash(raw))
    if found is None or not found.is_usable or not found.user.is_active:
        return None
    now = timezone.now()
    if found.last_used_at is None or now - found.last_used_at > LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=found.pk).update(last_used_at=now)
        found.last_used_at = now
    token = copy.copy(found)
    token.user = copy.copy(found.user)
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
