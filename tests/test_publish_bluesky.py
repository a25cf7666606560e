"""Publishing to a real Bluesky PDS on 127.0.0.1: text with facets, an image with alt text, a
thread, and never a second copy."""

from __future__ import annotations

import datetime as dt
import io
import json
import struct
import zlib
from pathlib import Path
from typing import Any

import httpx
import pytest
import time_machine
from django.core.files.base import ContentFile
from django.core.management import CommandError, call_command
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.platforms.bluesky import adapter as bluesky_adapter
from strata.publishing import actions, delivery
from strata.publishing.models import Attempt, ChannelAccount, Media, Notification, Variant
from tests.servers.pds import BlueskyAccount, Pds


def png() -> bytes:
    raw = b"".join(b"\x00" + b"\x10\x80\xf0" * 4 for _ in range(4))

    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 4, 4, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


_counter = iter(range(10_000))


@pytest.fixture
def account(pds: Pds) -> BlueskyAccount:
    return pds.create_account(f"acme{next(_counter)}x{dt.datetime.now(dt.UTC).strftime('%H%M%S%f')}")


def connect(pds: Pds, handle: str, password: str, tmp_path: Path) -> str:
    """`strata channel connect` for acme-bsky, as an operator runs it; returns what it printed."""
    secret = tmp_path / "app-password"
    secret.write_text(password)
    out = io.StringIO()
    args = ["--workspace", "acme", "--channel", "acme-bsky", "--service", pds.url, "--handle", handle, "--password-file", str(secret)]
    call_command("channel", "connect", *args, stdout=out)
    return out.getvalue()


@pytest.fixture
def connected(acme: Any, pds: Pds, account: BlueskyAccount, tmp_path: Path) -> BlueskyAccount:
    assert account.did in connect(pds, account.handle, account.app_password, tmp_path)
    return account


def run_worker_later(minutes: int = 2) -> str:
    out = io.StringIO()
    with time_machine.travel(now() + dt.timedelta(minutes=minutes), tick=True):
        call_command("worker", "--once", stdout=out)
    return out.getvalue()


def schedule(*args: str) -> int:
    out = io.StringIO()
    at = (now() + dt.timedelta(minutes=1)).isoformat()
    call_command(
        "post", "schedule", "--workspace", "acme", "--channel", "acme-bsky", "--objective", "eu-awareness", "--at", at, *args, stdout=out
    )
    return int(out.getvalue().strip())


def test_the_app_password_is_stored_encrypted(connected: BlueskyAccount) -> None:
    account = ChannelAccount.objects.get()
    assert connected.app_password not in account.secret
    assert account.credentials().secret == connected.app_password


def test_a_wrong_password_is_refused_on_connect(acme: Any, pds: Pds, account: BlueskyAccount, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match="did not accept these credentials"):
        connect(pds, account.handle, "not-the-password", tmp_path)
    assert not ChannelAccount.objects.exists()


def test_text_links_mentions_and_hashtags_arrive_as_facets(connected: BlueskyAccount, pds: Pds) -> None:
    text = f"Ride with @{connected.handle} — routes at https://acme.example/routes?city=berlin. #BikeToWork 🚲"
    post_id = schedule("--text", text)
    assert "delivered 1" in run_worker_later()
    listed = io.StringIO()
    call_command("post", "list", "--workspace", "acme", "--format", "json", stdout=listed)
    [row] = json.loads(listed.getvalue())
    assert row["id"] == post_id
    assert row["state"] == "published"
    uri = row["variants"][0]["uri"]
    assert uri.startswith(f"at://{connected.did}/app.bsky.feed.post/")
    [record] = [r for r in pds.records(connected.did) if r["uri"] == uri]
    value: Any = record["value"]
    assert value["text"] == text
    encoded = text.encode()
    spans = {
        f["features"][0]["$type"].split("#")[1]: encoded[f["index"]["byteStart"] : f["index"]["byteEnd"]].decode() for f in value["facets"]
    }
    assert spans == {"mention": f"@{connected.handle}", "link": "https://acme.example/routes?city=berlin", "tag": "#BikeToWork"}
    mention = next(f for f in value["facets"] if f["features"][0]["$type"].endswith("#mention"))
    assert mention["features"][0]["did"] == connected.did


