"""Delivery as Django tasks, for running many workers on a broker (Redis, with django-tasks-rq).

A task delivers due variants with the same code as `strata worker`: claims are atomic in the
database, so any number of tasks may run at once and each variant is still published once."""

from __future__ import annotations

from django_tasks import task

from strata.publishing.delivery import run_once

BATCH = 200


@task()
def deliver_due(limit: int = BATCH) -> int:
    return run_once(limit=limit)
