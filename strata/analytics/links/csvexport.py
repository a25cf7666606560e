"""The links page as CSV: one line per link and UTC day with a click, for the page's selection.
Cells a spreadsheet could take for a formula are made inert, as for the listening CSV (an
address or a post title is written by someone, and a target by whoever wrote the post)."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from strata.analytics.links import domain
from strata.analytics.links.report import Selection
from strata.engagement.csvexport import BOM, cell

COLUMNS = [
    "day",
    "short_link",
    "address",
    "target",
    "post_id",
    "post_title",
    "channel",
    "platform",
    "objective",
    "pillar",
    "clicks",
    "visitors",
    "bots",
]


class _Line:
    """csv.writer's file: hands back the line it was just given."""

    def write(self, line: str) -> str:
        return line


def rows(selection: Selection) -> Iterator[str]:
    writer = csv.writer(_Line())
    yield BOM + writer.writerow(COLUMNS)
    days = selection.days().select_related("link", "link__post").order_by("-day", "link_id")
    for day in days.iterator(chunk_size=2000):
        link = day.link
        values = [
            day.day.isoformat(),
            domain.short_url(link.code),
            link.url,
            link.target,
            link.post_id or "",
            link.post.title if link.post else "",
            link.channel_id,
            link.platform,
            link.objective_id,
            link.pillar_id,
            day.clicks,
            day.visitors,
            day.bots,
        ]
        yield writer.writerow([cell(v) for v in values])
