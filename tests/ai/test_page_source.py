"""The page context: live text and images through the crawler's guarded fetch, stored facts
as the fallback."""

from __future__ import annotations

import pytest

from ai import services
from ai.page_source import page_context

from .conftest import page_of

pytestmark = pytest.mark.django_db


def test_live_page_text_and_images_are_read(audit, site):
    ctx = page_context(audit=audit, page=page_of(audit, "/cold-brew"), page_url="")
    assert "Cold brew coffee steeps for 12 to 18 hours" in ctx.text
    assert ctx.site_name == "Ember Coffee"
    assert [(img.src, img.alt) for img in ctx.images] == [
        (f"{site}/img/coarse-coffee-grounds.jpg", None), (f"{site}/img/IMG_2041.jpg", None),
        (f"{site}/img/logo.png", "Ember Coffee logo")]
    assert set(ctx.findings) == {"seo.geo.no_statistics", "seo.geo.no_citations",
                                 "seo.title.too_short"}


def test_private_addresses_are_refused_without_the_setting(audit, settings):
    """The re-fetch goes through the SSRF guard: 127.0.0.1 is refused in production, and the
    generator falls back to the stored facts."""
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = False
    ctx = page_context(audit=audit, page=page_of(audit, "/cold-brew"), page_url="")
    assert ctx.text == "" and ctx.images == ()
    assert ctx.h1 == ("Cold brew guide",)


def test_unreachable_page_still_generates_from_stored_facts(offline, audit, settings):
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = False
    content = services.ai_content_request(user=audit.owner, audit_id=str(audit.pk),
                                          kind="title_meta", page_id=page_of(audit, "/cold-brew").pk)
    content = services.ai_content_generate(content_id=str(content.pk))
    assert content.status == "done"
    assert content.input["page"]["text_chars"] == 0
    assert content.output["title"].startswith("Cold brew guide")
    assert 50 <= len(content.output["meta_description"]) <= 160
