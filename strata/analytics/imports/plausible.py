"""Plausible's CSV export (Site Settings › Imports & Exports › Export data): a zip of CSV files
named imported_<table>_<first day>_<last day>.csv, or one of its files alone.

Strata reads imported_sources, one line per day, source, referrer and UTM tags:

    date,source,referrer,utm_source,utm_medium,utm_campaign,utm_content,utm_term,pageviews,visitors,visits,visit_duration,bounces

Exports before 2024 lack referrer, utm_source and pageviews; `source` (Plausible's name for
where the visit came from, "Bluesky") then stands for utm_source. visit_duration is the total
seconds of the line's visits, so the average is visit_duration / visits.

Plausible counts goals (imported_custom_events: date, name, link_url, path, visitors, events)
per day for the whole site, not per source or campaign, so no conversion can be told apart by
campaign: Plausible rows have none (None, "not in the export"), and the notes say so.

The dashboard's own download (visitors.csv, utm_campaigns.csv…) sums the whole period with no
day per line, so it is refused with a pointer to the export that has days."""

from __future__ import annotations

import datetime as dt
import re

from strata.analytics.imports import cells, sources, text
from strata.analytics.imports.limits import MAX_SECONDS_PER_VISIT
from strata.analytics.imports.problems import refuse
from strata.analytics.imports.rows import Parsed, WebTally
from strata.analytics.imports.zipped import Archive, is_zip

SOURCES_FILE = re.compile(r"imported_sources(?:_\d{8}_\d{8})?\.csv", re.IGNORECASE)
GOALS_FILE = re.compile(r"imported_custom_events(?:_\d{8}_\d{8})?\.csv", re.IGNORECASE)
DASHBOARD_FILES = {"visitors.csv", "utm_campaigns.csv", "sources.csv", "conversions.csv"}
WHERE = "Plausible: Site Settings › Imports & Exports › Export data"
REQUIRED = ("date", "utm_campaign", "visits")


def parse(data: bytes, filename: str, latest: dt.date) -> Parsed:
    parsed = Parsed()
    if is_zip(data):
        archive = Archive(data, filename)
        found = [m for m in archive.members if SOURCES_FILE.fullmatch(m)]
        if len(found) != 1:
            raise refuse(filename, _zip_problem(found, set(archive.members)))
        if any(GOALS_FILE.fullmatch(m) for m in archive.members):
            parsed.notes.append(
                "Plausible's export counts goals per day for the whole site, not per source or campaign: "
                "conversions are not imported from it (GA4's export has them per campaign)."
            )
        _read_sources(archive.read(found[0]), f"{filename}/{found[0]}", latest, parsed)
    else:
        _read_sources(data, filename, latest, parsed)
    return parsed


def _zip_problem(found: list[str], members: set[str]) -> str:
    if found:
        return f"the zip holds {len(found)} imported_sources files ({', '.join(sorted(found))}); import one export at a time"
    if members & DASHBOARD_FILES:
        return (
            "this is the dashboard's download, which sums the whole period without days; "
            f"Strata needs the export with a line per day ({WHERE})"
        )
    return f"the zip holds no imported_sources….csv; is it Plausible's export ({WHERE})?"


def _read_sources(data: bytes, name: str, latest: dt.date, parsed: Parsed) -> None:
    content = text.decode(data, name)
    rows = text.records(content, name)
    header = next(rows, None)
    if header is None:
        raise refuse(name, "the file is empty")
    columns = {text.header_key(h): i for i, h in reversed(list(enumerate(header.cells)))}
    missing = [c for c in REQUIRED if c not in columns] + ([] if "utm_source" in columns or "source" in columns else ["source"])
    if missing:
        hint = (
            f"; this looks like the dashboard's download, which has no days: use {WHERE}"
            if "name" in columns
            else f"; expected Plausible's imported_sources file ({WHERE})"
        )
        raise refuse(name, f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}{hint}", header.line)
    tally = WebTally(name)

    def cell(cells_: list[str], column: str) -> str:
        at = columns.get(column)
        return cells_[at] if at is not None and at < len(cells_) else ""

    for record in rows:
        if len(record.cells) > len(header.cells):
            tally.problem(record.line, "", f"{len(record.cells)} cells where the header names {len(header.cells)}")
            continue
        source = sources.source_of(cell(record.cells, "utm_source")) or sources.source_of(cell(record.cells, "source"))
        campaign = sources.cleaned(cell(record.cells, "utm_campaign"))
        if not sources.wanted(source, campaign):
            parsed.left_out += 1
            continue
        if not tally.check_labels(record.line, source, campaign):
            continue
        try:
            day = cells.day(cell(record.cells, "date"), latest)
        except cells.CellError as exc:
            tally.problem(record.line, "date", exc.message)
            continue
        key = (day, source, campaign)
        try:
            visits = cells.count(cell(record.cells, "visits"))
        except cells.CellError as exc:
            tally.problem(record.line, "visits", exc.message, key)
            continue
        seconds = None
        if "visit_duration" in columns:
            try:
                seconds = cells.decimal(cell(record.cells, "visit_duration")) if cell(record.cells, "visit_duration") else None
            except cells.CellError as exc:
                tally.problem(record.line, "visit_duration", exc.message, key)
                continue
            if seconds is not None and seconds > visits * MAX_SECONDS_PER_VISIT:
                tally.problem(record.line, "visit_duration", f"{seconds:,.0f} seconds is more than a day per visit", key)
                continue
        tally.add(key, record.line, visits, seconds, None)
    parsed.web = tally.rows(parsed.notes)
    parsed.problems += tally.problems
