"""One bearer authentication for the whole API: `Authorization: Bearer <token>` where the
token is a personal API token (`sat_...`), an Auth0 access token (RS256, the tenant's
issuer) or a local access token (simplejwt, HS256, our issuer and audience).

The token's shape and unverified issuer only choose the verifier; each verifier pins its own
algorithms and keys, so a token cannot pick its own (alg "none", HS256 signed with the
Auth0 public key, ...).
"""

from __future__ import annotations

from typing import Any

from rest_framework.authentication import BaseAuthentication, get_authorization_header
from rest_framework.exceptions import AuthenticationFailed
from rest_framework.request import Request
from rest_framework_simplejwt.authentication import JWTAuthentication
from rest_framework_simplejwt.exceptions import InvalidToken

from accounts import services as account_services

from .auth0 import auth0_config, is_auth0_token, verify_auth0_token

_MAX_TOKEN_LENGTH = 8192


class BearerAuthentication(BaseAuthentication):
    keyword = b"bearer"

    def authenticate(self, request: Request) -> tuple[Any, Any] | None:
        parts = get_authorization_header(request).split()
        if not parts or parts[0].lower() != self.keyword:
            return None
        if len(parts) != 2:
            raise AuthenticationFailed("Malformed Authorization header: expected 'Bearer <token>'.")
        try:
            raw = parts[1].decode("ascii")
        except UnicodeDecodeError as exc:
            raise AuthenticationFailed("Malformed token.") from exc
        if len(raw) > _MAX_TOKEN_LENGTH:
            raise AuthenticationFailed("Malformed token.")
        if raw.startswith(account_services.TOKEN_PREFIX):
            return self._personal_token(raw)
        if raw.count(".") == 2:
            config = auth0_config()
            if config is not None and is_auth0_token(raw, config):
                claims = verify_auth0_token(raw, config)
                user = account_services.auth0_user_for(subject=claims["sub"],
                                                       email=str(claims.get("email") or ""))
                if not user.is_active:
                    raise AuthenticationFailed("User is inactive.")
                return user, claims
            return self._local_jwt(raw)
        raise AuthenticationFailed("Unrecognised token.")

    def authenticate_header(self, request: Request) -> str:
        return 'Bearer realm="api"'

    @staticmethod
    def _personal_token(raw: str) -> tuple[Any, Any]:
        token = account_services.api_token_authenticate(raw=raw)
        if token is None:
            raise AuthenticationFailed("Invalid, expired or revoked API token.")
        return token.user, token

    @staticmethod
    def _local_jwt(raw: str) -> tuple[Any, Any]:
        backend = JWTAuthentication()
        try:
            validated = backend.get_validated_token(raw.encode("ascii"))
            return backend.get_user(validated), validated
        except InvalidToken as exc:
            raise AuthenticationFailed("Invalid or expired token.") from exc
