"""A short link on the real Bluesky PDS (127.0.0.1): the record's text carries it, and its link
facet points at it, since the adapter finds facets in the text it is given."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.management import call_command

from strata.analytics.links.models import ShortLink
from tests.servers.pds import BlueskyAccount, Pds
from tests.test_publish_bluesky import account, connected, run_worker_later, schedule  # noqa: F401 - fixtures and helpers

DOMAIN = "https://acme.link"


def listed() -> list[dict[str, Any]]:
    out = io.StringIO()
    call_command("post", "list", "--workspace", "acme", "--format", "json", stdout=out)
    rows: list[dict[str, Any]] = json.loads(out.getvalue())
    return rows


@pytest.fixture(autouse=True)
def links_domain(settings: Any) -> None:
    settings.STRATA_LINK_DOMAIN = DOMAIN


def test_the_bluesky_post_carries_the_short_link_and_its_facet_points_at_it(connected: BlueskyAccount, pds: Pds) -> None:  # noqa: F811
    post_id = schedule("--text", "New routes at https://acme.example/routes/berlin-spring-2026?from=bluesky — see you there")
    assert "delivered 1" in run_worker_later()
    link = ShortLink.objects.get(post_id=post_id)
    short = f"{DOMAIN}/l/{link.code}"
    uri = next(row for row in listed() if row["id"] == post_id)["variants"][0]["uri"]
    [record] = [r for r in pds.records(connected.did) if r["uri"] == uri]
    value: Any = record["value"]
    assert value["text"] == f"New routes at {short} — see you there"
    [facet] = value["facets"]
    assert facet["features"][0] == {"$type": "app.bsky.richtext.facet#link", "uri": short}
    encoded = value["text"].encode()
    assert encoded[facet["index"]["byteStart"] : facet["index"]["byteEnd"]].decode() == short
    assert link.target.startswith("https://acme.example/routes/berlin-spring-2026?from=bluesky&utm_source=bluesky&utm_medium=social")
