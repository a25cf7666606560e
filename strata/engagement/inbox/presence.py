"""Who else has a conversation open, and whether they are writing an answer: so that two people
do not answer the same person twice. Kept in the cache (Redis where REDIS_URL is set), each
member's mark lasting SEEN seconds; the page renews it every few seconds while it is open."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache

from strata.accounts.models import Membership, User

SEEN = 25  # seconds a mark lasts: a little more than two of the page's renewals


@dataclass(frozen=True)
class Present:
    name: str
    writing: bool


def _key(conversation_id: int, user_id: int) -> str:
    return f"inbox-presence:{conversation_id}:{user_id}"


def mark(conversation_id: int, user: User, *, writing: bool) -> None:
    cache.set(_key(conversation_id, user.pk), {"name": str(user), "writing": writing}, SEEN)


def others(conversation_id: int, workspace_id: int, user: User) -> list[Present]:
    members = Membership.objects.filter(workspace_id=workspace_id).exclude(user=user).values_list("user_id", flat=True)
    found = cache.get_many([_key(conversation_id, member) for member in members])
    return sorted((Present(str(v["name"]), bool(v["writing"])) for v in found.values()), key=lambda p: p.name)
