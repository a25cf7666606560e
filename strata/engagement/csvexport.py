"""The listening page's items as CSV: UTF-8 with a byte order mark (so that spreadsheets read
it as UTF-8), and every cell a spreadsheet could take for a formula made inert."""

from __future__ import annotations

import csv
import datetime as dt
from collections.abc import Iterator
from typing import Any

from strata.engagement.models import HeardItem

BOM = "\ufeff"
COLUMNS = [
    "created_at",
    "platform",
    "kind",
    "channel",
    "author_handle",
    "author_name",
    "text",
    "url",
    "sentiment",
    "intents",
    "model_sentiment",
    "model_intents",
    "corrected_by",
    "matched_queries",
    "deleted_at",
]
# A cell starting with one of these is a formula (or becomes one) in Excel, LibreOffice and
# Google Sheets: `=HYPERLINK(…)`, `+1+cmd|…`, `@SUM(…)`, or any of them after a tab or CR.
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def cell(value: Any) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


class _Line:
    """csv.writer's file: hands back the line it was just given."""

    def write(self, line: str) -> str:
        return line


def rows(items: Iterator[HeardItem], tz: dt.tzinfo) -> Iterator[str]:
    """The header and one line per item."""
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    for item in items:
        deleted = item.deleted_at is not None
        values = [
            item.created_at.astimezone(tz).isoformat(),
            item.platform,
            item.kind,
            item.channel_id,
            item.author_handle,
            item.author_name,
            "" if deleted else item.text,
            item.url,
            item.shown_sentiment,
            ";".join(item.shown_intents),
            item.sentiment,
            ";".join(item.intents or []),
            str(item.corrected_by or "") if item.corrected_at else "",
            ";".join(item.matched_queries or []),
            item.deleted_at.astimezone(tz).isoformat() if item.deleted_at else "",
        ]
        yield writer.writerow([cell(v) for v in values])
