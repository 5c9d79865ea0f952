"""Auth0 access tokens: RS256 JWTs verified against the tenant's JWKS.

Algorithms are pinned (never taken from the token), audience and issuer are required and
checked, and the JWKS is cached by PyJWT's `PyJWKClient`: refetched when its lifespan ends,
and at most once per cooldown when a token names an unknown `kid` (key rotation) — so
tokens with made-up key ids cannot make us hammer the tenant.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

import jwt
from django.conf import settings
from rest_framework.exceptions import AuthenticationFailed


@dataclass(frozen=True, slots=True)
class Auth0Config:
    issuer: str
    audience: str
    jwks_url: str
    algorithms: tuple[str, ...]
    leeway_s: int


def auth0_config() -> Auth0Config | None:
    """The deployment's Auth0 settings, or None when Auth0 is not configured."""
    issuer, audience = settings.AUTH0_ISSUER, settings.AUTH0_AUDIENCE
    if not issuer or not audience:
        return None
    return Auth0Config(issuer=issuer, audience=audience, jwks_url=settings.AUTH0_JWKS_URL,
                       algorithms=tuple(settings.AUTH0_ALGORITHMS), leeway_s=settings.AUTH0_LEEWAY_S)


_clients: dict[str, jwt.PyJWKClient] = {}
_clients_lock = threading.Lock()


def _jwks_client(url: str) -> jwt.PyJWKClient:
    with _clients_lock:
        client = _clients.get(url)
        if client is None:
            client = jwt.PyJWKClient(url, cache_jwk_set=True, lifespan=settings.AUTH0_JWKS_CACHE_S,
                                     timeout=settings.AUTH0_JWKS_TIMEOUT_S,
                                     cooldown_duration=settings.AUTH0_JWKS_REFRESH_COOLDOWN_S)
            _clients[url] = client
        return client


def reset_jwks_cache() -> None:
    """Forget cached key sets (tests; a settings change)."""
    with _clients_lock:
        _clients.clear()


def is_auth0_token(raw: str, config: Auth0Config) -> bool:
    """True when the (unverified) token claims to come from the Auth0 tenant. Only routes the
    token to the right verifier; the verifier decides."""
    try:
        claims = jwt.decode(raw, options={"verify_signature": False})
    except jwt.PyJWTError:
        return False
    return isinstance(claims, dict) and claims.get("iss") == config.issuer


def verify_auth0_token(raw: str, config: Auth0Config) -> dict[str, Any]:
    """The verified claims of an Auth0 access token; AuthenticationFailed otherwise."""
    try:
        header = jwt.get_unverified_header(raw)
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed("Malformed token.") from exc
    if header.get("alg") not in config.algorithms:
        raise AuthenticationFailed("Token algorithm not allowed.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise AuthenticationFailed("Token has no key id.")
    try:
        signing_key = _jwks_client(config.jwks_url).get_signing_key(kid)
    except jwt.PyJWKClientConnectionError as exc:
        raise AuthenticationFailed("Could not fetch the identity provider's signing keys.") from exc
    except jwt.PyJWKClientError as exc:
        raise AuthenticationFailed("Unknown signing key.") from exc
    try:
        claims = jwt.decode(raw, signing_key.key, algorithms=list(config.algorithms),
                            audience=config.audience, issuer=config.issuer, leeway=config.leeway_s,
                            options={"require": ["exp", "iss", "aud", "sub"]})
    except jwt.ExpiredSignatureError as exc:
        raise AuthenticationFailed("Token has expired.") from exc
    except jwt.PyJWTError as exc:
        raise AuthenticationFailed(f"Invalid token: {exc}") from exc
    if not isinstance(claims.get("sub"), str) or not claims["sub"]:
        raise AuthenticationFailed("Token has no subject.")
    return claims
