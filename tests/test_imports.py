"""Imported web traffic and support counts: the parsers against real-format samples
(tests/data/imports/), the dry run, replacement, bad lines, hostile files, a database that fails
half-way, the queries the reports use, and the command line."""

from __future__ import annotations

import datetime as dt
import io
import zipfile
from pathlib import Path

import pytest
from django.core.management import call_command

from strata.accounts.models import User, Workspace
from strata.analytics.imports import actions, cells, queries
from strata.analytics.imports.limits import MAX_BYTES
from strata.analytics.imports.models import AnalyticsImport, SupportCount, WebTraffic
from strata.analytics.imports.problems import FileRefused
from strata.analytics.imports.support import SupportInput
from tests.test_atomicity import refused

DATA = Path(__file__).parent / "data" / "imports"
D1, D2, D3 = dt.date(2026, 3, 1), dt.date(2026, 3, 2), dt.date(2026, 3, 3)


def sample(name: str) -> bytes:
    return (DATA / name).read_bytes()


def run(workspace: Workspace, kind: str, name: str, *, dry_run: bool = False, data: bytes | None = None) -> actions.ImportResult:
    return actions.import_file(
        workspace=workspace, kind=kind, data=sample(name) if data is None else data, filename=name, by=None, dry_run=dry_run
    )


def traffic(workspace: Workspace) -> dict[tuple[str, dt.date, str, str], tuple[int, float | None, int | None]]:
    return {
        (w.origin, w.day, w.utm_source, w.utm_campaign): (w.visits, w.duration_seconds, w.conversions)
        for w in WebTraffic.objects.filter(workspace=workspace)
    }


# Plausible


def test_the_plausible_zip_imports_social_and_campaign_rows_added_up_per_day(acme: Workspace) -> None:
    result = run(acme, "plausible", "acme_example_20260304.zip")
    rows = traffic(acme)
    # Two lines (utm_content 101 and 102) are one day, source and campaign: visits and seconds add up.
    assert rows[("plausible", D1, "bluesky", "eu-awareness")] == (36, (1800 + 540) / 36, None)
    assert rows[("plausible", D2, "reddit", "")] == (10, 65.0, None)  # social, untagged
    assert rows[("plausible", D1, "newsletter", "spring-sale")][0] == 18  # a campaign, whatever the medium
    assert not any(source in ("google", "duckduckgo", "") and not campaign for (_, _, source, campaign) in rows)
    assert result.rows == len(rows) == 8
    assert result.left_out == 3
    assert result.new == 8
    assert result.replaced == 0
    assert result.campaigns == ["eu-awareness", "routes", "site-traffic"]
    assert result.other_campaigns == ["spring-sale"]
    assert any("not per source or campaign" in note for note in result.notes)  # why there are no conversions
    record = AnalyticsImport.objects.get(workspace=acme)
    assert (record.kind, record.filename, record.rows, record.skipped) == ("plausible", "acme_example_20260304.zip", 8, 0)


def test_one_csv_out_of_the_plausible_zip_and_the_older_export_import_too(acme: Workspace) -> None:
    run(acme, "plausible", "imported_sources_20260301_20260303.csv")
    run(acme, "plausible", "imported_sources_before_2024.csv")  # no utm_source column: `source` stands for it
    rows = traffic(acme)
    assert rows[("plausible", D3, "bluesky", "site-traffic")] == (5, 120.0, None)
    assert rows[("plausible", dt.date(2026, 2, 27), "bluesky", "eu-awareness")] == (9, 90.0, None)


def test_the_plausible_dashboard_download_is_refused_with_the_way_to_the_right_export(acme: Workspace) -> None:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("visitors.csv", "date,visitors,pageviews\n2026-03-01,3,5\n")
        z.writestr("utm_campaigns.csv", "name,visitors,bounce_rate,visit_duration\neu-awareness,3,50,60\n")
    with pytest.raises(FileRefused, match="Imports & Exports"):
        run(acme, "plausible", "Plausible export acme.example.zip", data=out.getvalue())
    with pytest.raises(FileRefused, match="dashboard"):
        run(acme, "plausible", "utm_campaigns.csv", data=b"name,visitors,bounce_rate,visit_duration\neu-awareness,3,50,60\n")
    assert not WebTraffic.objects.exists()
    assert not AnalyticsImport.objects.exists()


# GA4


