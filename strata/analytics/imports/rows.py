"""What a parser gives back: one row per day, source and campaign (or per day and support
channel), the problems of the lines it skipped, and notes on how it read the file.

An export may hold several lines for one day, source and campaign (Plausible's has one per
referrer, medium and utm_content): they are added up. A key with one bad line is left out
whole, since importing the rest would replace a complete earlier number with part of one."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from strata.analytics.imports.limits import MAX_LABEL, MAX_STORED
from strata.analytics.imports.problems import Problem

WebKey = tuple[dt.date, str, str]  # day, utm_source, utm_campaign


@dataclass
class WebRow:
    day: dt.date
    source: str
    campaign: str
    visits: int
    duration_seconds: float | None  # average per visit; None: the export does not say
    conversions: int | None  # None: the export does not say
    lines: list[int] = field(default_factory=list)

    @property
    def key(self) -> WebKey:
        return (self.day, self.source, self.campaign)


@dataclass
class SupportRow:
    day: dt.date
    channel: str  # blank: all channels
    inquiries: int
    line: int


@dataclass
class Parsed:
    web: list[WebRow] = field(default_factory=list)
    support: list[SupportRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    left_out: int = 0  # lines neither from social media nor naming a campaign


@dataclass
class _Sum:
    visits: float = 0.0
    seconds: float = 0.0  # over the visits whose duration is known
    timed_visits: float = 0.0
    conversions: float | None = None
    lines: list[int] = field(default_factory=list)


class WebTally:
    """Lines added up per key; a key with a bad line is spoiled and left out."""

    def __init__(self, file: str) -> None:
        self.file = file
        self._sums: dict[WebKey, _Sum] = {}
        self._spoiled: dict[WebKey, int] = {}  # key → the bad line
        self.problems: list[Problem] = []

    def problem(self, line: int, column: str, message: str, key: WebKey | None = None) -> None:
        self.problems.append(Problem(self.file, line, column, message))
        if key is not None:
            self._spoiled.setdefault(key, line)

    def check_labels(self, line: int, source: str, campaign: str) -> bool:
        for column, value in (("source", source), ("campaign", campaign)):
            if len(value) > MAX_LABEL:
                self.problem(line, column, f"{len(value):,} characters long; Strata keeps at most {MAX_LABEL}")
                return False
        return True

    def add(self, key: WebKey, line: int, visits: float, seconds: float | None, conversions: float | None) -> None:
        """One line's visits, total seconds of those visits (None: unknown) and conversions."""
        total = self._sums.setdefault(key, _Sum())
        total.visits += visits
        if seconds is not None:
            total.seconds += seconds
            total.timed_visits += visits
        if conversions is not None:
            total.conversions = (total.conversions or 0.0) + conversions
        total.lines.append(line)

    def rows(self, notes: list[str]) -> list[WebRow]:
        made = []
        for key, total in self._sums.items():
            if key in self._spoiled:
                notes.append(f"Left out {_shown(key)}: line {self._spoiled[key]} of it has a problem (lines {_lines(total.lines)}).")
                continue
            conversions = round(total.conversions) if total.conversions is not None else None
            if total.visits > MAX_STORED or (conversions or 0) > MAX_STORED:
                self.problem(total.lines[-1], "", f"{_shown(key)} adds up to more than {MAX_STORED:,}; is this the right column?")
                continue
            duration = total.seconds / total.timed_visits if total.timed_visits else None
            made.append(WebRow(*key, visits=round(total.visits), duration_seconds=duration, conversions=conversions, lines=total.lines))
        made.sort(key=lambda r: r.key)
        return made


def _shown(key: WebKey) -> str:
    day, source, campaign = key
    return f"{day.isoformat()} {source or '(no source)'} / {campaign or '(no campaign)'}"


def _lines(lines: list[int]) -> str:
    shown = ", ".join(str(n) for n in lines[:10])
    return shown + (f" and {len(lines) - 10} more" if len(lines) > 10 else "")
