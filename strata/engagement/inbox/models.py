"""Conversations: what one person said to the brand in one thread, routed by the response plan
and answered within its SLA. Imported by strata.engagement.models, where Django finds them."""

from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.timezone import now

from strata import crypto
from strata.accounts.models import Workspace


class Conversation(models.Model):
    """One author's exchange with the brand in one thread: the thread's root and the author make
    it, so that ten people answering one post are ten conversations, each with its own clock."""

    class State(models.TextChoices):
        NEW = "new"
        OPEN = "open"
        WAITING = "waiting", "waiting on them"
        DONE = "done"
        OFFLINE = "offline", "taken offline"
        IGNORED = "ignored"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="conversations")
    channel_id = models.CharField(max_length=64)
    platform = models.CharField(max_length=20)
    thread_id = models.CharField(max_length=500)  # the thread's root on the platform
    author_id = models.CharField(max_length=300)
    author_handle = models.CharField(max_length=300)
    author_name = models.CharField(max_length=300, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.NEW)
    # What the response plan decided when the conversation began (routing.py); an empty rule is
    # the workspace's default: the channel's responsible person and `support.default_within`.
    rule_id = models.CharField(max_length=64, blank=True)
    action = models.CharField(max_length=20, blank=True)
    assignee = models.CharField(max_length=64, blank=True)  # a person id of the plan
    sentiment = models.CharField(max_length=10, blank=True)  # of the newest item they wrote
    intents = models.JSONField(default=list, blank=True)
    started_at = models.DateTimeField(default=now)
    last_inbound_at = models.DateTimeField(default=now)
    # The clock: what is owed and by when. `due_at` is the current target (first answer, or the
    # next one after they wrote again); `breached` stays once a target was missed.
    due_at = models.DateTimeField(null=True, blank=True)
    warn_at = models.DateTimeField(null=True, blank=True)
    first_answered_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)  # the newest answer
    breached = models.BooleanField(default=False)
    alerted = models.CharField(max_length=10, blank=True)  # "", "warned", "breached", "escalated"
    # Taken offline: the contact they gave (encrypted like credentials) and when to follow up.
    contact = models.TextField(blank=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    # The team's own words for it ("refund", "press"), and ",refund,press," to find one by.
    labels = models.JSONField(default=list, blank=True)
    labels_key = models.CharField(max_length=1000, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "platform", "thread_id", "author_id"], name="one_conversation_per_author_thread")
        ]
        indexes: ClassVar[list[Any]] = [
            models.Index(fields=["workspace", "-last_inbound_at"], name="inbox_newest"),
            models.Index(fields=["workspace", "due_at"], name="inbox_due", condition=Q(answered_at__isnull=True)),
        ]

    def __str__(self) -> str:
        return f"{self.author_handle} on {self.channel_id}"

    @property
    def owes_answer(self) -> bool:
        """Whether the brand owes them an answer now: the clock runs."""
        return self.state in (self.State.NEW, self.State.OPEN) and self.due_at is not None

    def set_contact(self, contact: str) -> None:
        self.contact = crypto.encrypt(contact) if contact else ""

    def get_contact(self) -> str:
        return crypto.decrypt(self.contact) if self.contact else ""


class Answer(models.Model):
    """A reply the brand sent from the inbox. The message itself is a publishing variant, so it
    goes out exactly once by the same delivery as posts."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="answers")
    item = models.ForeignKey("engagement.HeardItem", null=True, on_delete=models.SET_NULL, related_name="answers")
    variant = models.OneToOneField("publishing.Variant", on_delete=models.CASCADE, related_name="answer")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"answer to {self.conversation}"


class Note(models.Model):
    """An internal note, never sent: for the team, with @mentions of members."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    text = models.TextField()
    mentions = models.JSONField(default=list, blank=True)  # user ids
    created_at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"note on {self.conversation}"


class ConversationEvent(models.Model):
    """What happened to a conversation, in words: routed, assigned, answered, taken offline."""

    conversation = models.ForeignKey(Conversation, on_delete=models.CASCADE, related_name="events")
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    kind = models.CharField(max_length=20)
    text = models.TextField(blank=True)
    at = models.DateTimeField(default=now)

    def __str__(self) -> str:
        return f"{self.kind} on {self.conversation}"


class InboxSettings(models.Model):
    """The workspace's inbox settings (Settings › Inbox, for owners): who else may answer, and
    where late answers are announced besides e-mail."""

    workspace = models.OneToOneField(Workspace, on_delete=models.CASCADE, related_name="inbox_settings")
    # Editors and creatives read the inbox; a small team may let them answer too.
    others_may_answer = models.BooleanField(default=False)
    alert_webhook = models.URLField(max_length=1000, blank=True)
    alert_secret = models.TextField(blank=True)  # Fernet token: the webhook's signing secret

    def __str__(self) -> str:
        return f"inbox settings of {self.workspace}"

    def secret(self) -> str:
        return crypto.decrypt(self.alert_secret) if self.alert_secret else ""


class Reaction(models.Model):
    """A like or repost the brand gave something it heard, from the inbox. The key is chosen
    before the platform is called, so that trying again makes the same act, never a second."""

    item = models.ForeignKey("engagement.HeardItem", on_delete=models.CASCADE, related_name="reactions")
    kind = models.CharField(max_length=10)  # like, repost
    key = models.CharField(max_length=20)
    remote_id = models.CharField(max_length=500, blank=True)  # set once the platform has it
    error = models.TextField(blank=True)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=now)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["item", "kind"], name="one_reaction_of_a_kind")]

    def __str__(self) -> str:
        return f"{self.kind} of {self.item_id}"


class SavedView(models.Model):
    """A member's named filter of the inbox ("my negatives on acme-help"), kept as the query string."""

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="+")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000)

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["workspace", "user", "name"], name="one_view_per_name")]

    def __str__(self) -> str:
        return self.name