def test_a_ga4_download_reads_its_table_after_comments_and_a_chart_table(acme: Workspace) -> None:
    result = run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    rows = traffic(acme)
    assert rows[("ga4", D1, "bluesky", "eu-awareness")] == (36, 78.5, 3)
    assert rows[("ga4", D3, "bluesky", "site-traffic")] == (5, 1200.5, 2)  # "1,200.5" seconds; 1.5 key events rounded
    assert rows[("ga4", D2, "linkedin", "")] == (3, 45.0, 0)  # "(organic)" is no campaign; LinkedIn is social
    assert not any(source in ("google", "") for (_, _, source, _) in rows)  # (not set) / (direct) left out
    assert result.left_out == 2
    assert not result.skipped
    assert any("totals line" in note for note in result.notes)


def test_a_ga4_download_in_utf16_with_tabs_and_older_names_imports(acme: Workspace) -> None:
    run(acme, "ga4", "ga4_source_medium_utf16.csv")
    assert traffic(acme) == {("ga4", D1, "bluesky", ""): (12, 65.0, 2), ("ga4", D2, "mastodon.social", ""): (3, 45.0, 0)}


def test_bad_lines_are_skipped_and_reported_by_line_and_column(acme: Workspace) -> None:
    result = run(acme, "ga4", "ga4_with_bad_lines.csv")
    said = [str(p) for p in result.skipped]
    assert said == [
        "ga4_with_bad_lines.csv:5: Date: 2099-01-01 has not happened yet; nothing can be counted for it",
        "ga4_with_bad_lines.csv:6: Sessions: '-4' is negative; a count is never below 0",
        "ga4_with_bad_lines.csv:8: Date: '2026-13-01' is not a date like 2025-03-01 or 20250301",
        "ga4_with_bad_lines.csv:9: Sessions: 'five' is not a number like 1234, 1,234 or 48.27",
        "ga4_with_bad_lines.csv:10: Average session duration: '1:99:00' is not a time like 00:01:23",
    ]
    # Line 7 is good but shares its day, source and campaign with the bad line 6: importing it
    # alone would replace a whole day's number with part of one, so the key is left out whole.
    assert traffic(acme) == {("ga4", D1, "bluesky", "eu-awareness"): (36, 78.5, 3)}
    assert any("line 6" in note for note in result.notes)
    assert AnalyticsImport.objects.get(workspace=acme).skipped == 5


def test_a_file_without_a_usable_table_says_what_is_needed(acme: Workspace) -> None:
    data = b"# Start date: 20260301\nSession source,Sessions\nbluesky,12\n"
    with pytest.raises(FileRefused) as refusal:
        run(acme, "ga4", "no-date.csv", data=data)
    assert "add Date as a dimension" in refusal.value.message
    assert refusal.value.errors[0].file == "no-date.csv"


def test_a_file_of_only_bad_lines_is_refused_and_nothing_is_written(acme: Workspace) -> None:
    data = b"Session campaign,Date,Sessions\neu-awareness,20260301,lots\n"
    with pytest.raises(FileRefused, match="not one line") as refusal:
        run(acme, "ga4", "bad.csv", data=data)
    assert [str(p) for p in refusal.value.errors] == ["bad.csv:2: Sessions: 'lots' is not a number like 1234, 1,234 or 48.27"]
    assert not AnalyticsImport.objects.exists()


# Dry run and replacement


def test_a_dry_run_reports_what_would_change_and_writes_nothing(acme: Workspace) -> None:
    result = run(acme, "ga4", "ga4_traffic_by_campaign.csv", dry_run=True)
    assert result.dry_run
    assert result.rows == 8
    assert result.new == 8
    assert result.new_days == [D1, D2, D3]
    assert result.imported is None
    assert not WebTraffic.objects.exists()
    assert not AnalyticsImport.objects.exists()


def test_importing_a_day_again_replaces_its_numbers_and_leaves_others(acme: Workspace) -> None:
    run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    again = b"Session campaign,Session source,Date,Sessions,Average session duration,Key events\neu-awareness,bluesky,20260301,40,80,4\n"
    check = run(acme, "ga4", "again.csv", data=again, dry_run=True)
    assert (check.new, check.replaced, check.replaced_days, check.new_days) == (0, 1, [D1], [])
    assert [(c.day, c.what, c.before, c.after) for c in check.changes] == [
        (D1, "bluesky / eu-awareness", "36 visits, 78 s a visit, 3 conversions", "40 visits, 80 s a visit, 4 conversions")
    ]
    run(acme, "ga4", "again.csv", data=again)
    rows = traffic(acme)
    assert rows[("ga4", D1, "bluesky", "eu-awareness")] == (40, 80.0, 4)
    assert rows[("ga4", D2, "bluesky", "eu-awareness")] == (16, 90.0, 1)  # not in the new file: kept
    assert WebTraffic.objects.filter(workspace=acme, day=D1, utm_campaign="eu-awareness").count() == 1
    # Another origin's numbers for the same day are kept apart.
    run(acme, "plausible", "acme_example_20260304.zip")
    assert traffic(acme)[("plausible", D1, "bluesky", "eu-awareness")][0] == 36


