"""Reading the compose form, and what to tell the writer about it before saving: each variant
as its network will show it (name, handle, text with links, mentions and tags, link card,
images, the count as the platform counts it), the platform rules per variant, copies between
variants, and the mix."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

import regex
from django.http import QueryDict

from strata.accounts.models import Workspace
from strata.platforms.base import Problem
from strata.platforms.bluesky.text import graphemes
from strata.platforms.mastodon.text import length as mastodon_length
from strata.publishing.actions import PostInput, VariantInput, channel_warnings, check_variant
from strata.publishing.models import ChannelAccount
from strata.publishing.planlink import PlanLink
from strata.publishing.similarity import Pair, similar_pairs
from strata.safeurl import problem as url_problem

# The limits shown beside the count. Mastodon instances may allow more: the rule check
# (check_variant) asks the instance and says so when a text is over its own limit.
LIMITS = {"bluesky": 300, "mastodon": 500}
COUNTED_AS = {"bluesky": "graphemes", "mastodon": "characters, every link as 23"}

# Links, mentions and tags as the networks' own clients find them: each starts at a word
# boundary; a link's trailing punctuation is not part of it. A Mastodon mention may name its
# server (@name@server.example), a Bluesky one is a domain (@name.bsky.social).
_TOKEN = regex.compile(
    r"(?P<link>(?<![\w/])https?://[^\s<>\"]+)"
    r"|(?P<mention>(?<![\w@])@[\w](?:[\w.-]*[\w])?(?:@[\w-]+(?:\.[\w-]+)+)?)"
    r"|(?P<tag>(?<![\w#&])[#＃](?!\d+\b)[\p{L}\p{N}_]{1,64})"
)
_TRAILING = ".,;:!?)'\""


def form_to_input(post: QueryDict | dict[str, Any], link: PlanLink) -> PostInput:
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


@dataclass(frozen=True)
class Segment:
    """A piece of a text as the preview shows it. `href` is set only for a link that may be
    one (http or https); everything else is shown as text, escaped by the template."""

    kind: str  # "text" | "link" | "mention" | "tag"
    text: str
    href: str = ""


@dataclass(frozen=True)
class Image:
    url: str
    alt: str


@dataclass(frozen=True)
class LinkCard:
    domain: str
    url: str


@dataclass
class PartPreview:
    segments: list[Segment]
    count: int
    limit: int

    @property
    def over(self) -> int:
        return max(0, self.count - self.limit) if self.limit else 0


@dataclass
class VariantPreview:
    channel_id: str
    platform: str
    text: str
    count: int
    limit: int
    problems: list[Problem] = field(default_factory=list)
    not_connected: str = ""  # the warning when the channel has no usable account
    name: str = ""  # the name the network shows above the post
    handle: str = ""
    parts: list[PartPreview] = field(default_factory=list)  # the text, then each reply of a thread
    card: LinkCard | None = None
    images: list[Image] = field(default_factory=list)

    @property
    def over(self) -> int:
        return max(0, self.count - self.limit) if self.limit else 0

    @property
    def counted_as(self) -> str:
        return COUNTED_AS.get(self.platform, "characters")


@dataclass
class Preview:
    variants: list[VariantPreview]
    copies: list[Pair]
    kind: str
    serves_objective: bool


def segments(text: str) -> list[Segment]:
    """`text` cut into plain text, links, mentions and tags."""
    found: list[Segment] = []
    at = 0
    for match in _TOKEN.finditer(text):
        kind = match.lastgroup or "text"
        value = match.group(0)
        if kind in ("link", "mention"):
            value = value.rstrip(_TRAILING)
        end = match.start() + len(value)
        if match.start() > at:
            found.append(Segment("text", text[at : match.start()]))
        href = value if kind == "link" and url_problem(value) is None else ""
        found.append(Segment(kind if kind != "link" or href else "text", value, href))
        at = end
    if at < len(text):
        found.append(Segment("text", text[at:]))
    return found


def published_text(text: str, link: str) -> str:
    """The text as it goes out: the link is added at the end unless the text already holds it
    (as the Bluesky and Mastodon adapters do)."""
    return text if not link or link in text else f"{text} {link}".strip()


def count(platform: str, text: str) -> int:
    """The length of `text` as `platform` counts it."""
    if platform == "bluesky":
        return graphemes(text)
    if platform == "mastodon":
        return mastodon_length(text)
    return len(text)


def link_card(text: str, link: str) -> LinkCard | None:
    """The card a network shows for the first link (the given link, else the first in the
    text): its domain and address, from the text alone; nothing is fetched."""
    url = link or next((s.href for s in segments(text) if s.href), "")
    if not url or url_problem(url) is not None:
        return None
    host = urlsplit(url).hostname or ""
    return LinkCard(host.removeprefix("www."), url)


def handles(workspace: Workspace, link: PlanLink, channel_ids: Iterable[str]) -> dict[str, str]:
    """The handle each channel posts as: the connected account's, else the plan's."""
    wanted = set(channel_ids)
    connected = dict(
        ChannelAccount.objects.filter(workspace=workspace, channel_id__in=wanted).exclude(handle="").values_list("channel_id", "handle")
    )
    return {c: connected.get(c) or link.channels[c].handle for c in wanted if c in link.channels}


def preview(workspace: Workspace, data: PostInput, link: PlanLink, images: dict[str, list[Image]] | None = None) -> Preview:
    """Each variant of `data` as its network shows it, with what to fix before it can go out.
    `images` are the images already attached, per channel (a saved post's)."""
    shown = []
    warnings = channel_warnings(workspace, (v.channel_id for v in data.variants))
    named = handles(workspace, link, (v.channel_id for v in data.variants))
    for variant in data.variants:
        platform = link.channels[variant.channel_id].platform
        problems = check_variant(workspace, variant, platform)
        limit = LIMITS.get(platform, 0)
        parts = [
            PartPreview(segments(text), count(platform, text), limit)
            for text in (published_text(variant.text, variant.link), *variant.thread)
        ]
        shown.append(
            VariantPreview(
                variant.channel_id,
                platform,
                variant.text,
                parts[0].count,
                limit,
                problems,
                warnings.get(variant.channel_id, ""),
                name=workspace.name,
                handle=named.get(variant.channel_id, ""),
                parts=parts,
                card=link_card(variant.text, variant.link),
                images=(images or {}).get(variant.channel_id, []),
            )
        )
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
