"""Collecting as Django tasks, for many workers on a broker (Redis, with django-tasks-rq): one task
per due channel and per due batch of posts, read with the same code as `strata metrics collect`.

`enqueue_due()` marks the rows it hands out (leases.hand_out) and the task claims only rows that
still carry its mark, so a task enqueued twice, or racing the loop, reads nothing twice; a task
that never runs gives its rows back when the hand-out expires."""

from __future__ import annotations

import functools

from django.db import transaction
from django_tasks import task

from strata.analytics.metrics import followers, leases, posts, sweep
from strata.analytics.metrics.models import ChannelSchedule, PostSchedule
from strata.publishing.delivery import worker_name


@task()
def read_followers(schedule_id: int, handed: str) -> bool:
    return followers.read_followers(schedule_id, worker=worker_name(), handed=handed)


@task()
def read_posts(schedule_ids: list[int], handed: str) -> int:
    return posts.read_batch(schedule_ids, worker=worker_name(), handed=handed)


def enqueue_due() -> int:
    """One task per due channel and per due batch; the number enqueued."""
    sweep.sweep()
    enqueued = 0
    for schedule_id in followers.due_channels():
        mark, got = leases.hand_out(ChannelSchedule, [schedule_id])
        if got:
            transaction.on_commit(functools.partial(read_followers.enqueue, schedule_id, mark))
            enqueued += 1
    for batch in posts.due_batches():
        mark, got = leases.hand_out(PostSchedule, batch)
        if got:
            transaction.on_commit(functools.partial(read_posts.enqueue, got, mark))
            enqueued += 1
    return enqueued
