"""Names for the authors the Bluesky event stream heard: the stream gives only their DID, so
the items it stores show `did:plc:…` until the AppView (STRATA_BLUESKY_APPVIEW) is asked for
their profiles, 25 at a time with app.bsky.actor.getProfiles. The AppView verifies each handle
against its DID and says `handle.invalid` when it does not hold: such an author keeps the DID,
so that a DID document cannot borrow someone else's name. Answers are cached for a day,
unknown accounts for ten minutes."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable

import httpx
from django.conf import settings
from django.core.cache import cache

from strata.engagement import ingest
from strata.engagement.models import HeardItem
from strata.platforms import egress

log = logging.getLogger(__name__)

PER_CALL = 25  # getProfiles' limit
TIMEOUT = 10.0
CACHED = 24 * 3600
NOT_YET = 600  # an account the AppView has not indexed yet, or whose handle does not verify
# atproto handle syntax: dot-separated DNS labels, the last not starting with a digit.
HANDLE = re.compile(r"^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]([a-z0-9-]{0,61}[a-z0-9])?$")
MAX_NAME = 300


def appview_url() -> str:
    return str(getattr(settings, "STRATA_BLUESKY_APPVIEW", "") or "").rstrip("/")


def name_authors(limit: int = 500) -> int:
    """Give handles and names to stored Bluesky items still named by DID; the number renamed."""
    base = appview_url()
    if not base:
        return 0
    dids = list(
        HeardItem.objects.filter(platform="bluesky", author_handle__startswith="did:")
        .values_list("author_id", flat=True)
        .distinct()[:limit]
    )
    renamed = 0
    for did, (handle, name) in profiles(base, dids).items():
        renamed += HeardItem.objects.filter(platform="bluesky", author_id=did, author_handle__startswith="did:").update(
            author_handle=handle, author_name=name
        )
    return renamed


def get_profiles(base: str, actors: list[str]) -> object:
    """The AppView's getProfiles answer, parsed. The AppView's address is a setting, but a
    connection is still refused to private addresses like every other call out (egress.py)."""
    with egress.guard():
        answer = httpx.get(f"{base}/xrpc/app.bsky.actor.getProfiles", params={"actors": actors}, timeout=TIMEOUT)
        answer.raise_for_status()
        return answer.json()


def profiles(base: str, dids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """(handle, display name) by DID, for those whose handle the AppView verified."""
    found: dict[str, tuple[str, str]] = {}
    asked: list[str] = []
    for did in dids:
        known = cache.get(f"bsky-profile:{did}")
        if known is not None:
            if known:
                found[did] = (str(known[0]), str(known[1]))
        else:
            asked.append(did)
    for start in range(0, len(asked), PER_CALL):
        chunk = asked[start : start + PER_CALL]
        try:
            body = get_profiles(base, chunk)
            listed = body.get("profiles", []) if isinstance(body, dict) else []
        except (httpx.HTTPError, ValueError, egress.EgressRefused) as exc:
            log.warning("Bluesky AppView %s: profiles not read (%s); the authors keep their DID for now", base, exc)
            return found
        named: dict[str, tuple[str, str]] = {}
        for profile in listed if isinstance(listed, list) else []:
            if not isinstance(profile, dict):
                continue
            who, handle, name = profile.get("did"), profile.get("handle"), profile.get("displayName") or ""
            if isinstance(who, str) and who in chunk and isinstance(handle, str) and HANDLE.match(handle) and handle != "handle.invalid":
                named[who] = (handle, ingest._clean(name if isinstance(name, str) else "")[:MAX_NAME])
        for did in chunk:
            cache.set(f"bsky-profile:{did}", list(named.get(did, ())), CACHED if did in named else NOT_YET)
        found.update(named)
    return found
