"""Ingest as Django tasks, for many workers on a broker (Redis, with django-tasks-rq): one source
per task, read with the same code as `strata ingest`. A source is claimed with a lease before it
is read, so a task enqueued twice, or racing `strata ingest`, reads it once."""

from __future__ import annotations

import datetime as dt

from django.utils.timezone import now
from django_tasks import task

from strata.engagement import ingest, labels
from strata.engagement.inbox import alerts, filing
from strata.engagement.listening import retag
from strata.engagement.models import Source
from strata.publishing.delivery import worker_name

# How long a source handed to a task is not handed out again: a task that never ran (its worker
# lost) leaves the source due again after this.
HANDED_OUT = dt.timedelta(seconds=60)


@task()
def retag_workspace(workspace_id: int) -> int:
    """Match what the workspace heard against its plan's listening queries as they are now."""
    return retag.retag(workspace_id)


@task()
def read_source(source_id: int) -> int:
    stored = ingest.read_source(source_id, worker=worker_name(), enqueued=True)
    if stored:
        labels.label_unlabelled(limit=stored)
        filing.file_unfiled(limit=stored)
    return stored


def enqueue_due() -> int:
    """One task per due source; the number enqueued."""
    ingest.sync_sources()
    alerts.sweep()  # cheap, and due whether or not a source is
    enqueued = 0
    for source_id in ingest.due_sources():
        # Push the next read back before enqueuing: only one loop hands a source out.
        if Source.objects.filter(pk=source_id, next_read_at__lte=now()).update(next_read_at=now() + HANDED_OUT):
            read_source.enqueue(source_id)
            enqueued += 1
    return enqueued