def test_an_import_is_the_workspaces_own(acme: Workspace, make_user: type[User]) -> None:
    other = Workspace.objects.create(name="Other", slug="other-ws")
    run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    run(other, "ga4", "ga4_traffic_by_campaign.csv")
    assert WebTraffic.objects.filter(workspace=acme).count() == WebTraffic.objects.filter(workspace=other).count() == 8


# Support counts


def test_support_counts_from_a_csv_and_from_the_api_share_their_rules(acme: Workspace) -> None:
    run(acme, "support", "support_inquiries.csv")
    assert {(c.day, c.channel): c.inquiries for c in SupportCount.objects.filter(workspace=acme)} == {
        (D1, "phone"): 41,
        (D1, "e-mail"): 17,
        (D2, ""): 1204,
        (D3, "phone"): 38,
    }
    sent = [SupportInput("2026-03-03", "40", "Phone"), SupportInput("2026-03-04", "-1"), SupportInput("03/05/2026", "3")]
    result = actions.record_support_counts(workspace=acme, counts=sent, by=None)
    assert [str(p) for p in result.skipped] == [
        "item 2: inquiries: '-1' is negative; a count is never below 0",
        "item 3: date: '03/05/2026' is not a date like 2025-03-01",
    ]
    assert (result.replaced, result.new) == (1, 0)
    assert SupportCount.objects.get(workspace=acme, day=D3, channel="phone").inquiries == 40
    assert AnalyticsImport.objects.filter(workspace=acme, kind="support", filename="").count() == 1


def test_a_support_file_needs_its_header_and_refuses_a_day_twice(acme: Workspace) -> None:
    with pytest.raises(FileRefused, match="missing column inquiries"):
        run(acme, "support", "s.csv", data=b"date,count\n2026-03-01,4\n")
    result = run(acme, "support", "s.csv", data=b"date,inquiries\n2026-03-01,4\n2026-03-01,5\n")
    assert [str(p) for p in result.skipped] == ["s.csv:3: date: 2026-03-01 (all channels) is already on line 2; this one is skipped"]


# Hostile files


def zipped(members: dict[str, bytes]) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in members.items():
            z.writestr(name, data)
    return out.getvalue()


def test_a_zip_bomb_is_refused_unread(acme: Workspace) -> None:
    header = b'"date","source","utm_campaign","visits","visit_duration"\n'
    bomb = zipped({"imported_sources.csv": header + b"0" * (51 * 1024 * 1024)})
    assert len(bomb) < 200_000
    with pytest.raises(FileRefused, match="unpacked, the file is over 50 MB"):
        run(acme, "plausible", "bomb.zip", data=bomb)
    many = zipped({f"f{n}.csv": b"x" for n in range(101)})
    with pytest.raises(FileRefused, match="more than 100 files"):
        run(acme, "plausible", "many.zip", data=many)
    assert not WebTraffic.objects.exists()


def test_files_that_are_not_text_or_too_large_are_refused(acme: Workspace) -> None:
    with pytest.raises(FileRefused, match="NUL"):
        run(acme, "support", "nul.csv", data=b"date,inquiries\n2026-03-01,4\x00\n")
    with pytest.raises(FileRefused, match="not UTF-8 or UTF-16"):
        run(acme, "support", "latin1.csv", data="date,inquiries,channel\n2026-03-01,4,Téléphone\n".encode("latin-1"))
    with pytest.raises(FileRefused, match="over 20 MB"):
        run(acme, "support", "big.csv", data=b"x" * (MAX_BYTES + 1))
    with pytest.raises(FileRefused, match=r"cannot be opened|not a zip"):
        run(acme, "plausible", "broken.zip", data=b"PK\x03\x04" + b"\x00" * 100)
    with pytest.raises(actions.ActionError, match="kind of import"):
        run(acme, "other", "x.csv", data=b"a")


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1234", 1234), ("1,234", 1234), ("1.234", 1234), ("1 234", 1234), ("1'234", 1234), ("12.0", 12), ("1,234,567", 1234567)],
)
def test_counts_with_thousands_separators(text: str, expected: int) -> None:
    assert cells.count(text) == expected


@pytest.mark.parametrize(
    ("text", "seconds"), [("83", 83), ("83.5", 83.5), ("00:01:23", 83), ("1:23", 83), ("1m 23s", 83), ("48,27", 48.27)]
)
def test_durations_as_seconds_or_times(text: str, seconds: float) -> None:
    assert cells.duration(text) == pytest.approx(seconds)


