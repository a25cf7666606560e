"""What the platforms say about reach and engagement, read without anyone typing a number.

- `FollowerCount`: one row per connected channel and day (the workspace's day). A day Strata
  tried and the platform failed is a row with `followers` None and the error: a gap, never a 0.
  A day with no row is a gap too (the channel was not connected, or Strata did not run).
- `PostReading`: the counts of one published variant at one moment; a time series, one row per
  successful read. A read that failed stores nothing, and the schedule keeps the error.
- `PostSchedule`: when each published variant is read next (schedule.py), leased like
  engagement.Source so that any number of workers read each post once per due time.
- `ChannelSchedule`: when each connected channel's followers are read next, and where a rate
  limit holds the whole account back.
"""

from __future__ import annotations

from typing import Any, ClassVar

from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from strata.accounts.models import Workspace
from strata.publishing.models import Variant

__all__ = ["ChannelSchedule", "FollowerCount", "PostReading", "PostSchedule"]


class FollowerCount(models.Model):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=64)  # the plan's channel
    platform = models.CharField(max_length=20)
    day = models.DateField()  # in the workspace's time zone, when it was read
    followers = models.PositiveBigIntegerField(null=True, blank=True)  # None: the read failed (see error)
    read_at = models.DateTimeField(default=now)
    error = models.TextField(blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "channel_id", "day"], name="one_follower_count_per_channel_day"),
            # A gap says why; a number has nothing to explain.
            models.CheckConstraint(condition=Q(followers__isnull=False) | ~Q(error=""), name="follower_gap_has_error"),
        ]

    def __str__(self) -> str:
        return f"{self.channel_id} on {self.day}: {self.followers if self.followers is not None else 'gap'}"


class PostReading(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="readings")
    read_at = models.DateTimeField(default=now)
    likes = models.PositiveBigIntegerField()
    reposts = models.PositiveBigIntegerField()  # reposts on Bluesky, boosts on Mastodon
    replies = models.PositiveBigIntegerField()
    # None where the platform does not count quotes (Mastodon before 4.5): unknown is not 0.
    quotes = models.PositiveBigIntegerField(null=True, blank=True)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            # queries.post_totals(): the newest reading of each variant; engagement_by_day's range.
            models.Index(fields=["variant", "-read_at"], name="reading_latest"),
            models.Index(fields=["read_at"], name="reading_time"),
        ]

    def __str__(self) -> str:
        return f"{self.variant_id} at {self.read_at:%Y-%m-%d %H:%M}"

    @property
    def engagement(self) -> int:
        return self.likes + self.reposts + self.replies + (self.quotes or 0)


class Leased(models.Model):
    """A schedule a worker holds while it calls the platform, so that two never read it at once."""

    next_read_at = models.DateTimeField(null=True, blank=True, default=now)  # None: never again
    failures = models.PositiveIntegerField(default=0)  # in a row; retries back off with each
    last_error = models.TextField(blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    leased_by = models.CharField(max_length=100, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        abstract = True


class PostSchedule(Leased):
    variant = models.OneToOneField(Variant, on_delete=models.CASCADE, related_name="metrics_schedule")
    # The variant's, copied so that due reads are grouped per account without a join.
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=64)
    platform = models.CharField(max_length=20)
    reads = models.PositiveIntegerField(default=0)

    class Meta:
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["next_read_at"], name="post_schedule_due", condition=Q(next_read_at__isnull=False)),
            models.Index(fields=["workspace", "channel_id"], name="post_schedule_channel"),
        ]

    def __str__(self) -> str:
        return f"readings of {self.variant_id}"


class ChannelSchedule(Leased):
    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    channel_id = models.CharField(max_length=64)
    platform = models.CharField(max_length=20)
    # No call for this account before then: the platform said 429 (for posts and followers alike).
    held_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "channel_id"], name="one_metrics_schedule_per_channel")
        ]

    def __str__(self) -> str:
        return f"followers of {self.channel_id}"
