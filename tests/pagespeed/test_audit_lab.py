"""The lab inside an audit: sample option, Measurement rows per page and form factor, the
summary, findings in the performance category, and the skipped path without Chromium."""

from __future__ import annotations

import pytest

from audits import services
from audits.exceptions import InvalidAuditOptions
from audits.models import Audit, Finding, Page
from audits.options import clean_audit_options, crawl_options_for
from pagespeed.models import Measurement
from pagespeed.services import audit_lab_persist
from tests.browser import MISSING
from tests.sites import Route, html, serve

pytestmark = pytest.mark.django_db

SHIFTING = html("Shifting home page", (
    "<a href='/about'>About</a><div style='font-size:20px'>" + "words " * 600 + "</div>"
    "<script>addEventListener('load', () => setTimeout(() => {"
    "const banner = document.createElement('div'); banner.style.height = '600px';"
    "document.body.insertBefore(banner, document.body.firstChild);}, 200));</script>"))
SITE = {"/": Route(SHIFTING), "/about": Route(html("About this small site", "<p>About us.</p>"))}


def _audit(user, base: str, **options) -> Audit:
    audit = services.audit_create(owner=user, url=base + "/", enqueue=False, options={
        "js_render_sample": 0, "check_resources": False, "timeout": 5.0, **options})
    return services.audit_run(audit_id=audit.pk)


@pytest.mark.skipif(bool(MISSING), reason=MISSING or "browser available")
def test_an_audit_measures_its_sample_and_stores_rows_and_findings(user, allow_private):
    with serve(SITE) as base:
        audit = _audit(user, base, pagespeed_sample=1)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    home = Page.objects.get(audit=audit, url=base + "/")
    rows = {row.form_factor: row for row in Measurement.objects.filter(audit=audit)}
    assert set(rows) == {"mobile", "desktop"}  # the start page only (sample of 1)
    for row in rows.values():
        assert row.status == "done" and row.page_id == home.pk and row.owner_id == user.pk
        assert row.cls > 0.25 and row.details["ratings"]["cls"] == "poor"
        assert row.details["weight_by_type"]["document"] > 3000 and row.request_count == 1
    lab = audit.summary["lab"]
    assert lab["status"] == "measured" and lab["pages"] == 1 and lab["measured"] == 2
    finding = Finding.objects.get(audit=audit, code="seo.performance.cls_poor")
    assert finding.page_id == home.pk and finding.category == "performance"
    assert finding.details["form_factor"] in ("mobile", "desktop")
    losses = {loss["code"]: loss["points"]
              for loss in audit.scores["categories"]["performance"]["losses"]}
    assert losses["seo.performance.cls_poor"] > 0  # a warning on 1 of 2 pages: 20 points


def test_without_chromium_the_audit_says_the_lab_was_skipped(user, allow_private, monkeypatch):
    monkeypatch.setenv("SEOAUDIT_CHROMIUM", "/nonexistent/chromium")
    with serve(SITE) as base:
        audit = _audit(user, base, pagespeed_sample=2)
    assert audit.status == Audit.Status.COMPLETED, audit.error
    lab = audit.summary["lab"]
    assert lab["status"] == "skipped" and "SEOAUDIT_CHROMIUM" in lab["reason"]
    [notice] = Finding.objects.filter(audit=audit, code="seo.performance.lab_skipped")
    assert notice.page_id is None and "install the chromium package" in notice.details["reason"]
    rows = Measurement.objects.filter(audit=audit)
    assert rows.count() == 4 and {row.status for row in rows} == {"skipped"}
    assert {row.url for row in rows} == {base + "/", base + "/about"}
    # Informational: the skipped lab costs no points.
    assert audit.scores["categories"]["performance"]["score"] == 100
    # Storing the same report again replaces the rows instead of adding to them.
    from audits.engine.lab import LabReport

    report = LabReport("skipped", "again", urls=(base + "/",))
    assert audit_lab_persist(audit=audit, report=report) == 2
    assert Measurement.objects.filter(audit=audit).count() == 2


def test_the_lab_is_off_with_a_sample_of_zero(user, allow_private):
    with serve(SITE) as base:
        audit = _audit(user, base, pagespeed_sample=0)
    assert audit.summary["lab"] is None and not Measurement.objects.filter(audit=audit).exists()


def test_sample_option_bounds_and_default(settings):
    assert clean_audit_options({"pagespeed_sample": 50}) == {"pagespeed_sample": 50}
    for bad in (-1, 51, "5", True):
        with pytest.raises(InvalidAuditOptions, match="pagespeed_sample"):
            clean_audit_options({"pagespeed_sample": bad})
    settings.SEOAUDIT_PAGESPEED_SAMPLE = 7
    assert crawl_options_for("https://example.com/", {}).pagespeed_sample == 7
    assert crawl_options_for("https://example.com/", {"pagespeed_sample": 2}).pagespeed_sample == 2


def test_cli_passes_the_sample_option():
    from audits.management.commands.audit import Command

    command = Command()
    opts = vars(command.create_parser("manage.py", "audit").parse_args(
        ["https://example.com/", "--pagespeed-sample", "0"]))
    assert command._audit_options(opts)["pagespeed_sample"] == 0
