"""The imports page and API, end to end: check, import, skipped lines, refusals, who may."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from pathlib import Path

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client

from strata.accounts.models import User, Workspace
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic

DATA = Path(__file__).parent / "data" / "imports"


def upload(name: str, data: bytes | None = None) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes() if data is None else data)


def test_the_page_checks_then_imports_and_lists_skipped_lines(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    analyst = client_for("analyst")
    page = analyst.get("/w/acme/imports/")
    assert page.status_code == 200
    assert "Check only" in page.content.decode()
    checked = analyst.post("/w/acme/imports/", {"kind": "ga4", "file": upload("ga4_with_bad_lines.csv"), "dry": "1"})
    body = checked.content.decode()
    assert checked.status_code == 200
    assert "nothing was written" in body
    assert "ga4_with_bad_lines.csv:9: Sessions: &#x27;five&#x27; is not a number" in body
    assert not WebTraffic.objects.exists()
    imported = analyst.post("/w/acme/imports/", {"kind": "ga4", "file": upload("ga4_with_bad_lines.csv"), "confirm": "1"})
    assert imported.status_code == 200
    assert "Imported ga4_with_bad_lines.csv" in imported.content.decode()
    assert WebTraffic.objects.filter(workspace=acme).count() == 1
    listed = analyst.get("/w/acme/imports/").content.decode()
    assert "ga4_with_bad_lines.csv" in listed
    assert "Google Analytics 4 export" in listed


def test_after_a_clean_check_importing_does_not_ask_for_the_file_again(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    analyst, owner = client_for("analyst"), client_for("owner")
    checked = analyst.post("/w/acme/imports/", {"kind": "support", "file": upload("support_inquiries.csv"), "dry": "1"}).content.decode()
    match = re.search(r'name="checked" value="(\d+)"', checked)
    assert match is not None, "a checked file offers to import it as it is"
    assert not SupportCount.objects.exists()
    # Only its checker, and only as the kind it was checked as, may import it.
    assert owner.post("/w/acme/imports/", {"kind": "support", "checked": match.group(1), "confirm": "1"}).status_code == 422
    assert analyst.post("/w/acme/imports/", {"kind": "ga4", "checked": match.group(1), "confirm": "1"}).status_code == 422
    imported = analyst.post("/w/acme/imports/", {"kind": "support", "checked": match.group(1), "confirm": "1"})
    assert "Imported support_inquiries.csv" in imported.content.decode()
    assert SupportCount.objects.filter(workspace=acme).exists()
    again = analyst.post("/w/acme/imports/", {"kind": "support", "checked": match.group(1), "confirm": "1"})
    assert "no longer kept" in again.content.decode(), "a kept file is imported once"


def test_the_page_says_why_a_file_is_refused(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    owner = client_for("owner")
    refused = owner.post("/w/acme/imports/", {"kind": "plausible", "file": upload("x.zip", b"PK\x03\x04broken"), "confirm": "1"})
    assert refused.status_code == 422
    assert "Nothing was imported" in refused.content.decode()
    no_file = owner.post("/w/acme/imports/", {"kind": "support", "confirm": "1"})
    assert no_file.status_code == 422
    assert "Choose a file first." in no_file.content.decode()
    no_kind = owner.post("/w/acme/imports/", {"file": upload("support_inquiries.csv"), "confirm": "1"})
    assert no_kind.status_code == 422
    assert "Choose what the file is" in no_kind.content.decode()
    assert not AnalyticsImport.objects.exists()


def test_a_reader_sees_the_imports_but_may_not_upload(acme: Workspace, client_for: Callable[[str], Client]) -> None:
    responder = client_for("responder")
    page = responder.get("/w/acme/imports/")
    assert page.status_code == 200
    assert "Check only" not in page.content.decode()
    denied = responder.post("/w/acme/imports/", {"kind": "support", "file": upload("support_inquiries.csv"), "confirm": "1"})
    assert denied.status_code == 403
    assert not SupportCount.objects.exists()


def test_the_api_imports_a_file_and_lists_imports(acme: Workspace, token_for: Callable[[str], str], personas: dict[str, User]) -> None:
    headers = {"Authorization": f"Bearer {token_for('strategist')}"}
    client = Client()
    check = client.post(
        "/api/v1/workspaces/acme/imports",
        {"file": upload("acme_example_20260304.zip"), "kind": "plausible", "dry_run": "true"},
        headers=headers,
    )
    assert check.status_code == 200, check.content
    assert check.json()["dry_run"] is True
    assert check.json()["rows"] == 8
    assert check.json()["import_id"] is None
    done = client.post(
        "/api/v1/workspaces/acme/imports", {"file": upload("acme_example_20260304.zip"), "kind": "plausible"}, headers=headers
    )
    assert done.status_code == 200
    assert done.json()["import_id"] is not None
    assert WebTraffic.objects.filter(workspace=acme, origin="plausible").count() == 8
    listed = client.get("/api/v1/workspaces/acme/imports", headers=headers).json()
    assert [(i["kind"], i["rows"], i["by"]) for i in listed] == [("plausible", 8, str(personas["strategist"]))]
    bad = client.post("/api/v1/workspaces/acme/imports", {"file": upload("s.csv", b"date,count\n"), "kind": "support"}, headers=headers)
    assert bad.status_code == 422
    assert bad.json()["errors"] == [
        {
            "file": "s.csv",
            "line": 1,
            "field": "",
            "message": "missing column inquiries; the header must be date,inquiries (and optionally channel)",
        }
    ]


def test_the_api_takes_support_counts_as_json(acme: Workspace, token_for: Callable[[str], str]) -> None:
    headers = {"Authorization": f"Bearer {token_for('analyst')}"}
    body = [
        {"date": "2026-03-01", "inquiries": 12},
        {"date": "2026-03-01", "inquiries": 5, "channel": "chat"},
        {"date": "2099-01-01", "inquiries": 1},
    ]
    answer = Client().post("/api/v1/workspaces/acme/support-counts", json.dumps(body), content_type="application/json", headers=headers)
    assert answer.status_code == 200, answer.content
    assert answer.json()["rows"] == 2
    assert answer.json()["skipped"] == [
        {"file": "", "line": 3, "field": "date", "message": "2099-01-01 has not happened yet; nothing can be counted for it"}
    ]
    assert {(c.channel, c.inquiries) for c in SupportCount.objects.filter(workspace=acme)} == {("", 12), ("chat", 5)}
    editor = {"Authorization": f"Bearer {token_for('editor')}"}
    denied = Client().post("/api/v1/workspaces/acme/support-counts", json.dumps(body), content_type="application/json", headers=editor)
    assert denied.status_code == 403
