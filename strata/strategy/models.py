from __future__ import annotations

from typing import Any, ClassVar

from django.conf import settings
from django.db import models
from django.utils import timezone

from strata.accounts.models import Workspace


class PlanRevision(models.Model):
    """One version of a workspace's plan. The newest is the plan; older ones are its history.

    The plan is stored whole, as the same document a plan file holds, because it is imported,
    exported and reviewed whole; other apps refer to its elements by their ids."""

    class Source(models.TextChoices):
        WEB = "web", "web app"
        IMPORT = "import", "plan file"
        API = "api", "API"
        DEMO = "demo", "demo"
        PROPOSAL = "proposal", "accepted proposal"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plan_revisions")
    number = models.PositiveIntegerField()
    document = models.JSONField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    source = models.CharField(max_length=10, choices=Source.choices)
    summary = models.CharField(max_length=300)
    # Why the plan changed, when something other than its author said so: the recommendation
    # of a report whose proposal was accepted (PlanProposal), with its evidence in words.
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # The review's score while this revision was the plan (the overview's trend): kept by
    # strategy/health.py, empty until first reviewed there.
    score = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints: ClassVar[list[Any]] = [
            models.UniqueConstraint(fields=["workspace", "number"], name="one_revision_number_per_workspace")
        ]
        ordering: ClassVar[list[str]] = ["-number"]

    def __str__(self) -> str:
        return f"{self.workspace.slug} plan r{self.number}"


class PlanProposal(models.Model):
    """A plan change offered to a strategist rather than made: the whole proposed plan, the
    revision it was made from (its diff is read against that one) and why. Accepting it saves
    the proposed plan as a new revision whose reason is this proposal's; the plan is never
    changed behind the strategist's back.

    `key` names what proposed it (a report's recommendation: "advice:2026-10:mix-drift:news"),
    so that the same advice made again does not pile up copies of one proposal."""

    class State(models.TextChoices):
        OPEN = "open", "open"
        ACCEPTED = "accepted", "accepted"
        DECLINED = "declined", "declined"
        # The plan changed since it was made and the change no longer applies cleanly.
        STALE = "stale", "out of date"

    workspace = models.ForeignKey(Workspace, on_delete=models.CASCADE, related_name="plan_proposals")
    key = models.CharField(max_length=200)
    based_on = models.ForeignKey(PlanRevision, on_delete=models.CASCADE, related_name="+")
    document = models.JSONField()  # the whole plan as it would be
    summary = models.CharField(max_length=300)  # the change, in one line ("Lower news-bsky to 3 posts a week")
    reason = models.TextField()  # the recommendation and its evidence, in words
    evidence = models.JSONField(default=dict, blank=True)  # the numbers behind the reason
    state = models.CharField(max_length=10, choices=State.choices, default=State.OPEN)
    created_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(null=True, blank=True)
    revision = models.ForeignKey(PlanRevision, null=True, blank=True, on_delete=models.SET_NULL, related_name="proposals")

    class Meta:
        constraints: ClassVar[list[Any]] = [models.UniqueConstraint(fields=["workspace", "key"], name="one_proposal_per_advice")]
        ordering: ClassVar[list[str]] = ["-created_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.workspace.slug}: {self.summary}"
