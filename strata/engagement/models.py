from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from strata.accounts.models import Workspace


class Source(models.Model):
    """One place Strata reads from: a connected channel's notifications. It keeps its cursor, so
    that a restart or a crash goes on where the last stored read ended."""

    class Kind(models.TextChoices):
        NOTIFICATIONS = "notifications"
        HASHTAGS = "hashtags"  # listening: the timelines of the hashtags the workspace's queries name
        PUBLIC = "public"  # listening: the instance's local public timeline

    class State(models.TextChoices):
        ACTIVE = "active"
        BROKEN = "broken"  # the platform refused the credentials: a person connects the channel again

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="sources")
    channel_id = models.CharField(max_length=64)  # the plan's channel whose account is read
    platform = models.CharField(max_length=20)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.NOTIFICATIONS)
    state = models.CharField(max_length=10, choices=State.choices, default=State.ACTIVE)
    cursor = models.TextField(blank=True)  # the reader's own, opaque; stored with the items it covers
    next_read_at = models.DateTimeField(default=now)
    failures = models.PositiveIntegerField(default=0)  # in a row; the back-off doubles with each
    last_error = models.TextField(blank=True)
    last_read_at = models.DateTimeField(null=True, blank=True)
    # A reader holds the source while it calls the platform, so that two never read it at once.
    leased_by = models.CharField(max_length=100, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "channel_id", "kind"], name="one_source_per_channel")
        ]
        indexes: ClassVar[list[Any]] = [
            # ingest.due_sources(): active sources whose next read has come.
            models.Index(fields=["next_read_at"], name="source_due", condition=Q(state="active"))
        ]

    def __str__(self) -> str:
        return f"{self.kind} of {self.channel_id}"


class HeardItem(models.Model):
    """One thing that came in: a mention, reply, quote, repost, like or follow, or a post from a
    thread it belongs to. Written by strangers: shown escaped, never fetched, capped in size."""

    class Kind(models.TextChoices):
        MENTION = "mention"
        REPLY = "reply"
        QUOTE = "quote"
        REPOST = "repost"
        LIKE = "like"
        FOLLOW = "follow"
        POST = "post"  # heard without being addressed to the brand (thread context, listening)

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="heard_items")
    source = models.ForeignKey(Source, null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    channel_id = models.CharField(max_length=64, blank=True)
    platform = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=500)  # the platform's id: unique per workspace and platform
    kind = models.CharField(max_length=10, choices=Kind.choices)
    author_id = models.CharField(max_length=300)
    author_handle = models.CharField(max_length=300)
    author_name = models.CharField(max_length=300, blank=True)
    text = models.TextField(blank=True)
    truncated = models.BooleanField(default=False)  # the platform sent more than MAX_TEXT
    url = models.CharField(max_length=1000, blank=True)  # the original, for a person to open
    language = models.CharField(max_length=20, blank=True)
    parent_id = models.CharField(max_length=500, blank=True)
    root_id = models.CharField(max_length=500, blank=True)
    subject_id = models.CharField(max_length=500, blank=True)
    # The brand's post (a published variant) this item is about, where it is one of ours.
    variant = models.ForeignKey("publishing.Variant", null=True, blank=True, on_delete=models.SET_NULL, related_name="heard_items")
    context = models.BooleanField(default=False)  # fetched to complete a thread, not itself a notification
    created_at = models.DateTimeField()  # on the platform
    heard_at = models.DateTimeField(default=now)
    # Labels: the model's, and a person's correction beside them (never overwritten by a model).
    sentiment = models.CharField(max_length=10, blank=True)
    intents = models.JSONField(default=list, blank=True)
    scores = models.JSONField(default=dict, blank=True)
    corrected_sentiment = models.CharField(max_length=10, blank=True)
    corrected_intents = models.JSONField(null=True, blank=True)
    corrected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    corrected_at = models.DateTimeField(null=True, blank=True)
    # The labels as shown (a correction wins), kept for filtering: ",question,complaint," so that
    # one intent is found with a LIKE on every database.
    shown_sentiment_key = models.CharField(max_length=10, blank=True)
    shown_intents_key = models.CharField(max_length=80, blank=True)
    # The plan's listening queries the text matched when it was stored, and the same as
    # ",brand-mentions,competitors," so that one query is found with a LIKE on every database.
    matched_queries = models.JSONField(default=list, blank=True)
    matched_key = models.TextField(blank=True)
    # Deleted on the platform: the text is dropped and the item shown as deleted.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # Filed in the inbox (inbox/filing.py): what someone said to the brand joins a conversation;
    # `filed` marks every item the sweep has seen, the brand's own words included.
    conversation = models.ForeignKey("engagement.Conversation", null=True, blank=True, on_delete=models.SET_NULL, related_name="items")
    filed = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["workspace", "platform", "remote_id"], name="heard_once")]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["workspace", "-created_at"], name="heard_newest"),
            models.Index(fields=["workspace", "root_id"], name="heard_thread"),
            # listening.stream: a post deleted on the platform, in every workspace that heard it.
            models.Index(fields=["platform", "remote_id"], name="heard_remote"),
            # inbox.filing: the sweep of what the inbox has not seen yet.
            models.Index(fields=["id"], name="heard_unfiled", condition=Q(filed=False, context=False)),
        ]

    def __str__(self) -> str:
        return f"{self.kind} by {self.author_handle}"

    def refresh_shown(self) -> None:
        self.shown_sentiment_key = self.shown_sentiment
        self.shown_intents_key = "," + ",".join(self.shown_intents) + "," if self.shown_intents else ""

    def set_matched(self, query_ids: list[str]) -> None:
        self.matched_queries = list(query_ids)
        self.matched_key = "," + ",".join(query_ids) + "," if query_ids else ""

    @property
    def shown_sentiment(self) -> str:
        return self.corrected_sentiment or self.sentiment

    @property
    def shown_intents(self) -> list[str]:
        return list(self.corrected_intents if self.corrected_intents is not None else self.intents)


class StreamCursor(models.Model):
    """Where Strata is in an event stream it reads for the whole installation (the Bluesky
    firehose at STRATA_BLUESKY_STREAM): the last sequence number whose items are stored, written
    in the same transaction as those items, and who is reading it now."""

    platform = models.CharField(max_length=20)
    url = models.CharField(max_length=1000)
    cursor = models.BigIntegerField(null=True, blank=True)  # None: start from the stream's present
    leased_by = models.CharField(max_length=100, blank=True)
    leased_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["platform", "url"], name="one_cursor_per_stream")]

    def __str__(self) -> str:
        return f"{self.platform} stream at {self.url}"


from strata.engagement.ambassadors.models import Ambassador, AmbassadorScoring, AmbassadorSnapshot  # noqa: E402, F401

# The inbox's models live beside the code that uses them; Django finds them here.
from strata.engagement.inbox.models import Answer, Conversation, ConversationEvent, InboxSettings, Note, Reaction, SavedView  # noqa: E402

__all__ = [
    "Answer",
    "Conversation",
    "ConversationEvent",
    "HeardItem",
    "InboxSettings",
    "Note",
    "Reaction",
    "SavedView",
    "Source",
    "StreamCursor",
]
