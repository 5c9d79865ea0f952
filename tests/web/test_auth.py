"""Sign-in and sign-out through Django's auth views, and the login requirement."""

from __future__ import annotations

import uuid

import pytest
from django.test import Client

from tests.web.conftest import PASSWORD
from tests.web.helpers import hidden_fields

pytestmark = pytest.mark.django_db


#: Fixed, not random: pytest-xdist workers must collect the same test ids.
SOME_ID = "0b6c1d2e-3f40-4a5b-8c6d-7e8f90a1b2c3"


@pytest.mark.parametrize("path", ["/audits/", f"/audits/{SOME_ID}/", f"/audits/{SOME_ID}/findings/"])
def test_pages_require_sign_in(client, path):
    response = client.get(path)
    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={path}"


def test_live_endpoint_requires_sign_in(client):
    response = client.get(f"/audits/live?id={uuid.uuid4()}")
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "not_authenticated"


def test_home_redirects_to_audit_list(client):
    response = client.get("/")
    assert response.status_code == 302 and response["Location"] == "/audits/"


def test_sign_in_with_the_form_then_sign_out(user):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/?next=/audits/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="username"' in html and 'name="password"' in html
    response = client.post("/accounts/login/", {**hidden_fields(html), "username": user.username,
                                                "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/audits/"
    audits = client.get("/audits/")
    assert audits.status_code == 200
    assert user.username in audits.content.decode()  # the header shows who is signed in
    token = hidden_fields(audits.content.decode())["csrfmiddlewaretoken"]
    out = client.post("/accounts/logout/", {"csrfmiddlewaretoken": token})
    assert out.status_code == 302 and out["Location"] == "/accounts/login/"
    assert client.get("/audits/").status_code == 302  # signed out


def test_wrong_password_shows_an_error(user):
    client = Client(enforce_csrf_checks=True)
    page = client.get("/accounts/login/")
    response = client.post("/accounts/login/", {**hidden_fields(page.content.decode()),
                                                "username": user.username, "password": "wrong"})
    assert response.status_code == 200
    assert "Please enter a correct username and password" in response.content.decode()
    assert client.get("/audits/").status_code == 302


def test_login_without_csrf_token_is_refused(user):
    client = Client(enforce_csrf_checks=True)
    response = client.post("/accounts/login/", {"username": user.username, "password": PASSWORD})
    assert response.status_code == 403


def test_signed_in_user_skips_the_login_page(web):
    response = web.get("/accounts/login/")
    assert response.status_code == 302 and response["Location"] == "/audits/"
