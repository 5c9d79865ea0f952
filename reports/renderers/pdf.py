"""The PDF report: the HTML report laid out by WeasyPrint, fully offline."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML
from weasyprint.urls import URLFetcher

from ..builder import ReportData
from .html import render_html


class OfflineURLFetcher(URLFetcher):
    """Only data: URLs (the inline logo) load; any other URL in the document or its CSS is
    refused, so rendering never touches the network or the file system."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"report rendering does not fetch {url[:80]!r}")
        return super().fetch(url, headers)


def render_pdf(data: ReportData) -> bytes:
    """PDF bytes of the report in the data's language."""
    html = render_html(data, for_pdf=True)
    return HTML(string=html, url_fetcher=OfflineURLFetcher(), base_url="about:blank").write_pdf()
