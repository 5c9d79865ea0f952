"""Staff console: every admin page answers staff and turns others away, lists stay within a
query budget on big tables, and the actions do what they say."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from accounts import services as account_services
from accounts.models import ExternalIdentity
from analytics.console import progress_page_url
from audits import services
from audits.admin import INLINE_CAP
from audits.models import Audit, Finding, Link, Page
from tests.audits.factories import UserFactory

from .conftest import bulk_audits, site_v1, site_v2

pytestmark = pytest.mark.django_db(transaction=True)


def admin_urls(audit: Audit) -> list[str]:
    page = Page.objects.filter(audit=audit).first()
    link = Link.objects.filter(audit=audit).first()
    finding = Finding.objects.filter(audit=audit).first()
    token, _ = account_services.api_token_create(user=audit.owner, name="CI")
    identity = ExternalIdentity.objects.create(user=audit.owner, provider="auth0", subject="auth0|1")
    group = Group.objects.create(name="support")
    urls = [reverse("admin:index"), reverse("console-dashboard")]
    for app, model, obj in (("audits", "audit", audit), ("audits", "page", page),
                            ("audits", "link", link), ("audits", "finding", finding),
                            ("accounts", "apitoken", token),
                            ("accounts", "externalidentity", identity),
                            ("auth", "user", audit.owner), ("auth", "group", group)):
        urls += [reverse(f"admin:{app}_{model}_changelist"),
                 reverse(f"admin:{app}_{model}_change", args=[obj.pk])]
    urls += [reverse("admin:audits_audit_add"), reverse("admin:accounts_apitoken_add")]
    return urls


def test_every_console_page_answers_staff_and_redirects_others(crawl, client):
    owner = UserFactory(username="owner")
    audit = crawl(owner, site_v1())
    urls = admin_urls(audit)
    staff = UserFactory(username="staff", is_staff=True, is_superuser=True)
    client.force_login(staff)
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
    client.logout()
    for who in (None, owner):  # anonymous, then a signed-in client without staff status
        if who is not None:
            client.force_login(who)
        for url in urls:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith(reverse("admin:login")), url


def test_audit_change_page_shows_counts_checks_and_capped_inlines(crawl, staff_client):
    audit = crawl(UserFactory(), site_v1())
    # more findings than the inline shows
    Finding.objects.bulk_create([Finding(audit=audit, code="seo.title.missing", severity="notice",
                                         category="content") for _ in range(INLINE_CAP + 15)])
    errors = Finding.objects.filter(audit=audit, severity="error").count()
    response = staff_client.get(reverse("admin:audits_audit_change", args=[audit.pk]))
    content = response.content.decode()
    assert f"{errors} errors</a>" in content
    assert 'name="_save"' not in content and 'name="_continue"' not in content  # immutable
    assert "seo.links.broken_internal" in content or "broken" in content  # the planted 404 link
    assert f'id="findings-{INLINE_CAP - 1}"' in content
    assert f'id="findings-{INLINE_CAP}"' not in content
    pages = Page.objects.filter(audit=audit).count()
    assert f'id="pages-{pages - 1}"' in content  # fewer pages than the cap: all shown
    # the "findings by check" links open the findings list filtered by audit and check
    link = (reverse("admin:audits_finding_changelist")
            + f"?audit__id__exact={audit.pk}&amp;code=seo.title.missing")
    assert link in content
    listing = staff_client.get(link.replace("&amp;", "&"))
    assert listing.status_code == 200
    shown = listing.context["cl"].result_count
    assert shown == Finding.objects.filter(audit=audit, code="seo.title.missing").count() == INLINE_CAP + 16
    for query, expected in ((f"category=content&audit__id__exact={audit.pk}",
                             Finding.objects.filter(audit=audit, category="content").count()),
                            ("status_class=4", Page.objects.filter(status__range=(400, 499)).count())):
        model = "page" if "status_class" in query else "finding"
        listing = staff_client.get(reverse(f"admin:audits_{model}_changelist") + "?" + query)
        assert listing.status_code == 200 and listing.context["cl"].result_count == expected > 0
    # the first inline rows are errors (errors first)
    first_row = content.split('id="findings-0"', 1)[1].split("</tr>", 1)[0]
    assert '<td class="field-severity">' in first_row and "<p>Error</p>" in first_row


LISTS = ("admin:audits_audit_changelist", "admin:audits_page_changelist",
         "admin:audits_finding_changelist", "admin:audits_link_changelist", "console-dashboard",
         "admin:auth_user_changelist", "admin:accounts_apitoken_changelist")


def _query_counts(client) -> list[int]:
    counts = []
    for name in LISTS:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse(name)).status_code == 200
        counts.append(len(queries))
    return counts


def test_list_query_counts_do_not_grow_with_rows(staff_client):
    owner = UserFactory()
    account_services.api_token_create(user=owner, name="CI")
    bulk_audits(owner, sites=1, per_site=3, findings=3, pages=1)
    few = _query_counts(staff_client)
    bulk_audits(owner, sites=20, per_site=5, findings=12, pages=4)
    for n in range(5):
        account_services.api_token_create(user=UserFactory(), name=f"token {n}")
    assert _query_counts(staff_client) == few


def test_list_pages_stay_within_a_query_budget(staff_client, django_assert_max_num_queries):
    owner = UserFactory()
    bulk_audits(owner, sites=30, per_site=10, findings=12, pages=4)  # 300 audits
    assert Audit.objects.count() == 300 and Finding.objects.count() == 3600
    budgets = {"audit": 7, "page": 5, "finding": 5, "link": 5}  # measured: 6, 4, 4, 4
    for model, budget in budgets.items():
        with django_assert_max_num_queries(budget):
            response = staff_client.get(reverse(f"admin:audits_{model}_changelist"))
        assert response.status_code == 200, model
    with django_assert_max_num_queries(7):
        response = staff_client.get(reverse("admin:audits_audit_changelist"))
    # counts are annotated: 12 findings -> 4 of each severity on every row
    content = response.content.decode()
    assert content.count('<td class="field-issues"><a href=') == 50
    assert content.count('title="errors">4</a> / <a href=') == 50
    with django_assert_max_num_queries(8):
        assert staff_client.get(reverse("console-dashboard")).status_code == 200
    with django_assert_max_num_queries(7):
        users = staff_client.get(reverse("admin:auth_user_changelist"))
    assert users.status_code == 200
    # the owner's row counts his 300 audits (annotated) and links to them
    assert f'?owner__id__exact={owner.pk}">300</a>' in users.content.decode()
    with django_assert_max_num_queries(7):
        assert staff_client.get(reverse("admin:accounts_apitoken_changelist")).status_code == 200


def _act(client, action: str, audits: list[Audit]):
    return client.post(reverse("admin:audits_audit_changelist"),
                       {"action": action, "_selected_action": [str(a.pk) for a in audits]})


def test_cancel_action_cancels_only_active_audits(staff_client):
    owner = UserFactory()
    pending = services.audit_create(owner=owner, url="https://pending.example/", enqueue=False)
    done = bulk_audits(owner, sites=1, per_site=1)[0]
    response = _act(staff_client, "cancel_audits", [pending, done])
    assert response.status_code == 302
    pending.refresh_from_db()
    done.refresh_from_db()
    assert pending.status == Audit.Status.CANCELLED and pending.finished_at is not None
    assert done.status == Audit.Status.COMPLETED


def test_rerun_action_audits_the_site_again_for_its_owner(crawl, staff_client):
    from seoaudit.celery import app

    owner = UserFactory()
    first = crawl(owner, site_v2())
    app.conf.task_always_eager = True
    try:
        from tests.sites import serve
        with serve(site_v2()) as base:
            Audit.objects.filter(pk=first.pk).update(url=base + "/")  # the site's new port
            response = _act(staff_client, "rerun_audits", [first])
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    again = Audit.objects.exclude(pk=first.pk).get()
    assert again.owner == owner and again.options == first.options
    assert again.status == Audit.Status.COMPLETED, again.error
    assert again.pages_crawled == first.pages_crawled


def test_export_csv_streams_every_finding_of_the_selected_audits(crawl, staff_client):
    owner = UserFactory()
    one, two = crawl(owner, site_v1()), crawl(owner, site_v2())
    ignored = crawl(owner, site_v1())
    response = _act(staff_client, "export_findings_csv", [one, two])
    assert response.status_code == 200 and response.streaming
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    expected = Finding.objects.filter(audit__in=[one, two]).count()
    assert len(rows) == expected and expected > 0
    assert {r["audit_id"] for r in rows} == {str(one.pk), str(two.pk)}
    assert str(ignored.pk) not in {r["audit_id"] for r in rows}
    broken = [r for r in rows if r["code"] == "seo.links.broken_internal"]
    assert broken and all(r["audit_id"] == str(one.pk) for r in broken)


def test_open_progress_page_action(staff_client):
    owner = UserFactory()
    audit = services.audit_create(owner=owner, url="https://live.example/", enqueue=False)
    response = _act(staff_client, "open_progress_page", [audit])
    url = progress_page_url(audit.pk)
    if url is None:  # progress pages not installed: a message, no redirect elsewhere
        assert response.status_code == 302
        assert response["Location"].endswith(reverse("admin:audits_audit_changelist"))
    else:
        assert response.status_code == 302 and response["Location"] == url
    other = services.audit_create(owner=owner, url="https://other.example/", enqueue=False)
    response = _act(staff_client, "open_progress_page", [audit, other])
    assert response.status_code == 302
    assert response["Location"].endswith(reverse("admin:audits_audit_changelist"))


def test_dashboard_shows_running_failures_per_day_and_slowest_sites(staff_client):
    owner = UserFactory(username="acme")
    running = services.audit_create(owner=owner, url="https://running.example/", enqueue=False)
    Audit.objects.filter(pk=running.pk).update(status=Audit.Status.RUNNING, progress=42)
    failed = services.audit_create(owner=owner, url="https://broken.example/", enqueue=False)
    Audit.objects.filter(pk=failed.pk).update(status=Audit.Status.FAILED, finished_at=timezone.now(),
                                               error="fetch_failed: connection refused")
    old_failure = services.audit_create(owner=owner, url="https://old.example/", enqueue=False)
    Audit.objects.filter(pk=old_failure.pk).update(
        status=Audit.Status.FAILED, finished_at=timezone.now() - timedelta(days=2),
        error="old trouble")
    slow = bulk_audits(owner, sites=3, per_site=2)  # durations 30 s, 31 s, 32 s
    content = staff_client.get(reverse("console-dashboard")).content.decode()
    running_part = content.split("Running now", 1)[1].split("Failed in the last", 1)[0]
    assert "running.example" in running_part and "42" in running_part
    failed_part = content.split("Failed in the last 24 hours", 1)[1].split("Slowest sites", 1)[0]
    assert "broken.example" in failed_part and "connection refused" in failed_part
    assert "old.example" not in failed_part
    slowest = content.split("Slowest sites", 1)[1]
    assert slowest.index("site2.example") < slowest.index("site1.example") < slowest.index("site0.example")
    assert "<svg" in content and "<title" in content and "Audits per day" in content
    today = timezone.localdate().strftime("%Y-%m-%d")
    row = content.split(f"<td>{today}</td>", 1)[1].split("</tr>", 1)[0]
    # all 9 audits were created today (created_at is set on insert); 2 of them failed
    assert row == '<td class="num">9</td><td class="num">2</td>'
    assert len(slow) == 6


def test_admin_index_links_the_dashboard_and_is_branded(staff_client):
    content = staff_client.get(reverse("admin:index")).content.decode()
    assert reverse("console-dashboard") in content
    assert "SEO &amp; GEO audit — staff console" in content
    assert "analytics/console.css" in content


def test_generate_pdf_action_queues_reports_for_finished_audits(crawl, staff_client):
    from reports.models import Report
    from seoaudit.celery import app

    owner = UserFactory()
    done = crawl(owner, site_v2())
    pending = services.audit_create(owner=owner, url="https://pending.example/", enqueue=False)
    app.conf.task_always_eager = True
    try:
        response = _act(staff_client, "generate_pdf_reports", [done, pending])
    finally:
        app.conf.task_always_eager = False
    assert response.status_code == 302
    report = Report.objects.get()  # none for the pending audit
    assert report.audit_id == done.pk and report.format == "pdf"
    assert report.status == Report.Status.READY, report.error
    assert report.file.open("rb").read(5) == b"%PDF-"
    messages = [str(m) for m in staff_client.get(response["Location"]).context["messages"]]
    assert any("Queued 1 PDF report(s); 1 audit(s) not finished" in m for m in messages)


def test_huge_lists_count_up_to_a_cap(staff_client, monkeypatch):
    from audits.admin import CappedCountPaginator

    monkeypatch.setattr(CappedCountPaginator, "cap", 50)
    audit = bulk_audits(UserFactory(), sites=1, per_site=1, findings=80)[0]
    content = staff_client.get(reverse("admin:audits_finding_changelist")).content.decode()
    assert "more than 50 findings" in content
    filtered = staff_client.get(reverse("admin:audits_finding_changelist")
                                + f"?audit__id__exact={audit.pk}&severity__exact=error")
    assert filtered.context["cl"].result_count == 27  # 80 findings, every third an error
    assert "27 findings" in filtered.content.decode()
