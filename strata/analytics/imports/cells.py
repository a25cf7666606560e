"""One cell of an export read as a count, a decimal, a duration or a day; `CellError` says what
was expected instead.

Numbers arrive as the tool wrote them or as a spreadsheet saved them again: 1234, 1,234,
1.234 (German), 1 234 or 1'234 (Swiss), and decimals as 48.27 or 48,27. A group of exactly
three digits after the separator is read as thousands, since no export writes counts with
three decimals. Durations are seconds (48.27, 48.27s) or clock times (00:01:23, 1:23), or
GA4's "1m 05s"."""

from __future__ import annotations

import datetime as dt
import math
import re

from strata.analytics.imports.limits import EARLIEST_YEAR, MAX_COUNT, MAX_SECONDS_PER_VISIT


class CellError(ValueError):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


_SPACES = str.maketrans("", "", " \u00a0\u202f\u2009'")  # spaces, no-break and thin spaces, Swiss apostrophe
_GROUPED = re.compile(r"\d{1,3}(?P<sep>[,.])\d{3}(?:(?P=sep)\d{3})*")
_DECIMAL = re.compile(r"\d+(?:[.,]\d+)?")
_CLOCK = re.compile(r"(?:(\d+):)?(\d{1,2}):(\d{1,2}(?:\.\d+)?)")
_UNITS = re.compile(r"(?:(\d+)h)?\s*(?:(\d+)m)?\s*(?:(\d+(?:\.\d+)?)s)?")
_NEGATIVE = ("-", "−", "(")


def _show(value: str, limit: int = 40) -> str:
    """A cell quoted in a message, cut short: a message must not repeat a megabyte back."""
    return value if len(value) <= limit else value[: limit - 1] + "…"


def _plain(value: str) -> str:
    compact = value.translate(_SPACES)
    if compact.startswith(_NEGATIVE):
        raise CellError(f"'{_show(value)}' is negative; a count is never below 0")
    return compact


def decimal(value: str) -> float:
    """A number of zero or more, with any of the usual separators."""
    compact = _plain(value)
    if _GROUPED.fullmatch(compact):
        number = float(compact.replace(",", "").replace(".", ""))
    elif "," in compact and "." in compact:
        # 1,234.5 or 1.234,5: the last separator is the decimal one.
        thousands = "," if compact.rfind(".") > compact.rfind(",") else "."
        joined = compact.replace(thousands, "").replace(",", ".")
        number = _float(joined, value)
    elif _DECIMAL.fullmatch(compact):
        number = float(compact.replace(",", "."))
    else:
        raise CellError(f"'{_show(value)}' is not a number like 1234, 1,234 or 48.27")
    if not math.isfinite(number):
        raise CellError(f"'{_show(value)}' is not a number like 1234, 1,234 or 48.27")
    return number


def _float(text: str, shown: str) -> float:
    if not re.fullmatch(r"\d+(?:\.\d+)?", text):
        raise CellError(f"'{_show(shown)}' is not a number like 1234, 1,234 or 48.27")
    return float(text)


def count(value: str, *, fractions: bool = False) -> float:
    """A whole number of zero or more (1234 or 1,234; 12.0 too). With `fractions`, GA4's
    fractional key events (2.5, from data-driven attribution) are taken as they are."""
    if not value:
        raise CellError("empty; expected a whole number like 1234")
    number = decimal(value)
    if not fractions and number != int(number):
        raise CellError(f"'{_show(value)}' is not a whole number like 1234 or 1,234")
    if number > MAX_COUNT:
        raise CellError(f"{number:,.0f} is more than {MAX_COUNT:,}; is this the right column?")
    return number


def duration(value: str) -> float:
    """Seconds per visit, from seconds or a clock time; at most a day."""
    compact = value.strip().lower()
    if compact.startswith(_NEGATIVE):
        raise CellError(f"'{_show(value)}' is negative; a duration is never below 0")
    clock = _CLOCK.fullmatch(compact)
    units = _UNITS.fullmatch(compact) if not clock and re.search(r"\d[hms]", compact) else None
    if clock:
        hours, minutes, seconds = clock.groups()
        if int(minutes) > 59 or float(seconds) >= 60:
            raise CellError(f"'{_show(value)}' is not a time like 00:01:23")
        total = int(hours or 0) * 3600 + int(minutes) * 60 + float(seconds)
    elif units:
        hours, minutes, seconds = units.groups()
        total = int(hours or 0) * 3600 + int(minutes or 0) * 60 + float(seconds or 0)
    else:
        try:
            total = decimal(compact)
        except CellError:
            raise CellError(f"'{_show(value)}' is not a duration like 83, 83.5 (seconds) or 00:01:23") from None
    if total > MAX_SECONDS_PER_VISIT:
        raise CellError(f"{total:,.0f} seconds is more than a day per visit; is this the average per visit?")
    return total


def day(value: str, latest: dt.date, *, compact: bool = True) -> dt.date:
    """A day as 2025-03-01 (or, with `compact`, GA4's 20250301), not after `latest`."""
    text = value.strip()
    found = None
    if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) or (compact and re.fullmatch(r"\d{8}", text)):
        try:
            found = dt.date.fromisoformat(text)
        except ValueError:
            found = None
    if found is None:
        expected = "2025-03-01 or 20250301" if compact else "2025-03-01"
        raise CellError(f"'{_show(value)}' is not a date like {expected}" if value else f"empty; expected a date like {expected}")
    if found > latest:
        raise CellError(f"{found.isoformat()} has not happened yet; nothing can be counted for it")
    if found.year < EARLIEST_YEAR:
        raise CellError(f"{found.isoformat()} is before {EARLIEST_YEAR}; is this the right column?")
    return found


def latest_day() -> dt.date:
    """The latest day that has begun anywhere (UTC+14): an export in any time zone may hold it,
    one after it cannot have been counted."""
    return (dt.datetime.now(dt.UTC) + dt.timedelta(hours=14)).date()