def test_an_image_goes_with_its_alt_text(connected: BlueskyAccount, pds: Pds) -> None:
    post = actions.create_post(
        workspace=Workspace.objects.get(slug="acme"),
        actor=None,
        data=actions.PostInput(variants=[actions.VariantInput("acme-bsky", "Our new route map")], objective_id="eu-awareness"),
    )
    variant = post.variants.get()
    Media.objects.create(
        variant=variant, file=ContentFile(png(), name="map.png"), mime="image/png", alt="A map of Berlin with the new bike route in orange"
    )
    actions.approve(post=post, actor=None)
    actions.schedule(post=post, actor=None, at=now() + dt.timedelta(minutes=1))
    run_worker_later()
    variant.refresh_from_db()
    assert variant.state == "published"
    record: Any = next(r for r in pds.records(connected.did) if r["uri"] == variant.remote_id)
    [image] = record["value"]["embed"]["images"]
    assert image["alt"] == "A map of Berlin with the new bike route in orange"
    assert image["image"]["mimeType"] == "image/png"


def test_a_thread_is_published_as_replies(connected: BlueskyAccount, pds: Pds) -> None:
    schedule(
        "--text",
        "Three things we learned riding every day (1/3)",
        "--reply",
        "Rain is fine with good fenders (2/3)",
        "--reply",
        "Lights matter more than speed (3/3)",
    )
    run_worker_later()
    variant = Variant.objects.get()
    assert variant.state == "published"
    assert len(variant.remote_ids) == 3
    records = {r["uri"]: r["value"] for r in pds.records(connected.did)}
    root, second, third = (records[u] for u in variant.remote_ids)
    assert "reply" not in root
    assert second["reply"]["root"]["uri"] == variant.remote_ids[0]  # type: ignore[index]
    assert second["reply"]["parent"]["uri"] == variant.remote_ids[0]  # type: ignore[index]
    assert third["reply"]["root"]["uri"] == variant.remote_ids[0]  # type: ignore[index]
    assert third["reply"]["parent"]["uri"] == variant.remote_ids[1]  # type: ignore[index]


def test_publishing_again_never_makes_a_second_copy(connected: BlueskyAccount, pds: Pds) -> None:
    schedule("--text", "Only once, please")
    run_worker_later()
    variant = Variant.objects.get()
    first_uri = variant.remote_id
    # As if the record of the outcome had been lost: the variant is due again.
    Variant.objects.filter(pk=variant.pk).update(state="scheduled", next_attempt_at=now(), remote_id="")
    run_worker_later()
    variant.refresh_from_db()
    assert variant.state == "published"
    assert variant.remote_id == first_uri
    assert [r["value"]["text"] for r in pds.records(connected.did)].count("Only once, please") == 1  # type: ignore[index]
    assert list(variant.attempt_rows.values_list("outcome", flat=True)) == ["published", "published"]


def test_an_interrupted_attempt_is_checked_before_it_is_retried(connected: BlueskyAccount, pds: Pds) -> None:
    schedule("--text", "Interrupted but delivered")
    run_worker_later()
    variant = Variant.objects.get()
    # A worker claimed it, published, and died before recording the outcome.
    Variant.objects.filter(pk=variant.pk).update(
        state="publishing", claimed_by="otherhost:1", claimed_at=now() - dt.timedelta(hours=1), remote_id=""
    )
    Attempt.objects.create(variant=variant, number=2, worker="otherhost:1")
    with time_machine.travel(now() + dt.timedelta(minutes=1), tick=True):
        assert delivery.recover_stale(worker="me:1") == 1
    run_worker_later(minutes=3)
    variant.refresh_from_db()
    assert variant.state == "published"
    outcomes = list(variant.attempt_rows.order_by("number").values_list("outcome", flat=True))
    assert outcomes == ["published", "interrupted", "already_published"]
    assert [r["value"]["text"] for r in pds.records(connected.did)].count("Interrupted but delivered") == 1  # type: ignore[index]


def test_a_revoked_app_password_stops_and_tells_a_person(connected: BlueskyAccount, pds: Pds) -> None:
    session = httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.createSession", json={"identifier": connected.handle, "password": connected.password}
    ).json()
    httpx.post(
        f"{pds.url}/xrpc/com.atproto.server.revokeAppPassword",
        json={"name": "strata"},
        headers={"authorization": f"Bearer {session['accessJwt']}"},
    ).raise_for_status()
    bluesky_adapter._sessions.clear()
    schedule("--text", "This will not go out")
    run_worker_later()
    variant = Variant.objects.get()
    assert variant.state == "failed"
    assert "connect the channel again" in variant.last_error
    assert ChannelAccount.objects.get().broken
    assert Notification.objects.filter(post=variant.post).exists()
    assert pds.records(connected.did) == []


def test_a_post_more_than_an_hour_late_is_missed_not_sent(connected: BlueskyAccount, pds: Pds) -> None:
    schedule("--text", "Too late for this")
    run_worker_later(minutes=90)
    variant = Variant.objects.get()
    assert variant.state == "missed"
    assert variant.post.state == "missed"
    assert pds.records(connected.did) == []
    assert (variant.attempts, variant.attempt_rows.count()) == (0, 0)  # nothing was tried
