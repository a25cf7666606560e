"""The day's salt for visitor hashes: random, one per UTC day, shared by every process through
the database, and deleted with its day.

Each process keeps today's salt in memory and asks the database again when the UTC date
changes; the first to ask on a new day makes the salt (the unique day decides between two that
ask at once) and deletes the earlier days' salts and visitor hashes. So that this happens even
on a day when nobody clicks, making a salt also schedules its deletion for the end of its day
(tasks.forget_day), where the task backend can run a task later."""

from __future__ import annotations

import datetime as dt
import logging
import secrets
import threading

from django.db import transaction

from strata.analytics.links import actions
from strata.analytics.links.models import DailySalt

log = logging.getLogger(__name__)

_lock = threading.Lock()
_today: tuple[dt.date, bytes] | None = None


def salt_for(day: dt.date) -> bytes:
    """The salt of `day` (today, UTC), made if this is the day's first click."""
    global _today
    kept = _today
    if kept is not None and kept[0] == day:
        return kept[1]
    with _lock:
        kept = _today
        if kept is not None and kept[0] == day:
            return kept[1]
        row, made = DailySalt.objects.get_or_create(day=day, defaults={"salt": secrets.token_hex(32)})
        actions.forget_before(day)
        if made:
            transaction.on_commit(lambda: _schedule_forgetting(day))
        _today = (day, bytes.fromhex(row.salt))
        return _today[1]


def forget_cached() -> None:
    """Drop this process's copy (tests that travel in time; a salt deleted by hand)."""
    global _today
    _today = None


def _schedule_forgetting(day: dt.date) -> None:
    from django_tasks import default_task_backend

    from strata.analytics.links.tasks import forget_day

    if not default_task_backend.supports_defer:
        return  # the next day's first click forgets it instead
    midnight = dt.datetime.combine(day + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    try:
        forget_day.using(run_after=midnight).enqueue(day.isoformat())
    except Exception:  # the queue being down must not fail a redirect; the next day's first click forgets it
        log.exception("could not schedule forgetting the visitor hashes of %s", day)
