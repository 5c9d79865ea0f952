"""Admin pages: the missing-provider banner and the "track now" action."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from keywords import services
from keywords.models import RankCheck


@pytest.fixture
def staff_client(client, db):
    admin = get_user_model().objects.create_superuser("root", "root@example.com", "pw-for-tests-only")
    client.force_login(admin)
    return client


def test_lists_warn_without_provider(staff_client):
    for path in ("/admin/keywords/trackedsite/", "/admin/keywords/keyword/", "/admin/keywords/rankcheck/"):
        page = staff_client.get(path).content.decode()
        assert "Rank tracking is off" in page and "SERP_PROVIDER" in page, path


def test_track_now_action(staff_client, searxng, site):
    keyword, _ = services.keyword_create(site=site, phrase="admin kw")
    response = staff_client.post("/admin/keywords/keyword/", {
        "action": "track_now", "_selected_action": [keyword.pk]}, follow=True)
    assert "Checked 1" in response.content.decode()
    assert "Rank tracking is off" not in response.content.decode()
    assert RankCheck.objects.filter(keyword=keyword).count() == 1


def test_saving_a_site_in_the_admin_schedules_reaudits(staff_client, user):
    from django_celery_beat.models import PeriodicTask

    response = staff_client.post("/admin/keywords/trackedsite/add/", {
        "owner": user.pk, "url": "https://www.example.org/", "name": "", "reaudit": "daily"})
    assert response.status_code == 302
    site = user.tracked_sites.get()
    assert site.host == "example.org"
    assert PeriodicTask.objects.filter(name=f"keywords.reaudit_site:{site.pk}").exists()


def test_change_pages_show_charts(staff_client, site):
    from datetime import date

    keyword, _ = services.keyword_create(site=site, phrase="chart <kw>")
    for day, position in ((1, 8), (2, None), (3, 2), (4, 1)):
        RankCheck.objects.create(keyword=keyword, checked_on=date(2026, 2, day), position=position,
                                 provider="x")
    page = staff_client.get(f"/admin/keywords/keyword/{keyword.pk}/change/").content.decode()
    assert page.count("<polyline") == 2  # the gap (not in top N) splits the line
    assert "Positions of chart &lt;kw&gt;" in page and "2026-02-01" in page and "2026-02-04" in page
    page = staff_client.get(f"/admin/keywords/trackedsite/{site.pk}/change/").content.decode()
    assert page.count("<polyline") == 1 and "Visibility of site.example" in page
