"""The publishing loop of `strata worker` and `strata serve` outlives a database that drops
its connection (a restart, a failover): the next due post still goes out."""

from __future__ import annotations

import threading
import time

import pytest
from django.db import connection

from strata.accounts.models import Workspace
from strata.publishing import actions, delivery
from strata.publishing.models import Post
from strata.strategy.actions import put_element
from strata.strategy.elements import KINDS
from tests.posts import due_post

pytestmark = [
    pytest.mark.skipif(connection.vendor != "postgresql", reason="a server that can drop a connection"),
    pytest.mark.django_db(transaction=True),
]


def wait_until_published(post: Post) -> str:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        post.refresh_from_db()
        if post.state != Post.State.SCHEDULED:
            break
        time.sleep(0.1)
    return post.state


def test_the_publisher_reconnects_after_the_database_drops_it(acme: Workspace) -> None:
    put_element(
        workspace=acme,
        author=None,
        kind=KINDS["channels"],
        element_id=None,
        element={"id": "acme-feed", "platform": "rss", "handle": "feed", "purpose": "educating"},
    )
    actions.connect_channel(workspace=acme, actor=None, channel_id="acme-feed", service="http://testserver/feed", handle="feed", secret="")
    stop = threading.Event()
    publisher = threading.Thread(target=delivery.deliver_forever, kwargs={"stop": stop, "worker": "loop:1", "interval": 0.1})
    publisher.start()
    try:
        assert wait_until_published(due_post(acme, "acme-feed", "Before")) == "published"
        with connection.cursor() as cursor:  # what a database restart does to the publisher
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] == 1
        assert wait_until_published(due_post(acme, "acme-feed", "After")) == "published"
        assert publisher.is_alive()
    finally:
        stop.set()
        publisher.join(timeout=30)
    assert not publisher.is_alive()
