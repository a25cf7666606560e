"""On PostgreSQL a claim always waits for the disk, and an outcome waits only where the
platform cannot be asked later (strata/publishing/claims.py): the lazy commit must stay within
the outcome's own transaction, or the next claim would not be durable."""

from __future__ import annotations

import pytest
from django.db import connection, transaction
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing import claims
from strata.publishing.models import Variant
from tests.posts import due_post

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="commit modes are PostgreSQL's"),
    pytest.mark.django_db(transaction=True),
]


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return str(cursor.fetchone()[0])


def claim() -> claims.Claimed:
    claimed = claims.claim_one(worker="t:1", at=now(), now=now())
    assert claimed is not None
    return claimed


def record(variant: claims.Claimed, *, checkable: bool) -> None:
    claims.record_published(variant=variant, outcome="published", remote_id="r", url="", remote_ids=["r"], now=now(), checkable=checkable)


def test_an_outcome_that_can_be_checked_later_commits_lazily_and_only_itself(acme: Workspace) -> None:
    due_post(acme, "acme-bsky", "one")
    due_post(acme, "acme-bsky", "two")
    with transaction.atomic():
        variant = claim()
        assert synchronous_commit() == "on"  # the claim and its attempt row wait for the disk
        record(variant, checkable=True)
        assert synchronous_commit() == "off"
    assert synchronous_commit() == "on"
    record(claim(), checkable=True)  # in autocommit, as the worker runs it
    assert synchronous_commit() == "on"
    assert set(Variant.objects.values_list("state", flat=True)) == {"published"}


def test_an_outcome_no_one_could_check_waits_for_the_disk(acme: Workspace) -> None:
    due_post(acme, "acme-bsky", "newsletter")
    with transaction.atomic():
        record(claim(), checkable=False)
        assert synchronous_commit() == "on"
