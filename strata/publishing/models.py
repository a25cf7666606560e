from __future__ import annotations

import hashlib
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from strata import crypto
from strata.accounts.models import Workspace
from strata.platforms.base import Credentials


class ChannelAccount(models.Model):
    """The credentials for one channel of the plan. The secret is stored encrypted."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="channel_accounts")
    channel_id = models.CharField(max_length=64)  # the plan's channel id
    platform = models.CharField(max_length=20)
    service = models.CharField(max_length=300)
    handle = models.CharField(max_length=300)
    secret = models.TextField()  # Fernet token; see strata.crypto
    remote_account = models.CharField(max_length=300, blank=True)  # the DID or acct the platform confirmed
    connected_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    connected_at = models.DateTimeField(default=now)
    broken = models.TextField(blank=True)  # why publishing stopped (a revoked token), for a person to fix
    rate_limited_until = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["workspace", "channel_id"], name="one_account_per_channel")]

    def __str__(self) -> str:
        return f"{self.platform} {self.handle} for {self.channel_id}"

    def set_secret(self, secret: str) -> None:
        self.secret = crypto.encrypt(secret)

    def credentials(self) -> Credentials:
        return Credentials(service=self.service, handle=self.handle, secret=crypto.decrypt(self.secret))


class PublishingSettings(models.Model):
    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="publishing_settings")
    allow_posts_without_objective = models.BooleanField(default=False)
    # A post due longer ago than this is not sent silently: it goes to "missed" for a person.
    missed_after_minutes = models.PositiveIntegerField(default=60)
    # The calendar feed's secret address is shown once when made; like API tokens, only its
    # SHA-256 is kept, so that a copy of the database does not open every calendar.
    ical_token_hash = models.CharField(max_length=64, blank=True)

    def __str__(self) -> str:
        return f"publishing settings of {self.workspace}"

    @staticmethod
    def hash_ical_token(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    def new_ical_token(self) -> str:
        """Make (or replace) the calendar feed's token and return it; the old one stops working."""
        token = secrets.token_urlsafe(24)
        self.ical_token_hash = self.hash_ical_token(token)
        self.save(update_fields=["ical_token_hash"])
        return token

    def opens_ical(self, token: str) -> bool:
        return bool(token and self.ical_token_hash) and secrets.compare_digest(self.hash_ical_token(token), self.ical_token_hash)


class Post(models.Model):
    """One message, with a variant per channel. Its state follows the workflow; once
    scheduled, it follows its variants."""

    class State(models.TextChoices):
        DRAFT = "draft"
        IN_REVIEW = "in_review", "in review"
        APPROVED = "approved"
        SCHEDULED = "scheduled"
        PUBLISHED = "published"
        FAILED = "failed"
        UNCONFIRMED = "unconfirmed"
        MISSED = "missed"

    class Kind(models.TextChoices):
        SOCIAL = "social"
        PROMOTIONAL = "promotional"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="posts")
    title = models.CharField(max_length=200, blank=True)
    objective_id = models.CharField(max_length=64, blank=True)  # the plan's objective id, or empty
    pillar_id = models.CharField(max_length=64, blank=True)
    kind = models.CharField(max_length=12, choices=Kind.choices, blank=True)  # empty: the pillar's kind
    state = models.CharField(max_length=12, choices=State.choices, default=State.DRAFT)
    scheduled_at = models.DateTimeField(null=True, blank=True)  # UTC
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)
    updated_at = models.DateTimeField(auto_now=True)
    # Set when a person deleted the post: it leaves the calendar, the list and the mix, and its
    # history stays (actions.delete_post). Never set on a post that went out.
    deleted_at = models.DateTimeField(null=True, blank=True)
    # An answer in a conversation (actions.create_reply), not content of the plan: it stays out
    # of the calendar, the lists, the mix, the export and the review, and goes through delivery
    # like any post. Its one variant says what it answers (Variant.reply_to); this flag is the
    # post's, so that every page about the plan leaves replies out without a join.
    is_reply = models.BooleanField(default=False)

    class Meta:
        indexes: ClassVar[list[Any]] = [models.Index(fields=["workspace", "scheduled_at"], name="post_calendar")]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The working title, or the start of the first variant's text."""
        if self.title:
            return self.title
        first = next(iter(self.variants.all()), None)  # prefetched by the calendar and lists
        return first.text[:60] if first is not None else f"post {self.pk}"


