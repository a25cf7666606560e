"""The inbox's SLA clock counts business time: open hours in the workspace's zone, minus holidays."""

from __future__ import annotations

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils.timezone import now

from strata.engagement.inbox.clock import BusinessHours, sla_state

# Processes, parsers or the command line, not what differs between databases: the SQLite pass only.
pytestmark = pytest.mark.one_database

# The response plan's example: a lunch break on Fridays, a short Saturday, closed on Sundays.
SUPPORT = {
    "mon": "09:00-17:00",
    "tue": "09:00-17:00",
    "wed": "09:00-17:00",
    "thu": "09:00-17:00",
    "fri": "09:00-12:00,13:00-17:00",
    "sat": "10:00-14:00",
}
WEEKDAYS = {day: hours for day, hours in SUPPORT.items() if day != "sat"}
CHRISTMAS = [dt.date(2026, 12, 25), dt.date(2026, 12, 26)]


def wall(text: str, zone: str = "Europe/Berlin") -> dt.datetime:
    """A time as the workspace's clock on the wall shows it."""
    return dt.datetime.fromisoformat(text).replace(tzinfo=ZoneInfo(zone))


def shown(instant: dt.datetime, zone: str = "Europe/Berlin") -> str:
    """A due time as the inbox shows it, in the workspace's zone."""
    local = instant.astimezone(ZoneInfo(zone))
    return f"{local:%a} {local.day} {local:%b %H:%M %Z}"


def berlin(hours: dict[str, str] | None = None, holidays: list[dt.date] | None = None) -> BusinessHours:
    return BusinessHours.parse("Europe/Berlin", SUPPORT if hours is None else hours, holidays or [])


def test_friday_afternoon_plus_an_hour_is_due_monday_morning() -> None:
    due = berlin(WEEKDAYS).due(wall("2026-12-04 16:30"), 60)
    assert shown(due) == "Mon 7 Dec 09:30 CET"
    assert due.tzinfo is dt.UTC


def test_the_friday_lunch_break_does_not_count() -> None:
    assert shown(berlin().due(wall("2026-12-04 11:30"), 60)) == "Fri 4 Dec 13:30 CET"
    assert berlin().is_open(wall("2026-12-04 12:30")) is False
    assert shown(berlin().next_open(wall("2026-12-04 12:30"))) == "Fri 4 Dec 13:00 CET"


def test_saturday_hours_count_and_sunday_is_closed() -> None:
    assert shown(berlin().due(wall("2026-12-04 16:30"), 60)) == "Sat 5 Dec 10:30 CET"
    assert shown(berlin().due(wall("2026-12-05 13:30"), 60)) == "Mon 7 Dec 09:30 CET"


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-12-07 10:15", "Mon 7 Dec 11:15 CET"),  # in the middle of a range
        ("2026-12-07 07:00", "Mon 7 Dec 10:00 CET"),  # before opening
        ("2026-12-07 18:00", "Tue 8 Dec 10:00 CET"),  # after closing
        ("2026-12-06 15:00", "Mon 7 Dec 10:00 CET"),  # on a closed day
        ("2026-12-07 17:00", "Tue 8 Dec 10:00 CET"),  # at closing: already closed
    ],
)
def test_a_start_outside_hours_counts_from_the_next_opening(start: str, due: str) -> None:
    assert shown(berlin().due(wall(start), 60)) == due


def test_a_target_that_runs_out_at_closing_is_due_at_closing() -> None:
    assert shown(berlin().due(wall("2026-12-07 16:00"), 60)) == "Mon 7 Dec 17:00 CET"


def test_holidays_on_weekdays_are_closed_all_day() -> None:
    hours = berlin(holidays=CHRISTMAS)
    assert shown(hours.due(wall("2026-12-24 16:30"), 60)) == "Mon 28 Dec 09:30 CET"
    assert hours.is_open(wall("2026-12-25 10:00")) is False
    assert berlin().is_open(wall("2026-12-25 10:00")) is True


def test_a_five_day_target_walks_weeks_and_holidays() -> None:
    hours = berlin(holidays=CHRISTMAS)
    start = wall("2026-12-07 09:00")
    # A full week of these hours is 43 hours; two weeks, then Mon–Thu, then Christmas is closed.
    due = hours.due(start, 5 * 24 * 60)
    assert shown(due) == "Mon 28 Dec 11:00 CET"
    assert hours.between(start, due) == 5 * 24 * 60


