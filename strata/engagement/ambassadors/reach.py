"""Reach: how many follow an ambassador, from the platform.

Bluesky: `followersCount` of app.bsky.actor.getProfiles on the AppView (STRATA_BLUESKY_APPVIEW,
set by the administrator, as for naming authors in listening/handles.py), 25 DIDs a call. A
count is cached for a day (several workspaces may share an ambassador); an account the AppView
does not know is cached as unknown for ten minutes, and its reach stays unknown.

Mastodon: the reader does not keep the `followers_count` of the accounts in notifications, so a
Mastodon ambassador's reach is unknown ("—" on the pages) and the score leaves reach out."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable

import httpx
from django.core.cache import cache
from django.db.models import Q
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.engagement.ambassadors import scoring
from strata.engagement.ambassadors.models import Ambassador
from strata.engagement.listening import handles
from strata.platforms import egress

log = logging.getLogger(__name__)

CHECK_EVERY = dt.timedelta(days=1)
PER_RUN = 100  # ambassadors asked about per check, highest score first
UNKNOWN = -1  # cached for an account the AppView does not know


def due(workspace: Workspace, at: dt.datetime) -> Q:
    """Bluesky ambassadors not dismissed whose followers were never read, or not for a day."""
    stale = Q(followers_checked_at__isnull=True) | Q(followers_checked_at__lt=at - CHECK_EVERY)
    return Q(workspace=workspace, platform="bluesky") & stale & ~Q(status=Ambassador.Status.DISMISSED)


def check(workspace: Workspace) -> int:
    """Read the followers of the workspace's due Bluesky ambassadors and score them again with
    their reach; the number whose followers are now known."""
    base = handles.appview_url()
    if not base:
        return 0
    at = now()
    asked = list(Ambassador.objects.filter(due(workspace, at)).order_by("-score", "pk")[:PER_RUN])
    counts = followers(base, [a.author_id for a in asked])
    for ambassador in asked:
        if ambassador.author_id not in counts:
            continue
        ambassador.followers = counts[ambassador.author_id]
        ambassador.followers_checked_at = at
        ambassador.reach = scoring.reach(ambassador.followers)
        ambassador.score = scoring.combine(ambassador.frequency, ambassador.recency, ambassador.sentiment, ambassador.reach)
    known = [a for a in asked if a.author_id in counts]
    Ambassador.objects.bulk_update(known, ["followers", "followers_checked_at", "reach", "score"])
    return len(known)


def followers(base: str, dids: Iterable[str]) -> dict[str, int]:
    """followersCount by DID, for the accounts the AppView knows."""
    found: dict[str, int] = {}
    asked: list[str] = []
    for did in dict.fromkeys(dids):
        known = cache.get(f"bsky-followers:{did}")
        if known is None:
            asked.append(did)
        elif known != UNKNOWN:
            found[did] = int(known)
    for start in range(0, len(asked), handles.PER_CALL):
        chunk = asked[start : start + handles.PER_CALL]
        try:
            body = handles.get_profiles(base, chunk)
        except (httpx.HTTPError, ValueError, egress.EgressRefused) as exc:
            log.warning("Bluesky AppView %s: followers not read (%s); reach stays unknown for now", base, exc)
            return found
        counted = _counts(body, chunk)
        for did in chunk:
            cache.set(f"bsky-followers:{did}", counted.get(did, UNKNOWN), handles.CACHED if did in counted else handles.NOT_YET)
        found.update(counted)
    return found


def _counts(body: object, chunk: list[str]) -> dict[str, int]:
    """The counts in an answer, for the DIDs asked about only; anything else in it is ignored."""
    listed = body.get("profiles", []) if isinstance(body, dict) else []
    counts: dict[str, int] = {}
    for profile in listed if isinstance(listed, list) else []:
        if not isinstance(profile, dict):
            continue
        did, count = profile.get("did"), profile.get("followersCount")
        if isinstance(did, str) and did in chunk and isinstance(count, int) and not isinstance(count, bool) and 0 <= count < 2**31:
            counts[did] = count
    return counts
