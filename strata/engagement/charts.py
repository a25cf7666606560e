"""The listening page's two small SVG drawings, laid out here and written by templates (which
escape every text): items per day as bars, and the sentiment share as one stacked bar."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.formats import date_format

from strata.engagement.stats import Day, Shares

# The bars are drawn in a box of SLOT units per day and 100 units high, stretched to the width
# of the page (preserveAspectRatio="none"); the axis labels are HTML beside it, so that they
# keep their size on a phone as on a wide screen.
SLOT, HEIGHT = 10, 100
COLOURS = {"negative": "#b42318", "neutral": "#8a94a8", "positive": "#1f7a4d", "": "#dde1e8"}


@dataclass(frozen=True)
class Bar:
    x: float
    y: float
    width: float
    height: float
    title: str


@dataclass(frozen=True)
class VolumeChart:
    bars: list[Bar]
    ticks: list[str]  # the first, middle and last day
    top: int  # the count at the top of the scale
    total: int
    width: int
    height: int = HEIGHT

    @property
    def summary(self) -> str:
        busiest = max(self.bars, key=lambda b: b.height, default=None)
        peak = f"; busiest day {busiest.title}" if busiest and self.total else ""
        return f"{self.total} items over {len(self.bars)} days{peak}"


def _scale_top(peak: int) -> int:
    """A round number at or above the busiest day: 1, 2, 5, 10, 20, 50 …"""
    base = 1
    while True:
        for step in (1, 2, 5):
            if base * step >= peak:
                return base * step
        base *= 10


def volume_chart(days: list[Day]) -> VolumeChart:
    top = _scale_top(max([d.count for d in days] + [1]))
    gap = 2 if len(days) <= 120 else 0  # a year of days has no room for gaps
    bars = []
    for i, d in enumerate(days):
        h = HEIGHT * d.count / top
        title = f"{_day(d.day)}: {d.count} item{'s' if d.count != 1 else ''}"
        bars.append(Bar(i * SLOT + gap / 2, round(HEIGHT - h, 2), SLOT - gap, round(h, 2), title))
    marks = sorted({0, len(days) // 2, len(days) - 1}) if days else []
    return VolumeChart(bars, [_day(days[i].day) for i in marks], top, sum(d.count for d in days), max(len(days), 1) * SLOT)


def _day(day: dt.date) -> str:
    return date_format(day, "j M")


@dataclass(frozen=True)
class Segment:
    x: float
    width: float
    colour: str
    title: str


SHARE_WIDTH = 600


def share_bar(shares: Shares) -> list[Segment]:
    """One bar across, a segment per sentiment in proportion to its items."""
    segments, x = [], 0.0
    for part in shares.parts:
        if not part.count:
            continue
        width = SHARE_WIDTH * part.count / shares.total
        name = part.sentiment or "not labelled"
        segments.append(Segment(round(x, 2), round(width, 2), COLOURS[part.sentiment], f"{name}: {part.count} ({part.percent:.0f} %)"))
        x += width
    return segments
