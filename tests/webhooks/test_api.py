"""Endpoints and the delivery log over the API: owner scoping, validation, actions."""

from __future__ import annotations

import pytest

from webhooks import services
from webhooks.delivery import deliveries_run_due
from webhooks.models import WebhookDelivery, WebhookEndpoint

pytestmark = pytest.mark.django_db
ENDPOINTS = "/api/v1/webhooks/endpoints"
DELIVERIES = "/api/v1/webhooks/deliveries"


def test_create_shows_the_secret_once_and_list_is_owner_scoped(api, other_api):
    created = api.post(ENDPOINTS, {"url": "https://hooks.example.com/seo",
                                   "event_types": ["audit.completed", "audit.failed"]},
                       format="json")
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["secret"].startswith("whsec_") and body["is_active"] is True
    listed = api.get(ENDPOINTS).json()["results"]
    assert [e["id"] for e in listed] == [body["id"]] and "secret" not in listed[0]
    assert "secret" not in api.get(f"{ENDPOINTS}/{body['id']}").json()
    assert other_api.get(ENDPOINTS).json()["results"] == []
    for method in ("get", "delete"):
        assert getattr(other_api, method)(f"{ENDPOINTS}/{body['id']}").status_code == 404
    assert other_api.patch(f"{ENDPOINTS}/{body['id']}", {"description": "x"},
                           format="json").status_code == 404
    assert other_api.post(f"{ENDPOINTS}/{body['id']}/test").status_code == 404
    assert other_api.post(f"{ENDPOINTS}/{body['id']}/rotate-secret").status_code == 404


@pytest.mark.parametrize("url", ["http://127.0.0.1:8080/hook", "http://localhost/hook",
                                 "http://[::1]/hook", "http://10.0.0.5/hook", "ftp://example.com/",
                                 "https://user:pw@example.com/"])
def test_private_or_odd_urls_are_refused(api, url):
    response = api.post(ENDPOINTS, {"url": url}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_url"
    assert not WebhookEndpoint.objects.exists()


def test_unknown_event_type_is_a_validation_error(api):
    response = api.post(ENDPOINTS, {"url": "https://example.com/h", "event_types": ["audit.exploded"]},
                        format="json")
    assert response.status_code == 400 and response.json()["error"]["code"] == "validation_error"


def test_rotate_secret_keeps_the_old_one_for_the_grace_period(api):
    created = api.post(ENDPOINTS, {"url": "https://example.com/h"}, format="json").json()
    rotated = api.post(f"{ENDPOINTS}/{created['id']}/rotate-secret", {"grace_hours": 2},
                       format="json")
    assert rotated.status_code == 200
    assert rotated.json()["secret"] != created["secret"]
    assert rotated.json()["previous_secret_expires_at"] is not None
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.previous_secret == created["secret"]


def test_send_test_event_and_delivery_log(api, user, other_api, receiver_factory,
                                          allow_private_webhooks):
    receiver = receiver_factory(respond=lambda n: 500 if n == 0 else 200)
    created = api.post(ENDPOINTS, {"url": receiver.url}, format="json").json()
    sent = api.post(f"{ENDPOINTS}/{created['id']}/test")
    assert sent.status_code == 202 and sent.json()["type"] == "webhook.test"
    deliveries_run_due()
    log = api.get(DELIVERIES, {"endpoint": created["id"]}).json()["results"]
    assert len(log) == 1 and log[0]["status"] == "pending" and log[0]["response_status"] == 500
    assert log[0]["event_id"] == sent.json()["event_id"]
    assert api.get(DELIVERIES, {"status": "succeeded"}).json()["results"] == []
    detail = api.get(f"{DELIVERIES}/{log[0]['id']}").json()
    assert detail["payload"]["type"] == "webhook.test"
    assert other_api.get(f"{DELIVERIES}/{log[0]['id']}").status_code == 404
    assert other_api.post(f"{DELIVERIES}/{log[0]['id']}/redeliver").status_code == 404
    assert other_api.get(DELIVERIES).json()["results"] == []
    # Redeliver: due now, same event.
    again = api.post(f"{DELIVERIES}/{log[0]['id']}/redeliver")
    assert again.status_code == 202 and again.json()["status"] == "pending"
    deliveries_run_due()
    assert WebhookDelivery.objects.get().status == "succeeded"
    assert {r.headers["webhook-id"] for r in receiver.requests} == {sent.json()["event_id"]}


def test_disabled_endpoint_refuses_test_and_redeliver_until_re_enabled(api, user):
    created = api.post(ENDPOINTS, {"url": "https://example.com/h"}, format="json").json()
    delivery_event = services.endpoint_send_test(endpoint=WebhookEndpoint.objects.get())
    services.endpoint_disable(endpoint_id=created["id"], notice="Disabled: 410 Gone")
    shown = api.get(f"{ENDPOINTS}/{created['id']}").json()
    assert shown["is_active"] is False and shown["owner_notice"] == "Disabled: 410 Gone"
    refused = api.post(f"{ENDPOINTS}/{created['id']}/test")
    assert refused.status_code == 409 and refused.json()["error"]["code"] == "endpoint_disabled"
    delivery = delivery_event.deliveries.get()
    assert api.post(f"{DELIVERIES}/{delivery.pk}/redeliver").status_code == 409
    enabled = api.patch(f"{ENDPOINTS}/{created['id']}", {"is_active": True}, format="json").json()
    assert enabled["is_active"] is True and enabled["owner_notice"] == ""


def test_admin_actions_send_test_and_redeliver(admin_client, user):
    endpoint = services.endpoint_create(owner=user, url="https://example.com/h")
    response = admin_client.post("/admin/webhooks/webhookendpoint/",
                                 {"action": "send_test_event", "_selected_action": [endpoint.pk]})
    assert response.status_code == 302
    delivery = WebhookDelivery.objects.get()
    WebhookDelivery.objects.filter(pk=delivery.pk).update(status="failed", next_attempt_at=None)
    admin_client.post("/admin/webhooks/webhookdelivery/",
                      {"action": "redeliver", "_selected_action": [delivery.pk]})
    delivery.refresh_from_db()
    assert delivery.status == "pending" and delivery.next_attempt_at is not None
    page = admin_client.get("/admin/webhooks/webhookendpoint/")
    assert page.status_code == 200 and b"example.com" in page.content


def test_admin_add_form_refuses_a_private_url_and_creates_with_a_secret(admin_client, user):
    refused = admin_client.post("/admin/webhooks/webhookendpoint/add/",
                                {"owner": user.pk, "url": "http://127.0.0.1/hook",
                                 "event_types": "[]", "is_active": "on"})
    assert refused.status_code == 200 and b"must be public" in refused.content
    assert not WebhookEndpoint.objects.exists()
    admin_client.post("/admin/webhooks/webhookendpoint/add/",
                      {"owner": user.pk, "url": "https://hooks.example.com/x",
                       "event_types": '["audit.failed"]', "is_active": "on"})
    endpoint = WebhookEndpoint.objects.get()
    assert endpoint.secret.startswith("whsec_") and endpoint.event_types == ["audit.failed"]


def test_audit_progress_is_throttled_per_audit(user, audit_factory):
    services.endpoint_create(owner=user, url="https://example.com/h", event_types=["audit.progress"])
    audit = audit_factory(user, status="RUNNING")
    first = services.audit_progress_emit(audit=audit)
    assert first is not None and first.type == "audit.progress"
    assert services.audit_progress_emit(audit=audit) is None  # within the interval
    other = audit_factory(user, url="https://other.example/", status="RUNNING")
    assert services.audit_progress_emit(audit=other) is not None
