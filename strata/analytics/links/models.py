"""Strata's own short links and what they count. Imported by strata.analytics.models, where
Django finds them.

A click is not kept as a row: the redirect adds one to its link's day (ClickDay), and a
visitor's daily hash is kept only as long as the day lasts, to count each visitor once
(DailyVisitor). The hash's salt is random, one per UTC day, and deleted with its day
(DailySalt), so that nobody, not even with the database, can tell later whether an address
clicked. The address itself is never written anywhere."""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing.models import Post, Variant

__all__ = ["ClickDay", "DailySalt", "DailyVisitor", "LinkSettings", "ShortLink"]


class ShortLink(models.Model):
    """One address of a published variant, as its short link: /l/<code> sends the visitor to
    `target`, the original address with UTM tags. Made once per variant and address, before
    the platform is called, so that a retry of the delivery publishes the same code."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="short_links")
    code = models.CharField(max_length=16, unique=True)  # random base62 (codes.py)
    # The post and variant it was made for; kept when they go (the clicks still count).
    variant = models.ForeignKey(Variant, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    platform = models.CharField(max_length=20)  # utm_source
    channel_id = models.CharField(max_length=64, blank=True)
    objective_id = models.CharField(max_length=64, blank=True)  # what the post served when it went out
    pillar_id = models.CharField(max_length=64, blank=True)
    url = models.TextField()  # the address as written in the post
    url_hash = models.CharField(max_length=64)  # SHA-256 of `url`: an index on a long text is refused by PostgreSQL
    target = models.TextField()  # `url` with the UTM tags; http(s) only
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(
                fields=["variant", "url_hash"], name="one_short_link_per_variant_url", condition=Q(variant__isnull=False)
            )
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["workspace", "created_at"], name="short_link_listed")]

    def __str__(self) -> str:
        return f"/l/{self.code} → {self.url[:80]}"

    @property
    def campaign(self) -> str:
        """utm_campaign: the objective the post serves, or else its pillar."""
        return self.objective_id or self.pillar_id


class ClickDay(models.Model):
    """A link's clicks on one UTC day: people (`clicks`, of whom `visitors` distinct), and bots
    and link-preview fetchers apart (`bots`). One row per link and day, added to in place."""

    link = models.ForeignKey(ShortLink, on_delete=models.CASCADE, related_name="days")
    day = models.DateField()  # UTC
    clicks = models.PositiveIntegerField(default=0)
    visitors = models.PositiveIntegerField(default=0)
    bots = models.PositiveIntegerField(default=0)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["link", "day"], name="one_click_day_per_link")]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["day"], name="click_day")]

    def __str__(self) -> str:
        return f"{self.link_id} on {self.day}: {self.clicks} clicks"


class DailyVisitor(models.Model):
    """A visitor seen today on one link, as a hash of (today's salt, address, user agent, link):
    only so that the same person clicking twice counts as one visitor. Deleted with its day."""

    day = models.DateField()  # UTC
    digest = models.CharField(max_length=64)  # hex SHA-256; the link is inside the hash

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["day", "digest"], name="one_visitor_per_day")]

    def __str__(self) -> str:
        return f"visitor {self.digest[:8]} on {self.day}"


class DailySalt(models.Model):
    """The day's random salt for visitor hashes. Only today's exists: once it is deleted, no
    hash of that day can be made again from an address."""

    day = models.DateField(unique=True)  # UTC
    salt = models.CharField(max_length=64)  # hex of 32 random bytes

    def __str__(self) -> str:
        return f"salt of {self.day}"


class LinkSettings(models.Model):
    """Settings › Links: whether links in this workspace's posts go out as short links."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="link_settings")
    shorten = models.BooleanField(default=True)

    def __str__(self) -> str:
        return f"link settings of {self.workspace}"
