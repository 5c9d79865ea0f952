"""Stream tokens: short-lived, signed, bound to one user and one audit.

Browsers' EventSource cannot send an Authorization header, so scripts and pages on other
origins ask `POST /api/v1/audits/{id}/stream-token` for a token to put in `?token=`. The token
is django.core.signing (HMAC with SECRET_KEY, compared in constant time) over the user id and
the audit id with a timestamp; it is not stored, and expires after SSE_STREAM_TOKEN_TTL.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core import signing
from django.utils import timezone

_SALT = "audits.sse.stream-token"


class InvalidStreamToken(Exception):
    """The token is malformed, tampered with, expired or for another audit."""


def stream_token_issue(*, user: Any, audit_id: Any) -> tuple[str, datetime]:
    """A stream token for `user` to follow audit `audit_id`, and when it expires."""
    token = signing.TimestampSigner(salt=_SALT).sign_object({"u": user.pk, "a": str(audit_id)})
    return token, timezone.now() + timedelta(seconds=settings.SSE_STREAM_TOKEN_TTL)


def stream_token_user_id(*, token: str, audit_id: Any) -> Any:
    """The user id a valid token for audit `audit_id` was issued to; InvalidStreamToken else."""
    if len(token) > 1000:
        raise InvalidStreamToken("malformed stream token")
    try:
        claims = signing.TimestampSigner(salt=_SALT).unsign_object(
            token, max_age=settings.SSE_STREAM_TOKEN_TTL)
    except signing.SignatureExpired as exc:
        raise InvalidStreamToken("the stream token has expired") from exc
    except (signing.BadSignature, ValueError, UnicodeDecodeError) as exc:
        raise InvalidStreamToken("invalid stream token") from exc
    if not isinstance(claims, dict) or claims.get("a") != str(audit_id) or "u" not in claims:
        raise InvalidStreamToken("the stream token is not for this audit")
    return claims["u"]