class Variant(models.Model):
    """A post's message for one channel: its own text, delivered exactly once."""

    class State(models.TextChoices):
        PENDING = "pending"  # the post is not scheduled yet
        SCHEDULED = "scheduled"
        PUBLISHING = "publishing"  # claimed by a worker
        PUBLISHED = "published"
        FAILED = "failed"
        UNCONFIRMED = "unconfirmed"  # it may have gone out; only a person can tell
        MISSED = "missed"  # too late to send without asking

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="variants")
    channel_id = models.CharField(max_length=64)
    platform = models.CharField(max_length=20)
    text = models.TextField()
    link = models.URLField(max_length=2000, blank=True)
    thread = models.JSONField(default=list, blank=True)  # further parts, each a reply to the one before
    # The platform's id of the post the first part answers (Outgoing.reply_to), or empty.
    reply_to = models.CharField(max_length=500, blank=True)
    # Sent privately to the author of what it answers (a Mastodon direct message), not in public.
    direct = models.BooleanField(default=False)
    keys = models.JSONField(default=list)  # idempotency keys, one per part, fixed when the variant is made
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    due_at = models.DateTimeField(null=True, blank=True)
    next_attempt_at = models.DateTimeField(null=True, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=64, blank=True)
    remote_id = models.CharField(max_length=500, blank=True)
    remote_url = models.CharField(max_length=500, blank=True)
    remote_ids = models.JSONField(default=list, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    # Set when an earlier attempt's outcome is unknown: look on the platform before publishing.
    check_first = models.BooleanField(default=False)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["post", "channel_id"], name="one_variant_per_channel")]
        indexes: ClassVar[list[Any]] = [
            # Used by delivery.claim_due(): the due, unclaimed variants, oldest first.
            models.Index(fields=["next_attempt_at"], name="variant_due", condition=Q(state="scheduled")),
            # Used by delivery.recover_stale(): variants a worker claimed and may have died with.
            models.Index(fields=["claimed_at"], name="variant_claimed", condition=Q(state="publishing")),
        ]

    def __str__(self) -> str:
        return f"{self.post} on {self.channel_id}"

    @property
    def parts(self) -> list[str]:
        return [self.text, *self.thread]


class Media(models.Model):
    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="media")
    part = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="media/%Y/%m/")
    mime = models.CharField(max_length=100)
    alt = models.TextField(blank=True)
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.mime} for {self.variant}"


class Attempt(models.Model):
    """One try at publishing a variant. Written before the platform is called, so that a worker
    that dies mid-call leaves a row with no outcome behind."""

    class Outcome(models.TextChoices):
        PUBLISHED = "published"
        ALREADY_PUBLISHED = "already_published"  # found on the platform when checked
        TRANSIENT = "transient"
        RATE_LIMITED = "rate_limited"
        PERMANENT = "permanent"
        UNKNOWN = "unknown"
        INTERRUPTED = "interrupted"  # the worker stopped before it could record an outcome

    variant = models.ForeignKey(Variant, on_delete=models.CASCADE, related_name="attempt_rows")
    number = models.PositiveIntegerField()
    worker = models.CharField(max_length=64)
    started_at = models.DateTimeField(default=now)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    detail = models.TextField(blank=True)

    class Meta:
        # In the order they were made: a retry after a dead worker may repeat the number.
        ordering: ClassVar[list[str]] = ["number", "pk"]

    def __str__(self) -> str:
        return f"attempt {self.number} of {self.variant}: {self.outcome or 'running'}"


class PostEvent(models.Model):
    """The history of a post: who did what, and comments."""

    post = models.ForeignKey(Post, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=now)

    class Meta:
        ordering: ClassVar[list[str]] = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} on {self.post}"


class Notification(models.Model):
    """Something a person must decide or fix: a failed, missed or unconfirmed post, a broken channel."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="notifications")
    post = models.ForeignKey(Post, null=True, blank=True, on_delete=models.CASCADE, related_name="notifications")
    text = models.TextField()
    created_at = models.DateTimeField(default=now)
    resolved_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return self.text[:60]


class CheckedImport(models.Model):
    """A CSV file of posts that passed its dry run, kept so that importing it does not ask for
    the file again. Only its importer, in its workspace, can import it; it goes when imported,
    when they check another file, or after csvio.CHECKED_FOR."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=200)
    data = models.BinaryField()
    checked_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.name}, checked {self.checked_at:%Y-%m-%d %H:%M}"
