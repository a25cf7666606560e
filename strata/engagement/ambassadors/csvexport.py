"""The ambassadors list as CSV, written like the listening export (engagement/csvexport.py):
UTF-8 with a byte order mark, and every cell a spreadsheet could take for a formula made inert.
Names, handles and tags come from strangers and people: `=HYPERLINK(…)` is exported as text."""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Iterator

from strata.engagement.ambassadors.listing import Shown
from strata.engagement.csvexport import BOM, cell

COLUMNS = [
    "status",
    "platform",
    "handle",
    "name",
    "author_id",
    "score",
    "frequency",
    "recency",
    "sentiment",
    "reach",
    "followers",
    "interactions_90d",
    "interactions_30d",
    "shares_30d",
    "interactions_prev_30d",
    "shares_prev_30d",
    "last_interaction",
    "audience",
    "audience_chosen",
    "role",
    "desired_action",
    "tags",
    "confirmed_at",
    "confirmed_by",
]


def _line(values: list[object]) -> str:
    """Text goes through `cell`; a number Strata computed is written as a number (a sentiment of
    -0.5 must stay a number in a spreadsheet, and cannot hide a formula)."""
    out = io.StringIO()
    csv.writer(out).writerow([v if isinstance(v, (int, float)) else cell(v) for v in values])
    return out.getvalue()


def _time(value: dt.datetime | None, tz: dt.tzinfo) -> str:
    return value.astimezone(tz).isoformat() if value else ""


def rows(found: Iterable[Shown], tz: dt.tzinfo) -> Iterator[str]:
    """The header and one line per ambassador."""
    yield BOM + _line(list(COLUMNS))
    for row in found:
        a = row.a
        yield _line(
            [
                a.status,
                a.platform,
                a.handle,
                a.name,
                a.author_id,
                round(a.score, 1),
                round(a.frequency, 3),
                round(a.recency, 3),
                round(a.sentiment, 3),
                "" if a.reach is None else round(a.reach, 3),
                "" if a.followers is None else a.followers,
                a.interactions,
                a.interactions_30d,
                a.shares_30d,
                a.interactions_before,
                a.shares_before,
                _time(a.last_at, tz),
                a.audience_id,
                "yes" if a.audience_chosen else "guessed",
                row.audience.role if row.audience else "",
                (row.audience.desired_action or "") if row.audience else "",
                ";".join(a.tags or []),
                _time(a.confirmed_at, tz),
                str(a.confirmed_by or "") if a.confirmed_at else "",
            ]
        )
