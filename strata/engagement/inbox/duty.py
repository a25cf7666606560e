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
