from __future__ import annotations

import pytest

from audits.engine.types import CrawlOptions


@pytest.fixture(autouse=True)
def _no_render_sample(settings):
    """Audits run through Django do not start Chromium unless a test asks for it
    (tests/engine/test_render.py covers the render sample)."""
    settings.SEOAUDIT_JS_RENDER_SAMPLE = 0
    settings.SEOAUDIT_PAGESPEED_SAMPLE = 0


@pytest.fixture
def user(db):
    """A user account (password "pw-for-tests-only")."""
    from tests.audits.factories import UserFactory

    return UserFactory()


@pytest.fixture
def other_user(db):
    """A second account, for "another user's object is a 404" tests."""
    from tests.audits.factories import UserFactory

    return UserFactory()


@pytest.fixture
def allow_private(settings):
    """Tests crawl servers on 127.0.0.1, which production refuses (SSRF guard)."""
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = True
    settings.SEOAUDIT_PARSE_WORKERS = 0
    return settings


def crawl_options(url: str, **kwargs) -> CrawlOptions:
    """Engine options for a local test site: private network allowed, quick timeouts,
    parsing inline unless a test asks for the process pool, no Chromium render sample
    unless a test asks for it (tests/engine/test_render.py does)."""
    defaults = dict(allow_private=True, parse_workers=0, connect_timeout=2.0,
                    read_timeout=3.0, total_timeout=5.0, max_retry_wait=1.0, js_render_sample=0,
                    pagespeed_sample=0)
    defaults.update(kwargs)
    return CrawlOptions(start_url=url, **defaults)
