from __future__ import annotations

import pytest

from audits.engine.types import CrawlOptions


@pytest.fixture
def allow_private(settings):
    """Tests crawl servers on 127.0.0.1, which production refuses (SSRF guard)."""
    settings.SEOAUDIT_ALLOW_PRIVATE_NETWORKS = True
    settings.SEOAUDIT_PARSE_WORKERS = 0
    return settings


def crawl_options(url: str, **kwargs) -> CrawlOptions:
    """Engine options for a local test site: private network allowed, quick timeouts,
    parsing inline unless a test asks for the process pool."""
    defaults = dict(allow_private=True, parse_workers=0, connect_timeout=2.0,
                    read_timeout=3.0, total_timeout=5.0, max_retry_wait=1.0)
    defaults.update(kwargs)
    return CrawlOptions(start_url=url, **defaults)
