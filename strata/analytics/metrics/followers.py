"""Reading each connected channel's followers once a day, into that day's FollowerCount.

The day is the workspace's (its time zone): a report of "followers on 3 March" in Berlin means
the Berlin 3 March. A successful read stores the number and waits for the next day (shortly
after midnight there, shifted by the channel's phase so that channels do not all call at once).
A failed read stores the day as a gap, `followers` None with the error, unless a number was
already read that day (a gap never replaces a number), and tries again: after the back-off for
a transient failure, when the platform said for a rate limit (which holds the account's post
reads too), otherwise at the next day's read. A channel that is not connected is not read and
gets no row: no row is a gap as well, one Strata did not try to fill.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils.timezone import now

from strata.analytics.metrics import leases
from strata.analytics.metrics.models import ChannelSchedule, FollowerCount
from strata.analytics.metrics.queries import zone_of
from strata.analytics.metrics.schedule import phase_of
from strata.platforms.base import PermanentError, RateLimited, TransientError
from strata.platforms.registry import metrics_reader_for
from strata.publishing.models import ChannelAccount

log = logging.getLogger(__name__)

DUE_LIMIT = 200


def due_channels(limit: int = DUE_LIMIT) -> list[int]:
    at = now()
    return list(ChannelSchedule.objects.filter(leases.due(at)).order_by("next_read_at", "pk").values_list("pk", flat=True)[:limit])


def read_followers(schedule_id: int, *, worker: str, handed: str = "") -> bool:
    """Read one channel's followers if due and free (or handed to this task); whether a number was stored."""
    mark = leases.claim(ChannelSchedule, [schedule_id], worker=worker, handed=handed)
    schedule = ChannelSchedule.objects.filter(pk=schedule_id, leased_by=mark).select_related("workspace").first()
    if schedule is None:
        return False
    at = now()
    zone = zone_of(schedule.workspace)
    today = at.astimezone(zone).date()
    tomorrow = dt.datetime.combine(today + dt.timedelta(days=1), dt.time(0), tzinfo=zone) + phase_of(
        schedule.workspace_id, schedule.channel_id
    )
    hold = leases.held_until(schedule.workspace_id, schedule.channel_id, at)
    if hold is not None:
        _release(schedule, mark, next_at=hold)
        return False
    account = ChannelAccount.objects.filter(workspace_id=schedule.workspace_id, channel_id=schedule.channel_id).first()
    reader = metrics_reader_for(schedule.platform)
    if account is None or reader is None:
        _release(schedule, mark, next_at=tomorrow, error="the channel is not connected")
        return False
    try:
        followers = reader.followers(account.credentials(), account.remote_account)
    except RateLimited as exc:
        until = now() + dt.timedelta(seconds=exc.retry_after or leases.BACKOFF.total_seconds())
        leases.hold_account(schedule.workspace_id, schedule.channel_id, until)
        return _gap(schedule, mark, today, str(exc), next_at=until)
    except TransientError as exc:
        return _gap(schedule, mark, today, str(exc), next_at=min(tomorrow, at + leases.backoff(schedule.failures + 1)))
    except PermanentError as exc:
        return _gap(schedule, mark, today, str(exc), next_at=tomorrow)
    FollowerCount.objects.update_or_create(
        workspace_id=schedule.workspace_id,
        channel_id=schedule.channel_id,
        day=today,
        defaults={"platform": schedule.platform, "followers": followers, "read_at": at, "error": ""},
    )
    _release(schedule, mark, next_at=tomorrow, error="")
    return True


def _gap(schedule: ChannelSchedule, mark: str, day: dt.date, error: str, *, next_at: dt.datetime) -> bool:
    log.warning("followers of %s: %s", schedule.channel_id, error)
    error = error[:1000] or "the platform did not answer"
    row, made = FollowerCount.objects.get_or_create(
        workspace_id=schedule.workspace_id,
        channel_id=schedule.channel_id,
        day=day,
        defaults={"platform": schedule.platform, "followers": None, "error": error},
    )
    if not made:  # a later failure the same day updates the reason, never a number read earlier
        FollowerCount.objects.filter(pk=row.pk, followers__isnull=True).update(error=error, read_at=now())
    _release(schedule, mark, next_at=next_at, error=error)
    return False


def _release(schedule: ChannelSchedule, mark: str, *, next_at: dt.datetime, error: str | None = None) -> None:
    """Free the channel until `next_at`. `error`: None when it was not read at all (held back),
    empty after a read, else why the read failed."""
    mine = ChannelSchedule.objects.filter(pk=schedule.pk, leased_by=mark)
    if error is None:
        mine.update(next_read_at=next_at, leased_by="", leased_until=None)
        return
    failures = schedule.failures + 1 if error else 0
    mine.update(next_read_at=next_at, leased_by="", leased_until=None, last_read_at=now(), last_error=error, failures=failures)
