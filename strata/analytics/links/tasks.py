"""At the end of each UTC day, its salt and visitor hashes go (scheduled by salt.py when the
day's salt is made), whether or not anyone clicks the next day."""

from __future__ import annotations

import datetime as dt

from django_tasks import task

from strata.analytics.links import actions


@task()
def forget_day(day: str) -> int:
    """Forget everything before the day after `day` (an ISO date); the hashes deleted."""
    _, visitors = actions.forget_before(dt.date.fromisoformat(day) + dt.timedelta(days=1))
    return visitors
