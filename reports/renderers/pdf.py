"""The PDF report: the HTML report laid out by WeasyPrint, fully offline."""

from __future__ import annotations

from functools import cache
from typing import Any

from ..builder import ReportData
from .html import render_html

# WeasyPrint (with Pango, fontTools and Pillow: ~40 MB) is imported on first use, not when
# Django loads the app: crawl workers and web processes that never render a PDF stay small.


@cache
def offline_url_fetcher_class() -> type:
    from weasyprint.urls import URLFetcher

    class OfflineURLFetcher(URLFetcher):
        """Only data: URLs (the inline logo) load; any other URL in the document or its CSS is
        refused, so rendering never touches the network or the file system."""

        def __init__(self) -> None:
            super().__init__(allowed_protocols={"data"}, allow_redirects=False)

        def fetch(self, url: str, headers: Any = None) -> Any:
            if not url.startswith("data:"):
                raise ValueError(f"report rendering does not fetch {url[:80]!r}")
            return super().fetch(url, headers)

    return OfflineURLFetcher


def render_pdf(data: ReportData) -> bytes:
    """PDF bytes of the report in the data's language."""
    from weasyprint import HTML

    html = render_html(data, for_pdf=True)
    return HTML(string=html, url_fetcher=offline_url_fetcher_class()(),
                base_url="about:blank").write_pdf()
