"""A report as PDF: WeasyPrint lays out the print variant of the page (render.print_html), whose
charts are the same SVG the page shows. Nothing is fetched: the stylesheet is inside the HTML,
the charts are inline, and the URL fetcher refuses every address but data: ones."""

from __future__ import annotations

from typing import Any

from weasyprint import HTML, URLFetcher  # type: ignore[import-untyped]

from strata.analytics.reports.render import print_html
from strata.analytics.reports.report import Report

BASE_URL = "about:blank"  # a relative address resolves to nothing that can be fetched


class Fetcher(URLFetcher):  # type: ignore[misc]
    """Only data: addresses: a report's text comes from the plan and the platforms, and none of
    it may make the server reach anywhere (not a file, not the network)."""

    def __init__(self) -> None:
        super().__init__(allowed_protocols={"data"}, allow_redirects=False)

    def fetch(self, url: str, headers: Any = None) -> Any:
        if not url.startswith("data:"):
            raise ValueError(f"a report fetches nothing: {url[:80]}")
        return super().fetch(url, headers)


def document(report: Report) -> Any:
    """The laid-out document (its pages and their boxes): the PDF, and what the tests read."""
    return HTML(string=print_html(report), base_url=BASE_URL, url_fetcher=Fetcher()).render()


def pdf_bytes(report: Report) -> bytes:
    data: bytes = document(report).write_pdf()
    return data
