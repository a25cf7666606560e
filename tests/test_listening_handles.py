"""Authors heard on the Bluesky event stream are named by DID only; the real AppView of the test
network (tests/servers/network.py) gives their handles and display names, and an AppView that
does not answer leaves them named by DID until a later pass."""

from __future__ import annotations

import httpx
from django.core.cache import cache
from django.test import override_settings
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.listening import handles
from strata.engagement.models import HeardItem
from tests.servers.network import BlueskyNetwork


def displayed_name(net: BlueskyNetwork, did: str) -> str | None:
    answer = httpx.get(f"{net.appview_url}/xrpc/app.bsky.actor.getProfile", params={"actor": did}, timeout=30)
    return answer.json().get("displayName") if answer.status_code == 200 else None


def heard_from(workspace: Workspace, did: str, n: int) -> HeardItem:
    return HeardItem.objects.create(
        workspace=workspace,
        platform="bluesky",
        remote_id=f"at://{did}/app.bsky.feed.post/{n}",
        kind="post",
        author_id=did,
        author_handle=did,  # as the stream stores it
        text="acme bikes on the canal path",
        created_at=now(),
    )


def test_stream_authors_get_their_handle_and_name_from_the_appview(acme: Workspace, bsky_network: BlueskyNetwork) -> None:
    net = bsky_network
    rider = net.create_account()
    client = net.client(rider)
    client.com.atproto.repo.put_record(
        {"repo": rider.did, "collection": "app.bsky.actor.profile", "rkey": "self", "record": {"displayName": "Rita <b>Rider</b>"}}
    )
    net.wait_until(lambda: displayed_name(net, rider.did), what="the profile to be indexed")
    cache.clear()
    items = [heard_from(acme, rider.did, n) for n in range(3)]
    unknown = heard_from(acme, "did:plc:nobodyhereatall00000000", 9)

    with override_settings(STRATA_BLUESKY_APPVIEW=net.appview_url):
        assert handles.name_authors() == 3

    for item in items:
        item.refresh_from_db()
        assert (item.author_handle, item.author_name) == (rider.handle, "Rita <b>Rider</b>")  # escaped where shown
    unknown.refresh_from_db()
    assert unknown.author_handle == unknown.author_id  # the AppView does not know it: the DID stays


def test_an_appview_that_does_not_answer_leaves_the_did(acme: Workspace) -> None:
    cache.clear()
    item = heard_from(acme, "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", 1)
    with override_settings(STRATA_BLUESKY_APPVIEW="http://127.0.0.1:9"):  # nothing listens on the discard port
        assert handles.name_authors() == 0
    item.refresh_from_db()
    assert item.author_handle == "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"
