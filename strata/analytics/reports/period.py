"""A report's period: whole months of the workspace's calendar, a monthly report one, the
six-month report six, ending with the month named."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Literal

Kind = Literal["monthly", "six_month"]


@dataclass(frozen=True)
class Period:
    kind: Kind
    start: dt.date  # the first day of the first month
    end: dt.date  # the last day of the last month, included

    @classmethod
    def ending(cls, kind: Kind, month: dt.date) -> Period:
        """The period whose last month is `month` (any day of it)."""
        last = month.replace(day=1)
        months = 1 if kind == "monthly" else 6
        first = _add_months(last, -(months - 1))
        return cls(kind, first, _add_months(last, 1) - dt.timedelta(days=1))

    @property
    def months(self) -> list[dt.date]:
        """The first day of each month in the period."""
        found, month = [], self.start
        while month <= self.end:
            found.append(month)
            month = _add_months(month, 1)
        return found

    @property
    def previous(self) -> Period:
        """The period of the same length just before this one: what "since the last report" compares with."""
        return Period.ending(self.kind, self.start - dt.timedelta(days=1))

    @property
    def label(self) -> str:
        if self.kind == "monthly":
            return f"{self.start:%B %Y}"
        return f"{self.start:%B %Y} to {self.end:%B %Y}"

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1


def _add_months(month: dt.date, n: int) -> dt.date:
    index = month.year * 12 + month.month - 1 + n
    return dt.date(index // 12, index % 12 + 1, 1)
