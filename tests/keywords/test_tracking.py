"""Rank tracking: one check per keyword and day, positions and ranking URLs, failures,
the track_ranks command, the beat schedule, re-audits, rank.changed events."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django_celery_beat.models import PeriodicTask

from audits.models import Audit
from keywords import services, tasks
from keywords.models import Keyword, RankCheck, TrackedSite
from keywords.providers import ProviderNotConfigured
from keywords.tracking import keyword_slot_hour, keywords_due, rank_check_run, rank_track
from webhooks import services as webhook_services
from webhooks.models import WebhookEvent


def add_keywords(site, phrases):
    return [services.keyword_create(site=site, phrase=p)[0] for p in phrases]


def test_two_runs_the_same_day_make_one_check_per_keyword(searxng, site):
    add_keywords(site, ["alpha one", "beta two", "gamma three"])
    first = rank_track(keywords=Keyword.objects.all())
    requests_after_first = len(searxng.requests)
    second = rank_track(keywords=Keyword.objects.all())
    assert (first.checked, first.skipped) == (3, 0)
    assert (second.checked, second.skipped) == (0, 3)
    assert len(searxng.requests) == requests_after_first  # nothing asked again
    assert RankCheck.objects.count() == 3
    tasks.track_site(site.pk)  # the Celery task is the same service: still one check each
    assert RankCheck.objects.count() == 3


def test_position_ranking_url_and_compact_serp(searxng, site):
    urls = [f"https://other{i}.example/" for i in range(1, 60)]
    urls[11] = "https://www.site.example/a"  # position 12
    urls[30] = "https://blog.site.example/b"  # position 31, a subdomain of the site
    searxng.serps["shoes"] = urls
    [keyword] = add_keywords(site, ["shoes"])
    check = rank_check_run(keyword=keyword)
    assert check.position == 12
    assert check.ranking_url == "https://www.site.example/a"
    assert check.site_results == [[12, "https://www.site.example/a"], [31, "https://blog.site.example/b"]]
    assert check.top_results[0] == [1, "https://other1.example/", "Title https://other1.example/"]
    assert len(check.top_results) == 10
    assert check.provider == "searxng" and check.depth == 100
    assert "knowledge_graph" in check.serp_features


def test_not_in_top_n(searxng, site):
    searxng.serps["nothing here"] = [f"https://x{i}.example/" for i in range(150)]
    [keyword] = add_keywords(site, ["nothing here"])
    check = rank_check_run(keyword=keyword)
    assert check.position is None and check.ranking_url == ""


def test_failed_searches_are_counted_and_retried_next_run(searxng, site):
    add_keywords(site, ["one kw", "two kw"])
    searxng.fail_next = [(500, {"error": "engine down"}, {})]
    result = rank_track(keywords=Keyword.objects.all())
    assert (result.checked, result.failed) == (1, 1)
    assert "engine down" in result.errors[0]["message"]
    again = rank_track(keywords=Keyword.objects.all())
    assert (again.checked, again.skipped, again.failed) == (1, 1, 0)


def test_inactive_keywords_are_not_checked(searxng, site):
    keyword, other = add_keywords(site, ["on kw", "off kw"])
    services.keyword_update(keyword=other, active=False)
    rank_track(keywords=Keyword.objects.all())
    assert list(RankCheck.objects.values_list("keyword_id", flat=True)) == [keyword.pk]


def test_without_provider_tracking_refuses_clearly(db, site):
    add_keywords(site, ["x y"])
    with pytest.raises(ProviderNotConfigured, match="SERP_PROVIDER"):
        rank_track(keywords=Keyword.objects.all())


def test_command_progress_and_exit_status(searxng, site):
    add_keywords(site, ["cmd one", "cmd two"])
    out = StringIO()
    call_command("track_ranks", "--site", "site.example", stdout=out)
    text = out.getvalue()
    assert "[1/2]" in text and "[2/2]" in text and "checked 2" in text
    out = StringIO()
    call_command("track_ranks", stdout=out)
    assert "already checked today 2" in out.getvalue()


def test_command_exits_1_on_failures(searxng, site):
    add_keywords(site, ["fail kw"])
    searxng.fail_next = [(500, {"error": "down"}, {})]
    with pytest.raises(SystemExit) as exit_info:
        call_command("track_ranks", stdout=StringIO(), stderr=StringIO())
    assert exit_info.value.code == 1


def test_command_exits_2_without_provider(db, site):
    err = StringIO()
    with pytest.raises(SystemExit) as exit_info:
        call_command("track_ranks", stdout=StringIO(), stderr=err)
    assert exit_info.value.code == 2
    assert "No SERP provider is configured" in err.getvalue()


def test_due_keywords_are_spread_over_the_day(searxng, site):
    keywords = add_keywords(site, [f"spread {i}" for i in range(48)])
    hours = {keyword_slot_hour(k.pk) for k in keywords}
    assert len(hours) > 12  # spread, not all at midnight
    early = datetime(2026, 1, 5, 0, 30, tzinfo=UTC)
    late = datetime(2026, 1, 5, 23, 30, tzinfo=UTC)
    due_early = {k.pk for k in keywords_due(now=early)}
    assert due_early == {k.pk for k in keywords if keyword_slot_hour(k.pk) == 0}
    assert {k.pk for k in keywords_due(now=late)} == {k.pk for k in keywords}
    rank_track(keywords=Keyword.objects.all(), day=late.date())
    assert not keywords_due(now=late).exists()


def test_beat_uses_the_database_scheduler(settings):
    assert settings.CELERY_BEAT_SCHEDULER == "django_celery_beat.schedulers:DatabaseScheduler"
    assert settings.CELERY_BEAT_SCHEDULE["keywords.track_due"]["task"] == "keywords.track_due"
    # Both apps keep their entries (the webhooks retry sweep is merged into the same dict).
    assert settings.CELERY_BEAT_SCHEDULE["webhooks-deliver-due"]["task"] == "webhooks.deliver_due"
    assert tasks.track_due.name == "keywords.track_due"


def test_reaudit_schedule_is_a_periodic_task(db, user):
    site = services.site_create(owner=user, url="https://example.com/", reaudit="weekly")
    task = PeriodicTask.objects.get(name=f"keywords.reaudit_site:{site.pk}")
    assert task.task == "keywords.reaudit_site" and task.args == f"[{site.pk}]"
    assert task.crontab.day_of_week != "*"
    services.site_update(site=site, reaudit="daily")
    task.refresh_from_db()
    assert task.crontab.day_of_week == "*"
    audit = services.site_reaudit(site_id=site.pk)
    assert isinstance(audit, Audit) and audit.owner == user and audit.url == "https://example.com/"
    assert services.site_reaudit(site_id=site.pk).pk == audit.pk  # an active audit is reused
    services.site_update(site=site, reaudit="never")
    assert not PeriodicTask.objects.filter(name=f"keywords.reaudit_site:{site.pk}").exists()
    assert services.site_reaudit(site_id=site.pk) is None


def test_rank_changed_event_past_the_threshold(searxng, site, settings):
    settings.RANK_CHANGE_THRESHOLD = 5
    webhook_services.endpoint_create(owner=site.owner, url="https://hooks.example.com/ranks",
                                     event_types=["rank.changed"])
    big, small = add_keywords(site, ["big mover", "small mover"])
    yesterday = date.today() - timedelta(days=1)
    RankCheck.objects.create(keyword=big, checked_on=yesterday, position=40, provider="searxng")
    RankCheck.objects.create(keyword=small, checked_on=yesterday, position=3, provider="searxng")
    searxng.serps["big mover"] = ["https://www.site.example/big"]
    searxng.serps["small mover"] = ["https://a.example/", "https://www.site.example/small"]
    result = rank_track(keywords=Keyword.objects.all(), day=date.today())
    assert result.events == 1
    [event] = WebhookEvent.objects.all()
    data = json.loads(event.body)["data"]
    assert event.owner == site.owner and event.type == "rank.changed"
    assert data["phrase"] == "big mover" and data["previous_position"] == 40
    assert data["position"] == 1 and data["change"] == 39
    assert event.deliveries.count() == 1


def test_no_rank_changed_event_without_a_subscribed_endpoint(searxng, site, settings):
    settings.RANK_CHANGE_THRESHOLD = 5
    webhook_services.endpoint_create(owner=site.owner, url="https://hooks.example.com/audits",
                                     event_types=["audit.completed"])
    [big] = add_keywords(site, ["big mover"])
    RankCheck.objects.create(keyword=big, checked_on=date.today() - timedelta(days=1), position=40,
                             provider="searxng")
    searxng.serps["big mover"] = ["https://www.site.example/big"]
    assert rank_track(keywords=Keyword.objects.all(), day=date.today()).events == 0
    assert not WebhookEvent.objects.exists()


def test_tracked_site_host_is_the_audits_site_notion(db, user):
    site = services.site_create(owner=user, url="https://WWW.Example.com/shop")
    assert site.host == "example.com"
    again = services.site_create(owner=user, url="example.com")
    assert again.pk == site.pk and TrackedSite.objects.count() == 1


def test_only_http_sites(db, user):
    from keywords.exceptions import InvalidSite

    with pytest.raises(InvalidSite):
        services.site_create(owner=user, url="ftp://files.example.com/")
    with pytest.raises(InvalidSite):
        services.site_create(owner=user, url="https://nodot/")


def test_concurrency_per_provider_is_bounded(searxng, site, settings):
    settings.SERP_CONCURRENCY = 3
    settings.SERP_DEPTH = 10
    searxng.delay = 0.05
    add_keywords(site, [f"parallel {i}" for i in range(12)])
    result = rank_track(keywords=Keyword.objects.all())
    assert result.checked == 12
    assert searxng.max_in_flight == 3


def test_due_run_holds_a_lock_per_provider(searxng, site):
    from django.core.cache import cache

    from keywords.tracking import rank_track_due

    add_keywords(site, ["locked kw"])
    cache.add("keywords:track_due:searxng", "1", timeout=60)
    assert rank_track_due(now=datetime(2026, 1, 5, 23, 59, tzinfo=UTC)).checked == 0
    cache.delete("keywords:track_due:searxng")
    assert rank_track_due(now=datetime(2026, 1, 5, 23, 59, tzinfo=UTC)).checked == 1
    assert list(RankCheck.objects.values_list("checked_on", flat=True)) == [date(2026, 1, 5)]


def test_beat_job_without_provider_is_a_quiet_noop(db, site):
    add_keywords(site, ["no provider kw"])
    assert "SERP_PROVIDER" in tasks.track_due()["skipped"]
    assert RankCheck.objects.count() == 0


def test_beat_job_checks_due_keywords(searxng, site):
    from django.utils import timezone

    [keyword] = add_keywords(site, ["due kw"])
    due = keyword_slot_hour(keyword.pk) <= timezone.now().hour
    result = tasks.track_due()
    assert result["checked"] == int(due) and result["failed"] == 0
    assert RankCheck.objects.filter(keyword=keyword, checked_on=timezone.now().date()).count() == int(due)