def test_between_counts_whole_business_minutes() -> None:
    hours = berlin(WEEKDAYS)
    assert hours.between(wall("2026-12-04 16:30"), wall("2026-12-07 09:30")) == 60
    assert hours.between(wall("2026-12-07 09:00"), wall("2026-12-07 09:01:59")) == 1
    assert hours.between(wall("2026-12-07 10:00"), wall("2026-12-07 09:00")) == 0
    assert hours.between(wall("2026-12-07 09:00"), wall("2026-12-07 09:00", "America/New_York")) == 360


def test_a_day_open_until_24_00_runs_into_the_next() -> None:
    hours = berlin({"mon": "00:00-24:00", "tue": "00:00-24:00"})
    assert shown(hours.due(wall("2026-12-07 23:30"), 60)) == "Tue 8 Dec 00:30 CET"
    assert shown(hours.due(wall("2026-12-08 23:30"), 60)) == "Mon 14 Dec 00:30 CET"
    assert hours.is_open(wall("2026-12-08 00:00")) is True


@pytest.mark.parametrize(
    ("start", "due", "utc"),
    [
        ("2026-03-27 16:30", "Mon 30 Mar 09:30 CEST", dt.datetime(2026, 3, 30, 7, 30, tzinfo=dt.UTC)),
        ("2026-10-23 16:30", "Mon 26 Oct 09:30 CET", dt.datetime(2026, 10, 26, 8, 30, tzinfo=dt.UTC)),
    ],
)
def test_berlin_opens_at_nine_on_both_sides_of_a_clock_change(start: str, due: str, utc: dt.datetime) -> None:
    answer_by = berlin(WEEKDAYS).due(wall(start), 60)
    assert shown(answer_by) == due
    assert answer_by == utc


@pytest.mark.parametrize(
    ("start", "due"),
    [
        ("2026-03-06 16:30", "Mon 9 Mar 09:30 EDT"),
        ("2026-10-30 16:30", "Mon 2 Nov 09:30 EST"),
    ],
)
def test_new_york_opens_at_nine_on_both_sides_of_a_clock_change(start: str, due: str) -> None:
    hours = BusinessHours.parse("America/New_York", WEEKDAYS)
    assert shown(hours.due(wall(start, "America/New_York"), 60), "America/New_York") == due


def test_on_the_spring_forward_day_the_skipped_hour_is_not_open() -> None:
    sunday, monday = wall("2026-03-29 00:00"), wall("2026-03-30 00:00")
    assert berlin({"sun": "00:00-24:00"}).between(sunday, monday) == 23 * 60
    assert berlin({"sun": "01:00-04:00"}).between(sunday, monday) == 2 * 60
    # The clock jumps from 02:00 to 03:00: a range that starts in between opens at 03:00.
    assert shown(berlin({"sun": "02:30-05:00"}).next_open(sunday)) == "Sun 29 Mar 03:00 CEST"
    # A range wholly inside the skipped hour is absent that day and back the next week.
    skipped = berlin({"sun": "02:00-03:00"})
    assert skipped.between(sunday, monday) == 0
    assert shown(skipped.due(wall("2026-03-28 12:00"), 1)) == "Sun 5 Apr 02:01 CEST"


def test_on_the_fall_back_day_the_repeated_hour_counts_twice() -> None:
    sunday, monday = wall("2026-10-25 00:00"), wall("2026-10-26 00:00")
    assert berlin({"sun": "00:00-24:00"}).between(sunday, monday) == 25 * 60
    assert berlin({"sun": "01:00-04:00"}).between(sunday, monday) == 4 * 60
    # 02:30 happens twice; a range opens at the first.
    late = berlin({"sun": "02:30-05:00"})
    assert late.next_open(sunday) == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)
    assert shown(late.next_open(sunday)) == "Sun 25 Oct 02:30 CEST"
    assert late.between(sunday, monday) == 3 * 60 + 30


def test_always_open_counts_real_time_even_across_a_clock_change() -> None:
    hours = BusinessHours.always("Europe/Berlin")
    start = wall("2026-03-28 23:00")
    assert shown(hours.due(start, 180)) == "Sun 29 Mar 03:00 CEST"
    assert hours.between(start, wall("2026-03-29 03:00")) == 180
    assert BusinessHours.parse("UTC", None).due(start, 90) == start + dt.timedelta(minutes=90)
    assert BusinessHours.always().is_open(wall("2026-12-25 03:00")) is True


def test_a_target_of_zero_minutes_is_due_at_the_next_opening() -> None:
    assert shown(berlin().due(wall("2026-12-06 15:00"), 0)) == "Mon 7 Dec 09:00 CET"
    assert shown(berlin().due(wall("2026-12-07 10:00"), 0)) == "Mon 7 Dec 10:00 CET"


