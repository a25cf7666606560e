"""`strata report`: the monthly and six-month reports as JSON, HTML or PDF, to standard output or
a file; a bad slug, month or format is one line on standard error and exit status 2."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from strata.accounts.models import Workspace
from tests.test_reports import frozen, october  # noqa: F401 - the fixed data set


def test_it_writes_the_json_to_standard_output(october: Workspace) -> None:  # noqa: F811
    out = io.StringIO()
    call_command("report", "monthly", "--workspace", "acme", "--month", "2026-10", "--format", "json", stdout=out)
    data = json.loads(out.getvalue())
    assert data["objectives"]["eu-awareness"]["end_value"] == 1640.0
    assert data["engagement"]["total"]["engagement"] == 32


def test_it_writes_the_pdf_and_the_html_to_files(october: Workspace, tmp_path: Path) -> None:  # noqa: F811
    call_command(
        "report",
        "six-month",
        "--workspace",
        "acme",
        "--ending",
        "2026-10",
        "--format",
        "pdf",
        "--output",
        str(tmp_path / "r.pdf"),
        stderr=io.StringIO(),
    )
    assert (tmp_path / "r.pdf").read_bytes().startswith(b"%PDF-")
    call_command(
        "report", "monthly", "--workspace", "acme", "--month", "2026-10", "--output", str(tmp_path / "r.html"), stderr=io.StringIO()
    )
    page = (tmp_path / "r.html").read_text()
    assert "Plan against actual" in page
    assert "<svg" in page
    assert "<nav" not in page


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--workspace", "nobody", "--month", "2026-10"], "no workspace 'nobody'"),
        (["--workspace", "acme", "--month", "2026-13"], "is not a month"),
        (["--workspace", "acme", "--month", "2031-01"], "has not begun yet"),
        (["--workspace", "acme", "--month", "2026-10", "--format", "docx"], "--format is html, pdf or json"),
    ],
)
def test_bad_input_is_one_line_and_status_2(october: Workspace, args: list[str], says: str) -> None:  # noqa: F811
    with pytest.raises(CommandError, match=says) as raised:
        call_command("report", "monthly", *args)
    assert raised.value.returncode == 2


@pytest.mark.parametrize("args", [["--month", "October"], ["--month", "2026-10", "--format", "docx"]])
def test_the_command_says_so_without_a_traceback(args: list[str]) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "strata.cli", "report", "monthly", "--workspace", "acme", *args],
        capture_output=True, text=True, timeout=120, env={**os.environ, "DJANGO_SETTINGS_MODULE": "strata.settings"},
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
