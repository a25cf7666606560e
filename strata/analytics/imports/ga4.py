"""Google Analytics 4's CSV download of a report or an exploration (Share › Download file ›
Download CSV): comment lines starting with "#", then a table; some downloads hold several
tables (the chart's data, then the table's), each after a blank line or comments:

    # ----------------------------------------
    # Traffic acquisition: Session campaign
    # ...
    # Start date: 20250301
    # End date: 20250331
    Session campaign,Session source,Date,Sessions,Average session duration,Key events
    eu-awareness,bluesky,20250301,42,83.5,3

Strata reads the first table that has a Date column (YYYYMMDD), Sessions, and a source or a
campaign (or both): add Date as a dimension in the report or exploration before downloading.
Columns are recognised by the names GA4 gives them, in any order and any case:

- source: Session source, Session manual source, Source, First user source…; or
  "Session source / medium" ("bluesky / social"), split in two;
- campaign: Session campaign, Session manual campaign name, Campaign, First user campaign…;
- time on site: Average session duration, or Average engagement time per session (seconds,
  or a time such as 00:01:23);
- conversions: Key events (before 2024: Conversions). GA4 may count a fraction of one (data-
  driven attribution); a day's sum is rounded.

A totals line ("Grand total", or one with no date) is skipped."""

from __future__ import annotations

import datetime as dt

from strata.analytics.imports import cells, sources, text
from strata.analytics.imports.problems import refuse
from strata.analytics.imports.rows import Parsed, WebTally

# Column names GA4 uses (lower-cased), best first: session-scoped before first-user ones.
SOURCE = ("session source", "session manual source", "source", "manual source", "first user source", "first user manual source")
SOURCE_MEDIUM = (
    "session source / medium",
    "session manual source / medium",
    "source / medium",
    "manual source / medium",
    "first user source / medium",
    "first user manual source / medium",
)
CAMPAIGN = (
    "session campaign",
    "session campaign name",
    "session manual campaign name",
    "campaign",
    "campaign name",
    "manual campaign name",
    "first user campaign",
    "first user campaign name",
    "first user manual campaign name",
)
DATE = ("date",)
SESSIONS = ("sessions",)
DURATION = (
    "average session duration",
    "average session duration (seconds)",
    "avg. session duration",
    "average engagement time per session",
    "average engagement time per session (seconds)",
)
CONVERSIONS = ("key events", "conversions")
TOTALS = {"grand total", "total", "totals"}
NEEDED = "a Date column, Sessions, and Session source or Session campaign"


class _Table:
    def __init__(self, header: list[str]) -> None:
        keys = [text.header_key(h) for h in header]
        self.names = header

        def find(names: tuple[str, ...]) -> int | None:
            return next((keys.index(n) for n in names if n in keys), None)

        self.source, self.source_medium, self.campaign = find(SOURCE), find(SOURCE_MEDIUM), find(CAMPAIGN)
        self.date, self.sessions = find(DATE), find(SESSIONS)
        self.duration, self.conversions = find(DURATION), find(CONVERSIONS)

    @property
    def usable(self) -> bool:
        has_dimension = self.source is not None or self.source_medium is not None or self.campaign is not None
        return self.date is not None and self.sessions is not None and has_dimension

    def name(self, at: int | None) -> str:
        return self.names[at] if at is not None else ""


def _cell(cells_: list[str], at: int | None) -> str:
    return cells_[at] if at is not None and at < len(cells_) else ""


def parse(data: bytes, filename: str, latest: dt.date) -> Parsed:
    parsed = Parsed()
    content = text.decode(data, filename)
    table: _Table | None = None
    seen: list[str] = []
    tally = WebTally(filename)
    totals = 0
    for record in text.records(content, filename, comments=True):
        if record.new_table:
            if table is not None:
                parsed.notes.append(f"Line {record.line} starts another table; only the first with {NEEDED} is read.")
                break
            candidate = _Table(record.cells)
            if candidate.usable:
                table = candidate
                if candidate.source is None and candidate.source_medium is None:
                    parsed.notes.append("The table has no source column: rows are kept by their campaign only.")
                if (candidate.source is not None and text.header_key(candidate.name(candidate.source)).startswith("first user")) or (
                    candidate.campaign is not None and text.header_key(candidate.name(candidate.campaign)).startswith("first user")
                ):
                    parsed.notes.append("Sources or campaigns are first-user ones: each visit counts for what first brought the visitor.")
            else:
                seen.append(f"line {record.line}: {', '.join(record.cells[:8])}")
            continue
        if table is None:
            continue
        totals += _read_line(table, record.line, record.cells, latest, tally, parsed)
    if table is None:
        found = "; ".join(seen[:3]) or "no table at all"
        raise refuse(filename, f"no table has {NEEDED} (found {found}); add Date as a dimension before downloading the CSV")
    if totals:
        parsed.notes.append(f"Skipped {totals} totals line{'s' if totals > 1 else ''}.")
    parsed.web = tally.rows(parsed.notes)
    parsed.problems += tally.problems
    return parsed


def _read_line(table: _Table, line: int, row: list[str], latest: dt.date, tally: WebTally, parsed: Parsed) -> int:
    """Add one line to the tally, or its problem; 1 when it was a totals line."""
    date = _cell(row, table.date)
    dimensions = (date, _cell(row, table.source), _cell(row, table.source_medium), _cell(row, table.campaign))
    if row[0].strip().lower() in TOTALS or not any(dimensions):
        return 1
    source = sources.source_of(_cell(row, table.source))
    medium_source = _cell(row, table.source_medium)
    if not source and medium_source:
        source = sources.source_of(medium_source.partition(" / ")[0])
    campaign = sources.cleaned(_cell(row, table.campaign))
    if not sources.wanted(source, campaign):
        parsed.left_out += 1
        return 0
    if not tally.check_labels(line, source, campaign):
        return 0
    try:
        day = cells.day(date, latest)
    except cells.CellError as exc:
        tally.problem(line, table.name(table.date), exc.message)
        return 0
    key = (day, source, campaign)
    try:
        at = table.sessions
        visits = cells.count(_cell(row, at))
        at = table.duration
        average = cells.duration(_cell(row, at)) if at is not None and _cell(row, at) else None
        at = table.conversions
        conversions = cells.count(_cell(row, at), fractions=True) if at is not None and _cell(row, at) else None
    except cells.CellError as exc:
        tally.problem(line, table.name(at), exc.message, key)  # `at`: the column being read
        return 0
    tally.add(key, line, visits, average * visits if average is not None else None, conversions)
    return 0
