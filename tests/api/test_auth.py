"""Authentication: local JWT, Auth0 RS256 via a local JWKS server, personal API tokens, and
forged tokens of every usual kind."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.utils import timezone
from rest_framework.test import APIClient

from accounts.models import ApiToken, ExternalIdentity
from tests.api.conftest import error_of
from tests.audits.factories import UserFactory

pytestmark = pytest.mark.django_db

ISSUER = "https://tenant.auth0.test/"
AUDIENCE = "https://api.seoaudit.test"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unsigned(header: dict, claims: dict) -> str:
    return _b64(json.dumps(header).encode()) + "." + _b64(json.dumps(claims).encode())


def _get(token: str, path: str = "/api/v1/audits"):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client.get(path)


# --- local accounts ------------------------------------------------------------------------

@pytest.fixture
def account(db):
    return UserFactory(username="alice")


def _obtain(username="alice", password="pw-for-tests-only"):
    return APIClient().post("/api/v1/auth/token", {"username": username, "password": password},
                            format="json")


def test_local_token_obtain_refresh_verify_and_use(account):
    response = _obtain()
    assert response.status_code == 200
    tokens = response.json()
    assert _get(tokens["access"]).status_code == 200
    refreshed = APIClient().post("/api/v1/auth/token/refresh", {"refresh": tokens["refresh"]},
                                 format="json")
    assert refreshed.status_code == 200 and _get(refreshed.json()["access"]).status_code == 200
    verify = APIClient().post("/api/v1/auth/token/verify", {"token": tokens["access"]}, format="json")
    assert verify.status_code == 200
    bad = APIClient().post("/api/v1/auth/token/verify", {"token": tokens["access"] + "x"}, format="json")
    assert bad.status_code == 401 and error_of(bad)["code"] == "authentication_failed"


def test_wrong_password_is_401_in_the_error_shape(account):
    response = _obtain(password="nope")
    assert response.status_code == 401
    assert error_of(response)["code"] == "authentication_failed"


def test_refresh_token_is_not_an_access_token(account):
    refresh = _obtain().json()["refresh"]
    assert _get(refresh).status_code == 401


def test_local_token_claims_our_issuer_and_audience(account):
    access = _obtain().json()["access"]
    claims = jwt.decode(access, options={"verify_signature": False})
    assert claims["iss"] == "seoaudit" and claims["aud"] == "seoaudit-api"


def _local_claims(user_id, **overrides):
    now = int(time.time())
    claims = {"token_type": "access", "user_id": str(user_id), "jti": "x" * 32, "iat": now,
              "exp": now + 300, "iss": "seoaudit", "aud": "seoaudit-api"}
    claims.update(overrides)
    return claims


def test_local_forgeries_are_refused(account, settings):
    key = settings.SIMPLE_JWT["SIGNING_KEY"]
    forged = {
        "alg none": _unsigned({"alg": "none", "typ": "JWT"}, _local_claims(account.pk)) + ".",
        "wrong key": jwt.encode(_local_claims(account.pk), "not-our-key-" * 4, algorithm="HS256"),
        "expired": jwt.encode(_local_claims(account.pk, exp=int(time.time()) - 120), key, algorithm="HS256"),
        "wrong audience": jwt.encode(_local_claims(account.pk, aud="other"), key, algorithm="HS256"),
        "wrong issuer": jwt.encode(_local_claims(account.pk, iss="evil"), key, algorithm="HS256"),
        "HS512": jwt.encode(_local_claims(account.pk), key, algorithm="HS512"),
        "garbage": "a.b.c",
        "not a token": "hello",
    }
    valid = jwt.encode(_local_claims(account.pk), key, algorithm="HS256")
    assert _get(valid).status_code == 200  # the same claims, correctly signed, pass
    for name, token in forged.items():
        response = _get(token)
        assert response.status_code == 401, name
        assert error_of(response)["code"] == "authentication_failed", name
        assert response["WWW-Authenticate"].startswith("Bearer"), name


def test_missing_credentials_is_401_with_challenge(db):
    response = APIClient().get("/api/v1/audits")
    assert response.status_code == 401
    assert error_of(response)["code"] == "not_authenticated"
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


def test_inactive_user_cannot_use_a_token(account):
    access = _obtain().json()["access"]
    account.is_active = False
    account.save()
    assert _get(access).status_code == 401


# --- personal API tokens -------------------------------------------------------------------

def test_personal_token_is_shown_once_stored_hashed_and_revocable(api, user):
    created = api.post("/api/v1/tokens", {"name": "CI"}, format="json")
    assert created.status_code == 201
    raw = created.json()["token"]
    assert raw.startswith("sat_") and len(raw) > 40
    stored = ApiToken.objects.get(pk=created.json()["id"])
    assert raw not in (stored.key_hash, stored.prefix)
    assert stored.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert "token" not in api.get(f"/api/v1/tokens/{stored.pk}").json()
    assert all("token" not in row for row in api.get("/api/v1/tokens").json()["results"])

    assert _get(raw).status_code == 200
    stored.refresh_from_db()
    assert stored.last_used_at is not None
    assert api.delete(f"/api/v1/tokens/{stored.pk}").status_code == 204
    assert _get(raw).status_code == 401
    stored.refresh_from_db()
    assert stored.revoked_at is not None and api.get(f"/api/v1/tokens/{stored.pk}").json()["active"] is False


def test_expired_personal_token_is_refused(api, settings):
    settings.SEOAUDIT_API_TOKEN_CACHE_SECONDS = 0  # the expiry is changed behind the API's back
    soon = (timezone.now() + timedelta(hours=1)).isoformat()
    raw = api.post("/api/v1/tokens", {"name": "short", "expires_at": soon}, format="json").json()["token"]
    assert _get(raw).status_code == 200
    ApiToken.objects.filter(name="short").update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _get(raw).status_code == 401


def test_token_expiry_must_be_in_the_future(api):
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = api.post("/api/v1/tokens", {"name": "x", "expires_at": past}, format="json")
    assert response.status_code == 400 and "expires_at" in error_of(response)["details"]["fields"]


def test_unknown_personal_token_is_refused(db):
    assert _get("sat_" + "A" * 43).status_code == 401


# --- Auth0 ---------------------------------------------------------------------------------

def _rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(private_key, kid):
    jwk = jwt.algorithms.RSAAlgorithm.to_jwk(private_key.public_key(), as_dict=True)
    return {**jwk, "kid": kid, "alg": "RS256", "use": "sig"}


class Tenant:
    """A fake Auth0 tenant: signing keys and a JWKS endpoint on a local HTTP server."""

    def __init__(self, httpserver):
        self.server = httpserver
        self.keys = {"key-1": _rsa_key()}
        self.publish()

    def publish(self):
        self.server.clear_all_handlers()
        self.server.expect_request("/.well-known/jwks.json").respond_with_json(
            {"keys": [_jwk(key, kid) for kid, key in self.keys.items()]})

    @property
    def fetches(self):
        return sum(1 for request, _ in self.server.log if request.path == "/.well-known/jwks.json")

    def claims(self, **overrides):
        now = int(time.time())
        claims = {"iss": ISSUER, "aud": AUDIENCE, "sub": "auth0|abc123", "iat": now, "exp": now + 300,
                  "email": "bob@example.com"}
        claims.update(overrides)
        return claims

    def token(self, kid="key-1", key=None, **overrides):
        return jwt.encode(self.claims(**overrides), key or self.keys[kid], algorithm="RS256",
                          headers={"kid": kid})


@pytest.fixture
def tenant(httpserver, settings):
    settings.AUTH0_ISSUER = ISSUER
    settings.AUTH0_AUDIENCE = AUDIENCE
    settings.AUTH0_JWKS_URL = httpserver.url_for("/.well-known/jwks.json")
    settings.AUTH0_JWKS_REFRESH_COOLDOWN_S = 30.0
    return Tenant(httpserver)


def test_auth0_token_maps_to_one_local_user(tenant):
    first = _get(tenant.token())
    assert first.status_code == 200
    identity = ExternalIdentity.objects.get(subject="auth0|abc123")
    assert identity.provider == "auth0" and identity.email == "bob@example.com"
    assert _get(tenant.token()).status_code == 200
    assert ExternalIdentity.objects.count() == 1
    assert tenant.fetches == 1  # the key set is cached


def test_auth0_user_sees_only_their_audits(tenant, audit_factory):
    someone = UserFactory()
    audit_factory(someone)
    response = _get(tenant.token())
    assert response.status_code == 200 and response.json()["results"] == []


def test_auth0_forgeries_are_refused(tenant):
    key = tenant.keys["key-1"]
    public_pem = key.public_key().public_bytes(serialization.Encoding.PEM,
                                               serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = _unsigned({"alg": "HS256", "typ": "JWT", "kid": "key-1"}, tenant.claims())
    hs256_with_public_key = signing_input + "." + _b64(
        hmac.new(public_pem, signing_input.encode(), hashlib.sha256).digest())
    forged = {
        "alg none": _unsigned({"alg": "none", "typ": "JWT", "kid": "key-1"}, tenant.claims()) + ".",
        "HS256 signed with the public key": hs256_with_public_key,
        "wrong signature (another key, same kid)": tenant.token(key=_rsa_key()),
        "expired": tenant.token(exp=int(time.time()) - 3600, iat=int(time.time()) - 7200),
        "wrong audience": tenant.token(aud="https://someone-else.test"),
        "no audience": jwt.encode({k: v for k, v in tenant.claims().items() if k != "aud"}, key,
                                  algorithm="RS256", headers={"kid": "key-1"}),
        "no subject": jwt.encode({k: v for k, v in tenant.claims().items() if k != "sub"}, key,
                                 algorithm="RS256", headers={"kid": "key-1"}),
        "tampered payload": ".".join([tenant.token().split(".")[0],
                                      _b64(json.dumps(tenant.claims(sub="auth0|admin")).encode()),
                                      tenant.token().split(".")[2]]),
        "RS512": jwt.encode(tenant.claims(), key, algorithm="RS512", headers={"kid": "key-1"}),
    }
    for name, token in forged.items():
        response = _get(token)
        assert response.status_code == 401, name
        assert error_of(response)["code"] == "authentication_failed", name
    # Wrong issuer: not routed to Auth0 at all, and the local verifier refuses it too.
    assert _get(tenant.token(iss="https://evil.example/")).status_code == 401
    assert not ExternalIdentity.objects.exists()
    assert _get(tenant.token()).status_code == 200  # the genuine token passes


def test_unknown_kid_refetches_the_key_set_once(tenant, settings):
    settings.AUTH0_JWKS_REFRESH_COOLDOWN_S = 0.0
    assert _get(tenant.token()).status_code == 200
    assert tenant.fetches == 1
    tenant.keys["key-2"] = _rsa_key()  # the tenant rotates its keys
    tenant.publish()
    assert _get(tenant.token(kid="key-2")).status_code == 200
    assert tenant.fetches == 2
    assert _get(tenant.token(kid="key-2")).status_code == 200
    assert tenant.fetches == 2  # cached again
    stranger = _rsa_key()
    assert _get(tenant.token(kid="made-up", key=stranger)).status_code == 401
    assert tenant.fetches == 3  # one refetch, then refused


def test_made_up_kids_cannot_hammer_the_tenant(tenant):
    assert _get(tenant.token()).status_code == 200
    for i in range(5):
        assert _get(tenant.token(kid=f"made-up-{i}", key=_rsa_key())).status_code == 401
    assert tenant.fetches == 1  # within the refresh cooldown: no refetch


def test_unreachable_jwks_is_401_not_500(tenant, settings):
    settings.AUTH0_JWKS_URL = "http://127.0.0.1:9/jwks.json"
    response = _get(tenant.token())
    assert response.status_code == 401 and error_of(response)["code"] == "authentication_failed"


def test_staff_creates_a_token_in_the_admin_and_sees_it_once(client, user):
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff)
    response = client.post("/admin/accounts/apitoken/add/", {"user": user.pk, "name": "deploy"},
                           follow=True, HTTP_HOST="localhost")
    assert response.status_code == 200
    shown = [str(m) for m in response.context["messages"]]
    raw = next(word for text in shown for word in text.split() if word.startswith("sat_"))
    token = ApiToken.objects.get(name="deploy")
    assert token.user == user and token.key_hash == hashlib.sha256(raw.encode()).hexdigest()
    assert _get(raw).status_code == 200
    listing = client.get("/admin/accounts/apitoken/", HTTP_HOST="localhost")
    assert listing.status_code == 200 and raw not in listing.content.decode()


def test_auth0_user_has_no_usable_password(tenant):
    assert _get(tenant.token()).status_code == 200
    user = ExternalIdentity.objects.get().user
    assert not user.has_usable_password() and user.username.startswith("auth0-auth0-abc123-")


def test_token_lookups_are_reused_for_a_few_seconds_only(api, settings):
    """A found token is reused per process for SEOAUDIT_API_TOKEN_CACHE_SECONDS: a revocation
    through the API applies at once; one made elsewhere (another process, the admin) within
    that time; an expiry that passes is refused at once."""
    settings.SEOAUDIT_API_TOKEN_CACHE_SECONDS = 0.5
    created = [api.post("/api/v1/tokens", {"name": f"t{i}"}, format="json").json() for i in range(3)]
    for token in created:
        assert _get(token["token"]).status_code == 200
    assert api.delete(f"/api/v1/tokens/{created[0]['id']}").status_code == 204
    assert _get(created[0]["token"]).status_code == 401
    ApiToken.objects.filter(pk=created[1]["id"]).update(revoked_at=timezone.now())
    assert _get(created[1]["token"]).status_code == 200  # still reused
    time.sleep(0.6)
    assert _get(created[1]["token"]).status_code == 401
    settings.SEOAUDIT_API_TOKEN_CACHE_SECONDS = 30
    ApiToken.objects.filter(pk=created[2]["id"]).update(expires_at=timezone.now() + timedelta(seconds=0.5))
    assert _get(created[2]["token"]).status_code == 200  # read now, reused from here on
    time.sleep(0.6)
    assert _get(created[2]["token"]).status_code == 401
