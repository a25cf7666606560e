"""Support inquiry counts, from a CSV file or the API, for support-deflection objectives.

The file has a header and one line per day, or per day and channel:

    date,inquiries,channel
    2025-03-01,41,phone
    2025-03-01,17,e-mail

date is ISO (2025-03-01); inquiries a whole number; channel is optional (phone, e-mail, chat…;
empty or "all" for the day's total over every channel) and lower-cased. Other columns are
ignored and the notes say so. A day and channel twice in one file is a mistake: the later line
is skipped."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

from strata.analytics.imports import cells, text
from strata.analytics.imports.limits import MAX_CHANNEL, MAX_STORED
from strata.analytics.imports.problems import Problem, refuse
from strata.analytics.imports.rows import Parsed, SupportRow

COLUMNS = ("date", "inquiries", "channel")
ALL = "all"


@dataclass(frozen=True)
class SupportInput:
    """One count as the API sends it, read with the same rules as a line of the file."""

    date: str
    inquiries: str
    channel: str = ""


def parse(data: bytes, filename: str, latest: dt.date) -> Parsed:
    content = text.decode(data, filename)
    rows = text.records(content, filename)
    header = next(rows, None)
    if header is None:
        raise refuse(filename, "the file is empty; expected a header: date,inquiries,channel")
    keys = [text.header_key(h) for h in header.cells]
    missing = [c for c in COLUMNS[:2] if c not in keys]
    if missing:
        raise refuse(
            filename,
            f"missing column{'s' if len(missing) > 1 else ''} {', '.join(missing)}; the header must be date,inquiries (and optionally channel)",
            header.line,
        )
    parsed = Parsed()
    ignored = [h for h, k in zip(header.cells, keys, strict=True) if k not in COLUMNS]
    if ignored:
        parsed.notes.append(f"Ignored the column{'s' if len(ignored) > 1 else ''} {', '.join(ignored)}.")
    at = {k: keys.index(k) for k in COLUMNS if k in keys}

    def cell(cells_: list[str], column: str) -> str:
        return cells_[at[column]] if column in at and at[column] < len(cells_) else ""

    items = ((r.line, SupportInput(cell(r.cells, "date"), cell(r.cells, "inquiries"), cell(r.cells, "channel"))) for r in rows)
    read_counts(items, filename, latest, parsed)
    return parsed


def read_counts(items: Iterable[tuple[int, SupportInput]], file: str, latest: dt.date, parsed: Parsed) -> None:
    """Check each (line, count); good ones become rows, bad ones problems."""
    seen: dict[tuple[dt.date, str], int] = {}
    for line, item in items:
        problem = _read_one(line, item, file, latest, seen, parsed)
        if problem is not None:
            parsed.problems.append(problem)


def _read_one(
    line: int, item: SupportInput, file: str, latest: dt.date, seen: dict[tuple[dt.date, str], int], parsed: Parsed
) -> Problem | None:
    try:
        day = cells.day(item.date, latest, compact=False)
    except cells.CellError as exc:
        return Problem(file, line, "date", exc.message)
    try:
        inquiries = int(cells.count(item.inquiries))
    except cells.CellError as exc:
        return Problem(file, line, "inquiries", exc.message)
    if inquiries > MAX_STORED:
        return Problem(file, line, "inquiries", f"more than {MAX_STORED:,}")
    channel = item.channel.strip().lower()
    channel = "" if channel == ALL else channel
    if len(channel) > MAX_CHANNEL:
        return Problem(file, line, "channel", f"{len(channel):,} characters long; Strata keeps at most {MAX_CHANNEL}")
    if (day, channel) in seen:
        what = f"{day.isoformat()} ({channel or 'all channels'})"
        return Problem(file, line, "date", f"{what} is already on {'line' if file else 'item'} {seen[(day, channel)]}; this one is skipped")
    seen[(day, channel)] = line
    parsed.support.append(SupportRow(day, channel, inquiries, line))
    return None
