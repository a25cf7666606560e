"""Hearing a Bluesky account on a real network: PLC, PDS and the Bluesky AppView on 127.0.0.1
(tests/servers/network.py). Strata reads the brand's notifications through its PDS, as a
client does, and the thread above each reply."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement import ingest
from strata.engagement.models import HeardItem, Source
from strata.publishing import actions, delivery
from strata.publishing.models import Variant
from tests.conftest import DEMO_PLAN
from tests.posts import due_post
from tests.servers.network import BlueskyNetwork, Ref
from tests.servers.pds import BlueskyAccount


def connect(workspace: Workspace, network: BlueskyNetwork, account: BlueskyAccount) -> None:
    actions.connect_channel(
        workspace=workspace, actor=None, channel_id="acme-bsky", service=network.pds_url, handle=account.handle, secret=account.app_password
    )


def read_all(workspace: Workspace) -> int:
    ingest.sync_sources()
    stored = 0
    for source in Source.objects.filter(workspace=workspace):
        Source.objects.filter(pk=source.pk).update(next_read_at=now() - dt.timedelta(seconds=1))
        stored += ingest.read_source(source.pk, worker="test:1")
    return stored


def test_every_kind_arrives_once_threaded_and_tied_to_the_brands_post(acme: Workspace, bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    brand, fan, other = net.create_account(), net.create_account(), net.create_account()
    connect(acme, net, brand)
    post = due_post(acme, "acme-bsky", "Five spring routes around the lake")
    delivery.run_once(worker="test:1")
    variant = Variant.objects.get(post=post)
    assert variant.state == "published"
    ours = Ref(variant.remote_id, net.record(variant.remote_id)["cid"])

    first = net.reply(fan, ours, "Which one is flattest?")
    deeper = net.reply(other, first, "The second, by far")  # a reply to a reply
    net.quote(other, ours, "Worth a read before the weekend")
    net.like(fan, ours)
    net.repost(fan, ours)
    net.follow(other, brand)
    mention = net.post(fan, f"Lovely bikes from @{brand.handle} this spring")
    # The AppView tells the brand of the first reply but not of the reply to it (it tells that
    # reply's parent's author): Strata finds it in the brand's thread.
    seen: list[str] = []

    def six() -> bool | None:
        seen[:] = sorted(n.reason for n in net.notifications(brand).notifications)
        return len(seen) >= 6 or None

    try:
        net.wait_until(six, what="six notifications")
    except TimeoutError:
        raise AssertionError(f"the AppView listed {seen} for the brand, not six notifications") from None
    net.wait_indexed(deeper)

    assert read_all(acme) >= 7
    heard = HeardItem.objects.filter(workspace=acme, context=False)
    kinds = Counter(heard.values_list("kind", flat=True))
    assert kinds["reply"] == 2
    assert {kinds["quote"], kinds["like"], kinds["repost"], kinds["follow"], kinds["mention"]} == {1}
    assert heard.get(kind="mention").remote_id == mention.uri
    for kind in ("quote", "like", "repost"):
        assert heard.get(kind=kind).variant_id == variant.pk, kind  # tied to the post Strata published
    assert heard.get(remote_id=first.uri).variant_id == variant.pk

    # The reply to a reply keeps its chain back to the brand's post.
    chain = HeardItem.objects.filter(workspace=acme)
    assert chain.get(remote_id=deeper.uri).parent_id == first.uri
    assert chain.get(remote_id=first.uri).parent_id == ours.uri
    assert chain.filter(remote_id=ours.uri).exists()
    assert chain.get(remote_id=deeper.uri).root_id == ours.uri

    # Reading again brings nothing twice; only the new arrives.
    assert read_all(acme) == 0
    later = net.reply(fan, ours, "And the third?")
    net.wait_notification(brand, later.uri)
    assert read_all(acme) == 1
    assert HeardItem.objects.filter(workspace=acme, remote_id=later.uri).count() == 1


SETUP = """
import sys, django
django.setup()
from strata.publishing import actions
from strata.accounts.models import Workspace
actions.connect_channel(workspace=Workspace.objects.get(slug="acme"), actor=None, channel_id="acme-bsky",
    service=sys.argv[1], handle=sys.argv[2], secret=sys.argv[3])
"""
COUNT = """
import json, django
django.setup()
from strata.engagement.models import HeardItem
print(json.dumps(list(HeardItem.objects.filter(context=False).values_list("remote_id", flat=True))))
"""


def run(env: dict[str, str], *args: str) -> str:
    return subprocess.run([sys.executable, *args], env=env, capture_output=True, text=True, timeout=300, check=True).stdout


def test_ingest_killed_at_random_loses_nothing_and_doubles_nothing(bsky_network: BlueskyNetwork, own_database: str, tmp_path: Path) -> Any:
    net = bsky_network
    brand, fan = net.create_account(), net.create_account()
    ours = net.post(brand, "Ask us anything about spring servicing")
    replies = [net.reply(fan, ours, f"Question number {i}") for i in range(40)]
    net.wait_notification(brand, replies[-1].uri, timeout=60)

    env = {**os.environ, "DATABASE_URL": own_database, "STRATA_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "strata.settings"}
    run(env, "-m", "strata.cli", "migrate", "--verbosity", "0")
    run(env, "-m", "strata.cli", "plan", "import", str(DEMO_PLAN), "--workspace", "acme")
    run(env, "-c", SETUP, net.pds_url, brand.handle, brand.app_password)

    rng = random.Random(20261201)
    for _ in range(4):
        reader = subprocess.Popen([sys.executable, "-m", "strata.cli", "ingest", "--interval", "0.1"], env=env, stdout=subprocess.DEVNULL)
        time.sleep(rng.uniform(0.5, 3.0))
        reader.send_signal(signal.SIGKILL)
        reader.wait()
        # More arrives while nobody listens.
        replies.append(net.reply(fan, ours, f"Question asked while ingest was down {len(replies)}"))
    net.wait_notification(brand, replies[-1].uri, timeout=60)
    # Let the last lease run out, as it would for a process that died, then read what is left.
    run(env, "-c", "import django; django.setup(); from strata.engagement.models import Source; Source.objects.update(leased_until=None)")
    subprocess.run([sys.executable, "-m", "strata.cli", "ingest", "--once"], env=env, capture_output=True, timeout=300)

    stored = json.loads(run(env, "-c", COUNT))
    assert Counter(stored) == {reply.uri: 1 for reply in replies}
