"""Signatures: Standard Webhooks (outgoing), the legacy hex header (outgoing) and GitHub's
X-Hub-Signature-256 (incoming). Pure functions; every comparison is constant-time."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

SECRET_PREFIX = "whsec_"  # noqa: S105 - a format prefix, not a secret
#: 24 random bytes, as the Standard Webhooks reference libraries generate (192 bits).
SECRET_BYTES = 24


def secret_generate() -> str:
    """A new endpoint secret: "whsec_" + base64 of random bytes."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    """The HMAC key a "whsec_<base64>" secret stands for."""
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def standard_signature(secret: str, msg_id: str, timestamp: int, body: bytes) -> str:
    """`v1,<base64 HMAC-SHA256 of "id.timestamp.body">` (Standard Webhooks)."""
    signed = f"{msg_id}.{timestamp}.".encode() + body
    digest = hmac.new(secret_key(secret), signed, hashlib.sha256).digest()
    return "v1," + base64.b64encode(digest).decode()


def legacy_signature(secret: str, body: bytes) -> str:
    """`sha256=<hex HMAC-SHA256 of the body>`, for receivers built before Standard Webhooks."""
    return "sha256=" + hmac.new(secret_key(secret), body, hashlib.sha256).hexdigest()


def signature_headers(*, msg_id: str, timestamp: int, body: bytes,
                      secrets_: list[str]) -> dict[str, str]:
    """The signing headers for one attempt; with several secrets (rotation grace period)
    every signature is sent, space-separated as the specification allows."""
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(timestamp),
        "webhook-signature": " ".join(standard_signature(s, msg_id, timestamp, body)
                                      for s in secrets_),
        "X-Webhook-Signature": ",".join(legacy_signature(s, body) for s in secrets_),
    }


def github_signature(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def github_signature_valid(*, secret: str, body: bytes, header: str | None) -> bool:
    """Whether X-Hub-Signature-256 is GitHub's HMAC of the raw body (constant time)."""
    if not header or not secret:
        return False
    return hmac.compare_digest(github_signature(secret, body).encode(),
                               header.strip().encode("utf-8", "replace"))
