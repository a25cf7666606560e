"""The conversation calendar: who answers for each channel on each day and hour, from the plan's
`channels[].responsible` ({person, days, hours}), and where nobody does."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from strata.strategy.plan.schema import WEEKDAYS, Channel, PlanDocument, Responsibility

# Channels whose inbox is their reason to exist: a day without anyone on it is a gap the review names.
ANSWERING = ("customer_service", "communicating_with_clients")


def ranges(hours: str | None) -> list[tuple[int, int]]:
    """'09:00-12:00,13:00-17:00' as minutes of the day; None is the whole day. The plan's
    loader has checked the form, so this only reads it."""
    if not hours:
        return [(0, 1440)]
    found = []
    for part in hours.replace(" ", "").split(","):
        start, end = part.split("-")
        found.append((_minutes(start), _minutes(end)))
    return found


def _minutes(clock: str) -> int:
    hours, minutes = clock.split(":")
    return int(hours) * 60 + int(minutes)


def covers(duty: Responsibility, local: dt.datetime) -> bool:
    """Whether `duty` has its person on the channel at the local wall-clock time `local`."""
    if WEEKDAYS[local.weekday()] not in duty.days:
        return False
    minute = local.hour * 60 + local.minute
    return any(start <= minute < end for start, end in ranges(duty.hours))


def on_duty(channel: Channel, local: dt.datetime) -> str | None:
    """The person answering for `channel` at `local`; the first listed when several are.
    Outside everyone's hours, whoever is on that channel that day; then anyone on it at all,
    so that a message arriving at night still has an owner in the morning."""
    for duty in channel.responsible:
        if covers(duty, local):
            return duty.person
    today = WEEKDAYS[local.weekday()]
    for duty in channel.responsible:
        if today in duty.days:
            return duty.person
    return channel.responsible[0].person if channel.responsible else None


@dataclass(frozen=True)
class Cell:
    people: tuple[tuple[str, str], ...]  # (person id, hours as written or "all day")
    gap: bool  # an answering channel with nobody that day


@dataclass(frozen=True)
class Row:
    channel: Channel
    answering: bool
    cells: tuple[Cell, ...]  # Monday first


def week(plan: PlanDocument) -> list[Row]:
    rows = []
    for channel in plan.channels:
        answering = channel.purpose in ANSWERING
        cells = []
        for day in WEEKDAYS:
            people = tuple((d.person, d.hours or "all day") for d in channel.responsible if day in d.days)
            cells.append(Cell(people, gap=answering and not people))
        rows.append(Row(channel, answering, tuple(cells)))
    return rows


def gaps(plan: PlanDocument) -> dict[str, list[str]]:
    """Answering channels and the days nobody covers them: {channel id: [weekday, …]}."""
    found = {}
    for row in week(plan):
        days = [day for day, cell in zip(WEEKDAYS, row.cells, strict=True) if cell.gap]
        if days:
            found[row.channel.id] = days
    return found


# The conversation calendar's page (calendar_views.py) reads these: the gap there is the review's
# `channel.inbox_uncovered`, which counts only the days the inbox is open; `week` above counts
# every day.


def open_days(plan: PlanDocument) -> tuple[str, ...]:
    """The days the inbox is answered: those `support.hours` names, every day when it names none."""
    hours = plan.support.hours
    return WEEKDAYS if hours is None else tuple(day for day in WEEKDAYS if day in hours)


def uncovered_days(plan: PlanDocument, channel: Channel) -> list[str]:
    """The open days nobody covers an answering channel: the review's `channel.inbox_uncovered`."""
    if channel.purpose not in ANSWERING:
        return []
    covered = {day for duty in channel.responsible for day in duty.days}
    return [day for day in open_days(plan) if day not in covered]


def uncovered_hours(channel: Channel, day: str, opening: str | None) -> list[tuple[int, int]]:
    """The stretches of a day's opening hours (None: the whole day) that no duty of `channel` on
    `day` covers, in minutes of the day: someone on 09:00-17:00 leaves 08:00-09:00 of 08:00-18:00."""
    spans = sorted(span for duty in channel.responsible if day in duty.days for span in ranges(duty.hours))
    left = []
    for start, end in ranges(opening):
        cursor = start
        for span_start, span_end in spans:
            if span_start >= end:
                break
            if span_end <= cursor:
                continue
            if span_start > cursor:
                left.append((cursor, span_start))
            cursor = max(cursor, span_end)
        if cursor < end:
            left.append((cursor, end))
    return left


def clock(minute: int) -> str:
    """Minutes of the day as the plan writes them: 510 → '08:30', 1440 → '24:00'."""
    return f"{minute // 60:02d}:{minute % 60:02d}"
