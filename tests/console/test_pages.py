"""Analytics pages for signed-in owners: server-side SVG charts with a table fallback,
another user's site is a 404, anonymous visitors go to the sign-in page."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.urls import reverse

from audits.models import Finding
from reports.comparison import audit_compare
from tests.audits.factories import UserFactory

from .conftest import site_v1, site_v2

pytestmark = pytest.mark.django_db(transaction=True)
SVG = "{http://www.w3.org/2000/svg}"


def svgs(content: str) -> list[ET.Element]:
    """Every inline <svg> of a page, parsed as XML (so it must be well-formed)."""
    parts = content.split("<svg")[1:]
    return [ET.fromstring("<svg" + part.split("</svg>", 1)[0] + "</svg>") for part in parts]


def test_portfolio_and_site_pages_show_charts_and_the_numbers(crawl_versions, client):
    owner = UserFactory()
    before, after = crawl_versions(owner, [site_v1(), site_v2()])
    client.force_login(owner)

    portfolio = client.get(reverse("analytics:portfolio"))
    assert portfolio.status_code == 200
    content = portfolio.content.decode()
    assert reverse("analytics:site", args=["127.0.0.1"]) in content
    assert f"{after.seo_score:.0f}" in content
    charts = svgs(content)
    assert len(charts) == 1 and charts[0].get("role") == "img"
    assert charts[0].find(f"{SVG}title").text == "Latest SEO score per site"

    page = client.get(reverse("analytics:site", args=["127.0.0.1"]))
    assert page.status_code == 200
    content = page.content.decode()
    score_chart, issue_chart = svgs(content)
    for chart in (score_chart, issue_chart):
        labelled = chart.get("aria-labelledby").split()
        assert [chart.find(f"{SVG}{tag}").get("id") for tag in ("title", "desc")] == labelled
    assert "2 completed audits" in score_chart.find(f"{SVG}desc").text
    # one dot per audit and series: SEO + GEO, errors + warnings + notices
    assert len(score_chart.findall(f".//{SVG}circle")) == 4
    assert len(issue_chart.findall(f".//{SVG}circle")) == 6
    # the comparison with the previous audit (reports.comparison.audit_compare)
    comparison = audit_compare(audit=after, previous=before)
    section = content.split('id="comparison-title"', 1)[1].split("</section>", 1)[0]
    assert f"<span>Fixed issues</span><strong class=\"change-good\">{comparison.fixed}</strong>" in section
    assert comparison.fixed > 0 and "seo.links.broken_internal" in section
    # the table fallback holds the database's numbers, newest first
    rows = content.split("<tbody>")[-1].split("</tbody>")[0].split("<tr>")[1:]
    assert len(rows) == 2
    for row, audit in zip(rows, (after, before), strict=True):
        errors = Finding.objects.filter(audit=audit, severity="error").count()
        assert f'<td class="num">{audit.seo_score:.1f}</td>' in row
        assert f'<td class="num">{errors}</td>' in row
        assert reverse("dashboard:audit-detail", args=[audit.pk]) in row


def test_other_users_site_page_is_404_and_anonymous_is_sent_to_sign_in(crawl, client):
    owner = UserFactory()
    crawl(owner, site_v2())
    client.force_login(UserFactory())
    assert client.get(reverse("analytics:site", args=["127.0.0.1"])).status_code == 404
    assert "127.0.0.1" not in client.get(reverse("analytics:portfolio")).content.decode()
    client.logout()
    for url in (reverse("analytics:portfolio"), reverse("analytics:site", args=["127.0.0.1"])):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(resolve_url(settings.LOGIN_URL) + "?next=")


def test_empty_portfolio_invites_to_start_an_audit(client):
    client.force_login(UserFactory())
    content = client.get(reverse("analytics:portfolio")).content.decode()
    assert "No audit yet" in content and reverse("dashboard:audit-list") in content
    assert "<svg" not in content