@pytest.mark.parametrize(
    ("timezone", "hours", "message"),
    [
        ("Europe/Berlin", {"mon": "9-17"}, "mon: '9-17' is not HH:MM-HH:MM"),
        ("Europe/Berlin", {"fri": "09:00-12:00;13:00-17:00"}, "fri: '09:00-12:00;13:00-17:00' is not HH:MM-HH:MM"),
        ("Europe/Berlin", {"monday": "09:00-17:00"}, "'monday' is not a day: expected one of mon, tue, wed, thu, fri, sat, sun"),
        ("Europe/Berlin", {"tue": "17:00-09:00"}, "tue: '17:00-09:00' closes before it opens"),
        ("Europe/Berlin", {"wed": "09:00-25:00"}, "wed: '09:00-25:00' is not a time of day"),
        ("Europe/Berlin", {"thu": "09:00-13:00,12:00-17:00"}, "thu: '09:00-13:00,12:00-17:00' has overlapping ranges"),
        ("Mars/Olympus_Mons", None, "'Mars/Olympus_Mons' is not a time zone: expected a name such as 'Europe/Berlin'"),
    ],
)
def test_bad_hours_are_refused_with_the_day_and_what_was_expected(timezone: str, hours: dict[str, str] | None, message: str) -> None:
    with pytest.raises(ValueError, match=re.escape(message)):
        BusinessHours.parse(timezone, hours)


def test_naive_times_and_negative_targets_are_refused() -> None:
    with pytest.raises(ValueError, match="start must be an aware datetime"):
        berlin().due(dt.datetime(2026, 12, 7, 9, 0), 60)  # noqa: DTZ001 - the mistake under test
    with pytest.raises(ValueError, match="minutes must not be negative"):
        berlin().due(wall("2026-12-07 09:00"), -1)


def test_a_plan_that_is_never_open_gives_up_instead_of_searching_forever() -> None:
    start = wall("2026-12-07 09:00")
    closed = berlin({})
    with pytest.raises(ValueError, match="no business hours in the year after 2026-12-07"):
        closed.due(start, 60)
    with pytest.raises(ValueError, match="no business hours"):
        closed.next_open(start)
    assert closed.is_open(start) is False
    assert closed.between(start, start + dt.timedelta(days=800)) == 0
    every_monday = [dt.date(2026, 12, 7) + dt.timedelta(weeks=n) for n in range(60)]
    with pytest.raises(ValueError, match="no business hours"):
        berlin({"mon": "09:00-17:00"}, every_monday).due(start, 60)


@pytest.mark.parametrize(
    ("answered_at", "cancelled", "state"),
    [
        (None, True, "cancelled"),
        ("2026-12-07 10:00", False, "met"),
        ("2026-12-07 10:30", False, "met"),  # answered at the due time itself
        ("2026-12-07 10:31", False, "breached_then_answered"),
    ],
)
def test_sla_state_of_finished_conversations(answered_at: str | None, cancelled: bool, state: str) -> None:
    due_at = wall("2026-12-07 10:30")
    answered = wall(answered_at) if answered_at else None
    assert sla_state(due_at=due_at, answered_at=answered, warn_at=None, now=wall("2026-12-08 12:00"), cancelled=cancelled) == state


def test_a_conversation_without_target_has_no_sla_state() -> None:
    assert sla_state(due_at=None, answered_at=None, warn_at=None, now=now()) == "none"


def test_a_conversation_moves_from_on_time_to_breached_then_answered() -> None:
    hours = berlin(holidays=CHRISTMAS)
    received = wall("2026-12-04 16:30")
    # Answer within 1h, warn 30m before, both in business time: the warning goes up as the team
    # leaves on Friday, the answer is due half an hour into Saturday.
    due_at, warn_at = hours.due(received, 60), hours.due(received, 60 - 30)
    assert (shown(warn_at), shown(due_at)) == ("Fri 4 Dec 17:00 CET", "Sat 5 Dec 10:30 CET")

    def state(answered_at: dt.datetime | None = None) -> str:
        return sla_state(due_at=due_at, answered_at=answered_at, warn_at=warn_at, now=now())

    with time_machine.travel(wall("2026-12-04 16:45"), tick=False) as traveller:
        assert state() == "on_time"
        traveller.move_to(wall("2026-12-04 17:00"))
        assert state() == "about_to_breach"
        traveller.move_to(wall("2026-12-05 10:29"))
        assert state() == "about_to_breach"
        traveller.move_to(wall("2026-12-05 10:30"))
        assert state() == "breached"
        traveller.move_to(wall("2026-12-05 10:40"))
        answered_at = now()
        traveller.move_to(wall("2026-12-05 11:00"))
        assert state(answered_at) == "breached_then_answered"
