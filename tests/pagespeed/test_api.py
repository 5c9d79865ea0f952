"""/api/v1/pagespeed: 202 and a background run (lab in Chromium, or PSI against the local
fake), list filters, ownership, URL validation and SSRF refusal, errors, rate limit."""

from __future__ import annotations

import uuid

import pytest
import yaml
from rest_framework.test import APIClient

from pagespeed.models import Measurement
from pagespeed.tasks import measure
from tests.api.conftest import bearer_client, error_of
from tests.audits.factories import UserFactory
from tests.browser import MISSING
from tests.pagespeed.fake_psi import API_KEY, PATH, install
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db

URL = "/api/v1/pagespeed"


@pytest.fixture(autouse=True)
def _no_limits(settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.PAGESPEED_API_KEY = ""


@pytest.fixture
def api(user) -> APIClient:
    return bearer_client(user)


@pytest.fixture
def psi(settings, httpserver):
    calls = install(httpserver)
    settings.PAGESPEED_API_KEY = API_KEY
    settings.PAGESPEED_API_URL = httpserver.url_for(PATH)
    settings.PAGESPEED_TIMEOUT_S = 5.0
    return calls


def _request(api, django_capture_on_commit_callbacks, **body):
    with django_capture_on_commit_callbacks() as callbacks:
        response = api.post(URL, body, format="json")
    return response, callbacks


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")
def test_a_lab_measurement_runs_in_the_background(api, allow_private,
                                                  django_capture_on_commit_callbacks):
    page = html("Lab page", "<p>" + "words " * 50 + "</p>")
    with serve({"/": Route(page)}) as base:
        response, callbacks = _request(api, django_capture_on_commit_callbacks, url=base + "/",
                                       form_factor="desktop")
        assert response.status_code == 202, response.content
        body = response.json()
        [row] = body["measurements"]
        assert body["ids"] == [row["id"]] and row["status"] == "pending"
        assert row["source"] == "lab" and row["form_factor"] == "desktop"
        assert len(callbacks) == 1
        assert measure(body["ids"]) == ["done"]  # what the worker runs
    done = api.get(f"{URL}/{row['id']}").json()
    assert done["status"] == "done" and done["error"] == ""
    assert done["fcp_ms"] > 0 and done["lcp_ms"] >= done["fcp_ms"] and done["cls"] == 0
    assert done["details"]["ratings"]["lcp_ms"] == "good"
    assert done["details"]["throttling"]["form_factor"] == "desktop"
    assert done["request_count"] == 1 and done["score"] >= 90 and done["finished_at"]
    assert measure(body["ids"]) == []  # a redelivered message changes nothing


def test_without_chromium_the_measurement_is_skipped_with_the_reason(
        api, allow_private, monkeypatch, django_capture_on_commit_callbacks):
    monkeypatch.setenv("SEOAUDIT_CHROMIUM", "/nonexistent/chromium")
    response, _ = _request(api, django_capture_on_commit_callbacks, url="http://127.0.0.1:9/")
    ids = response.json()["ids"]
    assert len(ids) == 2  # mobile and desktop by default
    assert measure(ids) == ["skipped", "skipped"]
    rows = api.get(URL).json()["results"]
    assert {row["status"] for row in rows} == {"skipped"}
    assert all("SEOAUDIT_CHROMIUM" in row["error"] for row in rows)


def test_psi_measurements_store_lab_and_field_data(api, psi, django_capture_on_commit_callbacks):
    response, _ = _request(api, django_capture_on_commit_callbacks,
                           url="https://www.example.com/", source="psi")
    assert response.status_code == 202
    assert sorted(measure(response.json()["ids"])) == ["done", "done"]
    assert {call["strategy"] for call in psi} == {"mobile", "desktop"}
    mobile = api.get(URL, {"source": "psi"}).json()["results"]
    by_factor = {row["form_factor"]: row for row in mobile}
    assert by_factor["mobile"]["lcp_ms"] == 4521.7 and by_factor["mobile"]["score"] == 58
    assert by_factor["desktop"]["lcp_ms"] == 1900.0 and by_factor["desktop"]["score"] == 91
    assert by_factor["mobile"]["details"]["field"]["inp_ms"] == {
        "p75": 240, "category": "needs-improvement"}
    assert by_factor["mobile"]["details"]["ratings"]["lcp_ms"] == "poor"


def test_psi_failures_are_stored_with_the_message(api, psi, django_capture_on_commit_callbacks):
    response, _ = _request(api, django_capture_on_commit_callbacks,
                           url="https://unreachable.example/", source="psi", form_factor="mobile")
    assert measure(response.json()["ids"]) == ["failed"]
    [row] = api.get(URL, {"url": "https://unreachable.example/"}).json()["results"]
    assert "FAILED_DOCUMENT_REQUEST" in row["error"]


def test_psi_without_a_key_is_refused_clearly(api):
    response = api.post(URL, {"url": "https://www.example.com/", "source": "psi"}, format="json")
    assert response.status_code == 503
    error = error_of(response)
    assert error["code"] == "psi_not_configured" and "PSI not configured" in error["message"]
    assert not Measurement.objects.exists()


@pytest.mark.parametrize(("body", "code", "field"), [
    ({"url": "http://127.0.0.1:8000/"}, "invalid_url", "url"),  # SSRF: loopback
    ({"url": "http://10.1.2.3/"}, "invalid_url", "url"),
    ({"url": "http://localhost/"}, "invalid_url", "url"),
    ({"url": "https://exa mple.com/"}, "invalid_url", "url"),
    ({"url": ""}, "validation_error", "url"),
    ({"url": "https://example.com/", "form_factor": "watch"}, "validation_error", "form_factor"),
    ({"url": "https://example.com/", "source": "crux"}, "validation_error", "source"),
])
def test_bad_requests_use_the_error_shape(api, body, code, field):
    response = api.post(URL, body, format="json")
    assert response.status_code == 400, response.content
    error = error_of(response)
    assert error["code"] == code and field in error["details"]["fields"]
    assert not Measurement.objects.exists()


def test_lists_are_owner_scoped_and_filtered(api, user):
    stranger = UserFactory()
    mine = Measurement.objects.create(owner=user, url="https://a.example/", form_factor="mobile")
    Measurement.objects.create(owner=user, url="https://b.example/", form_factor="mobile",
                               source="psi")
    theirs = Measurement.objects.create(owner=stranger, url="https://a.example/",
                                        form_factor="mobile")
    assert len(api.get(URL).json()["results"]) == 2
    assert [r["id"] for r in api.get(URL, {"url": "https://a.example/"}).json()["results"]] == [
        str(mine.pk)]
    # Filtered by the URL as stored (normalized like on creation).
    assert len(api.get(URL, {"url": "HTTPS://A.example"}).json()["results"]) == 1
    assert [r["url"] for r in api.get(URL, {"source": "psi"}).json()["results"]] == [
        "https://b.example/"]
    assert api.get(URL, {"audit": str(uuid.uuid4())}).json()["results"] == []
    assert error_of(api.get(URL, {"audit": "nope"}))["code"] == "validation_error"
    assert error_of(api.get(URL, {"source": "x"}))["code"] == "validation_error"
    response = api.get(f"{URL}/{theirs.pk}")
    assert response.status_code == 404 and error_of(response)["code"] == "not_found"
    assert api.get(f"{URL}/not-a-uuid").status_code == 404
    assert api.get(URL, {"form_factor": "desktop"}).json()["results"] == []
    assert APIClient().get(URL).status_code == 401


def test_starting_measurements_has_its_own_rate_limit(api, settings):
    settings.SEOAUDIT_RATE_LIMITS_ENABLED = True
    settings.SEOAUDIT_RATE_LIMIT_NAMESPACE = f"test-{uuid.uuid4().hex}"
    settings.SEOAUDIT_RATE_LIMITS = {**settings.SEOAUDIT_RATE_LIMITS, "pagespeed": "2/minute"}
    codes = [api.post(URL, {"url": "https://example.com/"}, format="json").status_code
             for _ in range(3)]
    assert codes == [202, 202, 429]
    assert api.get(URL).status_code == 200  # reading is in the default class


def test_openapi_documents_the_endpoint(client):
    schema = yaml.safe_load(client.get("/api/schema/").content)
    operations = schema["paths"]["/api/v1/pagespeed/"]
    assert {"get", "post"} <= set(operations)
    assert "202" in operations["post"]["responses"]
    assert "/api/v1/pagespeed/{id}/" in schema["paths"]


def test_a_run_that_died_is_taken_over_by_the_redelivered_message(user, monkeypatch):
    from datetime import timedelta

    from django.utils import timezone

    monkeypatch.setenv("SEOAUDIT_CHROMIUM", "/nonexistent/chromium")
    row = Measurement.objects.create(owner=user, url="https://example.com/", form_factor="mobile",
                                     status="running")
    assert measure([str(row.pk)]) == []  # running elsewhere: left alone
    Measurement.objects.filter(pk=row.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert measure([str(row.pk)]) == ["skipped"]  # its worker died long ago: taken over
