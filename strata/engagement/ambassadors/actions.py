"""Every write a person makes about an ambassador: views and API call these."""

from __future__ import annotations

import unicodedata

from django.db import transaction
from django.utils.timezone import now

from strata.accounts.actions import ActionError
from strata.accounts.models import User
from strata.engagement.ambassadors import refresh
from strata.engagement.ambassadors.models import Ambassador
from strata.strategy.store import current_plan

MAX_TAGS = 10
MAX_TAG = 40


def confirm(*, ambassador: Ambassador, actor: User | None) -> Ambassador:
    """One of ours: tracked from now on, with a snapshot each week."""
    if ambassador.status == Ambassador.Status.CONFIRMED:
        return ambassador
    with transaction.atomic():
        ambassador.status = Ambassador.Status.CONFIRMED
        ambassador.confirmed_at, ambassador.confirmed_by, ambassador.dismissed_at = now(), actor, None
        ambassador.save(update_fields=["status", "confirmed_at", "confirmed_by", "dismissed_at"])
        refresh.snapshot(ambassador)
    return ambassador


def dismiss(*, ambassador: Ambassador, actor: User | None) -> Ambassador:
    """Not an ambassador: never a candidate again, whatever they do (their score is kept)."""
    if ambassador.status != Ambassador.Status.DISMISSED:
        ambassador.status, ambassador.dismissed_at = Ambassador.Status.DISMISSED, now()
        ambassador.save(update_fields=["status", "dismissed_at"])
    return ambassador


def set_tags(*, ambassador: Ambassador, actor: User | None, tags: list[str]) -> Ambassador:
    ambassador.set_tags(clean_tags(tags))
    ambassador.save(update_fields=["tags", "tags_key"])
    return ambassador


def clean_tags(tags: list[str]) -> list[str]:
    """Trimmed, each once (whatever its case), at most MAX_TAGS of at most MAX_TAG characters,
    without commas or control characters."""
    kept: dict[str, str] = {}
    for raw in tags:
        tag = " ".join(str(raw).split())
        if not tag:
            continue
        if len(tag) > MAX_TAG:
            raise ActionError(f"a tag may be at most {MAX_TAG} characters: '{tag[:20]}…' is longer", field="tags")
        if "," in tag or any(unicodedata.category(c).startswith("C") for c in tag):
            raise ActionError("a tag may not hold commas or control characters", field="tags")
        kept.setdefault(tag.lower(), tag)
    if len(kept) > MAX_TAGS:
        raise ActionError(f"at most {MAX_TAGS} tags", field="tags")
    return list(kept.values())


def split_tags(text: str) -> list[str]:
    """The page's one text field: tags separated by commas."""
    return text.split(",")


def set_audience(*, ambassador: Ambassador, actor: User | None, audience_id: str) -> Ambassador:
    """The plan's audience they belong to; empty to let the refresh guess it again."""
    audience_id = audience_id.strip()
    if audience_id:
        known = [a.id for a in current_plan(ambassador.workspace).plan.audiences]
        if audience_id not in known:
            choices = ", ".join(known) if known else "the plan has none yet"
            raise ActionError(f"'{audience_id[:40]}' is not an audience of the plan: one of {choices}", field="audience")
        ambassador.audience_id = audience_id
    ambassador.audience_chosen = bool(audience_id)
    ambassador.save(update_fields=["audience_id", "audience_chosen"])
    return ambassador
