"""Business time for the inbox's SLA targets: "answer within 1h" counts only open hours.

The response plan gives opening hours per weekday as wall-clock ranges in the workspace's time
zone, and holidays as whole local days. Every day's ranges are turned into UTC instants for that
day, so 09:00 opens at 09:00 local on both sides of a daylight-saving change, and the clock
walks open intervals rather than minutes.

Daylight-saving edges, decided once here (see `BusinessHours._instant`):
- a wall time the clock skips (spring forward) becomes the instant the clock jumps, so a range
  inside the skipped hour is absent that day and a range across it is an hour shorter;
- a wall time the clock shows twice (fall back) means its first pass, so a range across the
  repeated hour is an hour longer, and consecutive days stay contiguous (24/7 stays always open).

Pure Python: no models, no database."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from itertools import pairwise
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

MINUTES_PER_DAY = 24 * 60
ONE_DAY = timedelta(days=1)
ONE_MINUTE = timedelta(minutes=1)
# A plan whose every day is closed (or a holiday) has no next opening; `due` gives up after this
# many days in a row without one instead of searching forever.
MAX_CLOSED_DAYS = 366
DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
RANGE = re.compile(r"(\d\d):(\d\d)-(\d\d):(\d\d)")

# Minutes since local midnight, opening inclusive and closing exclusive; 1440 is 24:00.
Range = tuple[int, int]
Interval = tuple[datetime, datetime]
SlaState = Literal["on_time", "about_to_breach", "breached", "met", "breached_then_answered", "cancelled", "none"]


@dataclass(frozen=True)
class BusinessHours:
    """When the team answers: ranges per weekday (Monday = 0) in `zone`, minus holidays.

    `week` is a tuple of seven, not a dict, so that the frozen dataclass stays hashable."""

    zone: ZoneInfo
    week: tuple[tuple[Range, ...], ...]
    holidays: frozenset[date]

    @classmethod
    def parse(cls, timezone: str, hours: dict[str, str] | None, holidays: Iterable[date] = ()) -> BusinessHours:
        """The plan's `support` section as business hours; None for hours means always open.

        Raises ValueError naming the day and what was expected."""
        zone = _zone(timezone)
        week: tuple[tuple[Range, ...], ...]
        if hours is None:
            week = (((0, MINUTES_PER_DAY),),) * 7
        else:
            unknown = sorted(set(hours) - set(DAYS))
            if unknown:
                raise ValueError(f"{unknown[0]!r} is not a day: expected one of {', '.join(DAYS)}")
            week = tuple(_ranges(day, hours[day]) if day in hours else () for day in DAYS)
        return cls(zone=zone, week=week, holidays=frozenset(holidays))

    @classmethod
    def always(cls, timezone: str = "UTC") -> BusinessHours:
        return cls.parse(timezone, None)

    def due(self, start: datetime, minutes: int) -> datetime:
        """The UTC instant when `minutes` of business time have passed since `start`.

        A start outside hours counts from the next opening; a target that runs out exactly at a
        closing is due at that closing, not at the next opening."""
        _require_aware("start", start)
        if minutes < 0:
            raise ValueError(f"minutes must not be negative, got {minutes}")
        remaining = timedelta(minutes=minutes)
        for opens, closes in self._intervals_from(start):
            if closes - opens >= remaining:
                return opens + remaining
            remaining -= closes - opens
        raise AssertionError("_intervals_from never runs out: it raises first")

    def due_in(self, start: datetime, duration: str) -> datetime:
        """When a target written in the plan ('30m', '4h', '2d') runs out. Minutes and hours count
        business time; days count open days: '1d' is due at the same time on the next open day
        (or at that day's next opening), as a person reads "within a working day"."""
        number, unit = int(duration[:-1]), duration[-1]
        if unit != "d":
            return self.due(start, number * (60 if unit == "h" else 1))
        opened = self.next_open(start)
        wall = opened.astimezone(self.zone)
        day = wall.date()
        for _ in range(number):
            day = self._next_open_day(day)
        same_time = datetime.combine(day, wall.time().replace(fold=0), tzinfo=self.zone)
        return self.next_open(same_time)

    def _next_open_day(self, day: date) -> date:
        for _ in range(MAX_CLOSED_DAYS):
            day += ONE_DAY
            if self._intervals_on(day):
                return day
        raise ValueError(f"no business hours in the year after {day.isoformat()}")

    def between(self, start: datetime, end: datetime) -> int:
        """Whole business minutes (rounded down) from `start` to `end`; 0 if `end` is not after `start`."""
        _require_aware("start", start)
        _require_aware("end", end)
        if end <= start:
            return 0
        total = timedelta()
        day, last = self._local_date(start) - ONE_DAY, self._local_date(end) + ONE_DAY
        while day <= last:
            for opens, closes in self._intervals_on(day):
                overlap = min(closes, end) - max(opens, start)
                if overlap > timedelta():
                    total += overlap
            day += ONE_DAY
        return total // ONE_MINUTE

    def is_open(self, at: datetime) -> bool:
        _require_aware("at", at)
        day = self._local_date(at)
        return any(opens <= at < closes for d in (day - ONE_DAY, day, day + ONE_DAY) for opens, closes in self._intervals_on(d))

    def next_open(self, at: datetime) -> datetime:
        """`at` itself (in UTC) when open, otherwise the next opening."""
        _require_aware("at", at)
        opens, _ = next(self._intervals_from(at))
        return opens

    def _intervals_from(self, at: datetime) -> Iterator[Interval]:
        """Open intervals ending after `at`, in order, the first one cut to start no earlier than `at`.

        Raises ValueError after MAX_CLOSED_DAYS days in a row without an opening."""
        # The day before too: where the clock falls back across midnight, a local time on one
        # date can come after the start of the next date's first range.
        day = self._local_date(at) - ONE_DAY
        at = at.astimezone(UTC)  # the first interval may open at `at`: answers are in UTC
        closed_days = 0
        while closed_days <= MAX_CLOSED_DAYS:
            intervals = [(max(opens, at), closes) for opens, closes in self._intervals_on(day) if closes > at]
            closed_days = 0 if intervals else closed_days + 1
            yield from intervals
            day += ONE_DAY
        raise ValueError(f"no business hours in the year after {at.astimezone(self.zone).date().isoformat()}")

    def _intervals_on(self, day: date) -> list[Interval]:
        """The day's ranges as UTC instants; a range that daylight saving leaves empty is dropped."""
        if day in self.holidays:
            return []
        intervals = [(self._instant(day, opens), self._instant(day, closes)) for opens, closes in self.week[day.weekday()]]
        return [(opens, closes) for opens, closes in intervals if opens < closes]

    def _instant(self, day: date, minute: int) -> datetime:
        """The UTC instant at which the zone's wall clock reads `minute` past midnight on `day`.

        1. 24:00 is the next day's 00:00.
        2. A wall time shown twice (fall back) is its first pass: Python's fold=0.
        3. A wall time never shown (spring forward) is the instant the clock jumps over it."""
        if minute == MINUTES_PER_DAY:
            day, minute = day + ONE_DAY, 0
        wall = datetime(day.year, day.month, day.day, minute // 60, minute % 60, tzinfo=self.zone)
        instant = wall.astimezone(UTC)
        if instant.astimezone(self.zone).replace(tzinfo=None) == wall.replace(tzinfo=None):
            return instant
        return _jump_over(self.zone, wall)

    def _local_date(self, at: datetime) -> date:
        return at.astimezone(self.zone).date()


def sla_state(
    *, due_at: datetime | None, answered_at: datetime | None, warn_at: datetime | None, now: datetime, cancelled: bool = False
) -> SlaState:
    """Where a conversation stands against its target.

    Warned from `warn_at`, breached from `due_at` on, the same bounds as the inbox's "soon" and
    "breached" filters (queue.py); an answer stamped at `due_at` itself is still met."""
    if cancelled:
        return "cancelled"
    if due_at is None:
        return "none"
    if answered_at is not None:
        return "met" if answered_at <= due_at else "breached_then_answered"
    if now >= due_at:
        return "breached"
    if warn_at is not None and now >= warn_at:
        return "about_to_breach"
    return "on_time"


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError(f"{timezone!r} is not a time zone: expected a name such as 'Europe/Berlin'") from None


def _ranges(day: str, text: str) -> tuple[Range, ...]:
    """`"09:00-12:00,13:00-17:00"` as minute ranges, sorted; overlapping ranges are refused."""
    ranges = sorted(_range(day, part.strip()) for part in text.split(","))
    for (_, earlier_closes), (later_opens, _) in pairwise(ranges):
        if later_opens < earlier_closes:
            raise ValueError(f"{day}: {text!r} has overlapping ranges: expected them apart, as in '09:00-12:00,13:00-17:00'")
    return tuple(ranges)


def _range(day: str, text: str) -> Range:
    match = RANGE.fullmatch(text)
    if match is None:
        raise ValueError(f"{day}: {text!r} is not HH:MM-HH:MM")
    open_h, open_m, close_h, close_m = (int(group) for group in match.groups())
    if open_h > 23 or open_m > 59 or close_m > 59 or close_h > 24 or (close_h == 24 and close_m > 0):
        raise ValueError(f"{day}: {text!r} is not a time of day: expected 00:00 to 23:59, or 24:00 to close at midnight")
    opens, closes = open_h * 60 + open_m, close_h * 60 + close_m
    if closes <= opens:
        raise ValueError(f"{day}: {text!r} closes before it opens: a range past midnight ends at 24:00 and goes on the next day from 00:00")
    return opens, closes


def _jump_over(zone: ZoneInfo, wall: datetime) -> datetime:
    """The instant the clock jumps over the skipped wall time `wall`.

    The jump lies after `wall` read with the offset after it (fold=1) and no later than `wall`
    read with the offset before it (fold=0); zoneinfo does not expose transitions, so bisect on
    whole seconds (transitions fall on whole seconds)."""
    before = int(wall.replace(fold=1).timestamp())
    after = int(wall.replace(fold=0).timestamp())
    offset_after = datetime.fromtimestamp(after, zone).utcoffset()
    while after - before > 1:
        middle = (before + after) // 2
        if datetime.fromtimestamp(middle, zone).utcoffset() == offset_after:
            after = middle
        else:
            before = middle
    return datetime.fromtimestamp(after, UTC)


def _require_aware(name: str, value: datetime) -> None:
    if value.utcoffset() is None:
        raise ValueError(f"{name} must be an aware datetime, got {value.isoformat()}")
