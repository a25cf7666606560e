"""The report as PDF: the bytes, read back with a PDF reader (pypdf), have the report's pages and
text; the six-month report's first page is the leaders' summary; nothing is fetched; and Debian's
Chromium opens the PDF and draws its first page to a PNG that is not blank."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from PIL import Image, ImageStat
from pypdf import PdfReader

from strata.accounts.models import Workspace
from strata.analytics.reports import pdf
from strata.analytics.reports.build import build_report
from strata.analytics.reports.period import Period
from tests.test_reports import HOSTILE, OCTOBER, frozen, october  # noqa: F401 - the fixed data set

CHROMIUM = "/usr/bin/chromium"


def pages(data: bytes) -> list[str]:
    """The text of each page, as a PDF reader extracts it (spaces evened out)."""
    assert data.startswith(b"%PDF-")
    return [" ".join(page.extract_text().split()) for page in PdfReader(io.BytesIO(data)).pages]


def test_it_is_a_pdf_with_the_reports_pages_and_text(october: Workspace) -> None:  # noqa: F811
    report = build_report(october, OCTOBER)
    found = pages(pdf.pdf_bytes(report))
    assert len(found) == len(pdf.document(report).pages) >= 2
    assert "October 2026" in found[0]
    assert "Objectives on track" in found[0]
    assert "32 on 3 posts" in found[0]
    everything = " ".join(found)
    assert "Plan against actual" in everything
    assert "Mix drift on acme-bsky" in everything
    assert "<script>alert(" in everything  # the platform's words shown as text, not markup


def test_the_six_month_report_gives_its_first_page_to_the_summary(october: Workspace) -> None:  # noqa: F811
    first, second = pages(pdf.pdf_bytes(build_report(october, Period.ending("six_month", dt.date(2026, 10, 1)))))[:2]
    assert "Summary for leaders" in first
    assert "What to change" in first
    assert "Plan against actual" not in first
    assert "Plan against actual" in second


def test_it_fetches_nothing() -> None:
    fetcher = pdf.Fetcher()
    for url in ("file:///etc/passwd", "http://127.0.0.1/x.png", "https://example.com/font.woff"):
        with pytest.raises(ValueError, match="fetches nothing"):
            fetcher.fetch(url)
    assert fetcher.fetch("data:text/plain,hello").read() == b"hello"


@pytest.mark.browser
def test_chromium_opens_the_pdf_and_draws_its_first_page(october: Workspace, tmp_path: Path) -> None:  # noqa: F811
    from playwright.sync_api import sync_playwright

    path = tmp_path / "report.pdf"
    path.write_bytes(pdf.pdf_bytes(build_report(october, OCTOBER)))
    png = tmp_path / "page-1.png"
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-background-networking"])
        page = browser.new_page(viewport={"width": 900, "height": 1200})
        page.goto(path.as_uri())
        page.wait_for_timeout(1500)
        page.screenshot(path=str(png))
        browser.close()
    picture = Image.open(png).convert("L")
    sheet = picture.crop((picture.width // 3, 150, picture.width - 40, picture.height - 40))  # the page, right of the thumbnails
    assert ImageStat.Stat(sheet).stddev[0] > 10  # text and charts, not a blank or an error page
