"""Reading the compose form, and what to tell the writer about it before saving: the platform
rules per variant, copies between variants, and the mix."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict

from strata.accounts.models import Workspace
from strata.platforms.base import Problem
from strata.platforms.bluesky.text import graphemes
from strata.platforms.mastodon.text import length as mastodon_length
from strata.publishing.actions import PostInput, VariantInput, check_variant
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import Pair, similar_pairs


def form_to_input(post: QueryDict, link: PlanLink) -> PostInput:
    variants = []
    for channel_id in link.channels:
        text = (post.get(f"text.{channel_id}") or "").strip()
        if text:
            thread = tuple(t.strip() for t in (post.get(f"thread.{channel_id}") or "").split("\n---\n") if t.strip())
            variants.append(VariantInput(channel_id, text, (post.get(f"link.{channel_id}") or "").strip(), thread))
    return PostInput(
        variants=variants,
        title=(post.get("title") or "").strip(),
        objective_id=post.get("objective") or "",
        pillar_id=post.get("pillar") or "",
        kind=post.get("kind") or "",
    )


@dataclass
class VariantPreview:
    channel_id: str
    platform: str
    text: str
    count: int
    limit: int
    problems: list[Problem] = field(default_factory=list)


@dataclass
class Preview:
    variants: list[VariantPreview]
    copies: list[Pair]
    kind: str
    serves_objective: bool


def preview(workspace: Workspace, data: PostInput, link: PlanLink) -> Preview:
    shown = []
    for variant in data.variants:
        platform = link.channels[variant.channel_id].platform
        problems = check_variant(workspace, variant, platform)
        count = (
            graphemes(variant.text)
            if platform == "bluesky"
            else mastodon_length(variant.text)
            if platform == "mastodon"
            else len(variant.text)
        )
        limit = 300 if platform == "bluesky" else 500 if platform == "mastodon" else 0
        shown.append(VariantPreview(variant.channel_id, platform, variant.text, count, limit, problems))
    copies = similar_pairs((v.channel_id, v.text) for v in data.variants)
    return Preview(shown, copies, link.kind_of(data.kind, data.pillar_id), link.serves_objective(data.objective_id, data.pillar_id))


def parse_local(value: str, timezone: str) -> dt.datetime | None:
    """A datetime-local field's value, read in the workspace's time zone."""
    try:
        naive = dt.datetime.fromisoformat(value)
    except ValueError:
        return None
    if naive.tzinfo is not None:
        return naive
    return naive.replace(tzinfo=zoneinfo.ZoneInfo(timezone))


def options(link: PlanLink) -> dict[str, Any]:
    plan = link.plan
    return {
        "objectives": [(o.id, o.statement) for o in plan.objectives],
        "pillars": [(p.id, p.name, p.kind) for p in plan.content.pillars],
        "channels": [(c.id, c.platform, c.handle, c.purpose or "") for c in plan.channels],
    }