def test_numbers_that_are_refused() -> None:
    for text in ("-3", "(3)", "3e5", "nan", "12.5", "2000000000"):
        with pytest.raises(cells.CellError):
            cells.count(text)
    with pytest.raises(cells.CellError, match="more than a day"):
        cells.duration("90000")


# A database that fails half-way


@pytest.mark.django_db(transaction=True)
def test_a_database_failure_half_way_leaves_nothing_of_the_file(acme: Workspace) -> None:
    run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    before = traffic(acme)
    again = sample("ga4_traffic_by_campaign.csv").replace(b",36,78.5,3", b",99,78.5,3")
    # The import deletes the 8 rows it replaces, then inserts 8: the database refuses the 4th.
    with refused(WebTraffic, after=3 - len(before)), pytest.raises(Exception, match="refuses"):
        run(acme, "ga4", "again.csv", data=again)
    assert traffic(acme) == before  # the replaced rows are back, none of the new ones stayed
    assert AnalyticsImport.objects.filter(workspace=acme).count() == 1


# Queries


def test_web_by_day_weights_time_by_visits_and_keeps_gaps(acme: Workspace) -> None:
    run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    days = queries.web_by_day(acme, dt.date(2026, 2, 28), D3)
    assert [d.day for d in days] == [dt.date(2026, 2, 28), D1, D2, D3]
    assert days[0] == queries.WebDay(dt.date(2026, 2, 28), None, None, None, "")  # no export covers it
    assert days[1].visits == 36 + 6 + 18
    assert days[1].duration_seconds == pytest.approx((36 * 78.5 + 6 * 120 + 18 * 120) / 60)
    assert days[1].conversions == 5
    assert days[1].origin == "ga4"
    campaign = queries.web_by_day(acme, D1, D3, campaign="routes")
    assert [(d.visits, d.conversions) for d in campaign] == [(6, 0), (4, 0), (0, None)]  # covered, no routes visit on D3
    assert [d.visits for d in queries.web_by_day(acme, D1, D1, source="Bluesky")] == [36]


def test_web_by_day_takes_a_day_from_the_origin_imported_last(acme: Workspace) -> None:
    run(acme, "ga4", "ga4_traffic_by_campaign.csv")
    run(acme, "plausible", "acme_example_20260304.zip")
    day = queries.web_by_day(acme, D1, D1, campaign="eu-awareness")[0]
    assert (day.origin, day.visits, day.conversions) == ("plausible", 36, None)


def test_support_by_day_uses_the_total_or_the_sum_of_channels(acme: Workspace) -> None:
    run(acme, "support", "support_inquiries.csv")
    actions.record_support_counts(workspace=acme, counts=[SupportInput("2026-03-03", "50", "all")], by=None)
    days = queries.support_by_day(acme, D1, dt.date(2026, 3, 4))
    assert [(d.inquiries, d.channels) for d in days] == [
        (58, {"phone": 41, "e-mail": 17}),
        (1204, {}),
        (50, {"phone": 38}),  # the total for all channels wins over the channels' sum
        (None, {}),
    ]


# The command line


@pytest.mark.one_database
def test_the_command_imports_and_reports_skipped_lines_as_file_line_message(acme: Workspace, capsys: pytest.CaptureFixture[str]) -> None:
    call_command("import_analytics", str(DATA / "ga4_with_bad_lines.csv"), workspace="acme", kind="ga4")
    out, err = capsys.readouterr()
    assert "ga4_with_bad_lines.csv:9: Sessions: 'five' is not a number" in err
    assert "imported 1 row(s)" in out
    assert WebTraffic.objects.filter(workspace=acme).count() == 1


@pytest.mark.one_database
def test_the_command_dry_run_writes_nothing_and_a_refused_file_exits_1(
    acme: Workspace, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    call_command("import_analytics", str(DATA / "acme_example_20260304.zip"), workspace="acme", kind="plausible", dry_run=True)
    assert "would import 8 row(s)" in capsys.readouterr().out
    assert not WebTraffic.objects.exists()
    bad = tmp_path / "bad.csv"
    bad.write_text("date,inquiries\n2026-03-01,many\n")
    with pytest.raises(SystemExit) as exit_:
        call_command("import_analytics", str(bad), workspace="acme", kind="support")
    assert exit_.value.code == 1
    assert "bad.csv:2: inquiries: 'many' is not a number" in capsys.readouterr().err


@pytest.mark.one_database
def test_the_command_answers_to_its_hyphenated_name() -> None:
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-m", "strata.cli", "import-analytics", "--help"], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert "--kind" in done.stdout
    assert "--dry-run" in done.stdout
