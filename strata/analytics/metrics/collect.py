"""Collecting the numbers without anyone typing them: `strata metrics collect` runs this loop,
`strata metrics collect --enqueue` hands the same work to the task workers (tasks.py).

A round (`collect_once`):
1. sweep: a schedule for every newly published post and newly connected channel (sweep.py);
2. followers: every channel whose daily read is due (followers.py);
3. posts: every due post, a batch of one channel's posts per call (posts.py).
Leases (leases.py) keep any number of loops and workers from reading anything twice.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.db import DatabaseError, connection

from strata.analytics.metrics import followers, posts, sweep
from strata.publishing.delivery import worker_name

log = logging.getLogger(__name__)

INTERVAL = 10.0  # seconds between rounds: the finest schedule is a quarter hour


@dataclass(frozen=True)
class Collected:
    scheduled: int  # posts newly scheduled
    followers: int  # channels whose followers were stored
    readings: int  # post readings stored


def collect_once(*, worker: str | None = None) -> Collected:
    worker = worker or worker_name()
    scheduled = sweep.sweep()
    counted = sum(_alone(followers.read_followers, pk, worker=worker) for pk in followers.due_channels())
    readings = sum(_alone(posts.read_batch, ids, worker=worker) for ids in posts.due_batches())
    return Collected(scheduled=scheduled, followers=counted, readings=readings)


def _alone(read: Callable[..., int | bool], what: Any, *, worker: str) -> int:
    """One channel's or batch's read; a bug or a broken row there does not stop the others (its
    lease runs out and it is tried again), a database that fails does."""
    try:
        return int(read(what, worker=worker))
    except DatabaseError:
        raise
    except Exception:
        log.exception("reading %s failed; it is tried again when its lease runs out", what)
        return 0


def collect_forever(*, stop: threading.Event, worker: str | None = None, interval: float = INTERVAL) -> None:
    """An error never ends the loop: it is logged, and the next round starts on a new connection."""
    worker = worker or worker_name()
    try:
        while not stop.is_set():
            try:
                collect_once(worker=worker)
            except Exception as exc:
                log.exception("collecting metrics stopped short; trying again in %s s", interval)
                if isinstance(exc, DatabaseError):
                    connection.close()
            stop.wait(interval)
    finally:
        connection.close()
