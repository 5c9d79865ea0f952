from __future__ import annotations

import pytest
from django.urls import reverse

from audits.models import Audit, Page
from tests.audits.factories import UserFactory
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def staff_client(client):
    user = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(user)
    return client


def test_staff_starts_an_audit_from_the_admin_and_sees_it_finish(staff_client, allow_private):
    from seoaudit.celery import app

    app.conf.task_always_eager = True
    try:
        with serve({"/": Route(html("Home page of the admin test site"))}) as base:
            response = staff_client.post(reverse("admin:audits_audit_add"),
                                         {"url": base + "/", "options": '{"max_pages": 5}'})
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    audit = Audit.objects.get()
    assert audit.status == Audit.Status.COMPLETED and audit.options == {"max_pages": 5}
    page = staff_client.get(reverse("admin:audits_audit_change", args=[audit.pk]))
    assert page.status_code == 200 and b"COMPLETED" in page.content
    assert Page.objects.filter(audit=audit).count() == 1
    for name in ("page", "link", "finding"):
        listing = staff_client.get(reverse(f"admin:audits_{name}_changelist"))
        assert listing.status_code == 200


@pytest.mark.parametrize(("url", "options", "message"), [
    ("javascript:alert(1)", "{}", b"unsupported scheme"),
    ("https://example.com/", '{"max_pages": "lots"}', b"max_pages must be an integer"),
    ("https://example.com/", "[1, 2]", b"options must be a JSON object"),
])
def test_admin_rejects_bad_input_with_a_message(staff_client, url, options, message):
    response = staff_client.post(reverse("admin:audits_audit_add"), {"url": url, "options": options})
    assert response.status_code == 200 and message in response.content
    assert not Audit.objects.exists()
