"""An ambassador's standing with the brand, its weekly trace, and when a workspace was last
scored. Imported by strata.engagement.models, where Django finds them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils.timezone import now

from strata.accounts.models import Workspace


class Ambassador(models.Model):
    """One person on one platform who engages with the brand: found by the refresh as a
    candidate, then confirmed or dismissed by a person. The score and its parts are the
    refresh's (scoring.py), stored so that lists sort in SQL; the rest is what people decided."""

    class Status(models.TextChoices):
        CANDIDATE = "candidate"
        CONFIRMED = "confirmed"
        DISMISSED = "dismissed"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="ambassadors")
    platform = models.CharField(max_length=20)
    author_id = models.CharField(max_length=300)  # HeardItem.author_id: a DID, an account id
    handle = models.CharField(max_length=300)  # as last heard; written by strangers, shown escaped
    name = models.CharField(max_length=300, blank=True)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.CANDIDATE)
    tags = models.JSONField(default=list, blank=True)
    # ",local,racer," so that one tag is found with a LIKE on every database (like matched_key).
    tags_key = models.TextField(blank=True)
    # The plan's audience they belong to: chosen by a person, or guessed at each refresh from the
    # listening queries and channels they were heard on (tally.py). An id the plan no longer has
    # is shown as such, never dropped: the plan may get it back.
    audience_id = models.CharField(max_length=64, blank=True)
    audience_chosen = models.BooleanField(default=False)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    dismissed_at = models.DateTimeField(null=True, blank=True)
    # Reach, from the platform (reach.py); None: not known (Mastodon, or not asked yet).
    followers = models.PositiveIntegerField(null=True, blank=True)
    followers_checked_at = models.DateTimeField(null=True, blank=True)
    # The refresh's figures (scoring.Score), as of scored_at.
    score = models.FloatField(default=0.0)
    frequency = models.FloatField(default=0.0)
    recency = models.FloatField(default=0.0)
    sentiment = models.FloatField(default=0.0)  # -1 (all negative) … +1 (all positive)
    reach = models.FloatField(null=True, blank=True)
    interactions = models.PositiveIntegerField(default=0)  # in scoring.WINDOW
    interactions_30d = models.PositiveIntegerField(default=0)
    shares_30d = models.PositiveIntegerField(default=0)
    interactions_before = models.PositiveIntegerField(default=0)  # the 30 days before those
    shares_before = models.PositiveIntegerField(default=0)
    last_at = models.DateTimeField(null=True, blank=True)  # their newest interaction, on the platform
    scored_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "platform", "author_id"], name="one_ambassador_per_author")
        ]
        indexes: ClassVar[list[Any]] = [models.Index(fields=["workspace", "status", "-score"], name="ambassadors_by_score")]

    def __str__(self) -> str:
        return f"{self.handle} on {self.platform}"

    def set_tags(self, tags: list[str]) -> None:
        self.tags = list(tags)
        self.tags_key = "," + ",".join(t.lower() for t in tags) + "," if tags else ""

    @property
    def has_human_input(self) -> bool:
        """Whether a person did something with them: such a row is never dropped by a refresh."""
        return self.status != self.Status.CANDIDATE or bool(self.tags) or self.audience_chosen


class AmbassadorSnapshot(models.Model):
    """A confirmed ambassador's figures in one week (the last refresh of that week wins), so
    that the person page shows whether they are still sharing."""

    ambassador = models.ForeignKey(Ambassador, on_delete=models.CASCADE, related_name="snapshots")
    week = models.DateField()  # the Monday (UTC) of the week it stands for
    score = models.FloatField()
    interactions_30d = models.PositiveIntegerField()
    shares_30d = models.PositiveIntegerField()
    followers = models.PositiveIntegerField(null=True, blank=True)
    taken_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["ambassador", "week"], name="one_snapshot_per_week")]

    def __str__(self) -> str:
        return f"{self.ambassador} in the week of {self.week}"


class AmbassadorScoring(models.Model):
    """When a workspace's ambassadors were last scored: a refresh claims the row with one
    conditional UPDATE, so that two page loads or two ingest processes never score at once."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="ambassador_scoring")
    refreshed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"ambassadors of {self.workspace_id} scored at {self.refreshed_at}"
